"""The activity rules, called as services: activities, publishing and insurance, the life
cycle, sign-ups with their waiting list and eligibility, shifts, and station duty rosters.

Times are deterministic: the fixtures put the shift three days ahead (9:00–11:00 local) and the
tests pass `now=` relative to it.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from conftest import make_org
from leifeng.activities import services
from leifeng.activities.models import Activity, RosterPattern, ServiceItem, Shift, Signup, Station
from leifeng.activities.tests.conftest import activity_data, make_activity, soon
from leifeng.audit.models import AuditEntry
from leifeng.core.errors import DomainError
from leifeng.notify import kinds
from leifeng.notify.models import Notification
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Skill, TeamMembership, Volunteer
from leifeng.volunteers.services import Guardian
from leifeng.volunteers.tests.conftest import id_number, register

CJK = re.compile(r"[\u4e00-\u9fff]")
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_ALLOWED = (PermissionDenied, Http404)


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


def says(error: DomainError, msgid: str, **params) -> None:
    """The error carries this message, translated into Chinese, with its values filled in."""
    expected = gettext(msgid) % params if params else gettext(msgid)
    assert error.message == expected
    assert chinese(error.message), f"not translated into Chinese: {error.message!r}"


def sign(volunteer: Volunteer, shift: Shift, **kwargs) -> Signup:
    kwargs.setdefault("risk_notice_read", True)
    return services.signup_create(actor=volunteer.user, volunteer=volunteer, shift=shift, **kwargs)


def refused(volunteer: Volunteer, shift: Shift, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as exc:
        sign(volunteer, shift, **kwargs)
    assert not Signup.objects.filter(volunteer=volunteer, shift=shift).exists()
    return exc.value


def save(org_tree, activity=None, **overrides) -> Activity:
    return services.activity_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data=activity_data(**overrides),
        activity=activity,
    )


def invalid(org_tree, **overrides) -> DomainError:
    before = Activity.objects.count()
    with pytest.raises(DomainError) as exc:
        save(org_tree, **overrides)
    assert exc.value.code == "invalid"
    assert Activity.objects.count() == before
    return exc.value


def add_shift(org_tree, activity, starts_at, hours=2, quota=2, actor=None) -> Shift:
    return services.shift_add(
        actor=actor or org_tree.a1_staff,
        activity=activity,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        quota=quota,
    )


def insurance(first: date, last: date) -> dict:
    return {
        "insurer": "中国人寿晋城分公司",
        "policy_number": "PICC-2027-0001",
        "insured_from": first,
        "insured_until": last,
    }


def notified(kind: kinds.Kind) -> set[int]:
    """The users told about this kind of event."""
    return set(Notification.objects.filter(kind=kind.key).values_list("recipient_id", flat=True))


def before_start(shift: Shift, **delta) -> datetime:
    return shift.starts_at - timedelta(**(delta or {"days": 1}))


# --- saving an activity ------------------------------------------------------------------------


def test_a_new_activity_is_a_draft_and_its_creation_is_audited(org_tree):
    activity = save(org_tree, title="  文明交通劝导  ")
    assert activity.status == Activity.Status.DRAFT
    assert activity.title == "文明交通劝导"
    assert activity.created_by == org_tree.a1_staff
    entry = AuditEntry.objects.get(object_type="activities.activity", object_id=str(activity.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == org_tree.a1_staff and entry.organisation == org_tree.org_a1
    assert entry.before is None and entry.after["title"] == "文明交通劝导"


def test_a_change_is_audited_with_the_values_before_and_after(org_tree):
    activity = save(org_tree)
    services.activity_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data={"title": "周末文明交通劝导", "min_age": 18},
        activity=activity,
    )
    activity.refresh_from_db()
    assert activity.title == "周末文明交通劝导" and activity.min_age == 18
    assert activity.description == activity_data()["description"]  # fields left out stay
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=activity.pk).get()
    assert (entry.before["title"], entry.after["title"]) == ("文明交通劝导", "周末文明交通劝导")
    assert (entry.before["min_age"], entry.after["min_age"]) == (None, 18)


def test_the_minimum_age_must_not_be_above_the_maximum(org_tree):
    error = invalid(org_tree, min_age=60, max_age=18)
    says(error, "Please correct the marked fields.")
    assert set(error.fields) == {"max_age"}
    assert chinese(error.fields["max_age"])
    assert save(org_tree, min_age=18, max_age=18).max_age == 18


def test_joining_by_team_needs_the_teams(org_tree):
    error = invalid(org_tree, join_rule="teams")
    assert set(error.fields) == {"teams"}
    assert invalid(org_tree, join_rule="teams", teams=[]).fields.keys() == {"teams"}


def test_only_volunteer_teams_can_be_chosen_as_teams(org_tree):
    error = invalid(org_tree, join_rule="teams", teams=[org_tree.org_b1])
    assert set(error.fields) == {"teams"}


def test_joining_by_code_needs_the_code(org_tree):
    assert set(invalid(org_tree, join_rule="code").fields) == {"invitation_code"}
    assert set(invalid(org_tree, join_rule="code", invitation_code="   ").fields) == {
        "invitation_code"
    }
    assert save(org_tree, join_rule="code", invitation_code=" LF2027 ").invitation_code == "LF2027"


def test_service_items_must_belong_to_the_activitys_campaign_line(org_tree):
    other_line = ServiceItem.objects.filter(campaign_line="nature").first()
    own_line = ServiceItem.objects.filter(campaign_line="city").first()
    assert other_line and own_line  # shipped by the data migration
    error = invalid(org_tree, campaign_line="city", service_items=[own_line, other_line])
    assert set(error.fields) == {"service_items"}
    activity = save(org_tree, campaign_line="city", service_items=[own_line])
    assert list(activity.service_items.all()) == [own_line]


def test_a_latitude_needs_a_longitude(org_tree):
    assert set(invalid(org_tree, longitude=None).fields) == {"longitude"}
    assert set(invalid(org_tree, latitude=None).fields) == {"longitude"}
    assert save(org_tree, latitude=None, longitude=None).latitude is None


def test_checking_the_position_needs_the_places_coordinates(org_tree):
    error = invalid(org_tree, require_location=True, latitude=None, longitude=None)
    assert set(error.fields) == {"require_location"}
    assert save(org_tree, require_location=True).require_location


def test_every_wrong_field_is_named_at_once(org_tree):
    error = invalid(
        org_tree,
        min_age=30,
        max_age=20,
        join_rule="code",
        longitude=None,
        insured_from=date(2027, 3, 5),
        insured_until=date(2027, 3, 1),
    )
    assert set(error.fields) == {"max_age", "invitation_code", "longitude", "insured_until"}


def test_model_validation_names_the_field(org_tree):
    error = invalid(org_tree, campaign_line="lottery", title="")
    assert {"campaign_line", "title"} <= set(error.fields)
    says(error, "Please correct the marked fields.")


def test_an_activity_cannot_be_saved_without_a_risk_notice(org_tree):
    # Art. 12: the possible risks are stated; a draft already needs them.
    assert "risk_notice" in invalid(org_tree, risk_notice="   ").fields


def test_a_county_admin_may_change_activities_of_the_centre_below(org_tree, activity):
    services.activity_save(
        actor=org_tree.county_a_admin,
        organisation=org_tree.org_a1,
        data={"title": "县里改过的标题"},
        activity=activity,
    )
    activity.refresh_from_db()
    assert activity.title == "县里改过的标题"


def test_staff_of_another_county_cannot_create_or_change_activities_here(org_tree, activity):
    with pytest.raises(NOT_ALLOWED):
        services.activity_save(
            actor=org_tree.b1_staff, organisation=org_tree.org_a1, data=activity_data()
        )
    with pytest.raises(NOT_ALLOWED):
        services.activity_save(
            actor=org_tree.b1_staff,
            organisation=org_tree.org_a1,
            data={"title": "改掉"},
            activity=activity,
        )
    with pytest.raises(NOT_ALLOWED):  # naming their own organisation does not help
        services.activity_save(
            actor=org_tree.b1_staff,
            organisation=org_tree.org_b1,
            data={"title": "改掉"},
            activity=activity,
        )
    with pytest.raises(NOT_ALLOWED):
        services.activity_publish(actor=org_tree.b1_staff, activity=activity)
    with pytest.raises(NOT_ALLOWED):
        services.activity_cancel(actor=org_tree.b1_staff, activity=activity, reason="不办了")
    activity.refresh_from_db()
    assert activity.title == "文明交通劝导" and activity.status == Activity.Status.PUBLISHED


def test_a_volunteer_cannot_create_or_change_activities(org_tree, activity, volunteers):
    user = volunteers[0].user
    with pytest.raises(NOT_ALLOWED):
        services.activity_save(actor=user, organisation=org_tree.org_a1, data=activity_data())
    with pytest.raises(NOT_ALLOWED):
        services.activity_save(
            actor=user, organisation=org_tree.org_a1, data={"title": "改掉"}, activity=activity
        )
    with pytest.raises(NOT_ALLOWED):
        services.shift_add(
            actor=user,
            activity=activity,
            starts_at=soon(days=4),
            ends_at=soon(days=4, hour=10),
            quota=1,
        )
    assert Activity.objects.count() == 1 and Shift.objects.count() == 1


# --- publishing ----------------------------------------------------------------------------


def test_publishing_needs_a_shift(org_tree):
    activity = save(org_tree)
    with pytest.raises(DomainError) as exc:
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    says(exc.value, "Add at least one shift before publishing.")
    add_shift(org_tree, activity, soon())
    published = services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    assert published.status == Activity.Status.PUBLISHED and published.published_at


def test_publishing_needs_the_risk_notice(org_tree):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False)
    Activity.objects.filter(pk=activity.pk).update(risk_notice="")  # e.g. an old row
    with pytest.raises(DomainError) as exc:
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    says(exc.value, "State the possible risks before publishing.")
    assert set(exc.value.fields) == {"risk_notice"}


def test_publishing_is_audited(org_tree):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1)
    entry = AuditEntry.objects.filter(object_id=activity.pk, after__status="published").get()
    assert entry.before == {"status": "draft"}


def test_only_a_draft_can_be_published(org_tree, activity):
    with pytest.raises(DomainError) as exc:
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    assert exc.value.code == "conflict"
    says(exc.value, "Only a draft can be published.")


def test_a_risky_activity_needs_accident_insurance_before_publishing(org_tree):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, risky=True, publish=False)
    with pytest.raises(DomainError) as exc:
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    assert {"insurer", "policy_number"} <= set(exc.value.fields)
    says(
        exc.value,
        "This activity may endanger personal safety: record its accident insurance "
        "(insurer, policy number, period) before publishing.",
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DRAFT
    day = soon().date()
    for missing in ("insurer", "policy_number", "insured_from", "insured_until"):
        partial = insurance(day, day) | {
            missing: "" if missing in ("insurer", "policy_number") else None
        }
        services.activity_save(
            actor=org_tree.a1_staff, organisation=org_tree.org_a1, data=partial, activity=activity
        )
        with pytest.raises(DomainError):
            services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    services.activity_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data=insurance(day, day),
        activity=activity,
    )
    published = services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    assert published.status == Activity.Status.PUBLISHED


def test_the_insurance_must_cover_every_shift(org_tree):
    first = soon()
    activity = save(org_tree, risky=True, **insurance(first.date(), first.date()))
    add_shift(org_tree, activity, first)
    later = add_shift(org_tree, activity, soon(days=5))
    with pytest.raises(DomainError) as exc:
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    says(
        exc.value,
        "The insurance period does not cover the shift on %(date)s.",
        date=services._local(later.starts_at),
    )
    assert set(exc.value.fields) == {"insured_until"}
    services.activity_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data={"insured_until": soon(days=5).date()},
        activity=activity,
    )
    services.activity_publish(actor=org_tree.a1_staff, activity=activity)


def test_the_insurance_must_cover_a_night_shift_to_its_end(org_tree):
    evening = soon(hour=22)
    activity = save(org_tree, risky=True, **insurance(evening.date(), evening.date()))
    add_shift(org_tree, activity, evening, hours=4)  # ends at 2:00 the next day
    with pytest.raises(DomainError):
        services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    services.activity_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data={"insured_until": evening.date() + timedelta(days=1)},
        activity=activity,
    )
    services.activity_publish(actor=org_tree.a1_staff, activity=activity)


def test_a_published_risky_activity_gets_no_shift_outside_its_insurance(org_tree):
    day = soon().date()
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, risky=True, **insurance(day, day))
    with pytest.raises(DomainError):
        add_shift(org_tree, activity, soon(days=6))
    assert activity.shifts.count() == 1
    with pytest.raises(DomainError):  # nor can the insurance shrink below its shifts
        services.activity_save(
            actor=org_tree.a1_staff,
            organisation=org_tree.org_a1,
            data={"insured_until": day - timedelta(days=1), "insured_from": day - timedelta(2)},
            activity=activity,
        )
    activity.refresh_from_db()
    assert activity.insured_until == day


def test_a_station_duty_cannot_be_marked_risky(org_tree, duty_shift):
    duty = duty_shift.activity
    with pytest.raises(DomainError) as exc:
        services.activity_save(
            actor=org_tree.a1_staff,
            organisation=org_tree.org_a1,
            data={"risky": True},
            activity=duty,
        )
    assert set(exc.value.fields) == {"risky"}


# --- life cycle ----------------------------------------------------------------------------


def test_an_activity_runs_from_published_to_in_progress_to_finished(org_tree, activity, shift):
    assert services.activities_advance(now=shift.starts_at - timedelta(seconds=1)) == 0
    assert services.activities_advance(now=shift.starts_at) == 1
    activity.refresh_from_db()
    assert activity.status == Activity.Status.IN_PROGRESS
    assert services.activities_advance(now=shift.ends_at - timedelta(seconds=1)) == 0
    assert services.activities_advance(now=shift.ends_at) == 1
    activity.refresh_from_db()
    assert activity.status == Activity.Status.FINISHED
    assert services.activities_advance(now=shift.ends_at + timedelta(days=1)) == 0


def test_the_span_runs_from_the_first_shift_to_the_last(org_tree, activity, shift):
    later = add_shift(org_tree, activity, soon(days=5))
    activity.refresh_from_db()
    assert (activity.starts_at, activity.ends_at) == (shift.starts_at, later.ends_at)
    services.activities_advance(now=shift.ends_at)  # first shift over, second to come
    activity.refresh_from_db()
    assert activity.status == Activity.Status.IN_PROGRESS


def test_an_activity_missed_altogether_is_finished_at_once(org_tree, activity, shift):
    assert services.activities_advance(now=shift.ends_at + timedelta(hours=1)) == 2
    activity.refresh_from_db()
    assert activity.status == Activity.Status.FINISHED


def test_drafts_do_not_start(org_tree):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False)
    services.activities_advance(now=draft.ends_at + timedelta(days=1))
    draft.refresh_from_db()
    assert draft.status == Activity.Status.DRAFT


def test_the_organiser_can_finish_a_running_activity(org_tree, activity):
    services.activity_finish(actor=org_tree.a1_staff, activity=activity)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.FINISHED
    with pytest.raises(DomainError):
        services.activity_finish(actor=org_tree.a1_staff, activity=activity)


def test_cancelling_needs_a_reason(org_tree, activity):
    with pytest.raises(DomainError) as exc:
        services.activity_cancel(actor=org_tree.a1_staff, activity=activity, reason="  ")
    says(exc.value, "Say why the activity is cancelled.")
    assert set(exc.value.fields) == {"reason"}
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED


def test_cancelling_ends_every_signup_and_tells_those_signed_up_or_waiting(
    org_tree, shift, volunteers
):
    Shift.objects.filter(pk=shift.pk).update(quota=1)
    first, waiting, gone, _other, _fifth = volunteers
    signup_gone = sign(gone, shift)  # takes the place, then gives it up
    services.signup_cancel(actor=gone.user, signup=signup_gone, reason="出差")
    sign(first, shift)
    sign(waiting, shift)
    moment = before_start(shift)
    services.activity_cancel(
        actor=org_tree.a1_staff, activity=shift.activity, reason="暴雨预警", now=moment
    )
    activity = Activity.objects.get(pk=shift.activity_id)
    assert activity.status == Activity.Status.CANCELLED
    assert (activity.cancelled_at, activity.cancel_reason) == (moment, "暴雨预警")
    assert not Signup.objects.filter(status__in=Signup.ACTIVE).exists()
    ended = Signup.objects.get(volunteer=first)
    assert (ended.cancel_reason, ended.cancelled_by, ended.cancelled_at) == (
        "暴雨预警",
        org_tree.a1_staff,
        moment,
    )
    shift.refresh_from_db()
    assert shift.confirmed == 0
    assert notified(kinds.ACTIVITY_CANCELLED) == {first.user_id, waiting.user_id}
    message = Notification.objects.get(recipient=first.user, kind=kinds.ACTIVITY_CANCELLED.key)
    assert "暴雨预警" in message.body and activity.title in message.title
    entry = AuditEntry.objects.filter(object_id=activity.pk, after__status="cancelled").get()
    assert entry.before == {"status": "published"}


def test_a_finished_or_cancelled_activity_cannot_be_changed(org_tree, activity, shift):
    services.activity_cancel(actor=org_tree.a1_staff, activity=activity, reason="场地临时占用")
    finished = make_activity(org_tree.a1_staff, org_tree.org_a1, title="已结束的活动")
    services.activity_finish(actor=org_tree.a1_staff, activity=finished)
    for ended in (activity, Activity.objects.get(pk=finished.pk)):
        with pytest.raises(DomainError) as exc:
            services.activity_save(
                actor=org_tree.a1_staff,
                organisation=org_tree.org_a1,
                data={"title": "改掉"},
                activity=Activity.objects.get(pk=ended.pk),
            )
        says(exc.value, "A finished or cancelled activity cannot be changed.")
        with pytest.raises(DomainError):
            add_shift(org_tree, Activity.objects.get(pk=ended.pk), soon(days=6))
        with pytest.raises(DomainError):
            services.shift_update(actor=org_tree.a1_staff, shift=ended.shifts.first(), quota=9)
        with pytest.raises(DomainError) as exc:
            services.activity_cancel(actor=org_tree.a1_staff, activity=ended, reason="再取消")
        says(exc.value, "This activity has already ended.")
        with pytest.raises(DomainError):
            services.activity_publish(actor=org_tree.a1_staff, activity=ended)
    assert not Activity.objects.filter(title="改掉").exists()


# --- signing up ----------------------------------------------------------------------------


def test_places_are_taken_first_come_then_the_waiting_list(org_tree, shift, volunteers):
    moment = before_start(shift)
    signups = [sign(v, shift, now=moment) for v in volunteers[:3]]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted"]
    assert [s.confirmed_at for s in signups] == [moment, moment, None]
    assert all(s.risk_notice_read_at == moment for s in signups)
    shift.refresh_from_db()
    assert (shift.confirmed, shift.places_left) == (2, 0)
    assert not Notification.objects.filter(kind__startswith="activities.").exists()


def test_a_place_given_up_goes_to_the_first_waiting_who_is_told(org_tree, shift, volunteers):
    first, second, third, fourth, _ = volunteers
    moment = before_start(shift)
    held = [sign(v, shift, now=moment) for v in (first, second)]
    sign(third, shift, now=moment)
    sign(fourth, shift, now=moment)
    services.signup_cancel(actor=first.user, signup=held[0], reason="临时有事", now=moment)
    statuses = dict(Signup.objects.values_list("volunteer_id", "status"))
    assert statuses == {
        first.pk: "cancelled",
        second.pk: "confirmed",
        third.pk: "confirmed",
        fourth.pk: "waitlisted",
    }
    assert Signup.objects.get(volunteer=third).confirmed_at == moment
    shift.refresh_from_db()
    assert shift.confirmed == 2
    assert notified(kinds.SIGNUP_PROMOTED) == {third.user_id}
    assert not notified(kinds.SIGNUP_REMOVED)  # the volunteer cancelled themself


def test_giving_up_a_waiting_place_promotes_nobody(org_tree, shift, volunteers):
    for v in volunteers[:4]:
        sign(v, shift)
    waiting = Signup.objects.get(volunteer=volunteers[2])
    services.signup_cancel(actor=volunteers[2].user, signup=waiting, reason="不去了")
    assert Signup.objects.get(volunteer=volunteers[3]).status == "waitlisted"
    shift.refresh_from_db()
    assert shift.confirmed == 2
    assert not Notification.objects.filter(kind__startswith="activities.").exists()


def test_a_volunteer_may_cancel_a_place_until_the_deadline(org_tree, shift, volunteers):
    deadline = shift.starts_at - timedelta(hours=2)  # cancel_hours_before defaults to 2
    late, in_time = volunteers[:2]
    late_signup, in_time_signup = sign(late, shift), sign(in_time, shift)
    assert services.cancel_deadline(late_signup) == deadline
    with pytest.raises(DomainError) as exc:
        services.signup_cancel(actor=late.user, signup=late_signup, reason="有事", now=deadline)
    says(
        exc.value,
        "Cancelling closed at %(time)s; please tell the organiser directly.",
        time=services._local(deadline),
    )
    late_signup.refresh_from_db()
    assert late_signup.status == "confirmed"
    services.signup_cancel(
        actor=in_time.user,
        signup=in_time_signup,
        reason="有事",
        now=deadline - timedelta(seconds=1),
    )
    in_time_signup.refresh_from_db()
    assert in_time_signup.status == "cancelled"


def test_the_deadline_follows_the_activitys_cancel_hours(org_tree, volunteers):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, cancel_hours_before=24)
    shift = activity.shifts.get()
    signup = sign(volunteers[0], shift)
    assert services.cancel_deadline(signup) == shift.starts_at - timedelta(hours=24)
    with pytest.raises(DomainError):
        services.signup_cancel(
            actor=volunteers[0].user,
            signup=signup,
            reason="有事",
            now=shift.starts_at - timedelta(hours=23),
        )


def test_a_waiting_volunteer_may_leave_the_list_until_the_start(org_tree, shift, volunteers):
    for v in volunteers[:3]:
        sign(v, shift)
    waiting = Signup.objects.get(volunteer=volunteers[2])
    assert services.cancel_deadline(waiting) == shift.starts_at
    services.signup_cancel(
        actor=volunteers[2].user,
        signup=waiting,
        reason="不等了",
        now=shift.starts_at - timedelta(minutes=5),
    )
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"


def test_cancelling_needs_a_reason_and_happens_once(org_tree, shift, volunteers):
    signup = sign(volunteers[0], shift)
    with pytest.raises(DomainError) as exc:
        services.signup_cancel(actor=volunteers[0].user, signup=signup, reason=" ")
    says(exc.value, "Say why you cancel.")
    assert set(exc.value.fields) == {"reason"}
    services.signup_cancel(actor=volunteers[0].user, signup=signup, reason="生病")
    with pytest.raises(DomainError) as exc:
        services.signup_cancel(actor=volunteers[0].user, signup=signup, reason="生病")
    says(exc.value, "This sign-up has already been cancelled.")
    shift.refresh_from_db()
    assert shift.confirmed == 0


def test_the_organiser_takes_someone_off_even_late_and_tells_them(org_tree, shift, volunteers):
    removed, waiting = volunteers[:2]
    Shift.objects.filter(pk=shift.pk).update(quota=1)
    signup = sign(removed, shift)
    sign(waiting, shift)
    late = shift.starts_at - timedelta(minutes=30)  # after the volunteer's own deadline
    services.signup_cancel(actor=org_tree.a1_staff, signup=signup, reason="未参加培训", now=late)
    signup.refresh_from_db()
    assert (signup.status, signup.cancelled_by) == ("cancelled", org_tree.a1_staff)
    assert notified(kinds.SIGNUP_REMOVED) == {removed.user_id}
    message = Notification.objects.get(kind=kinds.SIGNUP_REMOVED.key)
    assert "未参加培训" in message.body
    assert notified(kinds.SIGNUP_PROMOTED) == {waiting.user_id}


def test_nobody_is_promoted_once_the_shift_has_started(org_tree, shift, volunteers):
    Shift.objects.filter(pk=shift.pk).update(quota=1)
    signup = sign(volunteers[0], shift)
    sign(volunteers[1], shift)
    services.signup_cancel(
        actor=org_tree.a1_staff, signup=signup, reason="没来", now=shift.starts_at
    )
    assert Signup.objects.get(volunteer=volunteers[1]).status == "waitlisted"
    assert not notified(kinds.SIGNUP_PROMOTED)


def test_only_the_volunteer_or_their_organiser_may_cancel(org_tree, shift, volunteers):
    signup = sign(volunteers[0], shift)
    for stranger in (org_tree.b1_staff, volunteers[1].user, org_tree.outsider):
        with pytest.raises(NOT_ALLOWED):
            services.signup_cancel(actor=stranger, signup=signup, reason="捣乱")
    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_a_volunteer_may_sign_up_again_after_cancelling(org_tree, shift, volunteers):
    signup = sign(volunteers[0], shift)
    services.signup_cancel(actor=volunteers[0].user, signup=signup, reason="看错时间")
    again = sign(volunteers[0], shift)
    assert again.pk != signup.pk and again.status == "confirmed"
    shift.refresh_from_db()
    assert shift.confirmed == 1


def test_the_same_shift_twice_is_refused(org_tree, shift, volunteers):
    sign(volunteers[0], shift)
    with pytest.raises(DomainError) as exc:
        sign(volunteers[0], shift)
    says(exc.value, "You have already signed up for this shift.")
    for v in volunteers[1:3]:
        sign(v, shift)  # volunteers[2] waits
    with pytest.raises(DomainError) as exc:
        sign(volunteers[2], shift)
    says(exc.value, "You have already signed up for this shift.")
    assert Signup.objects.count() == 3
    shift.refresh_from_db()
    assert shift.confirmed == 2


def test_overlapping_shifts_of_another_activity_are_refused(org_tree, shift, volunteers):
    other = make_activity(org_tree.county_a_admin, org_tree.county_a, title="县城环境整治")
    overlapping = add_shift(
        org_tree, other, shift.starts_at + timedelta(hours=1), actor=org_tree.county_a_admin
    )
    sign(volunteers[0], shift)
    error = refused(volunteers[0], overlapping)
    says(
        error,
        "You already hold a shift at that time: %(activity)s, %(time)s.",
        activity="文明交通劝导",
        time=services._local(shift.starts_at),
    )


def test_overlapping_shifts_of_the_same_activity_are_refused(org_tree, shift, volunteers):
    overlapping = add_shift(org_tree, shift.activity, shift.starts_at - timedelta(hours=1))
    sign(volunteers[0], shift)
    assert refused(volunteers[0], overlapping).code == "conflict"


def test_back_to_back_and_cancelled_shifts_do_not_overlap(org_tree, shift, volunteers):
    next_one = add_shift(org_tree, shift.activity, shift.ends_at)
    overlapping = add_shift(org_tree, shift.activity, shift.starts_at - timedelta(hours=1))
    first = sign(volunteers[0], shift)
    assert sign(volunteers[0], next_one).status == "confirmed"
    services.signup_cancel(actor=volunteers[0].user, signup=first, reason="改到下一班")
    assert sign(volunteers[0], overlapping).status == "confirmed"


def test_the_risk_notice_must_be_confirmed(org_tree, shift, volunteers):
    error = refused(volunteers[0], shift, risk_notice_read=False)
    says(error, "Read the risk notice and confirm it before signing up.")
    assert set(error.fields) == {"risk_notice_read"}
    shift.refresh_from_db()
    assert shift.confirmed == 0


def test_nobody_signs_a_volunteer_up_but_the_volunteer(org_tree, shift, volunteers):
    # Art. 25: no forced assignment, not even by the organiser.
    for other in (org_tree.a1_staff, org_tree.root, volunteers[1].user):
        with pytest.raises(DomainError) as exc:
            services.signup_create(
                actor=other, volunteer=volunteers[0], shift=shift, risk_notice_read=True
            )
        says(exc.value, "This is not your volunteer record.")
    assert not Signup.objects.exists()


# --- eligibility ---------------------------------------------------------------------------


def test_an_eligible_volunteer_has_no_problem(org_tree, shift, volunteers):
    assert services.signup_problem(volunteers[0], shift, now=before_start(shift)) is None


def test_a_draft_or_cancelled_activity_takes_no_signups(org_tree, volunteers):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False)
    says(refused(volunteers[0], draft.shifts.get()), "This activity is not open for sign-up.")
    cancelled = make_activity(org_tree.a1_staff, org_tree.org_a1, title="取消的活动")
    shift = cancelled.shifts.get()
    services.activity_cancel(actor=org_tree.a1_staff, activity=cancelled, reason="天气")
    says(refused(volunteers[0], shift), "This activity is not open for sign-up.")


def test_an_activity_in_progress_still_takes_signups_for_later_shifts(org_tree, shift, volunteers):
    later = add_shift(org_tree, shift.activity, soon(days=5))
    services.activities_advance(now=shift.starts_at)
    assert sign(volunteers[0], later, now=shift.ends_at).status == "confirmed"


def test_a_started_shift_takes_no_signups(org_tree, shift, volunteers):
    error = refused(volunteers[0], shift, now=shift.starts_at)
    says(error, "This shift has already started.")


def test_signup_waits_for_the_window_to_open(org_tree, volunteers):
    opens = soon() - timedelta(days=1)
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, signup_opens_at=opens)
    shift = activity.shifts.get()
    error = refused(volunteers[0], shift, now=opens - timedelta(seconds=1))
    says(error, "Sign-up opens at %(time)s.", time=services._local(opens))
    assert "09:00" in error.message  # local (Shanghai) time, not UTC
    assert sign(volunteers[0], shift, now=opens).status == "confirmed"


def test_signup_ends_when_the_window_closes(org_tree, volunteers):
    closes = soon() - timedelta(days=1)
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, signup_closes_at=closes)
    shift = activity.shifts.get()
    error = refused(volunteers[0], shift, now=closes)
    says(error, "Sign-up closed at %(time)s.", time=services._local(closes))
    assert sign(volunteers[0], shift, now=closes - timedelta(seconds=1)).status == "confirmed"


@pytest.fixture
def team(org_tree) -> Organisation:
    return make_org(
        org_tree.root, org_tree.org_a1, "泽州县巴公镇志愿服务队", Organisation.Kind.TEAM, "140525"
    )


def test_a_teams_only_activity_takes_team_members_only(org_tree, team, volunteers):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, join_rule="teams", teams=[team])
    shift = activity.shifts.get()
    outsider, member = volunteers[:2]
    TeamMembership.objects.create(volunteer=member, team=team, source="added")
    error = refused(outsider, shift)
    says(error, "Only members of these teams may join: %(teams)s.", teams="泽州县巴公镇志愿服务队")
    assert error.code == "forbidden"
    assert sign(member, shift).status == "confirmed"


def test_an_invitation_code_activity_needs_the_right_code(org_tree, volunteers):
    activity = make_activity(
        org_tree.a1_staff, org_tree.org_a1, join_rule="code", invitation_code="ZeZhou8"
    )
    shift = activity.shifts.get()
    for wrong in ("", "zezhou9", "ZeZhou"):
        error = refused(volunteers[0], shift, invitation_code=wrong)
        says(error, "Enter the invitation code the organiser gave you.")
        assert set(error.fields) == {"invitation_code"}
    assert sign(volunteers[0], shift, invitation_code=" zezhou8 ").status == "confirmed"


def make_minor(n: int = 50) -> Volunteer:
    """A volunteer aged 16 on the shift's day, registered with a guardian's consent."""
    return register(
        name="王小雷",
        document_number=id_number(birth=f"{soon().year - 16}0101", seq=f"{n:03d}"),
        mobile=f"137{n:08d}",
        guardian=Guardian("王大雷", "father", "13800003333", True),
    )


def test_minors_cannot_join_a_risky_activity(org_tree, volunteers):
    minor = make_minor()
    day = soon().date()
    risky = make_activity(
        org_tree.a1_staff, org_tree.org_a1, risky=True, title="防汛巡堤", **insurance(day, day)
    )
    shift = risky.shifts.get()
    says(refused(minor, shift), "Minors cannot join an activity that may endanger personal safety.")
    assert sign(volunteers[0], shift).status == "confirmed"  # an adult may


def test_minors_may_join_a_safe_activity(org_tree, shift):
    assert sign(make_minor(), shift).status == "confirmed"


def test_age_limits_use_the_age_on_the_shifts_day(org_tree, volunteers):
    # The fixtures' volunteers were born on 1 January 1990.
    age = soon().year - 1990
    too_young = make_activity(org_tree.a1_staff, org_tree.org_a1, title="老年", min_age=age + 1)
    error = refused(volunteers[0], too_young.shifts.get())
    says(error, "This activity is for volunteers aged %(age)s or older.", age=age + 1)
    too_old = make_activity(org_tree.a1_staff, org_tree.org_a1, title="青年", max_age=age - 1)
    error = refused(volunteers[0], too_old.shifts.get())
    says(error, "This activity is for volunteers aged %(age)s or younger.", age=age - 1)
    exact = make_activity(
        org_tree.a1_staff, org_tree.org_a1, title="正好", min_age=age, max_age=age
    )
    assert sign(volunteers[1], exact.shifts.get()).status == "confirmed"


def test_an_age_limit_needs_a_recorded_birth_date(org_tree, volunteers):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, min_age=18)
    Volunteer.objects.filter(pk=volunteers[0].pk).update(birth_date=None)
    volunteer = Volunteer.objects.get(pk=volunteers[0].pk)
    error = refused(volunteer, activity.shifts.get())
    says(error, "This activity has an age limit and your date of birth is not recorded.")


def test_the_skills_asked_for_are_needed(org_tree, volunteers):
    first, second = Skill.objects.order_by("name")[:2]
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, skills=[first, second])
    shift = activity.shifts.get()
    volunteer = volunteers[0]
    volunteer.skills.add(first)
    error = refused(volunteer, shift)
    says(error, "This activity needs these skills: %(skills)s.", skills=second.name)
    volunteer.skills.add(second)
    assert sign(volunteer, shift).status == "confirmed"


def test_an_activity_for_some_kinds_of_volunteer_takes_those_only(org_tree, volunteers):
    # The fixtures' volunteers are community and youth volunteers.
    party = make_activity(org_tree.a1_staff, org_tree.org_a1, volunteer_kinds=["party", "cadre"])
    error = refused(volunteers[0], party.shifts.get())
    says(
        error,
        "This activity is for these volunteers: %(kinds)s.",
        kinds="、".join(party.volunteer_kind_labels()),
    )
    youth = make_activity(
        org_tree.a1_staff, org_tree.org_a1, title="青年突击", volunteer_kinds=["party", "youth"]
    )
    assert sign(volunteers[0], youth.shifts.get()).status == "confirmed"


def test_a_closed_volunteer_record_cannot_sign_up(org_tree, shift, volunteers):
    Volunteer.objects.filter(pk=volunteers[0].pk).update(status=Volunteer.Status.CLOSED)
    closed = Volunteer.objects.get(pk=volunteers[0].pk)
    assert refused(closed, shift).code == "forbidden"
    assert services.signup_problem(closed, shift) is not None


# --- shifts --------------------------------------------------------------------------------


def test_a_shift_must_end_after_it_starts_within_a_day_and_need_someone(org_tree, activity):
    start = soon(days=6)
    cases = [
        (start, start, 1, "ends_at"),
        (start, start + timedelta(hours=25), 1, "ends_at"),
        (start, start + timedelta(hours=1), 0, "quota"),
    ]
    for starts_at, ends_at, quota, field in cases:
        with pytest.raises(DomainError) as exc:
            services.shift_add(
                actor=org_tree.a1_staff,
                activity=activity,
                starts_at=starts_at,
                ends_at=ends_at,
                quota=quota,
            )
        assert set(exc.value.fields) == {field}
    assert activity.shifts.count() == 1


def test_the_same_time_twice_is_one_shift(org_tree, activity, shift):
    with pytest.raises(DomainError) as exc:
        services.shift_add(
            actor=org_tree.a1_staff,
            activity=activity,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            quota=5,
        )
    says(exc.value, "This activity already has a shift at that time.")
    assert activity.shifts.count() == 1


def test_the_quota_cannot_drop_below_those_signed_up(org_tree, shift, volunteers):
    Shift.objects.filter(pk=shift.pk).update(quota=3)
    for v in volunteers[:3]:
        sign(v, shift)
    with pytest.raises(DomainError) as exc:
        services.shift_update(actor=org_tree.a1_staff, shift=shift, quota=2)
    says(exc.value, "%(count)s volunteers have signed up; the quota cannot be lower.", count=3)
    assert set(exc.value.fields) == {"quota"}
    services.shift_update(actor=org_tree.a1_staff, shift=shift, quota=3, note="  带好雨具  ")
    shift.refresh_from_db()
    assert (shift.quota, shift.note) == (3, "带好雨具")


def test_a_larger_quota_takes_the_waiting_in_order(org_tree, shift, volunteers):
    for v in volunteers:
        sign(v, shift)  # two places, three waiting
    services.shift_update(actor=org_tree.a1_staff, shift=shift, quota=4)
    statuses = [s.status for s in Signup.objects.order_by("created_at", "pk")]
    assert statuses == ["confirmed"] * 4 + ["waitlisted"]
    shift.refresh_from_db()
    assert shift.confirmed == 4
    assert notified(kinds.SIGNUP_PROMOTED) == {volunteers[2].user_id, volunteers[3].user_id}


def test_a_shift_with_signups_cannot_be_deleted(org_tree, activity, shift, volunteers):
    add_shift(org_tree, activity, soon(days=5))
    sign(volunteers[0], shift)
    with pytest.raises(DomainError) as exc:
        services.shift_delete(actor=org_tree.a1_staff, shift=shift)
    says(exc.value, "Volunteers have signed up for this shift; cancel the activity instead.")
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_a_published_activity_keeps_its_last_shift(org_tree, activity, shift):
    with pytest.raises(DomainError) as exc:
        services.shift_delete(actor=org_tree.a1_staff, shift=shift)
    says(exc.value, "A published activity keeps at least one shift; cancel the activity instead.")
    assert Shift.objects.filter(pk=shift.pk).exists()


def test_deleting_a_shift_moves_the_span(org_tree, activity, shift):
    later = add_shift(org_tree, activity, soon(days=5))
    services.shift_delete(actor=org_tree.a1_staff, shift=shift)
    activity.refresh_from_db()
    assert (activity.starts_at, activity.ends_at) == (later.starts_at, later.ends_at)


def test_staff_elsewhere_cannot_touch_the_shifts(org_tree, shift):
    with pytest.raises(NOT_ALLOWED):
        services.shift_update(actor=org_tree.b1_staff, shift=shift, quota=10)
    with pytest.raises(NOT_ALLOWED):
        services.shift_delete(actor=org_tree.b1_staff, shift=shift)
    shift.refresh_from_db()
    assert shift.quota == 2


# --- stations and duty rosters -------------------------------------------------------------


def station_data(**overrides) -> dict:
    data = {
        "name": "泽州公园志愿服务站",
        "place_kind": "park",
        "host_unit": "泽州县园林局",
        "opening_hours": "每天 8:00–18:00",
        "services": ["water", "guidance", "first_aid"],
        "address": "泽州县泽州公园南门",
        "latitude": "35.500000",
        "longitude": "112.860000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def station(org_tree) -> Station:
    return services.station_save(
        actor=org_tree.a1_staff, organisation=org_tree.org_a1, data=station_data()
    )


def next_weekday(weekday: int, after_days: int = 2) -> date:
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def add_pattern(org_tree, station, weekday, start, end, quota=2) -> RosterPattern:
    return services.pattern_add(
        actor=org_tree.a1_staff,
        station=station,
        weekday=weekday,
        start_time=start,
        end_time=end,
        quota=quota,
    )


@pytest.fixture
def duty_shift(org_tree, station) -> Shift:
    monday = next_weekday(0)
    add_pattern(org_tree, station, 0, time(8, 30), time(11, 30))
    [shift] = services.roster_generate(
        actor=org_tree.a1_staff, station=station, first_day=monday, last_day=monday
    )
    return Shift.objects.select_related("activity").get(pk=shift.pk)


def test_a_station_is_saved_and_audited(org_tree, station):
    assert station.organisation == org_tree.org_a1 and station.services == [
        "water",
        "guidance",
        "first_aid",
    ]
    entry = AuditEntry.objects.get(object_type="activities.station", object_id=str(station.pk))
    assert entry.action == AuditEntry.Action.CREATE and entry.after["name"] == station.name


def test_a_station_needs_both_coordinates_and_its_fields(org_tree):
    with pytest.raises(DomainError) as exc:
        services.station_save(
            actor=org_tree.a1_staff,
            organisation=org_tree.org_a1,
            data=station_data(longitude=None),
        )
    assert set(exc.value.fields) == {"longitude"}
    with pytest.raises(DomainError) as exc:
        services.station_save(
            actor=org_tree.a1_staff,
            organisation=org_tree.org_a1,
            data=station_data(name="", place_kind="moon"),
        )
    assert {"name", "place_kind"} <= set(exc.value.fields)
    assert not Station.objects.exists()


def test_staff_elsewhere_cannot_change_a_station(org_tree, station):
    with pytest.raises(NOT_ALLOWED):
        services.station_save(
            actor=org_tree.b1_staff,
            organisation=org_tree.org_b1,
            data={"name": "改名"},
            station=station,
        )
    with pytest.raises(NOT_ALLOWED):
        services.pattern_add(
            actor=org_tree.b1_staff,
            station=station,
            weekday=0,
            start_time=time(8),
            end_time=time(9),
            quota=1,
        )
    with pytest.raises(NOT_ALLOWED):
        services.roster_generate(
            actor=org_tree.b1_staff,
            station=station,
            first_day=next_weekday(0),
            last_day=next_weekday(0),
        )


def test_a_pattern_must_end_after_it_starts_and_need_someone(org_tree, station):
    with pytest.raises(DomainError) as exc:
        add_pattern(org_tree, station, 0, time(11), time(9))
    assert set(exc.value.fields) == {"end_time"}
    with pytest.raises(DomainError) as exc:
        add_pattern(org_tree, station, 0, time(9), time(11), quota=0)
    assert set(exc.value.fields) == {"quota"}
    assert not RosterPattern.objects.exists()


def test_the_roster_has_a_dated_shift_per_pattern_and_matching_weekday(org_tree, station):
    add_pattern(org_tree, station, RosterPattern.Weekday.MONDAY, time(8, 30), time(11, 30), 2)
    add_pattern(org_tree, station, RosterPattern.Weekday.WEDNESDAY, time(14), time(17), 1)
    add_pattern(org_tree, station, RosterPattern.Weekday.SUNDAY, time(9), time(12), 3)
    monday = next_weekday(0)
    created = services.roster_generate(
        actor=org_tree.a1_staff,
        station=station,
        first_day=monday,
        last_day=monday + timedelta(days=12),  # Monday to the Saturday after next
    )
    assert len(created) == 5  # two Mondays, two Wednesdays, one Sunday
    shifts = list(Shift.objects.order_by("starts_at"))
    local = [
        (s.starts_at.astimezone(SHANGHAI), s.ends_at.astimezone(SHANGHAI), s.quota) for s in shifts
    ]

    def at(days: int, hour: int, minute: int = 0) -> datetime:
        day = monday + timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)

    assert local == [
        (at(0, 8, 30), at(0, 11, 30), 2),
        (at(2, 14), at(2, 17), 1),
        (at(6, 9), at(6, 12), 3),
        (at(7, 8, 30), at(7, 11, 30), 2),
        (at(9, 14), at(9, 17), 1),
    ]
    assert shifts[0].starts_at.utcoffset() is not None
    assert shifts[0].starts_at == at(0, 0, 30) + timedelta(hours=8)  # 8:30 in Jincheng is 0:30 UTC
    duty = station.duty
    assert duty.status == Activity.Status.PUBLISHED and duty.organisation == org_tree.org_a1
    assert (duty.starts_at, duty.ends_at) == (shifts[0].starts_at, shifts[-1].ends_at)
    assert {s.activity_id for s in shifts} == {duty.pk}
    assert AuditEntry.objects.filter(object_type="activities.station", after__shifts=5).exists()


def test_generating_twice_adds_only_what_is_missing(org_tree, station):
    add_pattern(org_tree, station, 0, time(8, 30), time(11, 30))
    monday = next_weekday(0)
    first = services.roster_generate(
        actor=org_tree.a1_staff, station=station, first_day=monday, last_day=monday
    )
    Shift.objects.filter(pk=first[0].pk).update(quota=5)  # a change the organiser made
    again = services.roster_generate(
        actor=org_tree.a1_staff, station=station, first_day=monday, last_day=monday
    )
    assert again == []
    assert Shift.objects.get().quota == 5
    longer = services.roster_generate(
        actor=org_tree.a1_staff,
        station=station,
        first_day=monday,
        last_day=monday + timedelta(days=7),
    )
    assert len(longer) == 1 and Shift.objects.count() == 2
    assert Activity.objects.filter(station=station).count() == 1


def test_the_roster_range_is_limited(org_tree, station):
    add_pattern(org_tree, station, 0, time(8), time(10))
    monday = next_weekday(0)
    last = monday + timedelta(days=services.ROSTER_MAX_DAYS)
    with pytest.raises(DomainError) as exc:
        services.roster_generate(
            actor=org_tree.a1_staff, station=station, first_day=monday, last_day=last
        )
    says(exc.value, "Generate at most %(days)s days at a time.", days=services.ROSTER_MAX_DAYS)
    with pytest.raises(DomainError):
        services.roster_generate(
            actor=org_tree.a1_staff,
            station=station,
            first_day=monday,
            last_day=monday - timedelta(1),
        )
    assert not Shift.objects.exists()
    created = services.roster_generate(
        actor=org_tree.a1_staff,
        station=station,
        first_day=monday,
        last_day=last - timedelta(days=1),  # 92 days inclusive
    )
    assert len(created) == 14


def test_a_roster_needs_patterns_and_an_open_station(org_tree, station):
    monday = next_weekday(0)
    with pytest.raises(DomainError) as exc:
        services.roster_generate(
            actor=org_tree.a1_staff, station=station, first_day=monday, last_day=monday
        )
    says(exc.value, "Add the station's weekly shifts first.")
    add_pattern(org_tree, station, 0, time(8), time(10))
    services.station_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data={"is_active": False},
        station=station,
    )
    with pytest.raises(DomainError) as exc:
        services.roster_generate(
            actor=org_tree.a1_staff, station=station, first_day=monday, last_day=monday
        )
    says(exc.value, "This station is closed.")
    assert not Activity.objects.exists()


def test_a_volunteer_signs_up_for_a_duty_shift_like_any_other(org_tree, duty_shift, volunteers):
    moment = duty_shift.starts_at - timedelta(days=1)
    signups = [sign(v, duty_shift, now=moment) for v in volunteers[:3]]
    assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted"]
    services.signup_cancel(
        actor=volunteers[0].user, signup=signups[0], reason="值班冲突", now=moment
    )
    assert notified(kinds.SIGNUP_PROMOTED) == {volunteers[2].user_id}


def test_a_duty_roster_runs_on_after_its_shifts(org_tree, duty_shift):
    services.activities_advance(now=duty_shift.ends_at + timedelta(days=1))
    duty_shift.activity.refresh_from_db()
    assert duty_shift.activity.status == Activity.Status.PUBLISHED


def test_moving_a_station_moves_its_duty_roster(org_tree, station, duty_shift):
    services.station_save(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        data={"name": "泽州公园北门服务站", "address": "泽州公园北门", "latitude": "35.510000"},
        station=station,
    )
    duty = Activity.objects.get(station=station)
    assert duty.address == "泽州公园北门" and str(duty.latitude) == "35.510000"
    assert "泽州公园北门服务站" in duty.title
