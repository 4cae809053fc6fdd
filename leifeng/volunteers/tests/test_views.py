"""The volunteer pages as people use them: HTTP requests through the whole stack."""

import json

import pytest
from django.urls import reverse

from leifeng.notify.models import Delivery
from leifeng.regions.models import Region
from leifeng.volunteers import services
from leifeng.volunteers.models import ConsentRecord, TeamApplication, TeamMembership, Volunteer
from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION
from leifeng.volunteers.tests.conftest import PASSWORD, id_number, register

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "name": "王小雷",
        "document_type": "111",
        "document_number": id_number("19950505", seq="231"),
        "mobile": "13700002222",
        "residence": Region.objects.get(code="140525100").pk,
        "kinds": ["community"],
        "campaign_lines": ["care", "nature"],
        "availability": ["weekend"],
        "password": PASSWORD,
        "password_again": PASSWORD,
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def test_register_page_shows_the_versioned_notice(client, org_tree):
    body = client.get(reverse("volunteers:register")).content.decode()
    assert PRIVACY_NOTICE_VERSION in body
    assert "隐私" in body and "监护人" in body


def test_register_logs_in_and_shows_my_record_masked(client, org_tree):
    response = client.post(reverse("volunteers:register"), form_data())
    assert response.status_code == 302, response.content.decode()
    volunteer = Volunteer.objects.get()
    body = client.get(reverse("volunteers:me")).content.decode()
    assert volunteer.number in body
    assert "137****2222" in body and "13700002222" not in body
    assert id_number("19950505", seq="231") not in body
    assert "1995-05-05" in body  # from the number, never asked


