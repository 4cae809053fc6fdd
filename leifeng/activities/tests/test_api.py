"""The activities API at /api/v1/activities as an app uses it.

Anyone finds published activities and stations (no log-in, no personal data); a volunteer
signs up (a place, then the waiting list), cancels, lists their sign-ups and checks in and out
with the organiser's rotating code; staff create, schedule, publish and cancel activities, run
the roster (check-in, no-show, corrections, taking someone off) and stations with their weekly
duty, all inside their own subtree. Errors are the one error body, in Chinese.

The fixtures' shift runs 9:00–11:00 local time three days ahead (conftest.soon()).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from conftest import make_org
from leifeng.activities import services
from leifeng.activities.models import Activity, Attendance, ServiceItem, Shift, Signup, Station
from leifeng.activities.tests.conftest import activity_data, make_activity, soon
from leifeng.audit.models import AuditEntry
from leifeng.core.masking import mask_name
from leifeng.core.tests.apitest import Api, assert_error, auth, ok
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region

pytestmark = pytest.mark.django_db

BASE = "/api/v1/activities"
API = Api(BASE)
get, post, put = API.get, API.post, API.put


def ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def sign(volunteer, shift, **extra) -> Signup:
    return services.signup_create(
        actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True, **extra
    )


def region(code: str) -> Region:
    return Region.objects.get(code=code)


# --- anyone --------------------------------------------------------------------------------


def test_anyone_finds_published_activities_without_logging_in_or_personal_data(
    client, org_tree, shift, volunteers
):
    sign(volunteers[0], shift)
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False, title="草稿活动")
    secret = make_activity(
        org_tree.a1_staff,
        org_tree.org_a1,
        title="凭邀请码参加",
        join_rule="code",
        invitation_code="LEIFENG",
        contact_name="张联系",
        contact_phone="13800001111",
    )

    response = get(client, "")

    body = ok(response)
    assert set(ids(body)) == {shift.activity_id, secret.pk}
    assert draft.pk not in ids(body)
    item = next(i for i in body["items"] if i["id"] == shift.activity_id)
    assert item["title"] == "文明交通劝导"
    assert item["organisation_name"] == "泽州县新时代文明实践中心"
    assert item["latitude"] == 35.49 and item["longitude"] == 112.85
    text = response.content.decode()
    for private in (volunteers[0].name, volunteers[0].number, "LEIFENG", "13800001111", "张联系"):
        assert private not in text


def test_the_list_filters_by_line_day_region_station_and_keyword(client, org_tree, activity):
    nature = make_activity(
        org_tree.a1_staff,
        org_tree.org_a1,
        title="植树活动",
        campaign_line="nature",
        national_category="environment",
        township=region("140525100"),  # 泽州县南村镇
    )
    day = timezone.localdate(soon())

    assert ids(ok(get(client, "", {"line": "nature"}))) == [nature.pk]
    assert set(ids(ok(get(client, "", {"date_from": day, "date_to": day})))) == {
        activity.pk,
        nature.pk,
    }
    assert ids(ok(get(client, "", {"date_from": day + timedelta(days=1)}))) == []
    assert ids(ok(get(client, "", {"date_to": day - timedelta(days=1)}))) == []
    assert ids(ok(get(client, "", {"region_id": region("140525").pk}))) == [nature.pk]
    assert ids(ok(get(client, "", {"region_id": region("140502").pk}))) == []
    assert ids(ok(get(client, "", {"q": "植树"}))) == [nature.pk]
    assert_error(get(client, "", {"region_id": 999_999}), 404, "not_found")


def test_near_puts_the_closest_activity_first(client, org_tree, activity):
    far = make_activity(
        org_tree.a1_staff,
        org_tree.org_a1,
        title="远处的活动",
        latitude="35.600000",
        longitude="112.950000",
    )

    body = ok(get(client, "", {"near": "35.6,112.95"}))
    assert ids(body) == [far.pk, activity.pk]
    body = ok(get(client, "", {"near": "35.49,112.85"}))
    assert ids(body) == [activity.pk, far.pk]
    assert_error(get(client, "", {"near": "北京"}), 422, "invalid", "near")
    assert_error(get(client, "", {"near": "95,112"}), 422, "invalid", "near")


def test_the_detail_shows_shifts_with_places_left_and_no_personal_data(
    client, org_tree, activity, shift, volunteers
):
    sign(volunteers[0], shift)

    response = get(client, f"/{activity.pk}")

    body = ok(response)
    assert body["risk_notice"].startswith("路口车流较多")
    assert body["join_rule"] == "everyone"
    [row] = body["shifts"]
    assert row["id"] == shift.pk
    assert (row["quota"], row["confirmed"], row["places_left"]) == (2, 1, 1)
    assert {"starts_at", "ends_at", "note"} <= set(row)
    text = response.content.decode()
    assert volunteers[0].name not in text and volunteers[0].number not in text
    assert "invitation_code" not in body and "contact_phone" not in body


def test_drafts_and_cancelled_activities_are_not_found_but_finished_ones_are(
    client, org_tree, activity
):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False)
    cancelled = make_activity(org_tree.a1_staff, org_tree.org_a1)
    services.activity_cancel(actor=org_tree.a1_staff, activity=cancelled, reason="暴雨")
    services.activity_finish(actor=org_tree.a1_staff, activity=activity)

    assert_error(get(client, f"/{draft.pk}"), 404, "not_found")
    assert_error(get(client, f"/{cancelled.pk}"), 404, "not_found")
    assert ok(get(client, f"/{activity.pk}"))["status"] == "finished"
    assert activity.pk not in ids(ok(get(client, "")))


def test_service_items_are_listed_per_campaign_line(client, db):
    nature = list(ServiceItem.objects.filter(campaign_line="nature").values_list("pk", flat=True))
    assert nature  # the campaign plan's items come with the database

    body = ok(get(client, "/service-items", {"line": "nature"}))

    assert [item["id"] for item in body] == nature
    assert {item["campaign_line"] for item in body} == {"nature"}
    assert len(ok(get(client, "/service-items"))) == ServiceItem.objects.count()
    assert_error(get(client, "/service-items", {"line": "moon"}), 422, "invalid", "line")


# --- the volunteer: signing up -------------------------------------------------------------


def test_a_volunteer_signs_up_then_the_full_shift_puts_the_next_on_the_waiting_list(
    client, org_tree, volunteers
):
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, quota=1)
    shift = activity.shifts.get()
    first, second = volunteers[:2]

    response = post(
        client, f"/shifts/{shift.pk}/signup", {"risk_notice_read": True}, **auth(first.user)
    )

    body = ok(response, 201)
    assert body["shift_id"] == shift.pk and body["activity_id"] == activity.pk
    assert body["status"] == "confirmed"
    assert body["activity_title"] == "文明交通劝导"
    client.force_login(second.user)
    waiting = ok(post(client, f"/shifts/{shift.pk}/signup", {"risk_notice_read": True}), 201)
    assert waiting["status"] == "waitlisted"
    shift.refresh_from_db()
    assert shift.confirmed == 1


def test_signing_up_needs_a_log_in_and_a_volunteer_record(client, org_tree, shift):
    response = post(client, f"/shifts/{shift.pk}/signup", {"risk_notice_read": True})
    assert_error(response, 401, "unauthenticated")
    client.force_login(org_tree.a1_staff)
    response = post(client, f"/shifts/{shift.pk}/signup", {"risk_notice_read": True})
    assert_error(response, 403, "forbidden")
    assert not Signup.objects.exists()


def test_the_risk_notice_must_be_confirmed(client, shift, volunteers):
    client.force_login(volunteers[0].user)
    response = post(client, f"/shifts/{shift.pk}/signup", {"risk_notice_read": False})
    assert_error(response, 422, "invalid", "risk_notice_read")
    response = post(client, f"/shifts/{shift.pk}/signup", {})
    assert_error(response, 422, "invalid", "risk_notice_read")
    assert not Signup.objects.exists()


def test_eligibility_errors_are_explained_in_chinese(client, org_tree, volunteers):
    team = make_org(
        org_tree.root, org_tree.org_a1, "泽州县巴公镇志愿服务队", Organisation.Kind.TEAM, "140525"
    )
    members_only = make_activity(
        org_tree.a1_staff, org_tree.org_a1, join_rule="teams", teams=[team]
    ).shifts.get()
    coded = make_activity(
        org_tree.a1_staff, org_tree.org_a1, join_rule="code", invitation_code="LEIFENG"
    ).shifts.get()
    older = make_activity(org_tree.a1_staff, org_tree.org_a1, min_age=60).shifts.get()
    client.force_login(volunteers[0].user)
    yes = {"risk_notice_read": True}

    body = assert_error(post(client, f"/shifts/{members_only.pk}/signup", yes), 403, "forbidden")
    assert team.name in body["message"]
    assert_error(
        post(client, f"/shifts/{coded.pk}/signup", {**yes, "invitation_code": "WRONG"}),
        422,
        "invalid",
        "invitation_code",
    )
    body = assert_error(post(client, f"/shifts/{older.pk}/signup", yes), 403, "forbidden")
    assert "60" in body["message"]
    assert_error(post(client, "/shifts/999999/signup", yes), 404, "not_found")
    assert not Signup.objects.exists()
    ok(post(client, f"/shifts/{coded.pk}/signup", {**yes, "invitation_code": "leifeng"}), 201)


def test_signing_up_twice_or_for_an_overlapping_shift_is_a_conflict(
    client, org_tree, shift, volunteers
):
    same_time = make_activity(org_tree.a1_staff, org_tree.org_a1, title="同时段").shifts.get()
    client.force_login(volunteers[0].user)
    yes = {"risk_notice_read": True}
    ok(post(client, f"/shifts/{shift.pk}/signup", yes), 201)

    assert_error(post(client, f"/shifts/{shift.pk}/signup", yes), 409, "conflict")
    body = assert_error(post(client, f"/shifts/{same_time.pk}/signup", yes), 409, "conflict")
    assert "文明交通劝导" in body["message"]


def test_a_draft_shift_is_not_open(client, org_tree, volunteers):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False).shifts.get()
    client.force_login(volunteers[0].user)
    response = post(client, f"/shifts/{draft.pk}/signup", {"risk_notice_read": True})
    assert_error(response, 409, "conflict")


def test_the_sign_up_endpoint_adds_only_the_log_in_and_the_volunteer_to_the_service(
    client, org_tree, volunteers
):
    """The benchmark hammers this route: nothing but the token, the volunteer record and
    what signup_create does itself."""
    shifts = [make_activity(org_tree.a1_staff, org_tree.org_a1).shifts.get() for _ in range(2)]
    first, second = volunteers[:2]
    headers = auth(second.user)
    post(client, "/checkin", {"token": "x", "action": "in"}, **headers)  # last_used_at written
    with CaptureQueriesContext(connection) as service:
        sign(first, shifts[0])
    with CaptureQueriesContext(connection) as api:
        ok(
            post(client, f"/shifts/{shifts[1].pk}/signup", {"risk_notice_read": True}, **headers),
            201,
        )
    # The token look-up and the volunteer record.
    assert len(api.captured_queries) <= len(service.captured_queries) + 2, [
        q["sql"] for q in api.captured_queries
    ]


# --- the volunteer: cancelling and the list ------------------------------------------------


def test_a_volunteer_cancels_with_a_reason_and_the_first_waiting_gets_the_place(
    client, org_tree, volunteers
):
    shift = make_activity(org_tree.a1_staff, org_tree.org_a1, quota=1).shifts.get()
    mine = sign(volunteers[0], shift)
    waiting = sign(volunteers[1], shift)
    client.force_login(volunteers[0].user)

    assert_error(post(client, f"/signups/{mine.pk}/cancel", {"reason": "  "}), 422, "invalid")
    body = ok(post(client, f"/signups/{mine.pk}/cancel", {"reason": "家里有事"}))

    assert body["status"] == "cancelled" and body["cancel_reason"] == "家里有事"
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    response = post(client, f"/signups/{mine.pk}/cancel", {"reason": "再取消"})
    assert_error(response, 409, "conflict")


def test_nobody_cancels_another_volunteers_sign_up(client, shift, volunteers):
    theirs = sign(volunteers[0], shift)
    client.force_login(volunteers[1].user)
    response = post(client, f"/signups/{theirs.pk}/cancel", {"reason": "捣乱"})
    assert_error(response, 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.status == Signup.Status.CONFIRMED


def test_my_sign_ups_list_those_ahead_soonest_first_and_the_history(
    client, org_tree, shift, volunteers
):
    volunteer = volunteers[0]
    later = make_activity(org_tree.a1_staff, org_tree.org_a1, title="以后的活动")
    later_shift = services.shift_add(
        actor=org_tree.a1_staff,
        activity=later,
        starts_at=soon(days=5),
        ends_at=soon(days=5, hour=11),
        quota=2,
    )
    past = make_activity(org_tree.a1_staff, org_tree.org_a1, title="已经结束的活动")
    past_shift = services.shift_add(
        actor=org_tree.a1_staff,
        activity=past,
        starts_at=soon(days=-3),
        ends_at=soon(days=-3, hour=11),
        quota=2,
    )
    sign(volunteer, later_shift)
    sign(volunteer, shift)
    sign(volunteer, past_shift, now=past_shift.starts_at - timedelta(days=1))
    sign(volunteers[1], shift)
    client.force_login(volunteer.user)

    body = ok(get(client, "/signups/mine"))

    assert [item["shift_id"] for item in body["items"]] == [shift.pk, later_shift.pk]
    assert body["items"][0]["attendance"] is None
    assert "cancel_deadline" in body["items"][0]
    history = ok(get(client, "/signups/mine", {"past": "true"}))
    assert [item["activity_title"] for item in history["items"]] == ["已经结束的活动"]


# --- the volunteer: checking in with the organiser's code ----------------------------------


def test_a_volunteer_checks_in_and_out_with_the_code_and_twice_changes_nothing(
    client, shift, volunteers, time_machine
):
    volunteer = volunteers[0]
    signup = sign(volunteer, shift)
    client.force_login(volunteer.user)
    arrive = shift.starts_at - timedelta(minutes=5)
    time_machine.move_to(arrive, tick=False)
    token = services.qr_token(shift)

    checked_in = ok(post(client, "/checkin", {"token": token, "action": "in"}))
    again = ok(post(client, "/checkin", {"token": token, "action": "in"}))

    assert checked_in["changed"] is True and again["changed"] is False
    assert checked_in["id"] == again["id"] == Attendance.objects.get(signup=signup).pk
    assert checked_in["checked_out_at"] is None
    time_machine.move_to(shift.ends_at, tick=False)
    token = services.qr_token(shift)
    out = ok(post(client, "/checkin", {"token": token, "action": "out"}))
    assert out["changed"] is True and out["checked_out_at"] is not None
    assert not ok(post(client, "/checkin", {"token": token, "action": "out"}))["changed"]
    attendance = Attendance.objects.get(signup=signup)
    assert attendance.checked_in_at == arrive and attendance.checked_out_at == shift.ends_at
    assert attendance.check_in_method == Attendance.Method.QR


def test_check_in_refuses_a_forged_an_old_or_a_strangers_code(
    client, shift, volunteers, time_machine
):
    sign(volunteers[0], shift)
    at = shift.starts_at
    time_machine.move_to(at, tick=False)
    old = services.qr_token(shift, now=at - timedelta(minutes=2))
    client.force_login(volunteers[0].user)

    assert_error(post(client, "/checkin", {"token": "forged:abc", "action": "in"}), 422, "invalid")
    assert_error(post(client, "/checkin", {"token": old, "action": "in"}), 409, "expired")
    response = post(client, "/checkin", {"token": services.qr_token(shift), "action": "out"})
    assert_error(response, 409, "conflict")  # check in first
    client.force_login(volunteers[1].user)
    response = post(client, "/checkin", {"token": services.qr_token(shift), "action": "in"})
    assert_error(response, 403, "forbidden")
    assert_error(post(client, "/checkin", {"token": "x", "action": "sideways"}), 422, "invalid")
    assert not Attendance.objects.exists()


# --- staff: activities ---------------------------------------------------------------------


def draft_payload(org_tree, **overrides) -> dict:
    data = activity_data()
    return {
        **data,
        "organisation_id": org_tree.org_a1.pk,
        "latitude": 35.49,
        "longitude": 112.85,
        "township_id": region("140525100").pk,
        **overrides,
    }


def test_staff_create_schedule_publish_and_run_the_roster(
    client, org_tree, volunteers, time_machine
):
    item = ServiceItem.objects.filter(campaign_line="city").first()
    staff = auth(org_tree.a1_staff)
    start, end = soon(), soon(hour=11)  # before travelling in time

    created = ok(
        post(client, "/manage", draft_payload(org_tree, service_item_ids=[item.pk]), **staff), 201
    )
    assert created["status"] == "draft" and created["service_item_ids"] == [item.pk]
    assert created["township_name"] == "南村镇" and created["shifts"] == []
    activity_id = created["id"]
    assert_error(post(client, f"/manage/{activity_id}/publish", **staff), 422, "invalid")
    shift = ok(
        post(
            client,
            f"/manage/{activity_id}/shifts",
            {"starts_at": start.isoformat(), "ends_at": end.isoformat(), "quota": 1},
            **staff,
        ),
        201,
    )
    assert shift["places_left"] == 1
    published = ok(post(client, f"/manage/{activity_id}/publish", **staff))
    assert published["status"] == "published" and published["published_at"]
    assert activity_id in ids(ok(get(client, "")))

    first, second = volunteers[:2]
    signup = sign(first, Shift.objects.get(pk=shift["id"]))
    sign(second, Shift.objects.get(pk=shift["id"]))
    roster = ok(get(client, f"/manage/shifts/{shift['id']}/roster", **staff))
    assert [row["status"] for row in roster] == ["confirmed", "waitlisted"]
    assert roster[0]["volunteer_name"] == mask_name(first.name) != first.name
    assert (
        first.number not in str(roster) and roster[0]["volunteer_number"][-4:] == first.number[-4:]
    )
    assert roster[0]["attendance"] is None

    time_machine.move_to(start + timedelta(minutes=3), tick=False)
    checked = ok(post(client, f"/manage/signups/{signup.pk}/check", {"action": "in"}, **staff))
    assert checked["changed"] is True and checked["checked_in_at"]
    time_machine.move_to(end, tick=False)
    out = ok(post(client, f"/manage/signups/{signup.pk}/check", {"action": "out"}, **staff))
    assert out["checked_out_at"]
    corrected = ok(
        post(
            client,
            f"/manage/signups/{signup.pk}/correct",
            {
                "checked_in_at": start.isoformat(),
                "checked_out_at": end.isoformat(),
                "reason": "扫码晚了三分钟",
            },
            **staff,
        )
    )
    assert parse_datetime(corrected["checked_in_at"]) == start
    roster = ok(get(client, f"/manage/shifts/{shift['id']}/roster", **staff))
    assert parse_datetime(roster[0]["attendance"]["checked_out_at"]) == end
    assert roster[0]["attendance"]["correction_reason"] == "扫码晚了三分钟"
    attendance = Attendance.objects.get(signup=signup)
    assert attendance.checked_in_at == start and attendance.correction_reason == "扫码晚了三分钟"
    assert AuditEntry.objects.filter(object_id=str(attendance.pk)).exists()


def test_staff_see_the_qr_code_to_show(client, org_tree, shift):
    body = ok(get(client, f"/manage/shifts/{shift.pk}/qr", **auth(org_tree.a1_staff)))
    assert services.qr_shift(body["token"]) == shift
    assert 30 < body["expires_in"] <= 60
    assert body["token"] in body["url"] and "/activities/checkin/" in body["url"]


def test_staff_record_a_no_show_and_take_someone_off(
    client, org_tree, activity, volunteers, time_machine
):
    shift = services.shift_add(
        actor=org_tree.a1_staff,
        activity=activity,
        starts_at=soon(days=4),
        ends_at=soon(days=4, hour=11),
        quota=2,
    )
    absent, removed = sign(volunteers[0], shift), sign(volunteers[1], shift)
    staff = auth(org_tree.a1_staff)

    body = post(client, f"/manage/signups/{absent.pk}/check", {"action": "no_show"}, **staff)
    assert_error(body, 409, "conflict")  # not started yet
    response = post(client, f"/manage/signups/{removed.pk}/cancel", {"reason": "重复报名"}, **staff)
    assert ok(response)["status"] == "cancelled"
    time_machine.move_to(shift.starts_at + timedelta(minutes=30), tick=False)
    body = ok(post(client, f"/manage/signups/{absent.pk}/check", {"action": "no_show"}, **staff))
    assert body["status"] == "no_show" and body["checked_in_at"] is None


def test_staff_change_quota_and_shifts(client, org_tree, activity, shift, volunteers):
    staff = auth(org_tree.a1_staff)
    sign(volunteers[0], shift)
    sign(volunteers[1], shift)
    waiting = sign(volunteers[2], shift)

    assert_error(
        put(client, f"/manage/shifts/{shift.pk}", {"quota": 1}, **staff), 422, "invalid", "quota"
    )
    body = ok(put(client, f"/manage/shifts/{shift.pk}", {"quota": 3, "note": "路口东侧"}, **staff))
    assert (body["quota"], body["confirmed"], body["note"]) == (3, 3, "路口东侧")
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.CONFIRMED
    assert_error(client.delete(f"{BASE}/manage/shifts/{shift.pk}", **staff), 409, "conflict")
    empty = services.shift_add(
        actor=org_tree.a1_staff,
        activity=activity,
        starts_at=soon(days=4),
        ends_at=soon(days=4, hour=11),
        quota=2,
    )
    assert client.delete(f"{BASE}/manage/shifts/{empty.pk}", **staff).status_code == 204
    assert not Shift.objects.filter(pk=empty.pk).exists()


def test_staff_change_and_cancel_an_activity(client, org_tree, activity, shift, volunteers):
    staff = auth(org_tree.a1_staff)
    signup = sign(volunteers[0], shift)
    payload = draft_payload(org_tree, title="文明交通劝导（周末）")
    del payload["organisation_id"]

    changed = ok(put(client, f"/manage/{activity.pk}", payload, **staff))
    assert changed["title"] == "文明交通劝导（周末）" and changed["status"] == "published"
    assert len(changed["shifts"]) == 1 and changed["shifts"][0]["waiting"] == 0
    assert_error(
        post(client, f"/manage/{activity.pk}/cancel", {"reason": " "}, **staff), 422, "invalid"
    )
    cancelled = ok(post(client, f"/manage/{activity.pk}/cancel", {"reason": "暴雨预警"}, **staff))
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "暴雨预警"
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED
    assert_error(put(client, f"/manage/{activity.pk}", payload, **staff), 409, "conflict")
    assert_error(post(client, f"/manage/{activity.pk}/finish", **staff), 409, "conflict")


def test_a_wrong_draft_is_answered_field_by_field(client, org_tree):
    item = ServiceItem.objects.filter(campaign_line="nature").first()  # not the draft's line
    staff = auth(org_tree.a1_staff)

    response = post(client, "/manage", draft_payload(org_tree, min_age=60, max_age=18), **staff)
    assert_error(response, 422, "invalid", "max_age")
    response = post(client, "/manage", draft_payload(org_tree, service_item_ids=[item.pk]), **staff)
    assert_error(response, 422, "invalid", "service_items")
    response = post(client, "/manage", draft_payload(org_tree, skill_ids=[999_999]), **staff)
    assert_error(response, 422, "invalid", "skill_ids")
    response = post(
        client, "/manage", draft_payload(org_tree, township_id=region("140525").pk), **staff
    )
    assert_error(response, 422, "invalid", "township_id")
    response = post(client, "/manage", draft_payload(org_tree, join_rule="code"), **staff)
    assert_error(response, 422, "invalid", "invitation_code")
    response = post(client, "/manage", draft_payload(org_tree, campaign_line="moon"), **staff)
    assert_error(response, 422, "invalid", "campaign_line")
    assert not Activity.objects.exists()


def test_staff_list_the_activities_in_their_scope(client, org_tree, activity):
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False, title="草稿活动")
    theirs = make_activity(org_tree.b1_staff, org_tree.org_b1, title="城区的活动")

    mine = ok(get(client, "/manage", **auth(org_tree.a1_staff)))
    assert set(ids(mine)) == {activity.pk, draft.pk}
    drafts = ok(get(client, "/manage", {"status": "draft"}, **auth(org_tree.a1_staff)))
    assert ids(drafts) == [draft.pk]
    city = ok(
        get(client, "/manage", {"organisation_id": org_tree.org_b1.pk}, **auth(org_tree.city_admin))
    )
    assert ids(city) == [theirs.pk]
    assert ids(ok(get(client, "/manage", **auth(org_tree.outsider)))) == []


def test_another_countys_staff_get_404_everywhere(client, org_tree, activity, shift, volunteers):
    signup = sign(volunteers[0], shift)
    other = auth(org_tree.county_b_admin)
    payload = draft_payload(org_tree)

    assert activity.pk not in ids(ok(get(client, "/manage", **other)))
    for response in (
        get(client, f"/manage/{activity.pk}", **other),
        put(client, f"/manage/{activity.pk}", payload, **other),
        post(client, f"/manage/{activity.pk}/publish", **other),
        post(client, f"/manage/{activity.pk}/cancel", {"reason": "不让办"}, **other),
        post(client, f"/manage/{activity.pk}/finish", **other),
        post(
            client,
            f"/manage/{activity.pk}/shifts",
            {"starts_at": soon(4).isoformat(), "ends_at": soon(4, 11).isoformat(), "quota": 1},
            **other,
        ),
        put(client, f"/manage/shifts/{shift.pk}", {"quota": 5}, **other),
        client.delete(f"{BASE}/manage/shifts/{shift.pk}", **other),
        get(client, f"/manage/shifts/{shift.pk}/roster", **other),
        get(client, f"/manage/shifts/{shift.pk}/qr", **other),
        post(client, f"/manage/signups/{signup.pk}/check", {"action": "in"}, **other),
        post(
            client,
            f"/manage/signups/{signup.pk}/correct",
            {
                "checked_in_at": soon().isoformat(),
                "checked_out_at": soon(hour=11).isoformat(),
                "reason": "改",
            },
            **other,
        ),
        post(client, f"/manage/signups/{signup.pk}/cancel", {"reason": "不要他"}, **other),
        post(client, "/manage", payload, **other),
    ):
        assert_error(response, 404, "not_found")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED


# --- staff: stations -----------------------------------------------------------------------


def station_payload(org_tree, **overrides) -> dict:
    return {
        "organisation_id": org_tree.org_a1.pk,
        "name": "泽州县政务大厅学雷锋志愿服务站",
        "place_kind": "hall",
        "host_unit": "泽州县行政审批服务管理局",
        "address": "泽州县政务服务中心一楼",
        "township_id": region("140525100").pk,
        "latitude": 35.49,
        "longitude": 112.85,
        "checkin_radius_m": 200,
        "opening_hours": "周一至周五 8:30–17:30",
        "services": ["consultation", "guidance", "water"],
        **overrides,
    }


def next_monday():
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def test_staff_add_a_station_its_weekly_duty_and_the_roster(client, org_tree, volunteers):
    staff = auth(org_tree.a1_staff)

    station = ok(post(client, "/manage/stations", station_payload(org_tree), **staff), 201)
    assert station["services"] == ["consultation", "guidance", "water"]
    assert station["duty_activity_id"] is None and station["patterns"] == []
    url = f"/manage/stations/{station['id']}"
    response = post(
        client,
        f"{url}/roster",
        {"first_day": next_monday().isoformat(), "last_day": next_monday().isoformat()},
        **staff,
    )
    assert_error(response, 422, "invalid")  # no weekly duty yet
    bad = {"weekday": 0, "start_time": "11:30", "end_time": "08:30", "quota": 2}
    assert_error(post(client, f"{url}/patterns", bad, **staff), 422, "invalid", "end_time")
    monday = ok(
        post(
            client, f"{url}/patterns", {**bad, "start_time": "08:30", "end_time": "11:30"}, **staff
        ),
        201,
    )
    assert monday["weekday"] == 0 and monday["start_time"] == "08:30:00"
    friday = ok(
        post(
            client,
            f"{url}/patterns",
            {"weekday": 4, "start_time": "14:00", "end_time": "17:00", "quota": 1},
            **staff,
        ),
        201,
    )
    days = {
        "first_day": next_monday().isoformat(),
        "last_day": (next_monday() + timedelta(days=13)).isoformat(),
    }

    assert ok(post(client, f"{url}/roster", days, **staff)) == {"created": 4}
    assert ok(post(client, f"{url}/roster", days, **staff)) == {"created": 0}

    managed = ok(get(client, url, **staff))
    assert managed["duty_activity_id"] and len(managed["patterns"]) == 2
    public = ok(get(client, f"/stations/{station['id']}"))
    assert public["duty_activity_id"] == managed["duty_activity_id"]
    assert [s["quota"] for s in public["shifts"]] == [2, 1, 2, 1]
    assert public["patterns"][0]["start_time"] == "08:30:00"
    duty = ok(get(client, f"/{public['duty_activity_id']}"))
    assert len(duty["shifts"]) == 4
    # A volunteer signs up for duty like for any activity.
    client.force_login(volunteers[0].user)
    ok(post(client, f"/shifts/{public['shifts'][0]['id']}/signup", {"risk_notice_read": True}), 201)
    assert client.delete(f"{BASE}/manage/patterns/{friday['id']}", **staff).status_code == 204
    assert len(ok(get(client, url, **staff))["patterns"]) == 1
    assert len(ok(get(client, f"/stations/{station['id']}"))["shifts"]) == 4  # shifts stay


def test_staff_change_a_station_and_the_public_list_follows(client, org_tree):
    staff = auth(org_tree.a1_staff)
    station = ok(post(client, "/manage/stations", station_payload(org_tree), **staff), 201)
    assert ids(ok(get(client, "/stations"))) == [station["id"]]
    assert ids(ok(get(client, "/stations", {"region_id": region("140502").pk}))) == []
    assert ids(ok(get(client, "/stations", {"near": "35.5,112.8"}))) == [station["id"]]

    payload = station_payload(org_tree, name="政务大厅服务站", is_active=False)
    del payload["organisation_id"]
    changed = ok(put(client, f"/manage/stations/{station['id']}", payload, **staff))

    assert changed["name"] == "政务大厅服务站" and changed["is_active"] is False
    assert ids(ok(get(client, "/stations"))) == []
    assert_error(get(client, f"/stations/{station['id']}"), 404, "not_found")
    assert ids(ok(get(client, "/manage/stations", **staff))) == [station["id"]]
    response = post(client, "/manage/stations", station_payload(org_tree, services=[]), **staff)
    assert_error(response, 422, "invalid", "services")
    response = post(client, "/manage/stations", station_payload(org_tree, longitude=None), **staff)
    assert_error(response, 422, "invalid", "longitude")


def test_another_countys_staff_cannot_reach_a_station(client, org_tree):
    staff = auth(org_tree.a1_staff)
    station = ok(post(client, "/manage/stations", station_payload(org_tree), **staff), 201)
    url = f"/manage/stations/{station['id']}"
    pattern = ok(
        post(
            client,
            f"{url}/patterns",
            {"weekday": 0, "start_time": "08:30", "end_time": "11:30", "quota": 2},
            **staff,
        ),
        201,
    )
    other = auth(org_tree.b1_staff)
    payload = station_payload(org_tree)
    del payload["organisation_id"]
    days = {"first_day": next_monday().isoformat(), "last_day": next_monday().isoformat()}

    assert ids(ok(get(client, "/manage/stations", **other))) == []
    for response in (
        get(client, url, **other),
        put(client, url, payload, **other),
        post(
            client,
            f"{url}/patterns",
            {"weekday": 1, "start_time": "08:30", "end_time": "11:30", "quota": 2},
            **other,
        ),
        post(client, f"{url}/roster", days, **other),
        client.delete(f"{BASE}/manage/patterns/{pattern['id']}", **other),
        post(client, "/manage/stations", station_payload(org_tree), **other),
    ):
        assert_error(response, 404, "not_found")
    assert Station.objects.count() == 1
    assert not Shift.objects.exists()


def test_a_nul_character_is_refused_not_a_server_error(client, org_tree, activity):
    """PostgreSQL cannot store NUL in text: refused as invalid; in a search it is dropped."""
    staff = auth(org_tree.a1_staff)
    response = post(client, "/manage", draft_payload(org_tree, title="文明\x00劝导"), **staff)
    assert_error(response, 422, "invalid", "title")
    response = post(client, "/manage", draft_payload(org_tree, served_groups=["public"]), **staff)
    ok(response, 201)
    assert ids(ok(get(client, "", {"q": "文明\x00"}))) == [activity.pk]
    assert ids(ok(get(client, "/manage", {"q": "\x00"}, **staff)))
    assert ok(get(client, "/stations", {"q": "站\x00"}))["count"] == 0
