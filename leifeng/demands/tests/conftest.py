import pytest

from conftest import grant, make_org, make_user
from leifeng.activities.tests.conftest import make_volunteer
from leifeng.demands import services
from leifeng.demands.models import PhoneCode
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

MOBILE = "13912345678"


TOWNSHIP = "140525100"  # 泽州县南村镇: where the test volunteers live by default


def township_of(org: Organisation) -> Region:
    return Region.objects.get(code=TOWNSHIP)


def order_data(org: Organisation, **overrides) -> dict:
    return {
        "category": "shopping",
        "description": "独居老人，需要代买一周的米面油",
        "township": township_of(org),
        "address": "幸福小区3号楼2单元101",
        "preferred_time": "周六上午",
        "contact_name": "张大爷",
        **overrides,
    }


def sent_code(mobile: str = MOBILE) -> str:
    """Send a code and read it back as the resident would from the SMS."""
    from leifeng.notify.models import Delivery

    services.phone_code_send(mobile=mobile)
    body = Delivery.objects.filter(address=mobile).order_by("-pk").first().body
    return "".join(ch for ch in body if ch.isdigit())[:6]


class Orders:
    """org_a1 (泽州 center) receives; a station and a team below it; a team leader; two
    volunteers living in the order's township, one of them in the team."""

    def __init__(self, tree):
        self.tree = tree
        self.center = tree.org_a1
        self.station = make_org(
            tree.root, self.center, "南村镇文明实践站", Organisation.Kind.STATION, TOWNSHIP
        )
        self.team = make_org(
            tree.root, self.station, "南村镇助老志愿服务队", Organisation.Kind.TEAM, TOWNSHIP
        )
        self.leader = make_user("leader")
        grant(tree.root, self.leader, self.team, Membership.Role.TEAM_LEADER)
        self.near = make_volunteer(11)
        self.member = make_volunteer(12)
        self.far = make_volunteer(13, residence=Region.objects.get(code="140502007"))
        from leifeng.volunteers.models import TeamMembership

        TeamMembership.objects.create(volunteer=self.member, team=self.team, source="staff")

    def submitted(self, **overrides):
        return services.order_submit(
            receiver=self.center,
            mobile=MOBILE,
            code=sent_code(),
            data=order_data(self.center, **overrides),
        )


@pytest.fixture
def orders(org_tree):
    return Orders(org_tree)


__all__ = ["MOBILE", "PhoneCode", "order_data", "orders", "sent_code"]
