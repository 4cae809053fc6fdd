"""THE scoping mechanism: who may see and do what in the organisation tree.

A Membership(user, organisation, role) grants the role's actions on that organisation and its
whole subtree. Every scoped model names the lookup to its organisation's path in `org_path`
(e.g. "organisation__path"), or a tuple of lookups when a row belongs to several
organisations (a volunteer: where they registered, and each team they are in). Views, API
endpoints, admin pages and exports fetch rows only through `scoped()` / `get_for()`, and check
actions with `can()` / `require()`; nothing else filters by organisation by hand.
"""

from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from leifeng.orgs.models import Membership, Organisation

M = TypeVar("M", bound=models.Model)

VIEW = "view"  # read the organisation's data
MANAGE = "manage"  # change the organisation's data and create or move organisations below it
ADMIN = "admin"  # manage users and roles, read the audit log
REPORT = "report"  # write the organisation's reports to the city

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Membership.Role.ADMIN: frozenset({VIEW, MANAGE, ADMIN, REPORT}),
    Membership.Role.STAFF: frozenset({VIEW, MANAGE, REPORT}),
    Membership.Role.TEAM_LEADER: frozenset({VIEW, MANAGE}),
    Membership.Role.JUDGE: frozenset({VIEW}),
    Membership.Role.REPORTER: frozenset({VIEW, REPORT}),
}

CURRENT_MEMBERSHIP_SESSION_KEY = "leifeng_membership"


def memberships(user: Any) -> list[Membership]:
    """The user's roles, loaded once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_leifeng_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, organisation__is_active=True)
            .select_related("organisation", "organisation__region")
            .order_by("organisation__path", "role")
        )
        user._leifeng_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    """Drop the cache after the user's roles changed in this request."""
    if hasattr(user, "_leifeng_memberships"):
        del user._leifeng_memberships


def paths_for(user: Any, action: str = VIEW) -> list[str]:
    """The subtree roots (paths) where `user` may do `action`, without nested duplicates."""
    paths = sorted(
        {m.organisation.path for m in memberships(user) if action in ROLE_ACTIONS[m.role]}
    )
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def _lookups(model: type[models.Model]) -> tuple[str, ...]:
    org_path = model.org_path  # type: ignore[attr-defined]
    return (org_path,) if isinstance(org_path, str) else tuple(org_path)


def _org_path_of(obj: models.Model) -> str | None:
    value: Any = obj
    for attr in _lookups(type(obj))[0].split("__"):
        value = getattr(value, attr, None)
        if value is None:
            return None
    return str(value)


def scoped(qs: QuerySet[M], user: Any, action: str = VIEW) -> QuerySet[M]:
    """Rows of `qs` under any subtree where `user` may do `action`."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    roots = paths_for(user, action)
    if not roots:
        return qs.none()
    conditions = []
    for lookup in _lookups(qs.model):
        under = reduce(or_, (Q(**{f"{lookup}__startswith": root}) for root in roots))
        if _to_many(qs.model, lookup):
            # Filtering through a to-many relation would repeat rows; select keys instead.
            under = Q(pk__in=qs.model._default_manager.filter(under).values("pk"))
        conditions.append(under)
    return qs.filter(reduce(or_, conditions))


def _to_many(model: type[models.Model], lookup: str) -> bool:
    current = model
    for name in lookup.split("__")[:-1]:
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        current = field.related_model  # type: ignore[assignment]
    return False


def _crosses_many(model: type[models.Model]) -> bool:
    """Several organisations per row, or a lookup through a to-many relation."""
    lookups = _lookups(model)
    return len(lookups) > 1 or _to_many(model, lookups[0])


def get_for(user: Any, qs: QuerySet[M], action: str = VIEW, **lookup: Any) -> M:
    """One row the user may see, else 404 (never tell what lies outside the subtree);
    403 if the user sees it but may not do `action` on it."""
    obj = get_object_or_404(scoped(qs, user, VIEW), **lookup)
    if action != VIEW and not can(user, action, obj):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return obj


def can(user: Any, action: str, obj: models.Model) -> bool:
    """May `user` do `action` on `obj` (a scoped row, e.g. an Organisation)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if _crosses_many(type(obj)):
        return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()
    path = _org_path_of(obj)
    if path is None:
        return False
    return any(path.startswith(root) for root in paths_for(user, action))


def require(user: Any, action: str, obj: models.Model) -> None:
    """Raise 404 if `obj` is out of the user's sight, 403 if visible but `action` is not allowed."""
    if can(user, action, obj):
        return
    if not can(user, VIEW, obj):
        raise Http404
    raise PermissionDenied(_("You do not have permission to do this here."))


def region_manager(user: Any, region: Any) -> Organisation | None:
    """The organisation through which `user` may add villages in `region`: the closest one
    they manage whose region contains it. Regions are shared reference data."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    mine = [
        m.organisation
        for m in memberships(user)
        if MANAGE in ROLE_ACTIONS[m.role] and region.path.startswith(m.organisation.region.path)
    ]
    if mine:
        return max(mine, key=lambda org: len(org.region.path))
    if user.is_superuser:
        return (
            Organisation.objects.filter(region_id__in=region.path_ids())
            .select_related("region")
            .order_by("-region__path", "path")
            .first()
        )
    return None


def can_manage_region(user: Any, region: Any) -> bool:
    return region_manager(user, region) is not None


def current_membership(request: HttpRequest) -> Membership | None:
    """The role the user chose to act in (the organisation switcher), or their first one."""
    mine = memberships(request.user)
    if not mine:
        return None
    chosen = request.session.get(CURRENT_MEMBERSHIP_SESSION_KEY)
    for membership in mine:
        if membership.pk == chosen:
            return membership
    return mine[0]


def switch_membership(request: HttpRequest, membership_id: int) -> Membership:
    for membership in memberships(request.user):
        if membership.pk == membership_id:
            request.session[CURRENT_MEMBERSHIP_SESSION_KEY] = membership.pk
            return membership
    raise Http404


def owned(qs: QuerySet[M], user: Any, owner_field: str = "user") -> QuerySet[M]:
    """Self-service rows (tokens, later a volunteer's own records): only the owner's."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    return qs.filter(**{owner_field: user})


def get_owned(user: Any, qs: QuerySet[M], owner_field: str = "user", **lookup: Any) -> M:
    return get_object_or_404(owned(qs, user, owner_field), **lookup)


def system_only(qs: QuerySet[M], user: Any) -> QuerySet[M]:
    """Platform machinery (failed deliveries, all jobs): system administrators only."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    return qs.none()


def owned_or_system(qs: QuerySet[M], user: Any, owner_field: str = "user") -> QuerySet[M]:
    """The owner's rows; system administrators see everyone's (background jobs, deliveries)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return qs
    return owned(qs, user, owner_field)


def get_owned_or_system(user: Any, qs: QuerySet[M], owner_field: str = "user", **lookup: Any) -> M:
    return get_object_or_404(owned_or_system(qs, user, owner_field), **lookup)
