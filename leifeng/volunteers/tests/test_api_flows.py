"""The volunteer API as an app uses it: register, my record, teams, staff search and reveal."""

import pytest

from leifeng.accounts.services import token_create
from leifeng.audit.models import AuditEntry
from leifeng.notify.models import Delivery
from leifeng.regions.models import Region
from leifeng.volunteers.models import TeamMembership, Volunteer
from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION
from leifeng.volunteers.tests.conftest import PASSWORD, id_number, register

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteers"


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=user, name='app')[1]}"}


def payload(**overrides) -> dict:
    data = {
        "name": "王小雷",
        "document_type": "111",
        "document_number": id_number("19950505", seq="231"),
        "mobile": "13700002222",
        "residence_id": Region.objects.get(code="140525100").pk,
        "campaign_lines": ["care"],
        "kinds": ["community", "youth"],
        "password": PASSWORD,
        "privacy_consent": True,
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
    }
    data.update(overrides)
    return data


def post(client, url, data=None, **headers):
    return client.post(url, data or {}, content_type="application/json", **headers)


def test_register_answers_masked_and_refuses_a_second_time(client, org_tree):
    response = post(client, f"{BASE}/register", payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mobile_masked"] == "137****2222" and body["birth_date"] == "1995-05-05"
    assert "13700002222" not in response.content.decode()
    assert id_number("19950505", seq="231") not in response.content.decode()
    again = post(client, f"{BASE}/register", payload(name="别人", mobile="13600000000"))
    assert again.status_code == 409 and again.json()["code"] == "document_taken"
    assert "王小雷" not in again.content.decode()
    assert Volunteer.objects.count() == 1


def test_register_reports_every_wrong_field_and_guardians(client, org_tree):
    response = post(
        client,
        f"{BASE}/register",
        payload(document_number=id_number("20150101", seq="113"), mobile="12", name=""),
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"name", "mobile", "guardian_name", "guardian_consent"} <= set(fields)
    old_notice = post(client, f"{BASE}/register", payload(privacy_notice_version="2020-01"))
    assert old_notice.status_code == 422
    assert not Volunteer.objects.exists()


def test_my_record_correction_data_and_closing(client, org_tree):
    volunteer = register()
    headers = bearer(volunteer.user)
    assert client.get(f"{BASE}/me", **headers).json()["number"] == volunteer.number
    changed = client.patch(
        f"{BASE}/me",
        {"mobile": "13700009999", "public_display": True},
        content_type="application/json",
        **headers,
    )
    assert changed.status_code == 200 and changed.json()["mobile_masked"] == "137****9999"
    other = register(document_number=id_number(seq="321"), mobile="13600000001")
    taken = client.patch(
        f"{BASE}/me",
        {"document_number": id_number(seq="321")},
        content_type="application/json",
        **headers,
    )
    assert taken.status_code == 409 and other.pk
    data = client.get(f"{BASE}/me/data", **headers).json()
    assert data["mobile"] == "13700009999" and data["document_number"] == id_number()
    assert post(client, f"{BASE}/me/close", **headers).status_code == 204
    assert client.get(f"{BASE}/me", **headers).status_code == 401  # the account is gone


def test_apply_decide_and_leave_through_the_api(client, org_tree, team, team_leader):
    volunteer = register()
    mine, leader = bearer(volunteer.user), bearer(team_leader)
    applied = post(client, f"{BASE}/teams/{team.pk}/apply", {"message": "想参加"}, **mine)
    assert applied.status_code == 201
    application_id = applied.json()["id"]
    pending = client.get(f"{BASE}/applications/pending", **leader).json()["items"]
    assert [a["id"] for a in pending] == [application_id]
    decline = post(client, f"{BASE}/applications/{application_id}/decide", {"approve": False})
    assert decline.status_code == 401
    decline = post(
        client, f"{BASE}/applications/{application_id}/decide", {"approve": False}, **leader
    )
    assert decline.status_code == 422 and "reason" in decline.json()["fields"]
    approve = post(
        client, f"{BASE}/applications/{application_id}/decide", {"approve": True}, **leader
    )
    assert approve.json()["status"] == "approved"
    membership = client.get(f"{BASE}/me/memberships", **mine).json()["items"][0]
    left = post(client, f"{BASE}/me/memberships/{membership['id']}/leave", **mine)
    assert left.status_code == 204 and not TeamMembership.objects.exists()


def test_staff_search_add_reveal_and_remove(client, org_tree, team):
    volunteer = register()
    staff = bearer(org_tree.a1_staff)
    found = client.get(f"{BASE}?document_number={id_number().lower()}", **staff).json()
    assert [v["number"] for v in found["items"]] == [volunteer.number]
    assert client.get(f"{BASE}?mobile=13912345678", **staff).json()["count"] == 1
    assert client.get(f"{BASE}?q=李", **staff).json()["count"] == 1
    assert client.get(f"{BASE}?kind=party", **staff).json()["count"] == 0
    outsider = client.get(f"{BASE}?mobile=13912345678", **bearer(org_tree.b1_staff)).json()
    assert outsider["count"] == 0
    added = post(
        client,
        f"{BASE}/teams/{team.pk}/members",
        {"volunteer_number": volunteer.number, "consent_note": "电话同意"},
        **staff,
    )
    assert added.status_code == 201
    assert client.get(f"{BASE}?team_id={team.pk}", **staff).json()["count"] == 1
    no_reason = post(
        client, f"{BASE}/{volunteer.pk}/reveal", {"what": "mobile", "reason": " "}, **staff
    )
    assert no_reason.status_code == 422
    shown = post(
        client, f"{BASE}/{volunteer.pk}/reveal", {"what": "mobile", "reason": "通知活动"}, **staff
    )
    assert shown.json()["value"] == "13912345678"
    assert AuditEntry.objects.filter(action="reveal", object_id=str(volunteer.pk)).count() == 1
    removed = post(
        client, f"{BASE}/memberships/{added.json()['id']}/remove", {"reason": "调离"}, **staff
    )
    assert removed.status_code == 204


def test_recovery_through_the_api(client, org_tree):
    volunteer = register()
    start = {"document_type": "111", "document_number": id_number(), "mobile": "13912345678"}
    assert post(client, f"{BASE}/recover", start).status_code == 202
    code = Delivery.objects.get().context["code"]
    finish = {
        "document_type": "111",
        "document_number": id_number(),
        "code": code,
        "password": "a-new-long-password",
    }
    assert post(client, f"{BASE}/recover/finish", finish).status_code == 200
    volunteer.user.refresh_from_db()
    assert volunteer.user.check_password("a-new-long-password")
    assert post(client, f"{BASE}/recover/finish", finish).status_code == 422  # used up
