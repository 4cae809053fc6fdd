"""The ledger's promises: totals equal ledger sums, time is never credited twice, entries are
never changed, deadlines count Chinese working days."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leifeng.activities import services as activity_services
from leifeng.activities.tests.conftest import make_activity, make_volunteer
from leifeng.core.errors import DomainError
from leifeng.hours import services
from leifeng.hours.models import (
    AppendOnlyError,
    HoursClaim,
    HoursEntry,
    VolunteerHours,
    WorkdayOverride,
)

BASE = datetime(2026, 6, 1, 8, tzinfo=timezone.get_current_timezone())


def slot(start: int, length: int) -> tuple[datetime, datetime]:
    return BASE + timedelta(hours=start), BASE + timedelta(hours=start + length)


def credit(org_tree, volunteer, start: int, length: int, hours: str | None = None) -> HoursEntry:
    begin, end = slot(start, length)
    return services.manual_credit(
        actor=org_tree.root,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="社区环境清洁",
        started_at=begin,
        ended_at=end,
        hours=Decimal(hours or length),
    )


@pytest.fixture
def volunteer(db):
    return make_volunteer(1)


# --- rounding, working days, stars -----------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "hours"), [(0, "0"), (29, "0"), (30, "0.5"), (89, "1"), (90, "1.5"), (241, "4")]
)
def test_attendance_is_rounded_down_to_half_hours(minutes, hours):
    assert services.round_hours(minutes) == Decimal(hours)


def test_ten_working_days_skip_mid_autumn_and_national_day(db):
    # 2026: 中秋 9/25–27, 国庆 10/1–7, make-up working days 9/20 and 10/10.
    assert services.add_working_days(date(2026, 9, 24), 10) == date(2026, 10, 15)


def test_ten_working_days_skip_the_spring_festival(db):
    # 2026 春节 holiday 2/15–2/23, make-up working days 2/14 and 2/28: 2/13, 2/14, 2/24–2/28,
    # 3/2, 3/3, 3/4.
    assert services.add_working_days(date(2026, 2, 12), 10) == date(2026, 3, 4)


def test_a_year_the_package_does_not_know_falls_back_to_weekdays_and_overrides(db):
    assert services.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 4)  # Fri → Mon
    WorkdayOverride.objects.create(day=date(2027, 1, 4), is_workday=False, note="元旦调休")
    assert services.add_working_days(date(2027, 1, 1), 1) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("total", "stars"), [("99.5", 0), ("100", 1), ("299", 1), ("600", 3), ("1500", 5)]
)
def test_star_standards(total, stars):
    assert services.stars_reached(Decimal(total)) == stars


# --- credits, reversals, corrections ---------------------------------------------------------


def total_of(volunteer) -> Decimal:
    return VolunteerHours.objects.get(volunteer=volunteer).total


def test_credit_reverse_and_correct_keep_the_total(org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 3)
    assert total_of(volunteer) == Decimal("3")
    corrected = services.entry_correct(
        actor=org_tree.root,
        entry=entry,
        hours=Decimal("2.5"),
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        reason="扣除午休",
    )
    assert total_of(volunteer) == Decimal("2.5")
    assert HoursEntry.objects.count() == 3  # credit, its reversal, the new credit
    services.entry_reverse(actor=org_tree.root, entry=corrected, reason="未实际参加")
    assert total_of(volunteer) == Decimal("0")
    assert services.hours_verify() == []


def test_time_already_credited_is_refused_and_named(org_tree, volunteer):
    credit(org_tree, volunteer, 0, 3)
    with pytest.raises(DomainError) as exc:
        credit(org_tree, volunteer, 2, 2)
    assert exc.value.code == "conflict" and "社区环境清洁" in exc.value.message
    credit(org_tree, volunteer, 3, 2)  # back to back is fine
    assert total_of(volunteer) == Decimal("5")


def test_a_reversed_entry_frees_its_time_and_cannot_be_reversed_twice(org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 3)
    services.entry_reverse(actor=org_tree.root, entry=entry, reason="录入错误")
    with pytest.raises(DomainError):
        services.entry_reverse(actor=org_tree.root, entry=entry, reason="再次")
    credit(org_tree, volunteer, 0, 3)
    assert total_of(volunteer) == Decimal("3")


def test_entries_are_never_changed_or_deleted(org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 2)
    entry.hours = Decimal("20")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert HoursEntry.objects.get().hours == Decimal("2")


def test_bad_figures_are_refused_in_chinese(org_tree, volunteer):
    with pytest.raises(DomainError) as exc:
        credit(org_tree, volunteer, 0, 2, hours="3")
    assert exc.value.fields["hours"] == "工时不能多于开始到结束之间的时间。"
    with pytest.raises(DomainError) as exc:
        credit(org_tree, volunteer, 0, 2, hours="1.125")  # never rounded silently
    assert exc.value.fields["hours"] == "时长最多保留两位小数。"
    with pytest.raises(DomainError) as exc:
        services.entry_reverse(
            actor=org_tree.root, entry=credit(org_tree, volunteer, 0, 1), reason=" "
        )
    assert exc.value.fields == {"reason": "请填写理由。"}


def test_verify_reports_a_tampered_total_and_repairs_nothing(org_tree, volunteer):
    credit(org_tree, volunteer, 0, 2)
    VolunteerHours.objects.filter(volunteer=volunteer).update(total=Decimal("200"))
    [mismatch] = services.hours_verify()
    assert (mismatch.total, mismatch.ledger) == (Decimal("200"), Decimal("2"))
    assert total_of(volunteer) == Decimal("200")


def test_staff_elsewhere_cannot_reverse(org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 2)
    with pytest.raises(Http404):
        services.entry_reverse(actor=org_tree.b1_staff, entry=entry, reason="x")
    assert total_of(volunteer) == Decimal("2")


# --- from attendance -------------------------------------------------------------------------


def attended(org_tree, volunteer, minutes: int = 150):
    """A shift a week ago (published, signed up for and attended then) that ended in time."""
    with time_machine.travel(timezone.now() - timedelta(days=7)):
        activity = make_activity(org_tree.a1_staff, org_tree.org_a1)
        shift = activity.shifts.get()
        signup = activity_services.signup_create(
            actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True
        )
        activity_services.attendance_correct(
            actor=org_tree.a1_staff,
            signup=signup,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.starts_at + timedelta(minutes=minutes),
            reason="现场签到",
        )
    return shift


def test_attendance_becomes_a_claim_then_a_credit(org_tree, volunteer):
    shift = attended(org_tree, volunteer, minutes=150)
    assert services.claims_collect() == 1
    assert services.claims_collect() == 0
    claim = HoursClaim.objects.get()
    assert claim.proposed_hours == Decimal("2.5")
    assert claim.due_on == services.add_working_days(timezone.localdate(shift.ends_at), 10)
    with pytest.raises(DomainError) as exc:
        services.claim_confirm(actor=org_tree.a1_staff, claim=claim, hours=Decimal("2"))
    assert "reason" in exc.value.fields
    entry = services.claim_confirm(
        actor=org_tree.a1_staff, claim=claim, hours=Decimal("2"), reason="中途离开半小时"
    )
    assert entry.activity == shift.activity and total_of(volunteer) == Decimal("2")
    with pytest.raises(DomainError):
        services.claim_confirm(actor=org_tree.a1_staff, claim=claim)


def test_a_claim_over_manually_credited_time_is_refused_in_bulk(org_tree, volunteer):
    shift = attended(org_tree, volunteer)
    services.claims_collect()
    services.manual_credit(
        actor=org_tree.root,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="补录的同一次服务",
        started_at=shift.starts_at,
        ended_at=shift.ends_at,
        hours=Decimal("2"),
    )
    result = services.claims_confirm(actor=org_tree.a1_staff, claims=list(HoursClaim.objects.all()))
    assert result.confirmed == [] and "补录的同一次服务" in result.refused[0][1]
    assert total_of(volunteer) == Decimal("2")


def test_a_rejected_claim_credits_nothing(org_tree, volunteer):
    attended(org_tree, volunteer)
    services.claims_collect()
    claim = HoursClaim.objects.get()
    services.claim_reject(actor=org_tree.a1_staff, claim=claim, reason="未实际服务")
    assert not HoursEntry.objects.exists()
    with pytest.raises(Http404):
        services.claim_reject(actor=org_tree.b1_staff, claim=claim, reason="x")


# --- the invariants, for any sequence --------------------------------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("credit"), st.integers(0, 20), st.integers(1, 4)),
        st.tuples(st.just("late"), st.integers(0, 20), st.integers(1, 4)),
        st.tuples(st.just("reverse"), st.integers(0, 10)),
        st.tuples(st.just("correct"), st.integers(0, 10), st.integers(0, 20), st.integers(1, 4)),
    ),
    max_size=14,
)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_keeps_totals_and_never_credits_time_twice(org_tree, volunteer, operations):
    with transaction.atomic():
        model: dict[int, tuple[int, int]] = {}  # active credit id -> (start, end) in hours
        for operation in operations:
            kind = operation[0]
            active = sorted(model)
            if kind in {"credit", "late"}:
                _kind, start, length = operation
                wanted = (start, start + length)
                clash = any(overlaps(wanted, span) for span in model.values())
                try:
                    if kind == "credit":
                        entry = credit(org_tree, volunteer, start, length)
                    else:  # asked by one person, approved by another
                        begin, end = slot(start, length)
                        late = services.late_entry_request(
                            actor=org_tree.a1_staff,
                            organisation=org_tree.org_a1,
                            volunteer=volunteer,
                            content="补录",
                            started_at=begin,
                            ended_at=end,
                            hours=Decimal(length),
                            reason="纸质台账",
                        )
                        entry = services.late_entry_approve(actor=org_tree.root, late=late)
                except DomainError:
                    assert clash
                else:
                    assert not clash
                    model[entry.pk] = wanted
            elif active:
                pk = active[operation[1] % len(active)]
                entry = HoursEntry.objects.get(pk=pk)
                if kind == "reverse":
                    services.entry_reverse(actor=org_tree.root, entry=entry, reason="更正")
                    del model[pk]
                else:
                    _kind, _i, start, length = operation
                    wanted = (start, start + length)
                    others = [span for key, span in model.items() if key != pk]
                    clash = any(overlaps(wanted, span) for span in others)
                    begin, end = slot(start, length)
                    try:
                        new = services.entry_correct(
                            actor=org_tree.root,
                            entry=entry,
                            hours=Decimal(length),
                            started_at=begin,
                            ended_at=end,
                            reason="更正",
                        )
                    except DomainError:
                        assert clash  # and nothing changed: the reversal rolled back too
                    else:
                        assert not clash
                        del model[pk]
                        model[new.pk] = wanted
            totals = VolunteerHours.objects.filter(volunteer=volunteer).first()
            ledger = sum(
                (e.hours for e in HoursEntry.objects.filter(volunteer=volunteer)), Decimal(0)
            )
            assert (totals.total if totals else Decimal(0)) == ledger
            assert ledger == sum(Decimal(end - start) for start, end in model.values())
            live = list(
                HoursEntry.objects.filter(
                    volunteer=volunteer, kind="credit", reversal__isnull=True
                ).values_list("started_at", "ended_at")
            )
            assert all(
                not (a[0] < b[1] and b[0] < a[1]) for i, a in enumerate(live) for b in live[i + 1 :]
            )
        assert services.hours_verify() == []
        transaction.set_rollback(True)


def test_the_verify_command_fails_on_a_difference(org_tree, volunteer):
    from django.core.management import CommandError, call_command

    credit(org_tree, volunteer, 0, 2)
    call_command("hours", "verify")
    VolunteerHours.objects.filter(volunteer=volunteer).update(total=Decimal("1"))
    with pytest.raises(CommandError):
        call_command("hours", "verify")


def test_reaching_a_star_standard_is_told_and_certified_separately(org_tree, volunteer):
    from leifeng.notify.models import Notification

    late = services.late_entry_request(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="2020年度志愿服务（历史记录补录）",
        started_at=datetime(2020, 1, 1, tzinfo=BASE.tzinfo),
        ended_at=datetime(2020, 12, 31, tzinfo=BASE.tzinfo),
        hours=Decimal("320"),
        reason="纸质台账录入",
    )
    services.late_entry_approve(actor=org_tree.root, late=late)
    assert (
        Notification.objects.filter(recipient=volunteer.user, kind="hours.stars_reached").count()
        == 1
    )
    record = services.record_of(volunteer)
    assert (record["stars_reached"], record["stars_certified"]) == (2, 0)
    with pytest.raises(DomainError):
        services.stars_certify(
            actor=org_tree.root, organisation=org_tree.org_a1, volunteer=volunteer, level=3
        )
    services.stars_certify(
        actor=org_tree.root, organisation=org_tree.org_a1, volunteer=volunteer, level=2
    )
    with pytest.raises(DomainError):
        services.stars_certify(
            actor=org_tree.root, organisation=org_tree.org_a1, volunteer=volunteer, level=1
        )
    assert services.record_of(volunteer)["stars_certified"] == 2


# --- late entries (补录) ---------------------------------------------------------------------


def test_hours_past_the_deadline_wait_for_a_second_persons_approval(org_tree, volunteer):
    # Due 2026-05-19 (Saturday 9 May is a make-up working day); today is 2026-06-03.
    may = datetime(2026, 5, 6, 9, tzinfo=BASE.tzinfo)
    figures = {
        "organisation": org_tree.org_a1,
        "volunteer": volunteer,
        "content": "五四青年节志愿服务",
        "started_at": may,
        "ended_at": may + timedelta(hours=3),
        "hours": Decimal("3"),
    }
    with pytest.raises(DomainError) as exc:
        services.manual_credit(actor=org_tree.a1_staff, **figures)
    assert exc.value.code == services.LATE and "2026-05-19" in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.late_entry_request(actor=org_tree.a1_staff, reason=" ", **figures)
    assert "reason" in exc.value.fields
    late = services.late_entry_request(actor=org_tree.a1_staff, reason="纸质签到表", **figures)
    assert total_of(volunteer) == 0
    # Waiting time cannot be asked for twice, nor approved by the one who asked.
    with pytest.raises(DomainError) as exc:
        services.late_entry_request(actor=org_tree.root, reason="重复", **figures)
    assert exc.value.code == services.CONFLICT
    with pytest.raises(DomainError) as exc:
        services.late_entry_approve(actor=org_tree.a1_staff, late=late)
    assert exc.value.code == "forbidden"
    with pytest.raises(Http404):
        services.late_entry_approve(actor=org_tree.b1_staff, late=late)
    entry = services.late_entry_approve(actor=org_tree.root, late=late)
    assert entry.reason == "纸质签到表" and total_of(volunteer) == Decimal("3")
    with pytest.raises(DomainError):
        services.late_entry_approve(actor=org_tree.root, late=late)
    assert not services.hours_verify()


def test_an_overdue_claim_is_confirmed_as_a_late_entry(org_tree, volunteer, time_machine):
    attended(org_tree, volunteer)
    services.claims_collect()
    claim = HoursClaim.objects.get()
    time_machine.move_to(
        datetime.combine(claim.due_on, datetime.min.time(), BASE.tzinfo)
        + timedelta(days=1, hours=9)
    )
    result = services.claims_confirm(actor=org_tree.a1_staff, claims=[claim])
    assert result.confirmed == [] and claim.due_on.isoformat() in result.refused[0][1]
    late = services.claim_confirm_late(
        actor=org_tree.a1_staff, claim=claim, reason="负责人出差，未及时确认"
    )
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.LATE and total_of(volunteer) == 0
    services.late_entry_reject(actor=org_tree.county_a_admin, late=late, reason="签到记录不全")
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.REJECTED and claim.reason == "签到记录不全"
    assert total_of(volunteer) == 0
