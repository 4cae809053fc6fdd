"""The rules of residents' orders, at the level of service calls: the state machine (every
status against every target), time limits on a frozen clock, who may take an order, who sees
the resident's phone, rating and follow-up, and the phone code."""

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.utils import timezone

from conftest import grant, make_user
from leifeng.activities.tests.conftest import make_volunteer
from leifeng.core.errors import DomainError
from leifeng.demands import services
from leifeng.demands.models import FINAL, MOVES, Order, OrderEvent, PhoneCode
from leifeng.demands.tests.conftest import MOBILE, Orders, order_data, sent_code
from leifeng.notify.kinds import ORDER_FOR_YOU
from leifeng.notify.models import Delivery, Notification
from leifeng.orgs.models import Membership
from leifeng.regions.models import Region
from leifeng.volunteers.models import TeamMembership

S = Order.Status
TZ = timezone.get_current_timezone()
ELSEWHERE = "140502007"  # a street of 城区, another county


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def row(order: Order) -> dict[str, Any]:
    return Order.objects.filter(pk=order.pk).values().get()


def events(order: Order) -> int:
    return OrderEvent.objects.filter(order=order).count()


def last_event(order: Order) -> OrderEvent:
    return OrderEvent.objects.filter(order=order).order_by("-pk").first()


def told(user, order: Order | None = None) -> int:
    """Notifications about orders in the user's inbox (about `order`, if given)."""
    qs = Notification.objects.filter(recipient=user, kind=ORDER_FOR_YOU.key)
    if order is not None:
        qs = qs.filter(event_key__startswith=f"demands.staff:{order.pk}:")
    return qs.count()


# --- 1. the state machine --------------------------------------------------------------------

Call = Callable[[Orders, Order], Any]
Actor = Callable[[Orders], Any]


def later_than_the_window() -> datetime:
    return timezone.now() + timedelta(days=settings.DEMANDS_RATING_DAYS, minutes=1)


# For each target status, the services that make the move: (name, statuses it moves from,
# the call, who is recorded as having done it). Staff calls are by the receiving center's
# staff, who may do everything there, so that a refusal is the state machine's, not access.
SERVICES: dict[str, list[tuple[str, set[str], Call, Actor]]] = {
    S.SUBMITTED: [],  # only ever created
    S.VERIFIED: [
        (
            "verify",
            {S.SUBMITTED},
            lambda o, order: services.order_verify(actor=o.tree.a1_staff, order=order),
            lambda o: o.tree.a1_staff,
        ),
        (
            "decline",
            {S.DISPATCHED, S.OPEN, S.ACCEPTED},
            lambda o, order: services.order_decline(
                actor=o.tree.a1_staff, order=order, reason="人手不够"
            ),
            lambda o: o.tree.a1_staff,
        ),
    ],
    S.REJECTED: [
        (
            "reject",
            {S.SUBMITTED},
            lambda o, order: services.order_reject(
                actor=o.tree.a1_staff, order=order, reason="不属于志愿服务"
            ),
            lambda o: o.tree.a1_staff,
        )
    ],
    S.DISPATCHED: [
        (
            "dispatch",
            {S.VERIFIED},
            lambda o, order: services.order_dispatch(actor=o.tree.a1_staff, order=order, to=o.team),
            lambda o: o.tree.a1_staff,
        )
    ],
    S.OPEN: [
        (
            "open",
            {S.VERIFIED},
            lambda o, order: services.order_open(actor=o.tree.a1_staff, order=order),
            lambda o: o.tree.a1_staff,
        )
    ],
    S.ACCEPTED: [
        (
            "take",
            {S.DISPATCHED, S.OPEN},
            lambda o, order: services.order_take(
                actor=o.tree.a1_staff, order=order, volunteer=o.member
            ),
            lambda o: o.tree.a1_staff,
        )
    ],
    S.IN_SERVICE: [
        (
            "start",
            {S.ACCEPTED},
            lambda o, order: services.order_start(actor=o.member.user, order=order),
            lambda o: o.member.user,
        )
    ],
    S.DONE: [
        (
            "finish",
            {S.IN_SERVICE},
            lambda o, order: services.order_finish(actor=o.member.user, order=order, note="已完成"),
            lambda o: o.member.user,
        )
    ],
    S.RATED: [
        (
            "rate",
            {S.DONE},
            lambda o, order: services.order_rate(order=order, token=order.rating_token, rating=5),
            lambda o: None,  # the resident, without an account
        )
    ],
    S.UNRATED: [
        (
            "close_unrated",
            {S.DONE},
            lambda o, order: services.orders_close_unrated(now=later_than_the_window()),
            lambda o: None,  # the background job
        )
    ],
    S.CANCELLED: [
        (
            "cancel",
            {S.SUBMITTED, S.VERIFIED, S.DISPATCHED, S.OPEN, S.ACCEPTED},
            lambda o, order: services.order_cancel(
                actor=o.tree.a1_staff, order=order, reason="群众来电取消"
            ),
            lambda o: o.tree.a1_staff,
        )
    ],
}

