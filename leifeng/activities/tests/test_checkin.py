"""Being there: the organiser's rotating QR code, checking in and out by it or from the roster,
the position check, no-shows, corrections and forgotten check-outs.

The fixtures' shift runs 9:00–11:00 local time three days ahead; every `now` is relative to it.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from leifeng.activities import services
from leifeng.activities.models import Attendance, Shift, Signup
from leifeng.activities.tests.conftest import make_activity, soon
from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.volunteers.models import Volunteer

CJK = re.compile(r"[\u4e00-\u9fff]")
NOT_ALLOWED = (PermissionDenied, Http404)
# The fixtures' place: 泽州路与凤台街交叉口.
PLACE = (35.49, 112.85)


def says(error: DomainError, msgid: str, **params) -> None:
    """The error carries this message, translated into Chinese, with its values filled in."""
    expected = gettext(msgid) % params if params else gettext(msgid)
    assert error.message == expected
    assert CJK.search(error.message), f"not translated into Chinese: {error.message!r}"


def sign(volunteer: Volunteer, shift: Shift) -> Signup:
    return services.signup_create(
        actor=volunteer.user,
        volunteer=volunteer,
        shift=shift,
        risk_notice_read=True,
        now=shift.starts_at - timedelta(days=1),
    )


def scan(volunteer: Volunteer, shift: Shift, at: datetime, *, out: bool = False, **position):
    """The volunteer scans the code the organiser's screen shows at that moment."""
    return services.check_by_code(
        actor=volunteer.user,
        volunteer=volunteer,
        token=services.qr_token(shift, now=at),
        check_out=out,
        now=at,
        **position,
    )


@pytest.fixture
def signup(shift, volunteers) -> Signup:
    return sign(volunteers[0], shift)


@pytest.fixture
def volunteer(signup) -> Volunteer:
    return signup.volunteer


def attendance(signup: Signup) -> Attendance:
    return Attendance.objects.get(signup=signup)


# --- the rotating code ---------------------------------------------------------------------


def test_a_fresh_code_names_its_shift(shift):
    at = shift.starts_at
    assert services.qr_shift(services.qr_token(shift, now=at), now=at) == shift


def test_a_code_is_still_good_one_step_later(shift):
    at = shift.starts_at
    token = services.qr_token(shift, now=at)
    later = at + timedelta(seconds=services.QR_STEP_SECONDS)
    assert services.qr_shift(token, now=later) == shift
    assert services.qr_token(shift, now=later) != token  # the screen shows a new code by then


def test_a_code_expires_within_a_minute(shift):
    at = shift.starts_at
    token = services.qr_token(shift, now=at)
    with pytest.raises(DomainError) as exc:
        services.qr_shift(token, now=at + timedelta(seconds=60))
    assert exc.value.code == "expired"
    says(exc.value, "This code has expired. Scan the code on the organiser's screen again.")


def test_a_code_from_the_future_is_refused(shift):
    at = shift.starts_at
    token = services.qr_token(shift, now=at + timedelta(minutes=5))
    with pytest.raises(DomainError) as exc:
        services.qr_shift(token, now=at)
    assert exc.value.code == "expired"


def test_a_tampered_code_is_refused(shift, activity, org_tree):
    other = services.shift_add(
        actor=org_tree.a1_staff,
        activity=activity,
        starts_at=soon(days=4),
        ends_at=soon(days=4, hour=11),
        quota=2,
    )
    at = shift.starts_at
    token = services.qr_token(shift, now=at)
    value, signature = token.rsplit(":", 1)
    forged = [
        f"{other.pk}{value[len(str(shift.pk)) :]}:{signature}",  # another shift's number
        value + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        value,
        "",
        "not-a-code",
        services.signing.Signer(salt="another.salt").sign(value),
        services.signing.Signer(salt=services.QR_SALT).sign("abc.def"),
    ]
    for token in forged:
        with pytest.raises(DomainError) as exc:
            services.qr_shift(token, now=at)
        assert exc.value.code == "invalid", token
    says(exc.value, "This is not a check-in code of this platform.")


