"""Every change to the organisation tree and its roles. Each one is checked, atomic and audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.errors import DomainError
from leifeng.core.snapshot import snapshot
from leifeng.core.validators import normalise_credit_code, validate_credit_code, validate_mobile
from leifeng.notify.kinds import ROLE_GRANTED
from leifeng.notify.services import notify
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

EDITABLE_FIELDS = [
    "name",
    "kind",
    "region",
    "credit_code",
    "contact_name",
    "contact_phone",
    "address",
]


def _clean_org_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check the editable fields; raise one DomainError naming every bad field."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = _("Enter the organisation's name.")
    if "kind" in cleaned and cleaned["kind"] not in Organisation.Kind.values:
        errors["kind"] = _("Choose a kind of organisation from the list.")
    if "region" in cleaned and not isinstance(cleaned["region"], Region):
        errors["region"] = _("Choose the region the organisation belongs to.")
    if cleaned.get("credit_code"):
        cleaned["credit_code"] = normalise_credit_code(cleaned["credit_code"])
        try:
            validate_credit_code(cleaned["credit_code"])
        except ValidationError as exc:
            errors["credit_code"] = exc.messages[0]
    for key in ("contact_name", "contact_phone", "address"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    if errors:
        raise DomainError(_("Please correct the marked fields."), code="invalid", fields=errors)
    return cleaned


def _check_region(*, parent: Organisation | None, region: Region | None) -> None:
    """An organisation lies inside its parent's region (a county center in its county)."""
    if parent is None or region is None:
        return
    if not region.path.startswith(parent.region.path):
        raise DomainError(
            _("The region must lie within %(region)s, the region of %(parent)s.")
            % {"region": parent.region.name, "parent": parent.name},
            code="region_outside_parent",
            fields={"region": _("Choose a region inside the parent organisation's region.")},
        )


def _require_above(actor: User, org: Organisation) -> None:
    if org.parent is None:
        if not actor.is_superuser:
            raise DomainError(
                _("Only a system administrator can change this here."), code="forbidden"
            )
        return
    if not access.can(actor, access.MANAGE, org.parent):
        raise DomainError(
            _("Only the organisation above (%(parent)s) can change its region or switch it off.")
            % {"parent": org.parent.name},
            code="forbidden",
        )


def _check_region_holds_subtree(org: Organisation, region: Region) -> None:
    outside = (
        org.descendants().exclude(region__path__startswith=region.path).select_related("region")
    )
    first = outside.first()
    if first is not None:
        raise DomainError(
            _("%(child)s lies in %(region)s, outside the new region; change it first.")
            % {"child": first.name, "region": first.region.name},
            code="region_outside_subtree",
            fields={"region": _("Some sub-organisations lie outside this region.")},
        )


def _check_unique(
    *, parent: Organisation | None, cleaned: dict[str, Any], exclude_pk: int | None
) -> None:
    others = Organisation.objects.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if "name" in cleaned and others.filter(parent=parent, name=cleaned["name"]).exists():
        raise DomainError(
            _("An organisation with this name already exists at this place in the tree."),
            code="duplicate_name",
            fields={"name": _("This name is already used under the same parent.")},
        )
    if cleaned.get("credit_code") and others.filter(credit_code=cleaned["credit_code"]).exists():
        raise DomainError(
            _("Another organisation already has this unified social credit code."),
            code="duplicate_credit_code",
            fields={"credit_code": _("This code is already registered.")},
        )


@transaction.atomic
def org_create(
    *,
    actor: User,
    parent: Organisation | None,
    name: str,
    kind: str,
    region: Region,
    credit_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
) -> Organisation:
    """Create an organisation under `parent` (a root only for system administrators)."""
    if parent is None:
        if not actor.is_superuser:
            raise DomainError(
                _("Only a system administrator can create a top-level organisation."),
                code="forbidden",
            )
    else:
        access.require(actor, access.MANAGE, parent)
    cleaned = _clean_org_fields(
        {
            "name": name,
            "kind": kind,
            "region": region,
            "credit_code": credit_code,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "address": address,
        }
    )
    _check_region(parent=parent, region=cleaned["region"])
    _check_unique(parent=parent, cleaned=cleaned, exclude_pk=None)
    org = Organisation.insert(parent=parent, **cleaned)
    audit_record(
        actor=actor, organisation=org, action=AuditEntry.Action.CREATE, obj=org, after=snapshot(org)
    )
    return org