ALLOWED = [
    pytest.param(source, target, name, id=f"{source}-{name}-{target}")
    for target, makers in SERVICES.items()
    for name, sources, _call, _actor in makers
    for source in sorted(sources)
]


def test_the_services_make_exactly_the_moves_allowed():
    assert set(SERVICES) == set(S.values)
    for target, makers in SERVICES.items():
        made = set().union(*(sources for _n, sources, _c, _a in makers)) if makers else set()
        assert made == {source for source, targets in MOVES.items() if target in targets}, target
    assert {status for status in S.values if not MOVES.get(status)} == FINAL


@pytest.mark.parametrize(("source", "target", "name"), ALLOWED)
def test_an_allowed_move_works_and_is_recorded_with_its_actor(orders, source, target, name):
    order = orders.order_in(source)
    assert order.status == source
    _name, _sources, call, actor = next(m for m in SERVICES[target] if m[0] == name)
    before = events(order)
    call(orders, order)
    order.refresh_from_db()
    assert order.status == target
    assert events(order) == before + 1
    event = last_event(order)
    assert (event.from_status, event.to_status) == (source, target)
    assert event.actor == actor(orders)
    assert order.escalated_to is None


@pytest.mark.parametrize("source", S.values)
def test_every_move_not_allowed_is_refused_as_a_conflict_and_changes_nothing(orders, source):
    order = orders.order_in(source)
    assert order.status == source
    snapshot, count = row(order), events(order)
    deliveries, notifications = Delivery.objects.count(), Notification.objects.count()
    refused = 0
    for target in S.values:
        # The state machine itself, with its Chinese message.
        if target not in MOVES.get(source, set()):
            with pytest.raises(DomainError) as caught:
                services._move(Order.objects.get(pk=order.pk), target, actor=orders.tree.a1_staff)
            assert caught.value.code == "conflict" and chinese(caught.value.message)
        # Every service that makes the move from elsewhere.
        for name, sources, call, _actor in SERVICES[target]:
            if source in sources:
                continue
            fresh = Order.objects.get(pk=order.pk)
            if name == "close_unrated":
                assert call(orders, fresh) == 0  # the job simply does not pick it
                continue
            with pytest.raises(DomainError) as caught:
                call(orders, fresh)
            refused += 1
            if name == "rate" and not fresh.rating_token:
                # No rating link exists before the service is done: any link is not valid.
                assert caught.value.code == "forbidden", caught.value.message
            else:
                assert caught.value.code == "conflict", (name, caught.value.message)
            assert chinese(caught.value.message), caught.value.message
            assert row(order) == snapshot, name
            assert events(order) == count, name
    assert refused > 0
    assert row(order) == snapshot and events(order) == count
    assert Delivery.objects.count() == deliveries
    assert Notification.objects.count() == notifications


def test_the_refusal_names_both_states_in_chinese(orders):
    order = orders.order_in(S.DISPATCHED)
    with pytest.raises(DomainError) as caught:
        services.order_verify(actor=orders.tree.a1_staff, order=order)
    message = caught.value.message
    assert f"“{S.DISPATCHED.label}”" in message and f"“{S.VERIFIED.label}”" in message
    assert chinese(str(S.DISPATCHED.label)) and "cannot" not in message


def test_a_stale_copy_of_the_order_cannot_move_it_twice(orders):
    order = orders.order_in(S.SUBMITTED)
    stale = Order.objects.get(pk=order.pk)
    services.order_verify(actor=orders.tree.a1_staff, order=order)
    with pytest.raises(DomainError) as caught:
        services.order_reject(actor=orders.tree.a1_staff, order=stale, reason="重复")
    assert caught.value.code == "conflict" and chinese(caught.value.message)
    order.refresh_from_db()
    assert order.status == S.VERIFIED and events(order) == 2


# --- 2. time limits ----------------------------------------------------------------------


def test_each_step_has_its_deadline(db):
    monday = at(2026, 6, 1, 10)
    assert services.step_deadline(S.SUBMITTED, monday) == at(2026, 6, 2, 23, 59)
    assert services.step_deadline(S.VERIFIED, monday) == at(2026, 6, 2, 23, 59)
    assert services.step_deadline(S.DISPATCHED, monday) == monday + timedelta(hours=24)
    assert services.step_deadline(S.OPEN, monday) == monday + timedelta(hours=24)
    assert services.step_deadline(S.DONE, monday) == monday + timedelta(days=7)
    for status in (S.ACCEPTED, S.IN_SERVICE, *FINAL):
        assert services.step_deadline(status, monday) is None