def test_a_code_of_a_deleted_shift_is_refused(org_tree, activity):
    spare = services.shift_add(
        actor=org_tree.a1_staff,
        activity=activity,
        starts_at=soon(days=4),
        ends_at=soon(days=4, hour=11),
        quota=2,
    )
    token = services.qr_token(spare, now=spare.starts_at)
    services.shift_delete(actor=org_tree.a1_staff, shift=spare)
    with pytest.raises(DomainError) as exc:
        services.qr_shift(token, now=spare.starts_at)
    assert exc.value.code == "not_found"


def test_distances_are_in_metres():
    assert services.distance_m(*PLACE, *PLACE) == 0
    # A thousandth of a degree of latitude is about 111 m anywhere.
    assert 110 < services.distance_m(35.49, 112.85, 35.491, 112.85) < 112
    # A thousandth of a degree of longitude is shorter at Jincheng's latitude (cos 35.49°).
    assert 90 < services.distance_m(35.49, 112.85, 35.49, 112.851) < 91


# --- checking in and out by the code --------------------------------------------------------


def test_a_volunteer_checks_in_then_out(signup, volunteer, shift):
    arrive, leave = shift.starts_at - timedelta(minutes=10), shift.ends_at + timedelta(minutes=5)
    result = scan(volunteer, shift, arrive)
    assert result.changed
    checked = attendance(signup)
    assert (checked.status, checked.checked_in_at, checked.checked_out_at) == (
        "present",
        arrive,
        None,
    )
    assert checked.check_in_method == Attendance.Method.QR
    assert (checked.shift, checked.volunteer) == (shift, volunteer)
    result = scan(volunteer, shift, leave, out=True)
    assert result.changed
    checked.refresh_from_db()
    assert (checked.checked_in_at, checked.checked_out_at) == (arrive, leave)
    assert checked.check_out_method == Attendance.Method.QR
    assert checked.minutes == 135
    assert not checked.needs_review


def test_pressing_twice_changes_nothing(signup, volunteer, shift):
    arrive, leave = shift.starts_at, shift.ends_at - timedelta(minutes=30)
    assert scan(volunteer, shift, arrive).changed
    again = scan(volunteer, shift, arrive + timedelta(minutes=3))
    assert not again.changed and again.attendance.checked_in_at == arrive
    assert scan(volunteer, shift, leave, out=True).changed
    again = scan(volunteer, shift, leave + timedelta(minutes=3), out=True)
    assert not again.changed and again.attendance.checked_out_at == leave
    # Checking in again after leaving does not reopen the attendance either.
    assert not scan(volunteer, shift, leave + timedelta(minutes=5)).changed
    assert Attendance.objects.count() == 1
    checked = attendance(signup)
    assert (checked.checked_in_at, checked.checked_out_at) == (arrive, leave)


def test_checking_out_before_checking_in_is_refused(signup, volunteer, shift):
    with pytest.raises(DomainError) as exc:
        scan(volunteer, shift, shift.ends_at, out=True)
    says(exc.value, "Check in first.")
    assert not Attendance.objects.exists()


def test_someone_not_signed_up_cannot_check_in(signup, shift, volunteers):
    with pytest.raises(DomainError) as exc:
        scan(volunteers[1], shift, shift.starts_at)
    says(exc.value, "You have not signed up for this shift.")
    assert exc.value.code == "forbidden"


def test_someone_waiting_cannot_check_in(shift, volunteers):
    for v in volunteers[:3]:
        sign(v, shift)
    with pytest.raises(DomainError) as exc:
        scan(volunteers[2], shift, shift.starts_at)
    says(exc.value, "You have not signed up for this shift.")


def test_the_code_of_another_shift_does_not_check_in(org_tree, signup, volunteer, shift):
    other = make_activity(org_tree.a1_staff, org_tree.org_a1, title="另一场活动").shifts.get()
    with pytest.raises(DomainError) as exc:
        scan(volunteer, other, shift.starts_at)
    says(exc.value, "You have not signed up for this shift.")
    assert not Attendance.objects.exists()


