"""Regions are shipped data down to townships; administrators add villages and communities."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.errors import DomainError
from leifeng.core.snapshot import snapshot
from leifeng.orgs import access
from leifeng.regions.models import Region


@transaction.atomic
def region_create_village(*, actor: User, township: Region, name: str, code: str = "") -> Region:
    """Add a village or community under a township. Its 12-digit code is optional."""
    manager = access.region_manager(actor, township)
    if manager is None:
        raise DomainError(_("You cannot add villages in this region."), code="forbidden")
    if township.level != Region.Level.TOWNSHIP:
        raise DomainError(
            _("Villages and communities can only be added under a township or street."),
            code="invalid_parent",
        )
    name, code = name.strip(), code.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter the name of the village or community.")
    if code and not (re.fullmatch(r"\d{12}", code) and code.startswith(township.code)):
        errors["code"] = _(
            "A village code has 12 digits and starts with its township's code %(code)s."
        ) % {"code": township.code}
    if errors:
        raise DomainError(_("Please correct the marked fields."), code="invalid", fields=errors)
    if Region.objects.filter(parent=township, name=name).exists():
        raise DomainError(
            _("This township already has a village or community of that name."),
            code="duplicate_name",
            fields={"name": _("Already exists.")},
        )
    if code and Region.objects.filter(code=code).exists():
        raise DomainError(
            _("Another region already has this code."),
            code="duplicate_code",
            fields={"code": _("Already exists.")},
        )
    try:
        with transaction.atomic():
            region = Region.insert(
                parent=township, name=name, code=code, level=Region.Level.VILLAGE, created_by=actor
            )
    except IntegrityError:
        raise DomainError(
            _("This village or community was just added by someone else."), code="duplicate_name"
        ) from None
    audit_record(
        actor=actor,
        organisation=manager,
        action=AuditEntry.Action.CREATE,
        obj=region,
        after=snapshot(region),
    )
    return region