def test_register_errors_are_in_chinese_and_nothing_is_saved(client, org_tree):
    response = client.post(
        reverse("volunteers:register"),
        form_data(document_number="110105194912310021", privacy_consent="", mobile="123"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验" in body or "最后一位" in body
    assert "11位" in body or "手机" in body
    assert Volunteer.objects.count() == 0


def test_second_registration_of_a_document_is_offered_recovery(client, org_tree):
    register(document_number=id_number("19950505", seq="231"))
    body = client.post(reverse("volunteers:register"), form_data()).content.decode()
    assert reverse("volunteers:recover") in body
    assert "李明" not in body  # never says who holds it
    assert Volunteer.objects.count() == 1


def test_minor_registers_with_a_guardian(client, org_tree):
    data = form_data(document_number=id_number("20140101", seq="113"))
    body = client.post(reverse("volunteers:register"), data).content.decode()
    assert "监护人" in body and Volunteer.objects.count() == 0
    data.update(
        guardian_name="王大雷",
        guardian_relation="father",
        guardian_phone="13811113333",
        guardian_consent="on",
    )
    assert client.post(reverse("volunteers:register"), data).status_code == 302
    assert Volunteer.objects.get().guardian_consent.guardian_name == "王大雷"


def test_recovery_sets_a_password_for_an_imported_volunteer(client, org_tree, mailoutbox):
    volunteer = register()
    volunteer.user.delete()  # as if an organisation had imported the volunteer
    volunteer.refresh_from_db()
    client.post(
        reverse("volunteers:recover"),
        {"document_type": "111", "document_number": id_number(), "mobile": "13912345678"},
    )
    delivery = Delivery.objects.get(address="13912345678")
    code = delivery.context["code"]
    response = client.post(
        reverse("volunteers:recover-finish"),
        {
            "document_type": "111",
            "document_number": id_number(),
            "code": code,
            "password": "another-long-password",
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.user.check_password("another-long-password")
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": "13912345678", "password": "another-long-password"},
    )
    assert response.status_code == 302
    assert client.get(reverse("volunteers:me")).context["v"] == volunteer


def test_recovery_says_the_same_whether_or_not_the_document_exists(client, org_tree):
    register()
    for mobile in ("13912345678", "13000000000"):
        response = client.post(
            reverse("volunteers:recover"),
            {"document_type": "111", "document_number": id_number(), "mobile": mobile},
            follow=True,
        )
        assert "验证码已发送" in response.content.decode()
    assert Delivery.objects.count() == 1


def test_wrong_codes_are_limited(client, org_tree):
    register()
    services.recovery_start(document_type="111", document_number=id_number(), mobile="13912345678")
    code = Delivery.objects.get().context["code"]
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(services.RECOVERY_MAX_ATTEMPTS):
        client.post(
            reverse("volunteers:recover-finish"),
            {
                "document_type": "111",
                "document_number": id_number(),
                "code": wrong,
                "password": "another-long-password",
            },
        )
    response = client.post(
        reverse("volunteers:recover-finish"),
        {
            "document_type": "111",
            "document_number": id_number(),
            "code": code,
            "password": "another-long-password",
        },
    )
    assert response.status_code == 200  # locked after too many wrong codes


def test_volunteer_edits_downloads_and_closes(client, org_tree):
    volunteer = register()
    client.force_login(volunteer.user)
    data = form_data(name="李明明", document_number=id_number(), mobile="13912345678")
    data["public_display"] = "on"
    response = client.post(reverse("volunteers:me-edit"), data)
    assert response.status_code == 302, response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.name == "李明明" and volunteer.public_display
    assert volunteer.consents.filter(purpose=ConsentRecord.Purpose.PUBLIC_DISPLAY).exists()
    download = client.get(reverse("volunteers:me-download"))
    mine = json.loads(download.content)
    assert mine["document_number"] == id_number() and mine["name"] == "李明明"
    assert client.post(reverse("volunteers:me-close"), {"confirm": "wrong"}).status_code == 200
    response = client.post(reverse("volunteers:me-close"), {"confirm": volunteer.number})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.is_closed and volunteer.name == ""


def test_apply_approve_and_leave_a_team(client, org_tree, team, team_leader):
    volunteer = register()
    client.force_login(volunteer.user)
    assert team.name in client.get(reverse("volunteers:teams")).content.decode()
    client.post(reverse("volunteers:apply", args=[team.pk]), {"message": "想参加"})
    application = TeamApplication.objects.get()
    client.force_login(team_leader)
    page = client.get(reverse("volunteers:team", args=[team.pk])).content.decode()
    assert "想参加" in page
    # Declining needs a reason.
    client.post(reverse("volunteers:decide", args=[application.pk]), {"decision": "decline"})
    application.refresh_from_db()
    assert application.status == "pending"
    client.post(reverse("volunteers:decide", args=[application.pk]), {"decision": "approve"})
    membership = TeamMembership.objects.get()
    client.force_login(volunteer.user)
    client.post(reverse("volunteers:leave", args=[membership.pk]))
    assert not TeamMembership.objects.exists()
    kinds = list(volunteer.team_events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["applied", "approved", "left"]


def test_others_cannot_withdraw_or_leave_for_a_volunteer(client, org_tree, team):
    volunteer = register()
    other = register(document_number=id_number(seq="555"), mobile="13600000000")
    application = services.team_apply(actor=volunteer.user, volunteer=volunteer, team=team)
    membership = services.team_add(
        actor=org_tree.root, team=team, volunteer=other, consent_note="书面同意"
    )
    client.force_login(other.user)
    assert client.post(reverse("volunteers:withdraw", args=[application.pk])).status_code == 404
    client.force_login(volunteer.user)
    assert client.post(reverse("volunteers:leave", args=[membership.pk])).status_code == 404


def test_staff_add_to_team_records_consent(client, org_tree, team):
    volunteer = register()
    client.force_login(org_tree.a1_staff)
    url = reverse("volunteers:team", args=[team.pk])
    response = client.post(url, {"volunteer_number": volunteer.number, "consent_note": ""})
    assert response.status_code == 200 and not TeamMembership.objects.exists()
    client.post(url, {"volunteer_number": volunteer.number, "consent_note": "签署入队表"})
    assert TeamMembership.objects.get().source == "added"
    assert volunteer.consents.filter(purpose="team_added", note="签署入队表").exists()


def test_staff_search_by_exact_numbers_and_reveal(client, org_tree):
    volunteer = register()
    register(document_number=id_number(seq="777"), mobile="13600000001", name="赵六")
    client.force_login(org_tree.a1_staff)
    url = reverse("volunteers:list")
    body = client.get(url, {"document_number": id_number().lower()}).content.decode()
    assert volunteer.number in body and "赵六" not in body
    body = client.get(url, {"mobile": "13600000001"}).content.decode()
    assert "赵六" in body and volunteer.number not in body
    body = client.get(url, {"q": "赵"}).content.decode()
    assert "赵六" in body and "李明" not in body
    detail = reverse("volunteers:detail", args=[volunteer.pk])
    assert "13912345678" not in client.get(detail).content.decode()
    body = client.post(detail, {"what": "mobile", "reason": "联系活动"}).content.decode()
    assert "13912345678" in body
    assert org_tree.org_a1.audit_entries.filter(action="reveal").count() == 1


def test_export_is_masked(client, org_tree, settings, tmp_path, django_capture_on_commit_callbacks):
    from io import BytesIO

    from openpyxl import load_workbook

    from leifeng.jobs.models import Job

    settings.MEDIA_ROOT = tmp_path
    register()
    client.force_login(org_tree.a1_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:export"), {"q": ""})
    job = Job.objects.get(name="volunteers.export")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    rows = list(load_workbook(BytesIO(job.result_file.read())).active.values)
    assert rows[1][5].startswith("1405") and "*" in rows[1][5]
    assert rows[1][6] == "139****5678"


def test_fresh_codes_do_not_multiply_the_guesses(org_tree):
    register()
    for _request in range(services.RECOVERY_CODES_PER_HOUR + 2):
        services.recovery_start(
            document_type="111", document_number=id_number(), mobile="13912345678"
        )
    assert Delivery.objects.count() == services.RECOVERY_CODES_PER_HOUR