def test_only_the_volunteer_scans_for_themself(org_tree, signup, volunteer, shift, volunteers):
    for other in (volunteers[1].user, org_tree.a1_staff):
        with pytest.raises(DomainError) as exc:
            services.check_by_code(
                actor=other,
                volunteer=volunteer,
                token=services.qr_token(shift, now=shift.starts_at),
                check_out=False,
                now=shift.starts_at,
            )
        says(exc.value, "This is not your volunteer record.")
    assert not Attendance.objects.exists()


def test_check_in_opens_an_hour_before_the_shift(signup, volunteer, shift):
    opens = shift.starts_at - services.CHECK_IN_EARLY
    with pytest.raises(DomainError) as exc:
        scan(volunteer, shift, opens - timedelta(seconds=1))
    says(exc.value, "Check-in opens at %(time)s.", time=services._local(opens))
    assert "08:00" in exc.value.message  # local time
    assert scan(volunteer, shift, opens).changed


def test_check_in_closes_when_the_shift_ends_and_check_out_two_hours_later(shift, volunteers):
    late, stays = (sign(v, shift).volunteer for v in volunteers[:2])
    with pytest.raises(DomainError) as exc:
        scan(late, shift, shift.ends_at + timedelta(seconds=1))
    says(exc.value, "This shift is over.")
    scan(stays, shift, shift.starts_at)
    last = shift.ends_at + services.CHECK_OUT_LATE
    with pytest.raises(DomainError):
        scan(stays, shift, last + timedelta(seconds=1), out=True)
    assert scan(stays, shift, last, out=True).attendance.checked_out_at == last


# --- the position --------------------------------------------------------------------------


@pytest.fixture
def located(org_tree, volunteers) -> tuple[Volunteer, Shift]:
    """A volunteer signed up for an activity that checks the phone's position (300 m)."""
    activity = make_activity(
        org_tree.a1_staff, org_tree.org_a1, require_location=True, checkin_radius_m=300
    )
    shift = activity.shifts.get()
    return sign(volunteers[0], shift).volunteer, shift


def test_a_position_is_needed_where_the_organiser_asks_for_it(located):
    volunteer, shift = located
    for position in ({}, {"latitude": PLACE[0]}, {"longitude": PLACE[1]}):
        with pytest.raises(DomainError) as exc:
            scan(volunteer, shift, shift.starts_at, **position)
        assert exc.value.code == "location_required"
    says(
        exc.value,
        "This activity checks your position: allow the browser to share your location.",
    )
    assert not Attendance.objects.exists()


def test_too_far_from_the_place_is_refused_with_the_distance(located):
    volunteer, shift = located
    far = (PLACE[0] + 0.01, PLACE[1])  # about 1.1 km north
    with pytest.raises(DomainError) as exc:
        scan(volunteer, shift, shift.starts_at, latitude=far[0], longitude=far[1])
    distance = round(services.distance_m(*far, *PLACE))
    assert 1100 < distance < 1125
    assert exc.value.code == "too_far"
    says(
        exc.value,
        "You are %(distance)s m from the place; check in within %(radius)s m.",
        distance=distance,
        radius=300,
    )
    assert str(distance) in exc.value.message
    assert not Attendance.objects.exists()


def test_inside_the_radius_is_accepted(located):
    volunteer, shift = located
    near = (PLACE[0] + 0.002, PLACE[1])  # about 222 m
    result = scan(volunteer, shift, shift.starts_at, latitude=near[0], longitude=near[1])
    assert result.changed
    out = scan(volunteer, shift, shift.ends_at, out=True, latitude=PLACE[0], longitude=PLACE[1])
    assert out.changed


def test_without_the_setting_the_position_is_not_asked_for(signup, volunteer, shift):
    far = {"latitude": 39.9, "longitude": 116.4}  # Beijing
    assert scan(volunteer, shift, shift.starts_at, **far).changed


# --- the organiser's roster ----------------------------------------------------------------


def test_the_organiser_checks_someone_in_and_out(org_tree, signup, shift):
    arrive = shift.starts_at + timedelta(minutes=15)
    result = services.roster_check(
        actor=org_tree.a1_staff, signup=signup, check_out=False, now=arrive
    )
    assert result.changed and result.attendance.check_in_method == Attendance.Method.ROSTER
    assert not services.roster_check(
        actor=org_tree.a1_staff, signup=signup, check_out=False, now=arrive
    ).changed
    result = services.roster_check(
        actor=org_tree.a1_staff, signup=signup, check_out=True, now=shift.ends_at
    )
    assert result.changed and result.attendance.checked_out_at == shift.ends_at
    assert result.attendance.check_out_method == Attendance.Method.ROSTER


