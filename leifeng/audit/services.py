"""The audit log: every change a person makes to organisation data is written here."""

from typing import Any

from django.db import models

from leifeng.audit.models import AuditEntry
from leifeng.orgs.models import Organisation


def audit_record(
    *,
    actor: Any,
    organisation: Organisation,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one entry. Call it inside the transaction of the change, so both land or neither."""
    real_actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=real_actor,
        actor_name=str(real_actor) if real_actor else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )
