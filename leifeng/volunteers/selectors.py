"""Read-side queries for staff, always through the one scoping module."""

import re
from typing import Any

from django.db.models import QuerySet

from leifeng.core.fields import has_choice
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.models import Skill, Volunteer
from leifeng.volunteers.services import find_by_document, find_by_mobile

VOLUNTEER_NUMBER = re.compile(r"^[A-Za-z]{2}\d{6,}$")


def volunteer_search(
    *,
    user: Any,
    q: str = "",
    document_number: str = "",
    mobile: str = "",
    team: Organisation | None = None,
    residence: Region | None = None,
    kind: str = "",
    skill: Skill | None = None,
) -> QuerySet[Volunteer]:
    """Active volunteers the user may see. Exact matches for numbers (through their keyed
    hashes), a prefix match for names; every filter is served by an index."""
    qs = access.scoped(Volunteer.objects.filter(status=Volunteer.Status.ACTIVE), user)
    q = q.strip()
    if q:
        qs = (
            qs.filter(number=q.upper())
            if VOLUNTEER_NUMBER.match(q)
            else qs.filter(name__startswith=q)
        )
    if document_number.strip():
        qs = find_by_document(qs, "", document_number)
    if mobile.strip():
        qs = find_by_mobile(qs, mobile)
    if team is not None:
        qs = qs.filter(team_memberships__team=team)
    if residence is not None:
        qs = qs.filter(residence__path__startswith=residence.path)
    if kind:
        qs = qs.filter(has_choice("kinds", kind))
    if skill is not None:
        qs = qs.filter(skills=skill)
    return qs.select_related("residence", "organisation").order_by("-pk")


def teams_for(user: Any, action: str = access.VIEW) -> QuerySet[Organisation]:
    """Teams in the user's scope: VIEW to search by, MANAGE to add members and decide."""
    return access.scoped(
        Organisation.objects.filter(
            is_active=True,
            kind__in=[
                Organisation.Kind.TEAM,
                Organisation.Kind.TEAM_BRANCH,
                Organisation.Kind.TEAM_CORPS,
            ],
        ),
        user,
        action,
    ).order_by("path")


def teams_open(query: str = "") -> QuerySet[Organisation]:
    """Every active team, for volunteers looking for one to join (names are public)."""
    qs = Organisation.objects.filter(
        is_active=True,
        kind__in=[
            Organisation.Kind.TEAM,
            Organisation.Kind.TEAM_BRANCH,
            Organisation.Kind.TEAM_CORPS,
        ],
    ).select_related("region", "parent")
    if query.strip():
        qs = qs.filter(name__contains=query.strip())
    return qs.order_by("path")


def my_volunteer(user: Any) -> Volunteer | None:
    """The logged-in person's own volunteer record, if they have an open one."""
    if not getattr(user, "is_authenticated", False):
        return None
    volunteer = getattr(user, "volunteer", None)
    return volunteer if volunteer is not None and not volunteer.is_closed else None
