"""Reads of the organisation tree that need more than one line. All go through access.scoped."""

from typing import Any

from django.db.models import Count, QuerySet

from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation


def org_tree_rows(*, user: Any, root: Organisation, limit: int) -> tuple[list[dict], bool]:
    """`root` and its subtree in tree order with each node's depth below root; at most `limit`."""
    nodes = list(
        access.scoped(Organisation.objects.select_related("region"), user)
        .filter(path__startswith=root.path)
        .order_by("path")[: limit + 1]
    )
    truncated = len(nodes) > limit
    return [{"org": org, "level": org.depth - root.depth} for org in nodes[:limit]], truncated


def org_list(*, user: Any, query: str = "", kind: str = "") -> QuerySet[Organisation]:
    orgs = access.scoped(Organisation.objects.select_related("region", "parent"), user)
    if query:
        orgs = orgs.filter(name__contains=query.strip())
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs.annotate(child_count=Count("children")).order_by("path")


def org_roles(*, user: Any, organisation: Organisation) -> QuerySet[Membership]:
    """Roles held at `organisation` and below it, as far as `user` may see."""
    return (
        access.scoped(Membership.objects.select_related("user", "organisation"), user)
        .filter(organisation__path__startswith=organisation.path)
        .order_by("organisation__path", "role", "user__username")
    )


def move_targets(*, user: Any, org: Organisation) -> QuerySet[Organisation]:
    """Where `org` may be moved: organisations the user manages, outside org's own subtree."""
    return (
        access.scoped(Organisation.objects.all(), user, access.MANAGE)
        .exclude(path__startswith=org.path)
        .order_by("path")
    )
