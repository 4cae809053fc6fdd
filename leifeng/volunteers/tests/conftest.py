"""Volunteer fixtures: valid identity numbers, a registration payload, a team with a leader."""

from datetime import date

import pytest

from conftest import grant, make_org, make_user
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region
from leifeng.volunteers import services
from leifeng.volunteers.identity import check_char

TODAY = date(2026, 11, 28)
PASSWORD = "correct-horse-battery"


def id_number(birth: str = "19900101", area: str = "140525", seq: str = "123") -> str:
    """A valid 18-digit number: any area, birth date and sequence, with its check character."""
    first17 = f"{area}{birth}{seq}"
    return first17 + check_char(first17)


def registration(**overrides) -> dict:
    data = {
        "name": "李明",
        "document_type": "111",
        "document_number": id_number(),
        "mobile": "13912345678",
        "residence": Region.objects.get(code="140525100"),
        "kinds": ["community", "youth"],
        "campaign_lines": ["city", "care"],
        "availability": ["weekend"],
    }
    data.update(overrides)
    return data


def register(**overrides) -> "services.Volunteer":
    guardian = overrides.pop("guardian", None)
    return services.volunteer_register(
        data=registration(**overrides),
        password=PASSWORD,
        privacy_consent=True,
        guardian=guardian,
        today=TODAY,
    )


@pytest.fixture
def team(org_tree) -> Organisation:
    """A volunteer team under 泽州's practice center, with its own leader."""
    return make_org(
        org_tree.root, org_tree.org_a1, "泽州县巴公镇志愿服务队", Organisation.Kind.TEAM, "140525"
    )


@pytest.fixture
def team_leader(org_tree, team):
    leader = make_user("team_leader")
    grant(org_tree.root, leader, team, Membership.Role.TEAM_LEADER)
    return leader
