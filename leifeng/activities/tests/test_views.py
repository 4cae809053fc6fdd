"""The pages as people use them: browse, sign up, cancel, scan; organise, roster, stations."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leifeng.activities import services
from leifeng.activities.models import Activity, Attendance, Shift, Signup, Station
from leifeng.activities.tests.conftest import activity_data, make_activity, soon


def sign_up(client, volunteer, shift, **extra):
    client.force_login(volunteer.user)
    return client.post(
        reverse("activities:signup", args=[shift.pk]), {"risk_notice_read": "on", **extra}
    )


def test_anyone_browses_published_activities_without_personal_data(
    client, org_tree, shift, volunteers
):
    services.signup_create(
        actor=volunteers[0].user, volunteer=volunteers[0], shift=shift, risk_notice_read=True
    )
    draft = make_activity(org_tree.a1_staff, org_tree.org_a1, publish=False, title="草稿活动")
    page = client.get(reverse("activities:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "文明交通劝导" in text and "草稿活动" not in text
    detail = client.get(reverse("activities:detail", args=[shift.activity_id]))
    text = detail.content.decode()
    assert "1 个名额剩余" in text or "剩余" in text
    assert volunteers[0].name not in text and volunteers[0].number not in text
    assert client.get(reverse("activities:detail", args=[draft.pk])).status_code == 404


def test_filters_by_line_and_date(client, org_tree, activity):
    nature = make_activity(
        org_tree.a1_staff, org_tree.org_a1, title="植树活动", campaign_line="nature"
    )
    page = client.get(reverse("activities:list"), {"line": "nature"}).content.decode()
    assert "植树活动" in page and "文明交通劝导" not in page
    day = timezone.localdate(soon()).isoformat()
    assert "植树活动" in client.get(reverse("activities:list"), {"date": day}).content.decode()
    other = (timezone.localdate(soon()) + timedelta(days=1)).isoformat()
    assert (
        "植树活动" not in client.get(reverse("activities:list"), {"date": other}).content.decode()
    )
    near = client.get(reverse("activities:list"), {"lat": "35.49", "lng": "112.85"})
    assert nature.title in near.content.decode()


def test_volunteer_signs_up_cancels_and_downloads_calendar(client, shift, volunteers):
    volunteer = volunteers[0]
    response = sign_up(client, volunteer, shift)
    assert response.status_code == 302 and response.url == reverse("activities:mine")
    mine = client.get(reverse("activities:mine")).content.decode()
    assert "文明交通劝导" in mine
    ics = client.get(reverse("activities:mine-ics"))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content and "文明交通劝导".encode() in ics.content
    signup = Signup.objects.get(volunteer=volunteer)
    url = reverse("activities:cancel", args=[signup.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "家里有事"}).status_code == 302
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CANCELLED


def test_sign_up_without_reading_the_risk_notice_is_explained(client, shift, volunteers):
    client.force_login(volunteers[0].user)
    response = client.post(reverse("activities:signup", args=[shift.pk]), follow=True)
    assert "风险" in response.content.decode()
    assert not Signup.objects.exists()


def test_another_volunteers_sign_up_is_not_found(client, shift, volunteers):
    signup = services.signup_create(
        actor=volunteers[0].user, volunteer=volunteers[0], shift=shift, risk_notice_read=True
    )
    client.force_login(volunteers[1].user)
    assert client.get(reverse("activities:cancel", args=[signup.pk])).status_code == 404


def test_scan_checks_in_then_out(client, shift, volunteers):
    volunteer = volunteers[0]
    services.signup_create(
        actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True
    )
    client.force_login(volunteer.user)
    start = shift.starts_at + timedelta(minutes=5)
    token = services.qr_token(shift, start)
    import time_machine

    with time_machine.travel(start, tick=False):
        url = reverse("activities:scan", args=[token])
        assert client.get(url).status_code == 200
        client.post(url, {"action": "in"})
        client.post(url, {"action": "in"})
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        client.post(url, {"action": "out"})
    attendance = Attendance.objects.get()
    assert attendance.checked_in_at == start
    assert attendance.checked_out_at == start + timedelta(seconds=40)
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert "过期" in client.get(url).content.decode()


def test_organiser_creates_publishes_and_runs_the_roster(client, org_tree, volunteers):
    client.force_login(org_tree.a1_staff)
    data = activity_data()
    form = {
        "organisation": org_tree.org_a1.pk,
        **{k: v for k, v in data.items() if k != "served_groups"},
        "served_groups": ["public"],
        "join_rule": "everyone",
        "checkin_radius_m": 300,
        "cancel_hours_before": 2,
    }
    response = client.post(reverse("activities:create"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    detail = reverse("activities:manage-detail", args=[activity.pk])
    client.post(
        detail,
        {
            "starts_at": soon().strftime("%Y-%m-%dT%H:%M"),
            "ends_at": soon(hour=11).strftime("%Y-%m-%dT%H:%M"),
            "quota": 1,
        },
    )
    shift = Shift.objects.get()
    client.post(reverse("activities:publish", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    signup = services.signup_create(
        actor=volunteers[0].user, volunteer=volunteers[0], shift=shift, risk_notice_read=True
    )
    roster = client.get(reverse("activities:roster", args=[shift.pk])).content.decode()
    assert volunteers[0].name in roster
    qr = client.get(reverse("activities:qr", args=[shift.pk])).content.decode()
    assert "<svg" in qr and "/activities/checkin/" in qr
    assert "<svg" in client.get(reverse("activities:qr-code", args=[shift.pk])).content.decode()
    import time_machine

    with time_machine.travel(shift.starts_at + timedelta(minutes=1), tick=False):
        client.post(reverse("activities:roster-check", args=[signup.pk]), {"action": "in"})
    assert Attendance.objects.get().check_in_method == Attendance.Method.ROSTER
    correct = reverse("activities:correct", args=[signup.pk])
    assert client.get(correct).status_code == 200
    response = client.post(
        correct,
        {
            "checked_in_at": timezone.localtime(shift.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "checked_out_at": timezone.localtime(shift.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "reason": "忘记签退",
        },
    )
    assert response.status_code == 302
    assert Attendance.objects.get().correction_reason == "忘记签退"
    client.post(reverse("activities:activity-cancel", args=[activity.pk]), {"reason": "暴雨"})
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED or activity.status == "published"


def test_other_county_staff_cannot_reach_the_roster(client, org_tree, shift):
    client.force_login(org_tree.b1_staff)
    assert client.get(reverse("activities:roster", args=[shift.pk])).status_code == 404
    assert client.get(reverse("activities:qr", args=[shift.pk])).status_code == 404
    assert (
        client.get(reverse("activities:manage-detail", args=[shift.activity_id])).status_code == 404
    )


def test_station_roster_from_weekly_patterns(client, org_tree):
    client.force_login(org_tree.a1_staff)
    response = client.post(
        reverse("activities:station-create"),
        {
            "organisation": org_tree.org_a1.pk,
            "name": "泽州县政务大厅学雷锋志愿服务站",
            "place_kind": "hall",
            "host_unit": "泽州县行政审批服务管理局",
            "address": "泽州县政务服务中心一楼",
            "checkin_radius_m": 200,
            "opening_hours": "周一至周五 8:30–17:30",
            "services": ["consultation", "guidance", "water"],
            "is_active": "on",
            "save": "1",
        },
    )
    assert response.status_code == 302
    station = Station.objects.get()
    url = reverse("activities:station-edit", args=[station.pk])
    client.post(
        url, {"pattern": "1", "weekday": 0, "start_time": "08:30", "end_time": "11:30", "quota": 2}
    )
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    client.post(
        url,
        {
            "generate": "1",
            "first_day": monday.isoformat(),
            "last_day": (monday + timedelta(days=13)).isoformat(),
        },
    )
    assert Shift.objects.filter(activity__station=station).count() == 2
    public = client.get(reverse("activities:station", args=[station.pk])).content.decode()
    assert "政务大厅" in public
    assert client.get(reverse("activities:stations")).status_code == 200


@pytest.mark.parametrize("name", ["manage", "station-manage", "create", "station-create"])
def test_organiser_pages_open(client, org_tree, activity, name):
    client.force_login(org_tree.a1_staff)
    assert client.get(reverse(f"activities:{name}")).status_code == 200