@pytest.mark.parametrize(
    ("ordered", "due"),
    [
        # 2026: 中秋 9/25–27, 国庆 10/1–10/7, make-up working days Sun 9/20 and Sat 10/10.
        (at(2026, 9, 30, 20), date(2026, 10, 8)),  # the last working day before 国庆
        (at(2026, 10, 2, 20), date(2026, 10, 8)),  # a Friday evening in the holiday
        (at(2026, 9, 24, 20), date(2026, 9, 28)),  # the evening before 中秋's Friday
        (at(2026, 9, 18, 20), date(2026, 9, 20)),  # Friday evening: the Sunday is worked
        (at(2026, 10, 9, 20), date(2026, 10, 10)),  # Friday evening: the Saturday is worked
        (at(2025, 9, 30, 20), date(2025, 10, 9)),  # 2025: 国庆 and 中秋 together, 10/1–10/8
    ],
)
def test_verify_and_dispatch_count_chinese_working_days(db, ordered, due):
    for status in (S.SUBMITTED, S.VERIFIED):
        deadline = services.step_deadline(status, ordered)
        assert timezone.localtime(deadline).date() == due
        assert timezone.localtime(deadline).time().hour == 23


def test_an_order_before_national_day_is_due_after_it(orders, time_machine):
    time_machine.move_to(at(2026, 9, 30, 20), tick=False)
    order = orders.submitted()
    assert order.step_due_at == at(2026, 10, 8, 23, 59)
    time_machine.move_to(at(2026, 10, 7, 12), tick=False)
    assert services.orders_escalate() == 0  # the holiday does not count
    time_machine.move_to(at(2026, 10, 9, 0, 5), tick=False)
    assert services.orders_escalate() == 1


def test_the_time_limits_are_settings(db, settings):
    settings.DEMANDS_VERIFY_WORKING_DAYS = 2
    settings.DEMANDS_DISPATCH_WORKING_DAYS = 3
    settings.DEMANDS_ACCEPT_HOURS = 4
    settings.DEMANDS_RATING_DAYS = 14
    monday = at(2026, 6, 1, 10)
    assert services.step_deadline(S.SUBMITTED, monday) == at(2026, 6, 3, 23, 59)
    assert services.step_deadline(S.VERIFIED, monday) == at(2026, 6, 4, 23, 59)
    assert services.step_deadline(S.OPEN, monday) == monday + timedelta(hours=4)
    assert services.step_deadline(S.DONE, monday) == monday + timedelta(days=14)


def test_an_overdue_order_goes_up_a_level_at_a_time(orders, time_machine):
    tree = orders.tree
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)  # a Monday
    order = orders.submitted()
    assert order.step_due_at == at(2026, 6, 2, 23, 59)
    time_machine.move_to(at(2026, 6, 2, 23, 0), tick=False)
    assert services.orders_escalate() == 0  # not yet overdue

    time_machine.move_to(at(2026, 6, 3, 0, 30), tick=False)
    assert services.orders_escalate() == 1
    order.refresh_from_db()
    assert order.escalated_to == tree.county_a and order.status == S.SUBMITTED
    assert order.step_due_at == at(2026, 6, 2, 23, 59)  # the missed deadline stays
    assert told(tree.county_a_admin, order) == 1 and told(tree.city_admin, order) == 0
    event = last_event(order)
    assert (event.from_status, event.to_status, event.organisation) == (
        S.SUBMITTED,
        S.SUBMITTED,
        tree.county_a,
    )
    assert "泽州县文明办" in event.note

    # The county office has a working day too before it goes further up.
    time_machine.move_to(at(2026, 6, 3, 0, 40), tick=False)
    assert services.orders_escalate() == 0
    time_machine.move_to(at(2026, 6, 4, 23, 0), tick=False)
    assert services.orders_escalate() == 0
    time_machine.move_to(at(2026, 6, 5, 0, 10), tick=False)
    assert services.orders_escalate() == 1
    order.refresh_from_db()
    assert order.escalated_to == tree.city
    assert told(tree.city_admin, order) == 1 and told(tree.county_a_admin, order) == 1

    # The city is the top: nothing further, and nobody is told twice.
    time_machine.move_to(at(2026, 6, 20, 0, 10), tick=False)
    assert services.orders_escalate() == 0
    order.refresh_from_db()
    assert order.escalated_to == tree.city
    assert told(tree.city_admin, order) == 1

    # Verifying it at last ends the escalation; the next step has its own deadline.
    services.order_verify(actor=tree.a1_staff, order=order)
    order.refresh_from_db()
    assert order.escalated_to is None and order.escalated_at is None
    assert order.step_due_at == at(2026, 6, 22, 23, 59)  # 6/20 is a Saturday


