"""The hours pages: organisers confirm, adjust and reject; volunteers see their record."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from leifeng.activities.tests.conftest import make_volunteer
from leifeng.hours import services
from leifeng.hours.models import HoursClaim, VolunteerHours
from leifeng.hours.tests.test_ledger import attended


@pytest.fixture
def claim(org_tree):
    volunteer = make_volunteer(1)
    attended(org_tree, volunteer, minutes=150)
    services.claims_collect()
    return HoursClaim.objects.get()


def test_organiser_confirms_ticked_claims(client, org_tree, claim):
    client.force_login(org_tree.a1_staff)
    page = client.get(reverse("hours:claims")).content.decode()
    assert claim.volunteer.name in page and "2.50" in page
    response = client.post(reverse("hours:claims-confirm"), {"claim": [claim.pk]}, follow=True)
    assert "已确认 1 条" in response.content.decode()
    assert VolunteerHours.objects.get(volunteer=claim.volunteer).total == Decimal("2.5")


def test_adjusting_needs_a_reason_and_rejecting_credits_nothing(client, org_tree, claim):
    client.force_login(org_tree.a1_staff)
    url = reverse("hours:decide", args=[claim.pk])
    response = client.post(url, {"confirm": "1", "hours": "2", "reason": ""})
    assert "请填写理由" in response.content.decode()
    client.post(url, {"reject": "1", "reason": "未实际服务"})
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.REJECTED
    assert not VolunteerHours.objects.filter(total__gt=0).exists()


def test_other_county_neither_lists_nor_confirms(client, org_tree, claim):
    client.force_login(org_tree.b1_staff)
    assert claim.volunteer.name not in client.get(reverse("hours:claims")).content.decode()
    client.post(reverse("hours:claims-confirm"), {"claim": [claim.pk]})
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.PENDING


def test_volunteer_sees_their_record(client, org_tree, claim):
    client.force_login(claim.volunteer.user)
    page = client.get(reverse("hours:me")).content.decode()
    assert "等待组织者确认" in page
    services.claim_confirm(actor=org_tree.a1_staff, claim=claim)
    page = client.get(reverse("hours:me")).content.decode()
    assert "累计 2.50 小时" in page


def test_staff_record_outside_hours_and_correct_them(client, org_tree, claim):
    volunteer = claim.volunteer
    client.force_login(org_tree.a1_staff)
    url = reverse("hours:volunteer", args=[volunteer.pk])
    response = client.post(
        url,
        {
            "organisation": org_tree.org_a1.pk,
            "content": "敬老院慰问（纸质签到表补录）",
            "started_at": "2026-05-29T09:00",
            "ended_at": "2026-05-29T12:00",
            "hours": "3",
            "credit": "1",
        },
    )
    assert response.status_code == 302
    entry = volunteer.hours_entries.get()
    page = client.get(url).content.decode()
    assert "敬老院慰问" in page and "3.00" in page
    correct = reverse("hours:correct", args=[entry.pk])
    client.post(
        correct,
        {
            "correct": "1",
            "started_at": "2026-05-29T09:00",
            "ended_at": "2026-05-29T12:00",
            "hours": "2.5",
            "reason": "扣除休息时间",
        },
    )
    assert VolunteerHours.objects.get(volunteer=volunteer).total == Decimal("2.5")
    assert volunteer.hours_entries.count() == 3


def test_overlapping_outside_hours_are_refused_on_the_form(client, org_tree, claim):
    services.claim_confirm(actor=org_tree.a1_staff, claim=claim)
    client.force_login(org_tree.a1_staff)
    start = claim.started_at.astimezone(timezone.get_current_timezone())
    response = client.post(
        reverse("hours:volunteer", args=[claim.volunteer.pk]),
        {
            "organisation": org_tree.org_a1.pk,
            "content": "同一次服务",
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "hours": "1",
            "credit": "1",
        },
    )
    assert response.status_code == 200 and "重叠" in response.content.decode()


def test_a_volunteer_asks_for_a_correction_and_follows_it(client, org_tree, claim):
    volunteer = claim.volunteer
    entry = services.claim_confirm(actor=org_tree.a1_staff, claim=claim)
    client.force_login(volunteer.user)
    ask = reverse("hours:ask") + f"?entry={entry.pk}"
    assert client.post(ask, {"message": " "}).status_code == 200  # nothing said: asked again
    client.post(ask, {"message": "我服务到 11:30，少记了半小时"})
    request = volunteer.correction_requests.get()
    assert request.organisation == org_tree.org_a1 and request.entry == entry
    assert "正在核实" in client.get(reverse("hours:me")).content.decode()

    client.force_login(org_tree.b1_staff)  # another county neither sees nor answers it
    assert volunteer.name not in client.get(reverse("hours:corrections")).content.decode()
    assert client.get(reverse("hours:answer", args=[request.pk])).status_code == 404

    client.force_login(org_tree.a1_staff)
    assert "少记了半小时" in client.get(reverse("hours:corrections")).content.decode()
    client.post(
        reverse("hours:answer", args=[request.pk]),
        {"corrected": "1", "answer": "已按签到表更正为 3 小时"},
    )
    client.force_login(volunteer.user)
    page = client.get(reverse("hours:me")).content.decode()
    assert "已更正" in page and "已按签到表更正为 3 小时" in page


def test_nobody_reports_on_another_volunteers_entry(client, org_tree, claim):
    entry = services.claim_confirm(actor=org_tree.a1_staff, claim=claim)
    other = make_volunteer(2)
    client.force_login(other.user)
    assert client.get(reverse("hours:ask") + f"?entry={entry.pk}").status_code == 404


def test_staff_record_training_awards_and_evaluations(client, org_tree, claim):
    volunteer = claim.volunteer
    client.force_login(org_tree.a1_staff)
    url = reverse("hours:volunteer", args=[volunteer.pk])
    item = {"item": "1", "organisation": org_tree.org_a1.pk, "on": "2026-03-05"}
    response = client.post(
        url, {**item, "kind": "training", "title": "应急救护培训", "issuer": "泽州县红十字会"}
    )
    assert "请填写培训的学习时长" in response.content.decode()
    client.post(
        url,
        {
            **item,
            "kind": "training",
            "title": "应急救护培训",
            "issuer": "泽州县红十字会",
            "hours": "4",
        },
    )
    client.post(url, {**item, "kind": "award", "title": "优秀志愿者", "issuer": "泽州县文明办"})
    client.post(
        url,
        {
            **item,
            "kind": "evaluation",
            "title": "年度评价",
            "issuer": "泽州县新时代文明实践中心",
            "rating": "excellent",
        },
    )
    assert volunteer.record_items.count() == 3
    client.force_login(volunteer.user)
    page = client.get(reverse("hours:me")).content.decode()
    assert "应急救护培训" in page and "优秀志愿者" in page and "优秀" in page
