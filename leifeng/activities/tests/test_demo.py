"""The demo activities and stations: every campaign line and county, loaded once."""

from functools import partial

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from leifeng.activities import demo
from leifeng.activities.models import (
    Activity,
    Attendance,
    RosterPattern,
    Shift,
    Signup,
    Station,
)
from leifeng.audit.models import AuditEntry
from leifeng.core.campaign import CampaignLine
from leifeng.hours.certificates import certificate_verify
from leifeng.hours.models import Certificate, HoursClaim, HoursEntry, LateEntry, VolunteerHours
from leifeng.hours.services import hours_verify, stars_reached
from leifeng.volunteers import demo as volunteer_demo
from leifeng.volunteers.models import Volunteer

COUNTIES = {"140502", "140525", "140581", "140522", "140524", "140521"}
MODELS = [Activity, Shift, Signup, Attendance, Station, RosterPattern, AuditEntry]


@pytest.fixture
def few_volunteers(monkeypatch):
    """The whole demo, with 300 volunteers instead of 2,000 to keep the test quick."""
    monkeypatch.setattr(
        volunteer_demo,
        "volunteers_load",
        partial(volunteer_demo.volunteers_load, count=300, minors=2),
    )


def test_demo_loads_activities_and_stations_once(db, few_volunteers, capsys):
    """One test, so that the demo is loaded only twice."""
    call_command("demo")
    hours_models = [HoursEntry, HoursClaim, LateEntry, Certificate]
    counts = [model.objects.count() for model in [*MODELS, *hours_models]]
    _check_lines_and_places()
    _check_rules()
    _check_hours()
    call_command("demo")
    assert [model.objects.count() for model in [*MODELS, *hours_models]] == counts
    first, second = (
        line for line in capsys.readouterr().out.splitlines() if line.startswith("Activities:")
    )
    assert "none added" not in first and "none added" in second


def _check_hours():
    """Past attendance is confirmed, the last week's waits, and every star standard is met."""
    assert HoursClaim.objects.filter(status="confirmed").exists()
    assert HoursClaim.objects.filter(status="pending").exists()
    totals = VolunteerHours.objects.values_list("total", flat=True)
    assert {stars_reached(total) for total in totals} >= {1, 2, 3, 4, 5}
    assert hours_verify() == []
    # Historical years were late entries approved by a second person; one more waits.
    approved = LateEntry.objects.filter(status="approved")
    assert approved.exists() and all(e.decided_by_id != e.requested_by_id for e in approved)
    assert LateEntry.objects.filter(status="pending").count() == 1
    certificate = Certificate.objects.get()
    assert certificate_verify(certificate.number).status == "genuine"


def _check_lines_and_places():
    ordinary = Activity.objects.filter(station__isnull=True).select_related("township")
    assert set(ordinary.values_list("campaign_line", flat=True)) == set(CampaignLine.values)
    assert {a.township.code[:6] for a in ordinary if a.township} == COUNTIES
    stations = Station.objects.select_related("township")
    assert {s.township.code[:6] for s in stations} == COUNTIES
    assert all(s.patterns.exists() and s.duty.shifts.exists() for s in stations)
    for year in demo.YEARS:
        assert ordinary.filter(title__startswith=f"{year}年", status="finished").count() > 20


def _check_rules():
    now = timezone.now()
    S = Activity.Status  # noqa: N806
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert {S.DRAFT, S.PUBLISHED, S.FINISHED, S.CANCELLED} <= statuses
    cancelled = Activity.objects.get(status=S.CANCELLED)
    assert cancelled.cancel_reason
    assert not Signup.objects.filter(shift__activity=cancelled, status__in=Signup.ACTIVE)
    recruiting = Activity.objects.filter(status=S.PUBLISHED, station__isnull=True)
    assert recruiting.filter(ends_at__gt=now).count() >= 8
    assert Shift.objects.filter(activity__in=recruiting, confirmed__lt=F("quota")).exists()
    assert Signup.objects.filter(status=Signup.Status.WAITLISTED).exists()
    risky = Activity.objects.get(risky=True)
    assert risky.has_insurance() and risky.status == S.PUBLISHED
    assert recruiting.filter(join_rule=Activity.JoinRule.CODE).exists()
    assert recruiting.filter(join_rule=Activity.JoinRule.TEAMS).exists()
    assert recruiting.filter(min_age__isnull=False, skills__isnull=False).exists()

    # Never overbooked; only adults; nobody on two shifts at once.
    confirmed = Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED))
    for shift in Shift.objects.annotate(counted=confirmed):
        assert shift.confirmed == shift.counted <= shift.quota
    held: dict[int, list[Shift]] = {}
    for signup in Signup.objects.select_related("volunteer", "shift").order_by("shift__starts_at"):
        assert not signup.volunteer.is_minor(timezone.localdate(signup.shift.starts_at))
        if signup.is_active():
            before = held.setdefault(signup.volunteer_id, [])
            assert not before or before[-1].ends_at <= signup.shift.starts_at
            before.append(signup.shift)

    # Past shifts have attendance; one forgotten check-out waits for review.
    finished = Signup.objects.filter(
        shift__activity__status=S.FINISHED, status=Signup.Status.CONFIRMED
    )
    assert not finished.filter(attendance__isnull=True).exists()
    assert Attendance.objects.filter(status=Attendance.Status.NO_SHOW).exists()
    assert Attendance.objects.filter(needs_review=True).count() == 1

    # 王小雷 has something ahead and something behind him.
    wang = Volunteer.objects.get(name=volunteer_demo.DEMO_NAME, user__isnull=False)
    mine = Signup.objects.filter(volunteer=wang, status=Signup.Status.CONFIRMED)
    assert mine.filter(shift__starts_at__gt=now).count() >= 1
    assert (
        mine.filter(shift__ends_at__lte=now, attendance__checked_out_at__isnull=False).count() >= 2
    )
