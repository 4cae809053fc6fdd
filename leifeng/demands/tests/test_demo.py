"""The demo residents' orders: menus in every county, the register, an order in every state,
the served ones' hours claimed; loaded once."""

from datetime import timedelta
from functools import partial
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from leifeng.activities.models import Activity, Attendance, Signup
from leifeng.audit.models import AuditEntry
from leifeng.demands import demo
from leifeng.demands.models import Beneficiary, MenuItem, Order, OrderEvent
from leifeng.hours.models import HoursClaim, HoursEntry
from leifeng.hours.services import hours_verify
from leifeng.notify.models import Delivery, Notification
from leifeng.orgs.models import Organisation
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers.models import TeamMembership

COUNTIES = {"140502", "140525", "140581", "140522", "140524", "140521"}
MODELS = [
    MenuItem,
    Beneficiary,
    Order,
    OrderEvent,
    Activity,
    Signup,
    Attendance,
    HoursClaim,
    HoursEntry,
    AuditEntry,
    Delivery,
    Notification,
]
S = Order.Status


@pytest.fixture
def few_volunteers(monkeypatch):
    """The whole demo, with 300 volunteers instead of 2,000 to keep the test quick."""
    monkeypatch.setattr(
        volunteer_demo,
        "volunteers_load",
        partial(volunteer_demo.volunteers_load, count=300, minors=2),
    )


def test_demo_loads_menus_register_and_orders_once(db, few_volunteers, capsys):
    """One test, so that the demo is loaded only twice."""
    call_command("demo")
    counts = [model.objects.count() for model in MODELS]
    _check_menus_and_register()
    _check_orders()
    _check_dates()
    _check_serving_and_hours()
    call_command("demo")
    assert [model.objects.count() for model in MODELS] == counts
    first, second = (
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Residents' orders:")
    )
    assert "none added" not in first and "none added" in second


def _check_menus_and_register():
    receiving = Organisation.objects.filter(
        kind__in=[Organisation.Kind.CENTER, Organisation.Kind.INSTITUTE, Organisation.Kind.STATION]
    )
    for org in receiving:
        assert 3 <= org.menu_items.filter(is_active=True).count() <= 6, org.name
    for county in COUNTIES:
        assert MenuItem.objects.filter(organisation__region__code__startswith=county).exists()
    assert set(MenuItem.objects.values_list("category", flat=True)) >= {
        "shopping",
        "errands",
        "care",
        "counselling",
        "visits",
        "repairs",
        "policy",
        "performance",
    }
    people = Beneficiary.objects.select_related("township")
    assert len(people) == len(demo.REGISTER)
    assert {p.township.code[:6] for p in people} == COUNTIES
    assert {p.group for p in people} >= {
        "elderly_alone",
        "left_behind",
        "children_difficulty",
        "disabled",
        "poor",
        "isolated",
    }
    assert all(p.consent_note and p.mobile_sealed and p.mobile_masked for p in people)


def _check_orders():
    orders = Order.objects.select_related("township", "escalated_to", "organisation")
    assert set(orders.values_list("status", flat=True)) == set(S.values)
    assert {o.township.code[:6] for o in orders} == COUNTIES
    assert {o.channel for o in orders} == set(Order.Channel.values)
    assert orders.filter(beneficiary__isnull=False, channel=Order.Channel.STAFF).count() >= 20
    rated = orders.filter(status=S.RATED)
    assert set(rated.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    assert rated.filter(rating__lte=2, follow_up=True).exists()  # waiting for the 回访
    assert rated.filter(rating__lte=2, follow_up=False).exclude(follow_up_note="").exists()
    assert all(o.reason for o in orders.filter(status__in=[S.REJECTED, S.CANCELLED]))
    escalated = [o for o in orders if o.escalated_to_id]
    assert escalated and all(o.escalated_to == o.organisation.parent for o in escalated)
    # One was given back and dispatched again.
    assert OrderEvent.objects.filter(from_status=S.DISPATCHED, to_status=S.VERIFIED).exists()
    # Every move is one the state machine allows, and each order's events chain up.
    for order in orders.prefetch_related("events"):
        moves = [e for e in order.events.all() if e.from_status != e.to_status]
        assert moves[0].to_status == S.SUBMITTED and moves[-1].to_status == order.status
        for before, after in pairwise(moves):
            assert after.from_status == before.to_status


def _check_dates():
    """The orders spread over the past weeks: some waiting are overdue now, the escalations
    and every event lie in the past, and each order's events follow one another."""
    now = timezone.now()
    assert Order.objects.overdue(now).exists()
    assert Order.objects.overdue(now).filter(escalated_to__isnull=True).exists()
    assert not OrderEvent.objects.filter(at__gt=now).exists()
    assert not Order.objects.filter(escalated_at__gt=now).exists()
    assert not Order.objects.filter(escalated_at__gt=now - timedelta(days=1)).exists()
    assert not Order.objects.filter(created_at__gt=now).exists()
    span = Order.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] - span["first"] > timedelta(days=14)
    for order in Order.objects.prefetch_related("events"):
        moments = [event.at for event in order.events.all()]
        assert moments[0] == order.created_at and moments == sorted(moments), order.number
        if order.accepted_at is not None:
            assert order.created_at < order.accepted_at <= (order.done_at or now)
        if order.rated_at is not None:
            assert order.done_at is not None and order.done_at < order.rated_at < now
    unrated = OrderEvent.objects.filter(to_status=S.UNRATED, from_status=S.DONE)
    assert unrated.exists() and unrated.aggregate(last=Max("at"))["last"] < now


def _check_serving_and_hours():
    taken = Order.objects.filter(taker__isnull=False).select_related("taker", "taker_team")
    assert taken.filter(taker__user__isnull=False).exists()  # 王小雷 took one himself
    for order in taken:
        volunteer = order.taker
        lives_there = volunteer.residence_id == order.township_id
        in_team = order.taker_team is not None and (
            TeamMembership.objects.filter(
                volunteer=volunteer, team__path__startswith=order.taker_team.path
            ).exists()
            or volunteer.organisation.path.startswith(order.taker_team.path)
        )
        assert lives_there or in_team, order.number
        assert not volunteer.is_minor()
    served = Order.objects.filter(status__in=[S.DONE, S.RATED, S.UNRATED])
    assert served.exists() and not served.filter(signup__isnull=True).exists()
    claims = HoursClaim.objects.filter(attendance__signup__demand_order__in=served)
    assert claims.count() == served.count()
    assert claims.filter(status=HoursClaim.Status.PENDING).exists()
    in_service = Order.objects.filter(status=S.IN_SERVICE)
    assert in_service.exists()
    assert not in_service.filter(signup__attendance__checked_out_at__isnull=False).exists()
    assert hours_verify() == []