def test_a_dispatched_order_nobody_takes_goes_up_from_the_team(orders, time_machine):
    tree = orders.tree
    station_staff = make_user("station_staff")
    grant(tree.root, station_staff, orders.station, Membership.Role.STAFF)
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    order = orders.order_in(S.DISPATCHED)
    assert order.step_due_at == at(2026, 6, 2, 10)
    time_machine.move_to(at(2026, 6, 2, 9, 59), tick=False)
    assert services.orders_escalate() == 0
    time_machine.move_to(at(2026, 6, 2, 10, 1), tick=False)
    assert services.orders_escalate() == 1
    order.refresh_from_db()
    assert order.escalated_to == orders.station and told(station_staff, order) == 1
    time_machine.move_to(at(2026, 6, 3, 10, 0), tick=False)
    assert services.orders_escalate() == 0  # the station has its 24 hours
    time_machine.move_to(at(2026, 6, 3, 10, 2), tick=False)
    assert services.orders_escalate() == 1
    order.refresh_from_db()
    assert order.escalated_to == orders.center
    assert told(tree.a1_staff, order) == 1

    # Given back and dispatched to the team again: the leader is told again (not swallowed
    # as a duplicate), and a new escalation tells the station again.
    services.order_decline(actor=orders.leader, order=order, reason="队员都外出了")
    services.order_dispatch(actor=tree.a1_staff, order=order, to=orders.team)
    assert told(orders.leader, order) == 2
    time_machine.move_to(at(2026, 6, 4, 10, 3), tick=False)
    assert services.orders_escalate() == 1
    order.refresh_from_db()
    assert order.escalated_to == orders.station and told(station_staff, order) == 2