def test_the_roster_keeps_its_windows(org_tree, signup, shift):
    with pytest.raises(DomainError):
        services.roster_check(
            actor=org_tree.a1_staff,
            signup=signup,
            check_out=False,
            now=shift.starts_at - timedelta(hours=2),
        )
    with pytest.raises(DomainError) as exc:
        services.roster_check(
            actor=org_tree.a1_staff, signup=signup, check_out=True, now=shift.starts_at
        )
    says(exc.value, "Check in first.")


def test_only_the_organisers_keep_the_roster(org_tree, signup, volunteers, shift):
    for other in (org_tree.b1_staff, org_tree.outsider, volunteers[0].user):
        with pytest.raises(NOT_ALLOWED):
            services.roster_check(actor=other, signup=signup, check_out=False, now=shift.starts_at)
        with pytest.raises(NOT_ALLOWED):
            services.roster_no_show(actor=other, signup=signup, now=shift.starts_at)
    assert not Attendance.objects.exists()


def test_only_confirmed_volunteers_are_on_the_roster(org_tree, shift, volunteers):
    for v in volunteers[:3]:
        sign(v, shift)
    waiting = Signup.objects.get(volunteer=volunteers[2])
    with pytest.raises(DomainError) as exc:
        services.roster_check(
            actor=org_tree.a1_staff, signup=waiting, check_out=False, now=shift.starts_at
        )
    says(exc.value, "Only confirmed volunteers are on the roster.")


def test_a_no_show_is_recorded_once_the_shift_has_started(org_tree, signup, shift):
    with pytest.raises(DomainError) as exc:
        services.roster_no_show(
            actor=org_tree.a1_staff, signup=signup, now=shift.starts_at - timedelta(seconds=1)
        )
    says(exc.value, "The shift has not started yet.")
    missing = services.roster_no_show(actor=org_tree.a1_staff, signup=signup, now=shift.starts_at)
    assert (missing.status, missing.checked_in_at) == ("no_show", None)


def test_someone_checked_in_cannot_be_a_no_show(org_tree, signup, volunteer, shift):
    scan(volunteer, shift, shift.starts_at)
    with pytest.raises(DomainError) as exc:
        services.roster_no_show(actor=org_tree.a1_staff, signup=signup, now=shift.ends_at)
    says(exc.value, "This volunteer checked in; correct the times instead.")
    assert attendance(signup).status == "present"


def test_a_late_arrival_marked_absent_can_still_check_in(org_tree, signup, volunteer, shift):
    services.roster_no_show(actor=org_tree.a1_staff, signup=signup, now=shift.starts_at)
    late = shift.starts_at + timedelta(minutes=40)
    with pytest.raises(DomainError):
        scan(volunteer, shift, late, out=True)  # absent people do not check out
    assert scan(volunteer, shift, late).changed
    checked = attendance(signup)
    assert (checked.status, checked.checked_in_at) == ("present", late)


def test_a_checked_in_signup_cannot_be_cancelled(org_tree, signup, volunteer, shift):
    scan(volunteer, shift, shift.starts_at)
    with pytest.raises(DomainError) as exc:
        services.signup_cancel(
            actor=org_tree.a1_staff, signup=signup, reason="弄错了", now=shift.starts_at
        )
    says(exc.value, "This volunteer has already checked in.")


# --- corrections and forgotten check-outs ---------------------------------------------------


def correct(org_tree, signup, checked_in_at, checked_out_at, reason="忘记签退，按现场记录补录"):
    return services.attendance_correct(
        actor=org_tree.a1_staff,
        signup=signup,
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        reason=reason,
    )


