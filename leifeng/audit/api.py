from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from leifeng.audit.models import AuditEntry
from leifeng.core.api import ERRORS, Pagination
from leifeng.orgs import access

router = Router()


class AuditEntryOut(Schema):
    id: int
    at: datetime
    organisation_id: int
    actor_id: int | None
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("", response={200: list[AuditEntryOut], **ERRORS}, summary="Audit log of my subtrees")
@paginate(Pagination)
def audit_list(request: HttpRequest, organisation_id: int | None = None):
    entries = access.scoped(AuditEntry.objects.all(), request.auth, access.ADMIN)
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    return entries