def test_orders_done_final_taken_or_in_time_are_not_escalated(orders, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    # (DONE last: making an UNRATED one closes every served order past its window.)
    stay = [orders.order_in(status) for status in (*FINAL, S.ACCEPTED, S.IN_SERVICE, S.DONE)]
    overdue = orders.order_in(S.OPEN)
    time_machine.move_to(at(2026, 6, 2, 9), tick=False)
    fresh = orders.order_in(S.OPEN)
    before = {order.pk: row(order) for order in stay}
    time_machine.move_to(at(2026, 6, 2, 10, 30), tick=False)
    assert services.orders_escalate() == 1
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert overdue.escalated_to == orders.tree.county_a  # held by the center
    assert fresh.escalated_to is None
    assert {order.pk: row(order) for order in stay} == before
    # Long after: a done order is past its rating window, still never escalated.
    time_machine.move_to(at(2026, 7, 1, 10), tick=False)
    services.orders_escalate()
    assert {order.pk: row(order)["escalated_to_id"] for order in stay} == dict.fromkeys(
        before, None
    )


def test_a_served_order_closes_unrated_after_the_window_never_as_satisfied(orders, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    early = orders.order_in(S.DONE)
    rated = orders.order_in(S.RATED)
    time_machine.move_to(at(2026, 6, 3, 10), tick=False)
    late = orders.order_in(S.DONE)
    assert early.step_due_at == at(2026, 6, 8, 10)

    time_machine.move_to(at(2026, 6, 8, 9, 59), tick=False)
    assert services.orders_close_unrated() == 0
    time_machine.move_to(at(2026, 6, 8, 10, 1), tick=False)
    assert services.orders_close_unrated() == 1
    for order in (early, late, rated):
        order.refresh_from_db()
    assert early.status == S.UNRATED and early.rating is None and early.rated_at is None
    assert not early.follow_up and early.step_due_at is None
    event = last_event(early)
    assert (event.from_status, event.to_status, event.actor) == (S.DONE, S.UNRATED, None)
    assert late.status == S.DONE  # still inside its window
    assert rated.status == S.RATED and rated.rating == 4
    # Once closed, the old link no longer rates it.
    with pytest.raises(DomainError) as caught:
        services.order_rate(order=early, token=early.rating_token, rating=5)
    assert caught.value.code == "conflict"
    assert services.orders_close_unrated() == 0


def test_the_periodic_job_runs_both(orders, time_machine):
    from leifeng.demands.tasks import time_limits

    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    orders.order_in(S.OPEN)
    orders.order_in(S.DONE)
    time_machine.move_to(at(2026, 6, 9, 10), tick=False)
    assert time_limits() == "escalated 1, unrated 1"


# --- 3. taking an order ----------------------------------------------------------------------


def test_a_volunteer_living_in_the_township_takes_an_open_order(orders):
    order = orders.order_in(S.OPEN)
    assert services.may_take_as_volunteer(orders.near, order)
    services.order_take(actor=orders.near.user, order=order, volunteer=orders.near)
    order.refresh_from_db()
    assert (order.status, order.taker, order.taker_team) == (S.ACCEPTED, orders.near, None)
    assert order.accepted_at is not None
    assert last_event(order).actor == orders.near.user


def test_a_team_member_living_elsewhere_takes_an_open_order_of_the_center_above(orders):
    elsewhere = make_volunteer(14, residence=Region.objects.get(code=ELSEWHERE))
    TeamMembership.objects.create(volunteer=elsewhere, team=orders.team, source="staff")
    order = orders.order_in(S.OPEN)
    assert order in services.takeable(elsewhere)
    services.order_take(actor=elsewhere.user, order=order, volunteer=elsewhere)
    order.refresh_from_db()
    assert order.taker == elsewhere


def test_a_volunteer_living_elsewhere_may_not_take_an_open_order(orders):
    order = orders.order_in(S.OPEN)
    snapshot = row(order)
    assert not services.may_take_as_volunteer(orders.far, order)
    assert order not in services.takeable(orders.far)
    with pytest.raises(DomainError) as caught:
        services.order_take(actor=orders.far.user, order=order, volunteer=orders.far)
    assert caught.value.code == "forbidden" and chinese(caught.value.message)
    assert row(order) == snapshot


def test_a_volunteer_may_not_take_a_dispatched_order_for_themselves(orders):
    order = orders.order_in(S.DISPATCHED)
    with pytest.raises(DomainError) as caught:
        services.order_take(actor=orders.near.user, order=order, volunteer=orders.near)
    assert caught.value.code == "forbidden"
    assert Order.objects.get(pk=order.pk).status == S.DISPATCHED


def test_the_team_leader_takes_a_dispatched_order_for_a_member(orders):
    order = orders.order_in(S.DISPATCHED)
    services.order_take(actor=orders.leader, order=order, volunteer=orders.member)
    order.refresh_from_db()
    assert (order.status, order.taker, order.taker_team) == (
        S.ACCEPTED,
        orders.member,
        orders.team,
    )
    assert last_event(order).actor == orders.leader


def test_the_team_leader_may_not_name_a_volunteer_outside_the_team(orders):
    order = orders.order_in(S.DISPATCHED)
    snapshot = row(order)
    with pytest.raises(DomainError) as caught:
        services.order_take(actor=orders.leader, order=order, volunteer=orders.near)
    assert caught.value.code == "invalid" and "volunteer" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.order_take(actor=orders.leader, order=order)
    assert caught.value.code == "invalid" and "volunteer" in caught.value.fields
    assert row(order) == snapshot


def test_a_leader_who_volunteers_in_the_team_takes_a_dispatched_order_themselves(orders):
    serving_leader = make_volunteer(15)
    grant(orders.tree.root, serving_leader.user, orders.team, Membership.Role.TEAM_LEADER)
    TeamMembership.objects.create(volunteer=serving_leader, team=orders.team, source="staff")
    order = orders.order_in(S.DISPATCHED)
    services.order_take(actor=serving_leader.user, order=order, volunteer=serving_leader)
    order.refresh_from_db()
    assert (order.taker, order.taker_team) == (serving_leader, orders.team)


def test_staff_of_another_county_cannot_take_or_give_back(orders):
    order = orders.order_in(S.DISPATCHED)
    snapshot = row(order)
    for outsider in (orders.tree.b1_staff, orders.tree.county_b_admin):
        with pytest.raises(Http404):
            services.order_take(actor=outsider, order=order, volunteer=orders.member)
        with pytest.raises(Http404):
            services.order_decline(actor=outsider, order=order, reason="不是我们的")
    assert row(order) == snapshot


def test_the_team_gives_a_dispatched_order_back_with_a_reason(orders):
    tree = orders.tree
    order = orders.order_in(S.DISPATCHED)
    with pytest.raises(DomainError) as caught:
        services.order_decline(actor=orders.leader, order=order, reason="  ")
    assert caught.value.code == "invalid" and "reason" in caught.value.fields
    assert Order.objects.get(pk=order.pk).status == S.DISPATCHED
    told_before = told(tree.a1_staff, order)
    services.order_decline(actor=orders.leader, order=order, reason="队员都外出了")
    order.refresh_from_db()
    assert (order.status, order.organisation, order.taker) == (S.VERIFIED, orders.center, None)
    assert order.step_due_at is not None
    event = last_event(order)
    assert (event.actor, event.note) == (orders.leader, "队员都外出了")
    assert told(tree.a1_staff, order) == told_before + 1
    # Dispatched again, to the station this time.
    services.order_dispatch(actor=tree.a1_staff, order=order, to=orders.station)
    assert Order.objects.get(pk=order.pk).organisation == orders.station


def test_the_taker_gives_up_a_taken_order(orders):
    order = orders.order_in(S.ACCEPTED)
    with pytest.raises(Http404):  # another volunteer has no say
        services.order_decline(actor=orders.near.user, order=order, reason="我来")
    services.order_decline(actor=orders.member.user, order=order, reason="临时有事")
    order.refresh_from_db()
    assert (order.status, order.organisation) == (S.VERIFIED, orders.center)
    assert (order.taker, order.taker_team, order.accepted_at) == (None, None, None)
    assert last_event(order).actor == orders.member.user
    # Once served, it cannot be given back.
    done = orders.order_in(S.DONE)
    with pytest.raises(DomainError) as caught:
        services.order_decline(actor=orders.member.user, order=done, reason="算了")
    assert caught.value.code == "conflict"


def test_cancelling_a_taken_order_tells_the_taker_and_the_team(orders):
    order = orders.order_in(S.ACCEPTED)
    services.order_cancel(actor=orders.tree.a1_staff, order=order, reason="老人住院了")
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.reason == "老人住院了"
    for user in (orders.member.user, orders.leader):
        note = Notification.objects.filter(recipient=user, body__contains="老人住院了")
        assert note.count() == 1, user
    # Cancelled before anyone held it below the center: nobody else to tell.
    early = orders.order_in(S.VERIFIED)
    before = Notification.objects.count()
    services.order_cancel(actor=orders.tree.a1_staff, order=early, reason="重复点单")
    assert Notification.objects.count() == before


def test_only_the_taker_or_their_team_serves(orders):
    order = orders.order_in(S.ACCEPTED)
    with pytest.raises(DomainError) as caught:
        services.order_start(actor=orders.near.user, order=order)
    assert caught.value.code == "forbidden"
    services.order_start(actor=orders.leader, order=order)  # the leader checks them in
    order.refresh_from_db()
    assert order.status == S.IN_SERVICE and order.signup is not None


# --- 4. privacy ------------------------------------------------------------------------------


def test_the_full_phone_goes_to_the_taker_while_serving_and_to_the_receiving_staff(orders):
    tree = orders.tree
    order = orders.order_in(S.ACCEPTED)
    masked = order.contact_masked
    assert masked and masked != MOBILE and MOBILE not in masked

    def sees(user) -> str:
        return services.contact_for(user, Order.objects.get(pk=order.pk))

    full = [orders.member.user, tree.a1_staff, tree.county_a_admin, tree.city_admin, tree.root]
    hidden = [orders.near.user, orders.far.user, tree.b1_staff, tree.county_b_admin, tree.outsider]
    for user in full:
        assert sees(user) == MOBILE, user
    for user in hidden:
        assert sees(user) == masked, user

    services.order_start(actor=orders.member.user, order=order)
    assert sees(orders.member.user) == MOBILE
    services.order_finish(actor=orders.member.user, order=order, note="已完成")
    assert sees(orders.member.user) == masked  # served: the taker no longer needs it
    assert sees(tree.a1_staff) == MOBILE


def test_a_volunteer_who_did_not_take_the_order_sees_it_masked(orders):
    order = orders.order_in(S.OPEN)
    assert services.contact_for(orders.near.user, order) == order.contact_masked
    services.order_take(actor=orders.near.user, order=order, volunteer=orders.near)
    order.refresh_from_db()
    assert services.contact_for(orders.near.user, order) == MOBILE
    assert services.contact_for(orders.member.user, order) == order.contact_masked


def test_the_mobile_is_never_stored_in_clear(orders):
    order = orders.submitted()
    services.order_verify(actor=orders.tree.a1_staff, order=order)
    tables = {
        Order._meta.db_table: Order.objects.filter(pk=order.pk),
        OrderEvent._meta.db_table: OrderEvent.objects.filter(order=order),
        PhoneCode._meta.db_table: PhoneCode.objects.all(),
    }
    for table, qs in tables.items():
        pks = list(qs.values_list("pk", flat=True))
        assert pks, table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {table} WHERE id IN ({', '.join(['%s'] * len(pks))})",
                pks,
            )
            values = [str(value) for found in cursor.fetchall() for value in found]
        assert not [value for value in values if MOBILE in value], table
    stored = Order.objects.filter(pk=order.pk).values("contact_sealed", "contact_hash").get()
    assert stored["contact_sealed"] and stored["contact_hash"]
    assert MOBILE[-4:] in order.contact_masked and MOBILE[3:7] not in order.contact_masked


# --- 5. rating and follow-up -----------------------------------------------------------------


def test_a_wrong_rating_link_is_refused(orders):
    order = orders.order_in(S.DONE)
    snapshot = row(order)
    for token in ("", "x" * 32, order.rating_token[:-1]):
        with pytest.raises(DomainError) as caught:
            services.order_rate(order=order, token=token, rating=5)
        assert caught.value.code == "forbidden" and chinese(caught.value.message)
    assert row(order) == snapshot


@pytest.mark.parametrize("rating", [0, 6, -1, 10])
def test_a_rating_off_the_five_levels_is_refused(orders, rating):
    order = orders.order_in(S.DONE)
    snapshot = row(order)
    with pytest.raises(DomainError) as caught:
        services.order_rate(order=order, token=order.rating_token, rating=rating)
    assert caught.value.code == "invalid" and "rating" in caught.value.fields
    assert row(order) == snapshot


@pytest.mark.parametrize(("rating", "follow_up"), [(1, True), (2, True), (3, False), (5, False)])
def test_a_low_rating_asks_the_center_for_a_follow_up(orders, rating, follow_up):
    tree = orders.tree
    order = orders.order_in(S.DONE)
    before = told(tree.a1_staff, order)
    services.order_rate(order=order, token=order.rating_token, rating=rating, comment=" 一般 ")
    order.refresh_from_db()
    assert (order.status, order.rating, order.follow_up) == (S.RATED, rating, follow_up)
    assert order.rating_comment == "一般" and order.rated_at is not None
    assert told(tree.a1_staff, order) == before + follow_up
    assert told(tree.b1_staff) == 0


def test_the_follow_up_is_recorded_with_a_note(orders):
    tree = orders.tree
    order = orders.order_in(S.DONE)
    services.order_rate(order=order, token=order.rating_token, rating=1)
    order.refresh_from_db()
    with pytest.raises(Http404):
        services.follow_up_record(actor=tree.b1_staff, order=order, note="回访")
    with pytest.raises(DomainError) as caught:
        services.follow_up_record(actor=tree.a1_staff, order=order, note=" ")
    assert caught.value.code == "invalid" and "note" in caught.value.fields
    services.follow_up_record(actor=tree.a1_staff, order=order, note="已电话回访，重新安排服务")
    order.refresh_from_db()
    assert not order.follow_up and order.follow_up_note == "已电话回访，重新安排服务"
    assert order.status == S.RATED and order.rating == 1
    event = last_event(order)
    assert (event.actor, event.from_status, event.to_status) == (tree.a1_staff, S.RATED, S.RATED)
    with pytest.raises(DomainError) as caught:
        services.follow_up_record(actor=tree.a1_staff, order=order, note="再次回访")
    assert caught.value.code == "conflict"


# --- 6. the phone code -----------------------------------------------------------------------


def submit(orders: Orders, code: str, **overrides) -> Order:
    return services.order_submit(
        receiver=orders.center,
        mobile=MOBILE,
        code=code,
        data=order_data(orders.center, **overrides),
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_wrong_code_is_refused_on_the_code_field(orders):
    code = sent_code()
    with pytest.raises(DomainError) as caught:
        submit(orders, wrong(code))
    assert caught.value.code == "invalid" and "code" in caught.value.fields
    assert chinese(caught.value.fields["code"])
    assert not Order.objects.exists()
    assert submit(orders, code).status == S.SUBMITTED  # a few mistakes are allowed


def test_after_five_wrong_tries_even_the_right_code_is_refused(orders):
    code = sent_code()
    for _ in range(5):
        with pytest.raises(DomainError):
            submit(orders, wrong(code))
    assert PhoneCode.objects.get().attempts == 5
    with pytest.raises(DomainError) as caught:
        submit(orders, code)
    assert "code" in caught.value.fields
    assert not Order.objects.exists()
    # A new code works again.
    assert submit(orders, sent_code()).status == S.SUBMITTED


def test_four_wrong_tries_still_leave_the_right_code(orders):
    code = sent_code()
    for _ in range(4):
        with pytest.raises(DomainError):
            submit(orders, wrong(code))
    assert submit(orders, code).status == S.SUBMITTED


def test_no_more_than_five_codes_an_hour(orders, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    for minute in range(5):
        time_machine.move_to(at(2026, 6, 1, 10, minute), tick=False)
        services.phone_code_send(mobile=MOBILE)
    with pytest.raises(DomainError) as caught:
        services.phone_code_send(mobile=MOBILE)
    assert caught.value.code == "throttled" and chinese(caught.value.message)
    assert PhoneCode.objects.count() == 5
    services.phone_code_send(mobile="13800000001")  # another number is not held up
    time_machine.move_to(at(2026, 6, 1, 11, 0, 1), tick=False)
    services.phone_code_send(mobile=MOBILE)  # an hour after the first


def test_a_used_code_cannot_be_used_again(orders):
    code = sent_code()
    submit(orders, code)
    with pytest.raises(DomainError) as caught:
        submit(orders, code)
    assert "code" in caught.value.fields
    assert Order.objects.count() == 1


def test_a_new_code_replaces_the_old_one(orders):
    first = sent_code()
    second = sent_code()
    if first != second:
        with pytest.raises(DomainError):
            submit(orders, first)
    assert submit(orders, second).status == S.SUBMITTED


def test_a_code_expires_after_ten_minutes(orders, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10), tick=False)
    code = sent_code()
    time_machine.move_to(at(2026, 6, 1, 10, 10, 1), tick=False)
    with pytest.raises(DomainError) as caught:
        submit(orders, code)
    assert "code" in caught.value.fields


def test_a_mistake_in_the_form_does_not_use_up_the_code(orders):
    code = sent_code()
    with pytest.raises(DomainError) as caught:
        submit(orders, code, address=" ", category="nonsense")
    assert set(caught.value.fields) == {"address", "category"}
    assert submit(orders, code).status == S.SUBMITTED


# --- the menu, and details found by the API and the demo ---------------------------------------


def menu_data(org, **overrides) -> dict:
    return {
        "organisation": org,
        "category": "repairs",
        "title": "家电上门维修",
        "description": "",
        "area": "南村镇",
        "times": "预约上门",
        **overrides,
    }


def test_a_menu_item_is_audited_as_created_then_changed_and_needs_its_fields(orders):
    from leifeng.audit.models import AuditEntry

    staff = orders.tree.a1_staff
    item = services.menu_item_save(actor=staff, data=menu_data(orders.station))
    services.menu_item_save(actor=staff, data=menu_data(orders.station, times="每周三"), item=item)
    actions = list(
        AuditEntry.objects.filter(object_type="demands.menuitem", object_id=str(item.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE]
    with pytest.raises(DomainError) as exc:
        services.menu_item_save(actor=staff, data=menu_data(orders.station, title="  ", area=""))
    assert set(exc.value.fields) == {"title", "area"}


def test_an_order_from_the_menu_goes_to_the_organisation_that_offers_it(orders):
    other = services.menu_item_save(
        actor=orders.tree.root, data=menu_data(orders.tree.org_b1, title="城区维修")
    )
    with pytest.raises(DomainError) as exc:
        services.order_record(
            actor=orders.tree.a1_staff,
            receiver=orders.center,
            mobile=MOBILE,
            data=order_data(orders.center),
            menu_item=other,
        )
    assert "menu_item" in exc.value.fields
    own = services.menu_item_save(actor=orders.tree.a1_staff, data=menu_data(orders.station))
    order = services.order_record(
        actor=orders.tree.a1_staff,
        receiver=orders.center,
        mobile=MOBILE,
        data=order_data(orders.center),
        menu_item=own,
    )
    assert order.menu_item == own


def test_a_leader_cannot_send_a_closed_member(orders):
    from leifeng.volunteers.models import Volunteer

    order = orders.order_in(Order.Status.DISPATCHED)
    Volunteer.objects.filter(pk=orders.member.pk).update(status=Volunteer.Status.CLOSED)
    orders.member.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        services.order_take(actor=orders.leader, order=order, volunteer=orders.member)
    assert "volunteer" in exc.value.fields


def test_a_service_of_no_minutes_still_checks_out(orders):
    order = orders.order_in(Order.Status.ACCEPTED)
    moment = timezone.now()
    services.order_start(actor=orders.member.user, order=order, now=moment)
    services.order_finish(actor=orders.member.user, order=order, note="电话解决", now=moment)
    order.refresh_from_db()
    assert order.status == Order.Status.DONE
    assert order.signup.shift.ends_at > order.signup.shift.starts_at


def test_dispatch_suggestions_weigh_place_service_and_skills(orders):
    from leifeng.volunteers.models import Skill

    orders.member.skills.add(Skill.objects.get(name="家电维修"))
    order = orders.recorded(category="repairs")
    services.order_verify(actor=orders.tree.a1_staff, order=order)
    ranked = {
        unit: (score, why)
        for unit, score, why in services.dispatch_candidates(order, orders.tree.a1_staff)
    }
    score, why = ranked[orders.team]
    assert "1 名队员具备相关技能" in why and "同一乡镇" in why
    assert score > ranked[orders.station][0] - 1


def test_a_past_now_dates_the_order_its_events_and_deadlines(orders):
    """The demo loads past decisions: each service called with a past `now` dates what it
    does then, not at the time of the call."""
    tree = orders.tree
    ordered = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=40), datetime.min.time())
    ) + timedelta(hours=9)
    verified, dispatched, taken = (ordered + timedelta(hours=h) for h in (2, 5, 8))
    started, finished, rated = (ordered + timedelta(days=d) for d in (2, 2.1, 4))
    services.phone_code_send(mobile=MOBILE, now=ordered)
    code = Delivery.objects.filter(address=MOBILE).order_by("-pk").first().body
    order = services.order_submit(
        receiver=orders.center,
        mobile=MOBILE,
        code=re.search(r"\d{6}", code).group(),
        data=order_data(orders.center),
        now=ordered,
    )
    assert order.created_at == ordered and row(order)["created_at"] == ordered
    assert order.number.startswith(f"D{timezone.localtime(ordered):%Y%m%d}")
    assert order.step_due_at == services.step_deadline(S.SUBMITTED, ordered)
    order = services.order_verify(actor=tree.a1_staff, order=order, now=verified)
    assert order.step_due_at == services.step_deadline(S.VERIFIED, verified)
    order = services.order_dispatch(
        actor=tree.a1_staff, order=order, to=orders.team, now=dispatched
    )
    assert order.step_due_at == dispatched + timedelta(hours=settings.DEMANDS_ACCEPT_HOURS)
    order = services.order_take(
        actor=orders.leader, order=order, volunteer=orders.member, now=taken
    )
    services.order_start(actor=orders.member.user, order=order, now=started)
    order = services.order_finish(
        actor=orders.member.user, order=order, note="已送到", now=finished
    )
    assert order.step_due_at == finished + timedelta(days=settings.DEMANDS_RATING_DAYS)
    order = services.order_rate(order=order, token=order.rating_token, rating=1, now=rated)
    assert order.accepted_at == taken and order.rated_at == rated
    followed = rated + timedelta(days=1)
    order = services.follow_up_record(actor=tree.a1_staff, order=order, note="已回访", now=followed)
    assert order.created_at == ordered and order.updated_at == rated
    assert list(OrderEvent.objects.filter(order=order).values_list("at", flat=True)) == [
        ordered,
        verified,
        dispatched,
        taken,
        started,
        finished,
        rated,
        followed,
    ]
    # A code sent at a past moment is no longer valid now.
    services.phone_code_send(mobile=MOBILE, now=ordered)
    old = Delivery.objects.filter(address=MOBILE).order_by("-pk").first().body
    with pytest.raises(DomainError):
        services.order_submit(
            receiver=orders.center,
            mobile=MOBILE,
            code=re.search(r"\d{6}", old).group(),
            data=order_data(orders.center),
        )