def test_a_correction_needs_a_reason_and_sensible_times(org_tree, signup, shift):
    with pytest.raises(DomainError) as exc:
        correct(org_tree, signup, shift.starts_at, shift.ends_at, reason="  ")
    assert set(exc.value.fields) == {"reason"}
    with pytest.raises(DomainError) as exc:
        correct(org_tree, signup, shift.ends_at, shift.starts_at)
    assert set(exc.value.fields) == {"checked_out_at"}
    with pytest.raises(DomainError) as exc:
        correct(org_tree, signup, shift.starts_at - timedelta(hours=3), shift.ends_at)
    assert set(exc.value.fields) == {"checked_in_at"}
    with pytest.raises(DomainError) as exc:
        correct(org_tree, signup, shift.starts_at, shift.ends_at + timedelta(hours=3))
    assert set(exc.value.fields) == {"checked_in_at"}
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(object_type="activities.attendance").exists()


def test_a_correction_sets_the_times_and_is_audited(org_tree, signup, volunteer, shift):
    scan(volunteer, shift, shift.starts_at + timedelta(minutes=20))
    start, end = shift.starts_at, shift.ends_at - timedelta(minutes=30)
    corrected = correct(org_tree, signup, start, end, reason="扫码时网络故障，实际准时到岗")
    corrected.refresh_from_db()
    assert (corrected.checked_in_at, corrected.checked_out_at) == (start, end)
    assert (corrected.correction_reason, corrected.corrected_by) == (
        "扫码时网络故障，实际准时到岗",
        org_tree.a1_staff,
    )
    assert corrected.check_in_method == Attendance.Method.QR  # how they really checked in
    assert corrected.check_out_method == Attendance.Method.ROSTER
    entry = AuditEntry.objects.get(object_type="activities.attendance")
    assert entry.actor == org_tree.a1_staff and entry.organisation == org_tree.org_a1
    assert entry.before["checked_in_at"] == services._local(shift.starts_at + timedelta(minutes=20))
    assert entry.before["checked_out_at"] is None
    assert entry.after["checked_out_at"] == services._local(end)
    assert entry.after["reason"] == "扫码时网络故障，实际准时到岗"


def test_a_no_show_corrected_becomes_present(org_tree, signup, shift):
    services.roster_no_show(actor=org_tree.a1_staff, signup=signup, now=shift.starts_at)
    corrected = correct(org_tree, signup, shift.starts_at, shift.ends_at, reason="其实到了")
    assert corrected.status == "present" and corrected.minutes == 120


def test_staff_elsewhere_cannot_correct(org_tree, signup, shift):
    with pytest.raises(NOT_ALLOWED):
        services.attendance_correct(
            actor=org_tree.b1_staff,
            signup=signup,
            checked_in_at=shift.starts_at,
            checked_out_at=shift.ends_at,
            reason="改一下",
        )


def test_forgotten_check_outs_are_closed_at_the_shifts_end_for_review(org_tree, shift, volunteers):
    Shift.objects.filter(pk=shift.pk).update(quota=3)
    forgot, left, absent = (sign(v, shift) for v in volunteers[:3])
    scan(forgot.volunteer, shift, shift.starts_at)
    scan(left.volunteer, shift, shift.starts_at)
    scan(left.volunteer, shift, shift.ends_at - timedelta(minutes=10), out=True)
    services.roster_no_show(actor=org_tree.a1_staff, signup=absent, now=shift.starts_at)
    assert services.attendances_close_forgotten(now=shift.ends_at - timedelta(seconds=1)) == 0
    assert services.attendances_close_forgotten(now=shift.ends_at + timedelta(hours=3)) == 1
    closed = attendance(forgot)
    assert closed.checked_out_at == shift.ends_at  # the shift's end, not the job's time
    assert (closed.check_out_method, closed.needs_review) == (Attendance.Method.AUTO, True)
    kept = attendance(left)
    assert kept.checked_out_at == shift.ends_at - timedelta(minutes=10) and not kept.needs_review
    assert attendance(absent).checked_out_at is None
    assert services.attendances_close_forgotten(now=shift.ends_at + timedelta(hours=4)) == 0
    # The organiser reviews it: a correction clears the flag.
    reviewed = correct(org_tree, forgot, shift.starts_at, shift.ends_at - timedelta(minutes=45))
    assert not reviewed.needs_review
