"""Report fixtures: a frozen clock in late July 2026, and a small world built through the real
services (volunteers registered, activities published with shifts, hours credited from
attendance or by hand, stations on duty, reversals), so that the figures can be counted by hand.

Nothing here is autouse: the modules that want the clock ask for it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import grant, make_org, make_user
from leifeng.activities import services as activity_services
from leifeng.activities.models import Activity, Shift, Station
from leifeng.activities.tests.conftest import activity_data, make_volunteer
from leifeng.hours import services as hours_services
from leifeng.hours.models import HoursClaim, HoursEntry
from leifeng.orgs.models import Membership, Organisation
from leifeng.regions.models import Region
from leifeng.reports import rollups
from leifeng.reports.models import DayFigures, MonthFigures

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 25, 10, tzinfo=SHANGHAI)  # a Saturday, in the third period of 2026
CITY_DISTRICT = "140502007"  # a residence in 城区 (county_b): its volunteers go to org_b1

__all__ = [
    "NOW",
    "at",
    "credit",
    "kept_tables",
    "publish",
    "reverse",
    "serve",
    "station_on_duty",
    "volunteer_in",
]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of a local (Asia/Shanghai) day."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    """Now is Saturday 25 July 2026, 10:00 in Jincheng (ticking, as in the other apps)."""
    time_machine.move_to(NOW, tick=True)
    return time_machine


def volunteer_in(n: int, county_b: bool = False, when: datetime | None = None):
    """The n-th volunteer, registered (then) by a resident of 泽州 (org_a1) or 城区 (org_b1)."""
    extra = {"residence": Region.objects.get(code=CITY_DISTRICT)} if county_b else {}
    with time_machine.travel(when or _now(), tick=False):
        return make_volunteer(n, **extra)


def _now() -> datetime:
    from django.utils import timezone

    return timezone.now()


def publish(
    actor,
    organisation: Organisation,
    shifts: list[tuple[datetime, datetime]],
    *,
    line: str = "city",
    when: datetime | None = None,
    status: str = "publish",
    **overrides,
) -> Activity:
    """An activity with these shifts, published (status="publish"), left a draft ("draft") or
    published then cancelled ("cancel"), all done at `when` (a week before its first shift)."""
    when = when or min(start for start, _end in shifts) - timedelta(days=7)
    with time_machine.travel(when, tick=False):
        activity = activity_services.activity_save(
            actor=actor,
            organisation=organisation,
            data=activity_data(campaign_line=line, **overrides),
        )
        for start, end in shifts:
            activity_services.shift_add(
                actor=actor, activity=activity, starts_at=start, ends_at=end, quota=10
            )
        if status in ("publish", "cancel"):
            activity_services.activity_publish(actor=actor, activity=activity)
        if status == "cancel":
            activity_services.activity_cancel(actor=actor, activity=activity, reason="天气原因")
    activity.refresh_from_db()
    return activity


def serve(actor, volunteer, shift: Shift) -> HoursEntry:
    """The volunteer signs up the day before, attends the whole shift (the roster corrected by
    `actor`), and an hour after it the claim is collected and confirmed: a ledger credit."""
    with time_machine.travel(shift.starts_at - timedelta(days=1), tick=False):
        signup = activity_services.signup_create(
            actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True
        )
    with time_machine.travel(shift.ends_at + timedelta(hours=1), tick=False):
        activity_services.attendance_correct(
            actor=actor,
            signup=signup,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.ends_at,
            reason="现场签到",
        )
        hours_services.claims_collect()
        claim = HoursClaim.objects.get(attendance__signup=signup)
        return hours_services.claim_confirm(actor=actor, claim=claim)


def credit(
    actor,
    organisation: Organisation,
    volunteer,
    start: datetime,
    end: datetime,
    hours: str | None = None,
) -> HoursEntry:
    """Hours recorded by hand (no activity), the day after the service."""
    with time_machine.travel(end + timedelta(days=1), tick=False):
        return hours_services.manual_credit(
            actor=actor,
            organisation=organisation,
            volunteer=volunteer,
            content="社区环境清洁",
            started_at=start,
            ended_at=end,
            hours=Decimal(hours) if hours else Decimal((end - start).seconds // 1800) / 2,
        )


def reverse(actor, entry: HoursEntry) -> HoursEntry:
    with time_machine.travel(entry.ended_at + timedelta(days=2), tick=False):
        return hours_services.entry_reverse(actor=actor, entry=entry, reason="重复录入")


def station_on_duty(actor, organisation: Organisation, day: date) -> tuple[Station, Shift]:
    """A station of `organisation` whose weekly roster has one duty shift on `day`
    (08:30–11:30), generated a week before."""
    with time_machine.travel(at(day) - timedelta(days=7), tick=False):
        station = activity_services.station_save(
            actor=actor,
            organisation=organisation,
            data={
                "name": "泽州公园志愿服务站",
                "place_kind": "park",
                "host_unit": "泽州县园林局",
                "opening_hours": "每天 8:00–18:00",
                "services": ["water", "guidance"],
                "address": "泽州县泽州公园南门",
                "latitude": "35.500000",
                "longitude": "112.860000",
            },
        )
        activity_services.pattern_add(
            actor=actor,
            station=station,
            weekday=day.weekday(),
            start_time=time(8, 30),
            end_time=time(11, 30),
            quota=3,
        )
        [shift] = activity_services.roster_generate(
            actor=actor, station=station, first_day=day, last_day=day
        )
    return station, Shift.objects.select_related("activity").get(pk=shift.pk)


def kept_tables() -> tuple[list, list]:
    """The day and month rollup rows as comparable tuples (bitmaps as sorted id lists)."""

    def rows(model, date_field):
        out = []
        for row in model.objects.all():
            totals = rollups.Totals()
            totals.add_row(row)
            out.append(
                (
                    row.organisation_id,
                    getattr(row, date_field),
                    row.line,
                    *(Decimal(getattr(row, name)) for name in rollups.SUM_FIELDS),
                    *(sorted(totals.sets.get(name, ())) for name in rollups.SET_FIELDS),
                )
            )
        return sorted(out)

    return rows(DayFigures, "day"), rows(MonthFigures, "month")


# --- the offices and units that owe reports ------------------------------------------------


@dataclass
class Offices:
    """org_tree plus what the city office obliges by default: a city unit (市直工委) and the
    volunteer federation; and the city's own practice center, which reports through the
    office. A reporter of 泽州 (county_a) writes its reports."""

    tree: object
    unit: Organisation
    federation: Organisation
    city_center: Organisation
    a_reporter: object
    unit_staff: object


@pytest.fixture
def offices(org_tree) -> Offices:
    root = org_tree.root
    unit = make_org(root, org_tree.city, "市直工委", Organisation.Kind.UNIT, "140500")
    federation = make_org(
        root, org_tree.city, "晋城市志愿服务联合会", Organisation.Kind.FEDERATION, "140500"
    )
    city_center = make_org(
        root, org_tree.city, "晋城市新时代文明实践中心", Organisation.Kind.CENTER, "140500"
    )
    a_reporter = make_user("a_reporter", email="reporter@zezhou.example")
    grant(root, a_reporter, org_tree.county_a, Membership.Role.REPORTER)
    unit_staff = make_user("unit_staff")
    grant(root, unit_staff, unit, Membership.Role.STAFF)
    return Offices(
        tree=org_tree,
        unit=unit,
        federation=federation,
        city_center=city_center,
        a_reporter=a_reporter,
        unit_staff=unit_staff,
    )
