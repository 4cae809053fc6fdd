from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from conftest import grant, make_org, make_user
from leifeng.activities.tests.conftest import make_volunteer
from leifeng.demands import services
from leifeng.demands.models import Order, PhoneCode
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region

MOBILE = "13912345678"
S = Order.Status


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

    def submitted(self, mobile: str = MOBILE, **overrides) -> Order:
        return services.order_submit(
            receiver=self.center,
            mobile=mobile,
            code=sent_code(mobile),
            data=order_data(self.center, **overrides),
        )

    def recorded(self, mobile: str = MOBILE, **overrides) -> Order:
        """An order the center's staff took on the phone (no code to send)."""
        return services.order_record(
            actor=self.tree.a1_staff,
            receiver=self.center,
            mobile=mobile,
            data=order_data(self.center, **overrides),
        )

    def order_in(self, status: str) -> Order:
        """A new order brought to `status` through the services, the way people would: the
        center verifies; dispatches to the team (whose leader names the member) or opens it;
        the member serves; the resident rates 4 (满意), or the window passes unrated."""
        tree = self.tree
        order = self.recorded()
        if status == S.SUBMITTED:
            return order
        if status == S.REJECTED:
            return services.order_reject(actor=tree.a1_staff, order=order, reason="不属于志愿服务")
        if status == S.CANCELLED:
            return services.order_cancel(actor=tree.a1_staff, order=order, reason="群众来电取消")
        order = services.order_verify(actor=tree.a1_staff, order=order)
        if status == S.VERIFIED:
            return order
        if status == S.OPEN:
            return services.order_open(actor=tree.a1_staff, order=order)
        order = services.order_dispatch(actor=tree.a1_staff, order=order, to=self.team)
        if status == S.DISPATCHED:
            return order
        order = services.order_take(actor=self.leader, order=order, volunteer=self.member)
        if status == S.ACCEPTED:
            return order
        # Checked in two hours ago (a frozen clock would otherwise end the shift as it starts).
        started = timezone.now() - timedelta(hours=2)
        order = services.order_start(actor=self.member.user, order=order, now=started)
        if status == S.IN_SERVICE:
            return order
        order = services.order_finish(actor=self.member.user, order=order, note="已送到")
        if status == S.DONE:
            return order
        if status == S.RATED:
            return services.order_rate(order=order, token=order.rating_token, rating=4)
        assert status == S.UNRATED, status
        later = timezone.now() + timedelta(days=settings.DEMANDS_RATING_DAYS, minutes=1)
        assert services.orders_close_unrated(now=later) >= 1
        order.refresh_from_db()
        return order


@pytest.fixture
def orders(org_tree):
    return Orders(org_tree)


__all__ = ["MOBILE", "PhoneCode", "order_data", "orders", "sent_code"]
