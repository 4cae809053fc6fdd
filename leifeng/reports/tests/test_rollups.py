"""The figure engine counted by hand: each test builds a small world through the real services
(volunteers registered, activities published, attendance confirmed as hours, hours recorded and
reversed, stations on duty, orders served and rated), runs the rollup job and reads the
figures as the reports and the dashboard do. Then: the incremental job always equals a full
rebuild, and a change made behind the services' back is caught by `reports verify`.

The clock stands at Saturday 25 July 2026; the city's 2026 periods are 3/20–7/19 (second)
and 7/20–11/19 (third), so a boundary falls in the middle of July.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_org
from leifeng.activities import services as activity_services
from leifeng.demands import services as demand_services
from leifeng.demands.models import Order
from leifeng.demands.tests.conftest import Orders
from leifeng.hours.models import HoursEntry
from leifeng.orgs.models import Organisation
from leifeng.reports import rollups, services
from leifeng.reports.models import DayFigures, DirtySpan, MonthFigures
from leifeng.reports.tests.conftest import (
    at,
    credit,
    kept_tables,
    publish,
    reverse,
    serve,
    station_on_duty,
    volunteer_in,
)

SECOND = (date(2026, 3, 20), date(2026, 7, 19))
THIRD = (date(2026, 7, 20), date(2026, 11, 19))
BOTH = (SECOND[0], THIRD[1])


def day(month: int, dom: int) -> date:
    return date(2026, month, dom)


@pytest.fixture(autouse=True)
def _clock(clock):
    return clock


def figures(org: Organisation, span: tuple[date, date]) -> dict[tuple[str, str], Decimal]:
    return services.organisation_figures(org, *span)


def pick(values: dict[tuple[str, str], Decimal], *keys: str) -> tuple[Decimal, ...]:
    return tuple(values[(key, "")] for key in keys)


def refreshed() -> None:
    rollups.refresh()
    assert not rollups.pending()


# --- (a) an activity across two periods ----------------------------------------------------


def test_an_activity_with_shifts_in_two_periods_counts_once_in_each_and_once_across(org_tree):
    staff = org_tree.a1_staff
    v1, v2 = volunteer_in(1), volunteer_in(2)
    activity = publish(
        staff,
        org_tree.org_a1,
        [(at(day(7, 18), 9), at(day(7, 18), 11)), (at(day(7, 21), 9), at(day(7, 21), 11))],
    )
    early, late = activity.shifts.order_by("starts_at")
    serve(staff, v1, early)
    serve(staff, v1, late)
    serve(staff, v2, late)
    refreshed()

    for org in (org_tree.org_a1, org_tree.county_a, org_tree.city):
        second, third, both = figures(org, SECOND), figures(org, THIRD), figures(org, BOTH)
        keys = ("activities", "hours", "services", "volunteers")
        assert pick(second, *keys) == (1, Decimal("2.00"), 1, 1)
        assert pick(third, *keys) == (1, Decimal("4.00"), 2, 2)
        assert pick(both, *keys) == (1, Decimal("6.00"), 3, 2)
        assert second[("activities", "city")] == third[("activities", "city")] == 1
        assert both[("activities", "city")] == 1 and both[("activities", "care")] == 0
    assert figures(org_tree.county_b, BOTH)[("activities", "")] == 0
    # The hours lie on the activity's line, by the day each entry started.
    read = rollups.figures([org_tree.city.pk], day(7, 21), day(7, 21))[org_tree.city.pk]
    assert read["city"].sums["hours"] == 4 and read["city"].count("activity_set") == 1
    assert read[""].sums["hours"] == 0 and read[""].count("volunteer_set") == 2  # people: all lines


def test_a_draft_or_cancelled_activity_is_not_held(org_tree):
    staff = org_tree.a1_staff
    shift = [(at(day(7, 22), 9), at(day(7, 22), 11))]
    publish(staff, org_tree.org_a1, shift, status="draft", title="草稿活动")
    publish(staff, org_tree.org_a1, shift, status="cancel", title="取消的活动")
    held = publish(org_tree.b1_staff, org_tree.org_b1, shift, line="care", title="关爱活动")
    refreshed()
    city = figures(org_tree.city, THIRD)
    assert city[("activities", "")] == 1 and city[("activities", "care")] == 1
    assert figures(org_tree.county_a, THIRD)[("activities", "")] == 0
    # Cancelling it later takes it back at the next run.
    activity_services.activity_cancel(actor=org_tree.b1_staff, activity=held, reason="天气原因")
    refreshed()
    assert figures(org_tree.city, THIRD)[("activities", "")] == 0


# --- (b) one volunteer in two counties -------------------------------------------------------


def test_a_volunteer_credited_in_two_counties_counts_in_each_and_once_for_the_city(org_tree):
    v3 = volunteer_in(3)
    credit(org_tree.root, org_tree.org_a1, v3, at(day(7, 22), 8), at(day(7, 22), 10))
    credit(org_tree.root, org_tree.org_b1, v3, at(day(7, 23), 8), at(day(7, 23), 11))
    refreshed()
    keys = ("volunteers", "hours", "services")
    assert pick(figures(org_tree.county_a, THIRD), *keys) == (1, Decimal("2.00"), 1)
    assert pick(figures(org_tree.county_b, THIRD), *keys) == (1, Decimal("3.00"), 1)
    assert pick(figures(org_tree.city, THIRD), *keys) == (1, Decimal("5.00"), 2)
    board = services.board(org_tree.city, *THIRD)
    by_child = {org.pk: values[("volunteers", "")] for org, values in board.by_child}
    assert by_child == {org_tree.county_a.pk: 1, org_tree.county_b.pk: 1}
    assert board.total[("volunteers", "")] == 1


# --- (c) reversals ---------------------------------------------------------------------------


def test_a_reversed_credit_takes_back_its_hours_services_and_volunteer(org_tree):
    v4 = volunteer_in(4, county_b=True)
    entry = credit(org_tree.root, org_tree.org_b1, v4, at(day(7, 22), 14), at(day(7, 22), 15))
    refreshed()
    keys = ("volunteers", "hours", "services")
    assert pick(figures(org_tree.county_b, THIRD), *keys) == (1, Decimal("1.00"), 1)
    reverse(org_tree.root, entry)
    refreshed()
    assert pick(figures(org_tree.county_b, THIRD), *keys) == (0, Decimal("0.00"), 0)
    assert pick(figures(org_tree.city, THIRD), *keys) == (0, Decimal("0.00"), 0)


def test_a_volunteer_with_another_standing_credit_that_day_still_counts(org_tree):
    v5 = volunteer_in(5, county_b=True)
    wrong = credit(org_tree.root, org_tree.org_b1, v5, at(day(7, 22), 8), at(day(7, 22), 9))
    credit(org_tree.root, org_tree.org_b1, v5, at(day(7, 22), 10), at(day(7, 22), 12))
    reverse(org_tree.root, wrong)
    refreshed()
    keys = ("volunteers", "hours", "services")
    assert pick(figures(org_tree.org_b1, THIRD), *keys) == (1, Decimal("2.00"), 1)


# --- (d) hours without an activity -----------------------------------------------------------


def test_hours_without_an_activity_land_on_no_line_and_in_the_total(org_tree):
    staff = org_tree.a1_staff
    v1, v2 = volunteer_in(1), volunteer_in(2)
    activity = publish(staff, org_tree.org_a1, [(at(day(7, 21), 9), at(day(7, 21), 11))])
    serve(staff, v1, activity.shifts.get())
    credit(org_tree.root, org_tree.org_a1, v2, at(day(7, 22), 8), at(day(7, 22), 11, 30))
    refreshed()
    read = rollups.figures([org_tree.county_a.pk], *THIRD)[org_tree.county_a.pk]
    assert read[""].sums["hours"] == Decimal("3.5") and read["city"].sums["hours"] == 2
    assert figures(org_tree.county_a, THIRD)[("hours", "")] == Decimal("5.50")
    by_line = {line: (acts, hours) for line, acts, hours in services.board(
        org_tree.county_a, *THIRD
    ).by_line}  # fmt: skip
    assert by_line[""] == (0, Decimal("3.50")) and by_line["city"] == (1, Decimal("2.00"))
    assert by_line["care"] == (0, Decimal("0.00"))


# --- (e) a station on duty -------------------------------------------------------------------


def test_station_duty_counts_the_station_on_duty_and_not_an_activity(org_tree):
    staff = org_tree.a1_staff
    v2 = volunteer_in(2)
    _station, shift = station_on_duty(staff, org_tree.org_a1, day(7, 23))
    serve(staff, v2, shift)
    refreshed()
    for org in (org_tree.org_a1, org_tree.county_a, org_tree.city):
        values = figures(org, THIRD)
        assert pick(values, "stations", "activities", "hours", "volunteers") == (
            1,
            0,
            Decimal("3.00"),
            1,
        )
        assert values[("activities", "public_places")] == 0
    assert figures(org_tree.county_b, THIRD)[("stations", "")] == 0
    assert figures(org_tree.city, SECOND)[("stations", "")] == 0
    read = rollups.figures([org_tree.city.pk], *THIRD)[org_tree.city.pk]
    assert read["public_places"].sums["hours"] == 3


# --- (f) residents' orders -------------------------------------------------------------------


def test_orders_are_counted_by_the_receiving_unit(org_tree):
    orders = Orders(org_tree)  # org_a1 receives
    orders.order_in(Order.Status.RATED)  # rated 4: 满意
    low = orders.order_in(Order.Status.DONE)
    demand_services.order_rate(order=low, token=low.rating_token, rating=2)
    orders.order_in(Order.Status.DONE)  # not rated yet
    orders.order_in(Order.Status.REJECTED)
    orders.order_in(Order.Status.OPEN)
    refreshed()
    for org in (org_tree.org_a1, org_tree.county_a, org_tree.city):
        read = rollups.overall(rollups.figures([org.pk], *THIRD)[org.pk]).sums
        assert (
            read["orders_received"],
            read["orders_taken"],
            read["orders_served"],
            read["ratings"],
            read["rating_sum"],
            read["satisfied"],
        ) == (5, 3, 3, 2, 6, 1)
        values = figures(org, THIRD)
        assert pick(values, "people_served", "orders_taken", "satisfaction") == (
            3,
            3,
            Decimal("50.0"),
        )
    assert pick(figures(org_tree.county_b, THIRD), "orders_taken", "satisfaction") == (0, 0)
    assert figures(org_tree.city, SECOND)[("orders_taken", "")] == 0


# --- (g) a boundary in the middle of a month -------------------------------------------------


def test_a_period_ending_mid_month_reads_month_and_day_rows_to_the_hand_count(org_tree):
    root, a1 = org_tree.root, org_tree.org_a1
    v1, v2 = volunteer_in(1), volunteer_in(2)
    hours = {day(6, 30): 1, day(7, 1): 2, day(7, 19): 3, day(7, 20): 4, day(7, 31): 5}
    hours[day(8, 1)] = 6
    for when, length in hours.items():
        credit(root, a1, v1, at(when, 8), at(when, 8 + length))
    credit(root, a1, v2, at(day(6, 30), 14), at(day(6, 30), 15))
    refreshed()
    assert MonthFigures.objects.filter(organisation=a1).count() == 3  # June, July, August

    def hand(first: date, last: date) -> tuple[Decimal, Decimal, int]:
        inside = {d: h for d, h in hours.items() if first <= d <= last}
        v2_in = first <= day(6, 30) <= last
        return (
            Decimal(sum(inside.values()) + v2_in).quantize(Decimal("0.01")),
            Decimal(len(inside) + v2_in),
            int(bool(inside)) + v2_in,
        )

    spans = [
        SECOND,  # whole April–June months, then 7/1–7/19 from day rows
        THIRD,  # 7/20–7/31 from day rows, whole August–October, 11/1–11/19
        (day(7, 1), day(7, 19)),  # the start of a month only
        (day(7, 1), day(7, 31)),  # one whole month
        (day(6, 15), day(8, 31)),  # a partial June, then whole July and August
        (day(7, 19), day(7, 20)),  # either side of the boundary
    ]
    for first, last in spans:
        for org in (a1, org_tree.county_a, org_tree.city):
            assert pick(figures(org, (first, last)), "hours", "services", "volunteers") == hand(
                first, last
            ), (first, last)
    months, edges = rollups._pieces(day(6, 15), day(8, 31))
    assert months == [day(7, 1), day(8, 1)] and edges == [(day(6, 15), day(6, 30))]


def test_registrations_count_on_their_day_for_the_home_organisation(org_tree):
    for n in range(1, 4):
        volunteer_in(n, when=at(day(7, 10), 10))
    volunteer_in(4, county_b=True, when=at(day(7, 10), 11))
    volunteer_in(5, when=at(day(7, 24), 10))
    refreshed()
    assert figures(org_tree.county_a, SECOND)[("registrations", "")] == 3
    assert figures(org_tree.county_b, SECOND)[("registrations", "")] == 1
    assert figures(org_tree.city, SECOND)[("registrations", "")] == 4
    assert figures(org_tree.city, THIRD)[("registrations", "")] == 1
    assert figures(org_tree.city, BOTH)[("registrations", "")] == 5


def test_the_board_ranks_the_units_below_by_their_hours(org_tree):
    root = org_tree.root
    team = make_org(root, org_tree.org_a1, "泽州县助老志愿服务队", Organisation.Kind.TEAM, "140525")
    unit = make_org(root, org_tree.city, "市直工委", Organisation.Kind.UNIT, "140500")
    v1, v2, v3 = volunteer_in(1), volunteer_in(2), volunteer_in(3, county_b=True)
    credit(root, team, v1, at(day(7, 21), 8), at(day(7, 21), 12))
    credit(root, unit, v2, at(day(7, 21), 8), at(day(7, 21), 10))
    credit(root, unit, v3, at(day(8, 3), 8), at(day(8, 3), 9))
    credit(root, org_tree.org_a1, v3, at(day(7, 22), 8), at(day(7, 22), 18))  # a center
    refreshed()
    board = services.board(org_tree.city, *THIRD)
    assert [(org.pk, hours) for org, hours in board.top] == [
        (team.pk, Decimal("4.00")),
        (unit.pk, Decimal("3.00")),
    ]
    assert board.total[("hours", "")] == Decimal("17.00")
    assert {org.pk for org, _values in board.by_child} == {
        org_tree.county_a.pk,
        org_tree.county_b.pk,
        unit.pk,
    }
    assert services.board(org_tree.county_b, *THIRD).top == []
    assert [org.pk for org, _h in services.top_units(org_tree.city, *THIRD, limit=1)] == [team.pk]


# --- incremental equals rebuild --------------------------------------------------------------


def test_the_incremental_job_equals_a_rebuild_after_any_sequence_of_changes(org_tree):
    root, staff = org_tree.root, org_tree.a1_staff
    v1, v2, v3 = volunteer_in(1), volunteer_in(2), volunteer_in(3, county_b=True)
    refreshed()
    activity = publish(
        staff,
        org_tree.org_a1,
        [(at(day(7, 18), 9), at(day(7, 18), 11)), (at(day(7, 21), 9), at(day(7, 21), 11))],
    )
    refreshed()
    early, late = activity.shifts.order_by("starts_at")
    serve(staff, v1, early)
    refreshed()
    wrong = credit(root, org_tree.org_b1, v3, at(day(6, 30), 8), at(day(6, 30), 10))
    credit(root, org_tree.org_a1, v2, at(day(8, 1), 8), at(day(8, 1), 9))
    serve(staff, v2, late)  # three changes waiting for one run
    refreshed()
    reverse(root, wrong)
    Orders(org_tree).order_in(Order.Status.RATED)
    _station, duty = station_on_duty(staff, org_tree.org_a1, day(7, 23))
    serve(staff, v1, duty)
    activity_services.shift_add(
        actor=staff,
        activity=activity,
        starts_at=at(day(9, 2), 9),
        ends_at=at(day(9, 2), 11),
        quota=5,
    )
    assert rollups.pending() and rollups.differences()  # not refreshed yet: behind
    refreshed()
    assert rollups.differences() == []
    kept = kept_tables()
    assert kept[0] and kept[1]
    call_command("reports", "verify")
    rollups.rebuild()
    assert kept_tables() == kept
    assert figures(org_tree.city, THIRD)[("activities", "")] == 1


def test_a_change_behind_the_services_back_fails_verify_until_rebuilt(org_tree):
    v1 = volunteer_in(1)
    entry = credit(org_tree.root, org_tree.org_a1, v1, at(day(7, 22), 8), at(day(7, 22), 10))
    refreshed()
    assert rollups.differences() == []
    sneaked = HoursEntry(
        volunteer=v1,
        organisation=org_tree.org_b1,
        kind=HoursEntry.Kind.CREDIT,
        source=HoursEntry.Source.MANUAL,
        content="未经服务录入",
        started_at=entry.started_at + timedelta(days=1),
        ended_at=entry.ended_at + timedelta(days=1),
        hours=Decimal(2),
    )
    HoursEntry.objects.bulk_create([sneaked])  # no save(), no mark_dirty
    assert not rollups.pending()
    rollups.refresh()  # nothing marked: the job cannot know
    problems = rollups.differences()
    assert problems and any("hours: kept 0, recomputed 2" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("reports", "verify")
    call_command("reports", "rebuild")
    assert rollups.differences() == []
    assert figures(org_tree.county_b, THIRD)[("hours", "")] == 2
    call_command("reports", "verify")


def test_a_rollup_row_tampered_with_is_caught_and_the_marks_are_consumed(org_tree):
    v1 = volunteer_in(1)
    credit(org_tree.root, org_tree.org_a1, v1, at(day(7, 22), 8), at(day(7, 22), 10))
    assert DirtySpan.objects.exists()
    assert rollups.refresh() >= 1 and rollups.refresh() == 0
    DayFigures.objects.filter(organisation=org_tree.city, day=day(7, 22)).update(hours=7)
    assert any("hours: kept 7" in p for p in rollups.differences())
    rollups.rebuild()
    assert rollups.differences() == []


CHANGES = st.lists(
    st.one_of(
        # credit: volunteer, recording organisation, day offset, start hour, length
        st.tuples(
            st.just("credit"),
            st.integers(0, 2),
            st.integers(0, 2),
            st.integers(0, 40),
            st.integers(6, 18),
            st.integers(1, 3),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 20)),
        st.tuples(st.just("refresh")),
    ),
    min_size=1,
    max_size=10,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=CHANGES)
def test_any_sequence_of_credits_and_reversals_refreshed_equals_a_rebuild(org_tree, changes):
    with transaction.atomic():
        volunteers = [volunteer_in(n, county_b=n == 2) for n in range(1, 4)]
        orgs = [org_tree.org_a1, org_tree.org_b1, org_tree.county_b]
        standing: list[HoursEntry] = []
        first = day(6, 20)
        for change in changes:
            if change[0] == "credit":
                _kind, who, org, offset, hour, length = change
                when = first + timedelta(days=offset)
                try:
                    standing.append(
                        credit(
                            org_tree.root,
                            orgs[org],
                            volunteers[who],
                            at(when, hour),
                            at(when, hour + length),
                        )
                    )
                except Exception as exc:  # the same time credited twice: refused, no change
                    assert getattr(exc, "code", None) == "conflict"
            elif change[0] == "reverse" and standing:
                reverse(org_tree.root, standing.pop(change[1] % len(standing)))
            elif change[0] == "refresh":
                rollups.refresh()
        rollups.refresh()
        assert rollups.differences() == []
        kept = kept_tables()
        rollups.rebuild()
        assert kept_tables() == kept
        hours = sum((e.hours for e in HoursEntry.objects.all()), Decimal(0))
        total = figures(org_tree.city, (first, first + timedelta(days=41)))[("hours", "")]
        assert total == hours
        transaction.set_rollback(True)


def test_moving_a_published_activity_to_another_line_moves_its_figures(org_tree):
    staff = org_tree.a1_staff
    activity = publish(staff, org_tree.org_a1, [(at(day(7, 21), 9), at(day(7, 21), 11))])
    serve(staff, volunteer_in(1), activity.shifts.get())
    refreshed()
    activity_services.activity_save(
        actor=staff,
        organisation=org_tree.org_a1,
        activity=activity,
        data={"campaign_line": "care"},
    )
    refreshed()
    assert rollups.differences() == []
    assert figures(org_tree.city, THIRD)[("activities", "care")] == 1


def test_moving_an_organisation_moves_its_figures_to_its_new_ancestors(org_tree):
    from leifeng.orgs import services as org_services

    unit = make_org(org_tree.root, org_tree.city, "泽州县某企业", Organisation.Kind.UNIT, "140525")
    credit(org_tree.root, unit, volunteer_in(1), at(day(7, 22), 8), at(day(7, 22), 10))
    refreshed()
    assert pick(figures(org_tree.county_a, THIRD), "hours") == (Decimal(0),)
    org_services.org_move(actor=org_tree.root, org=unit, new_parent=org_tree.county_a)
    refreshed()
    assert rollups.differences() == []
    assert pick(figures(org_tree.county_a, THIRD), "hours") == (Decimal("2.00"),)
    assert pick(figures(org_tree.city, THIRD), "hours") == (Decimal("2.00"),)