@transaction.atomic
def org_update(*, actor: User, org: Organisation, **fields: Any) -> Organisation:
    """Change the editable fields of `org` (not its place in the tree: see org_move)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"is_active"}
    if unknown:
        raise DomainError(_("These fields cannot be changed here."), code="invalid")
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    access.require(actor, access.MANAGE, org)
    cleaned = _clean_org_fields(fields)
    region_changes = "region" in cleaned and cleaned["region"].pk != org.region_id
    active_changes = "is_active" in cleaned and cleaned["is_active"] != org.is_active
    if region_changes or active_changes:
        # A node's region and whether it is active decide what its own people may do (villages
        # they may add, whether their roles count): only the level above may change them.
        _require_above(actor, org)
    if region_changes:
        _check_region(parent=org.parent, region=cleaned["region"])
        _check_region_holds_subtree(org, cleaned["region"])
    _check_unique(parent=org.parent, cleaned=cleaned, exclude_pk=org.pk)
    before = snapshot(org)
    for key, value in cleaned.items():
        setattr(org, key, value)
    org.save()
    after = snapshot(org)
    if before != after:
        audit_record(
            actor=actor,
            organisation=org,
            action=AuditEntry.Action.UPDATE,
            obj=org,
            before=before,
            after=after,
        )
    return org


@transaction.atomic
def org_move(*, actor: User, org: Organisation, new_parent: Organisation) -> Organisation:
    """Put `org` and its whole subtree under `new_parent`.

    Both the node and the target must be in the actor's scope to manage. The subtree's paths
    are rewritten with one UPDATE while the node is locked, so concurrent moves queue.
    """
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    access.require(actor, access.MANAGE, org)
    access.require(actor, access.MANAGE, new_parent)
    if org.parent_id is None:
        raise DomainError(_("The top of the tree cannot be moved."), code="move_root")
    if new_parent.path.startswith(org.path):
        raise DomainError(
            _("An organisation cannot be moved under itself or one of its own sub-organisations."),
            code="move_into_own_subtree",
            fields={"new_parent": _("Choose an organisation outside this one's subtree.")},
        )
    if new_parent.pk == org.parent_id:
        return org
    _check_region(parent=new_parent, region=org.region)
    if Organisation.objects.filter(parent=new_parent, name=org.name).exists():
        raise DomainError(
            _("An organisation with this name already exists at this place in the tree."),
            code="duplicate_name",
        )
    old_path, new_path = org.path, f"{new_parent.path}{org.pk}/"
    before = {"parent": org.parent_id, "path": old_path}
    Organisation.objects.filter(pk=org.pk).update(parent=new_parent)
    Organisation.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1, Length(F("path"))))
    )
    org.refresh_from_db()
    _figures_moved()
    audit_record(
        actor=actor,
        organisation=org,
        action=AuditEntry.Action.MOVE,
        obj=org,
        before=before,
        after={"parent": new_parent.pk, "path": org.path},
    )
    return org


@transaction.atomic
def membership_grant(
    *, actor: User, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give `user` a role in `organisation`; the actor must administer that subtree."""
    access.require(actor, access.ADMIN, organisation)
    if role not in Membership.Role.values:
        raise DomainError(
            _("Choose a role from the list."), code="invalid", fields={"role": _("Unknown role.")}
        )
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise DomainError(_("This person already holds this role here."), code="duplicate")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, organisation=organisation, role=role, granted_by=actor
            )
    except IntegrityError:  # the same grant pressed twice at once
        raise DomainError(
            _("This person already holds this role here."), code="duplicate"
        ) from None
    notify(
        recipients=[user],
        kind=ROLE_GRANTED,
        context={
            "actor": str(actor),
            "role": str(membership.get_role_display()),
            "organisation": organisation.name,
        },
        event_key=f"orgs.role_granted:{membership.pk}",
        url=reverse("orgs:detail", args=[organisation.pk]),
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.GRANT,
        obj=membership,
        after={"user": user.pk, "username": user.username, "role": role},
    )
    access.forget_memberships(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    access.require(actor, access.ADMIN, membership.organisation)
    if (
        membership.user_id == actor.pk
        and membership.role == Membership.Role.ADMIN
        and not actor.is_superuser
    ):
        others = Membership.objects.filter(user=actor, role=Membership.Role.ADMIN).exclude(
            pk=membership.pk
        )
        if not any(membership.organisation.path.startswith(m.organisation.path) for m in others):
            raise DomainError(
                _("You cannot take away your own administrator role; ask another administrator."),
                code="self_revoke",
            )
    audit_record(
        actor=actor,
        organisation=membership.organisation,
        action=AuditEntry.Action.REVOKE,
        obj=membership,
        before={
            "user": membership.user_id,
            "username": membership.user.username,
            "role": membership.role,
        },
    )
    membership.delete()
    access.forget_memberships(membership.user)


@transaction.atomic
def member_create(
    *,
    actor: User,
    organisation: Organisation,
    role: str,
    username: str,
    name: str,
    mobile: str,
    password: str,
) -> Membership:
    """Create an account for a new person and give them a role in `organisation`."""
    from django.contrib.auth.password_validation import validate_password

    access.require(actor, access.ADMIN, organisation)
    errors: dict[str, str] = {}
    username, name, mobile = username.strip(), name.strip(), mobile.strip()
    if not username:
        errors["username"] = _("Enter a user name.")
    elif User.objects.filter(username=username).exists():
        errors["username"] = _("This user name is taken.")
    if not name:
        errors["name"] = _("Enter the person's real name.")
    if mobile:
        try:
            validate_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages[0]
        else:
            if User.objects.filter(mobile=mobile).exists():
                errors["mobile"] = _("This mobile number already belongs to an account.")
    try:
        validate_password(password, User(username=username, first_name=name))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise DomainError(_("Please correct the marked fields."), code="invalid", fields=errors)
    user = User.objects.create_user(username=username, name=name, mobile=mobile, password=password)
    return membership_grant(actor=actor, user=user, organisation=organisation, role=role)


def membership_grant_by_login(
    *, actor: User, login: str, organisation: Organisation, role: str
) -> Membership:
    """Give another role to a person who already holds one in the actor's subtree, found by
    user name or mobile number. Anyone else gets an account through member_create: an admin
    must not be able to look up or pull in accounts from other subtrees."""
    login = login.strip()
    people = access.scoped(User.objects.all(), actor, access.ADMIN)
    user = (
        people.filter(username=login).first()
        or people.filter(mobile=login).exclude(mobile="").first()
    )
    if user is None:
        raise DomainError(
            _(
                "Nobody in your organisations has this user name or mobile number. "
                "Create an account for a new person instead."
            ),
            code="invalid",
            fields={"login": _("No such account.")},
        )
    return membership_grant(actor=actor, user=user, organisation=organisation, role=role)


def _figures_moved() -> None:
    """The moved subtree's figures now add up under other ancestors: the reports' rollups
    recompute every day (a rare change; the periodic job does it in the background)."""
    from leifeng.reports.rollups import mark_dirty, source_span

    span = source_span()
    if span is not None:
        mark_dirty(*span)
