"""The pages for late entries (补录), imports of historical hours, certificates, their public
verification and the volunteer's record as Excel, as staff, volunteers and the public use them.

The clock stands at 2026-06-03 10:00 (Beijing time): a service on 6 May had to be recorded by
19 May, so recording it now is a late entry that waits for a second person.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import grant, make_user
from leifeng.activities.tests.conftest import make_volunteer
from leifeng.hours import certificates, services
from leifeng.hours.models import (
    Certificate,
    HoursClaim,
    HoursEntry,
    HoursImport,
    LateEntry,
    VolunteerHours,
)
from leifeng.hours.tests.test_import import HEADERS, good_rows, xlsx
from leifeng.hours.tests.test_ledger import BASE, attended, credit
from leifeng.orgs.models import Membership
from leifeng.regions.models import Region
from leifeng.volunteers.tests.conftest import id_number

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAY = datetime(2026, 5, 6, 9, tzinfo=BASE.tzinfo)  # due 2026-05-19: late on 2026-06-03


def total_of(volunteer) -> Decimal:
    row = VolunteerHours.objects.filter(volunteer=volunteer).first()
    return row.total if row else Decimal(0)


def page(response) -> str:
    return response.content.decode()


def sheet_rows(content: bytes) -> dict[str, list[tuple]]:
    workbook = load_workbook(BytesIO(content))
    return {name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames}


@pytest.fixture
def volunteer(org_tree):
    return make_volunteer(1, name="王小雷")


@pytest.fixture
def a1_second(org_tree):
    """Another staff member of 泽州's practice center: the second person."""
    user = make_user("a1_second")
    grant(org_tree.root, user, org_tree.org_a1, Membership.Role.STAFF)
    return user


def late_form(org_tree, **overrides) -> dict:
    data = {
        "credit": "1",
        "organisation": org_tree.org_a1.pk,
        "content": "五四青年节志愿服务",
        "place": "金村镇敬老院",
        "started_at": "2026-05-06T09:00",
        "ended_at": "2026-05-06T12:00",
        "hours": "3",
        "reason": "纸质签到表，负责人出差未及时录入",
    }
    data.update(overrides)
    return data


def late_request(org_tree, volunteer) -> LateEntry:
    return services.late_entry_request(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="五四青年节志愿服务",
        started_at=MAY,
        ended_at=MAY + timedelta(hours=3),
        hours=Decimal("3"),
        reason="纸质签到表",
    )


# --- late entries on the volunteer page and the approval list --------------------------------


def test_hours_past_the_deadline_wait_for_a_second_person(client, org_tree, volunteer, a1_second):
    client.force_login(org_tree.a1_staff)
    url = reverse("hours:volunteer", args=[volunteer.pk])

    response = client.post(url, late_form(org_tree, reason=""))
    assert response.status_code == 200 and "请填写理由。" in page(response)
    assert not LateEntry.objects.exists()

    response = client.post(url, late_form(org_tree), follow=True)
    assert "已超过 10 个工作日：作为补录提交，等待第二人审核。" in page(response)
    late = LateEntry.objects.get()
    assert (late.status, late.requested_by, late.hours) == (
        LateEntry.Status.PENDING,
        org_tree.a1_staff,
        Decimal("3"),
    )
    assert not HoursEntry.objects.exists() and total_of(volunteer) == 0

    # The one who asked sees it waiting, without a box to tick, and cannot approve it.
    listed = page(client.get(reverse("hours:late")))
    assert "王小雷" in listed and "五四青年节志愿服务" in listed and "纸质签到表" in listed
    assert f'name="late" value="{late.pk}"' not in listed
    response = client.post(reverse("hours:late-approve"), {"late": [late.pk]}, follow=True)
    assert "补录须由第二人审核；这条是您提出的。" in page(response)
    late.refresh_from_db()
    assert late.status == LateEntry.Status.PENDING and total_of(volunteer) == 0

    client.force_login(a1_second)
    listed = page(client.get(reverse("hours:late")))
    assert f'name="late" value="{late.pk}"' in listed
    response = client.post(reverse("hours:late-approve"), {"late": [late.pk]}, follow=True)
    assert "已审核通过 1 条补录。" in page(response)
    late.refresh_from_db()
    assert late.status == LateEntry.Status.APPROVED and late.decided_by == a1_second
    assert late.entry.hours == Decimal("3") and late.entry.reason == late.reason
    assert total_of(volunteer) == Decimal("3")
    assert "五四青年节志愿服务" not in page(client.get(reverse("hours:late")))

    # Approving it again changes nothing.
    client.post(reverse("hours:late-approve"), {"late": [late.pk]})
    assert total_of(volunteer) == Decimal("3") and HoursEntry.objects.count() == 1


def test_the_county_admin_approves_and_another_county_sees_nothing(client, org_tree, volunteer):
    late = late_request(org_tree, volunteer)
    client.force_login(org_tree.b1_staff)
    assert "王小雷" not in page(client.get(reverse("hours:late")))
    client.post(reverse("hours:late-approve"), {"late": [late.pk]})
    assert LateEntry.objects.get().status == LateEntry.Status.PENDING

    client.force_login(org_tree.county_a_admin)
    response = client.post(reverse("hours:late-approve"), {"late": [late.pk]}, follow=True)
    assert "已审核通过 1 条补录。" in page(response)
    assert total_of(volunteer) == Decimal("3")


def test_rejecting_a_late_entry_needs_a_reason_and_credits_nothing(
    client, org_tree, volunteer, a1_second
):
    late = late_request(org_tree, volunteer)
    url = reverse("hours:late-reject", args=[late.pk])

    client.force_login(org_tree.b1_staff)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "越权"}).status_code == 404

    client.force_login(a1_second)
    shown = page(client.get(url))
    assert "五四青年节志愿服务" in shown and "纸质签到表" in shown
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "此项为必填项。" in page(response)
    assert LateEntry.objects.get().status == LateEntry.Status.PENDING

    response = client.post(url, {"reason": "签到表无负责人签字"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("hours:late")
    assert "补录未通过。" in page(response)
    late.refresh_from_db()
    assert (late.status, late.answer, late.decided_by) == (
        LateEntry.Status.REJECTED,
        "签到表无负责人签字",
        a1_second,
    )
    assert not HoursEntry.objects.exists() and total_of(volunteer) == 0

    # Decided: neither approved nor rejected again.
    client.force_login(org_tree.county_a_admin)
    client.post(reverse("hours:late-approve"), {"late": [late.pk]})
    response = client.post(url, {"reason": "再次"})
    assert response.status_code == 200 and "这条补录已经审核过了。" in page(response)
    assert LateEntry.objects.get().status == LateEntry.Status.REJECTED
    assert not HoursEntry.objects.exists()


def test_the_approver_sees_the_last_day_of_a_late_entry_over_several_days(
    client, org_tree, volunteer, a1_second
):
    start = datetime(2026, 4, 1, 9, tzinfo=BASE.tzinfo)
    late = services.late_entry_request(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="清明节文明祭扫劝导（三天）",
        started_at=start,
        ended_at=start + timedelta(days=2, hours=3),
        hours=Decimal("15"),
        reason="纸质签到表",
    )
    client.force_login(a1_second)
    assert "2026-04-03" in page(client.get(reverse("hours:late")))
    assert "2026-04-03" in page(client.get(reverse("hours:late-reject", args=[late.pk])))


# --- an overdue claim ------------------------------------------------------------------------


def test_an_overdue_claim_is_confirmed_only_as_a_late_entry(
    client, org_tree, volunteer, time_machine
):
    attended(org_tree, volunteer, minutes=150)
    services.claims_collect()
    claim = HoursClaim.objects.get()
    time_machine.move_to(
        datetime.combine(claim.due_on, datetime.min.time(), BASE.tzinfo)
        + timedelta(days=1, hours=9)
    )
    client.force_login(org_tree.a1_staff)

    response = client.post(reverse("hours:claims-confirm"), {"claim": [claim.pk]}, follow=True)
    refusal = f"这条时长应在 {claim.due_on:%Y-%m-%d} 前确认：请单独作为补录确认并填写理由"
    assert refusal in page(response) and "王小雷" in page(response)
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.PENDING

    url = reverse("hours:decide", args=[claim.pk])
    assert "已逾期：请填写延误原因，时长作为补录由第二人审核后计入。" in page(client.get(url))
    response = client.post(url, {"confirm": "1", "hours": "2.5", "reason": ""})
    assert response.status_code == 200 and "请填写理由。" in page(response)
    assert not LateEntry.objects.exists()

    response = client.post(
        url, {"confirm": "1", "hours": "2.5", "reason": "负责人出差，未及时确认"}, follow=True
    )
    assert "已提交，等待第二人审核。" in page(response)
    claim.refresh_from_db()
    late = LateEntry.objects.get()
    assert claim.status == HoursClaim.Status.LATE
    assert (late.claim, late.source, late.hours, late.reason) == (
        claim,
        HoursEntry.Source.ATTENDANCE,
        Decimal("2.5"),
        "负责人出差，未及时确认",
    )
    assert total_of(volunteer) == 0

    client.force_login(org_tree.county_a_admin)
    client.post(reverse("hours:late-approve"), {"late": [late.pk]})
    claim.refresh_from_db()
    late.refresh_from_db()
    assert claim.status == HoursClaim.Status.CONFIRMED and claim.entry == late.entry
    assert total_of(volunteer) == Decimal("2.5")


# --- imports ---------------------------------------------------------------------------------


@pytest.fixture
def people(org_tree):
    return make_volunteer(1, name="王小雷"), make_volunteer(2, name="李文明")


def upload(client, org_tree, file, **extra):
    data = {"organisation": org_tree.org_a1.pk, "reason": "2023年纸质台账", "file": file}
    return client.post(reverse("hours:import"), {**data, **extra})


def test_the_template_is_for_staff_only(client, org_tree):
    client.force_login(org_tree.a1_staff)
    response = client.get(reverse("hours:import-template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    sheet = load_workbook(BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS

    client.force_login(org_tree.outsider)
    assert client.get(reverse("hours:import-template")).status_code == 404
    assert client.get(reverse("hours:import")).status_code == 404


def test_an_import_waits_for_a_second_person_for_the_whole_batch(
    client, org_tree, people, a1_second
):
    wang, li = people
    client.force_login(org_tree.a1_staff)
    response = upload(client, org_tree, xlsx(good_rows(people)))
    batch = HoursImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hours:late") + f"?batch={batch.pk}"
    assert (batch.rows, batch.added, batch.already) == (3, 3, 0)

    listed = page(client.get(response["Location"]))
    assert "3 行已提交第二人审核；0 行已有记录。" in listed
    for text in (
        "敬老院陪护",
        "文明交通劝导",
        "图书整理",
        "李文明",
        "历史时长.xlsx",
        "整批审核通过",
    ):
        assert text in listed, text
    assert 'name="late"' not in listed  # the uploader ticks none of them
    assert total_of(wang) == 0

    # The uploader's "approve all" is refused row by row.
    response = client.post(
        reverse("hours:late-approve"), {"batch": batch.pk, "all": "1"}, follow=True
    )
    assert "补录须由第二人审核；这条是您提出的。" in page(response)
    assert LateEntry.objects.filter(status=LateEntry.Status.PENDING).count() == 3

    # The same file again adds nothing.
    response = upload(client, org_tree, xlsx(good_rows(people)))
    assert response.status_code == 200
    assert "全部 3 行都已有记录（3 行），没有需要新增的内容。" in page(response)
    assert HoursImport.objects.count() == 1 and LateEntry.objects.count() == 3

    client.force_login(a1_second)
    response = client.post(
        reverse("hours:late-approve"), {"batch": batch.pk, "all": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("hours:late") + f"?batch={batch.pk}"
    assert "已审核通过 3 条补录。" in page(response)
    assert total_of(wang) == Decimal("4.5") and total_of(li) == Decimal("2")
    assert set(HoursEntry.objects.values_list("source", flat=True)) == {"import"}


def test_bad_rows_are_listed_and_nothing_is_saved(client, org_tree, people):
    _wang, li = people
    elsewhere = make_volunteer(3, name="赵城区", residence=Region.objects.get(code="140502001"))
    assert elsewhere.organisation == org_tree.org_b1
    rows = [
        *good_rows(people),
        [li.number, "李武", "清扫", "", "2023-05-07 08:00", "2023-05-07 09:00", 1],
        [elsewhere.number, "赵城区", "清扫", "", "2023-05-08 08:00", "2023-05-08 09:00", 1],
    ]
    client.force_login(org_tree.a1_staff)
    response = upload(client, org_tree, xlsx(rows))
    assert response.status_code == 200
    shown = page(response)
    assert "发现 2 处问题，未保存任何内容。请修改文件后重新上传。" in shown
    assert "<td>5</td><td>姓名</td><td>姓名与志愿者编号不符。</td>" in shown
    assert "<td>6</td><td>志愿者编号</td><td>在您的管理范围内没有这个编号的志愿者。</td>" in shown
    assert not HoursImport.objects.exists() and not LateEntry.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(client, org_tree, people):
    client.force_login(org_tree.a1_staff)
    response = upload(client, org_tree, SimpleUploadedFile("hours.csv", b"a,b\n1,2\n"))
    assert response.status_code == 200
    assert "请上传扩展名为 .xlsx 的 Excel 文件" in page(response)
    response = upload(client, org_tree, xlsx(good_rows(people)), reason=" ")
    assert response.status_code == 200
    assert not HoursImport.objects.exists() and not LateEntry.objects.exists()


# --- certificates ----------------------------------------------------------------------------


@pytest.fixture
def entries(org_tree, volunteer):
    return [credit(org_tree, volunteer, 0, 3), credit(org_tree, volunteer, 24, 2, "1.5")]


def test_a_volunteer_prints_a_certificate_of_all_or_chosen_records(
    client, org_tree, volunteer, entries
):
    client.force_login(volunteer.user)
    shown = page(client.get(reverse("hours:certificate")))
    assert all(f'name="entry" value="{e.pk}"' in shown for e in entries)

    response = client.post(reverse("hours:certificate"), {"scope": "all"})
    everything = Certificate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hours:certificate-pdf", args=[everything.number])
    assert (everything.hours, everything.records, everything.organisation) == (
        Decimal("4.5"),
        2,
        None,
    )
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    response = client.post(
        reverse("hours:certificate"), {"scope": "chosen", "entry": [entries[1].pk]}
    )
    chosen = Certificate.objects.exclude(pk=everything.pk).get()
    assert response["Location"] == reverse("hours:certificate-pdf", args=[chosen.number])
    assert (chosen.hours, chosen.records) == (Decimal("1.5"), 1)
    assert list(chosen.entries.all()) == [entries[1]]

    # Ticking nothing issues nothing.
    response = client.post(reverse("hours:certificate"), {"scope": "chosen"}, follow=True)
    assert "没有可以证明的有效服务记录。" in page(response)
    assert Certificate.objects.count() == 2

    pdf_url = reverse("hours:certificate-pdf", args=[everything.number])
    for someone in (make_volunteer(2).user, org_tree.outsider, org_tree.b1_staff):
        client.force_login(someone)
        assert client.get(pdf_url).status_code == 404


def test_staff_issue_a_certificate_their_colleagues_and_the_volunteer_can_open(
    client, org_tree, volunteer, entries
):
    client.force_login(org_tree.a1_staff)
    response = client.post(
        reverse("hours:volunteer", args=[volunteer.pk]),
        {"certificate": "1", "organisation": org_tree.org_a1.pk, "person_in_charge": "张主任"},
        follow=True,
    )
    issued = Certificate.objects.get()
    assert f"已出具证明 {issued.number}。" in page(response)
    assert (issued.organisation, issued.issuer_name, issued.hours, issued.person_in_charge) == (
        org_tree.org_a1,
        org_tree.org_a1.name,
        Decimal("4.5"),
        "张主任",
    )
    pdf_url = reverse("hours:certificate-pdf", args=[issued.number])
    assert pdf_url in page(response)

    for user, status in [
        (org_tree.a1_staff, 200),
        (org_tree.county_a_admin, 200),
        (volunteer.user, 200),
        (org_tree.b1_staff, 404),
        (org_tree.outsider, 404),
    ]:
        client.force_login(user)
        response = client.get(pdf_url)
        assert response.status_code == status, user
        if status == 200:
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")

    client.force_login(volunteer.user)
    mine = page(client.get(reverse("hours:me")))
    assert issued.number in mine and pdf_url in mine and org_tree.org_a1.name in mine


# --- public verification ---------------------------------------------------------------------


def test_anyone_verifies_a_certificate_without_seeing_personal_data(
    client, org_tree, volunteer, entries
):
    issued = certificates.certificate_issue(
        actor=org_tree.a1_staff, volunteer=volunteer, organisation=org_tree.org_a1
    )
    response = client.get(reverse("hours:verify-number", args=[issued.number]))
    assert response.status_code == 200
    shown = page(response)
    assert 'data-status="genuine"' in shown
    assert "王**" in shown and "王小雷" not in shown
    assert id_number(seq="001") not in shown and volunteer.document_masked not in shown
    assert "4.50" in shown and org_tree.org_a1.name in shown

    by_query = client.get(reverse("hours:verify"), {"number": issued.number})
    assert 'data-status="genuine"' in page(by_query) and "王**" in page(by_query)
    assert "data-status" not in page(client.get(reverse("hours:verify")))

    plain = certificates.normalise_number(issued.number)
    changed = plain[:12] + ("A" if plain[12] != "A" else "B") + plain[13:]
    shown = page(client.get(reverse("hours:verify-number", args=[changed])))
    assert 'data-status="malformed"' in shown
    assert "王**" not in shown and "4.50" not in shown

    body = plain[:10] + ("000000" if plain[10:16] != "000000" else "111111")
    unknown = body + certificates._check_character(body)
    shown = page(client.get(reverse("hours:verify-number", args=[unknown])))
    assert 'data-status="unknown"' in shown
    assert "王**" not in shown and "4.50" not in shown and org_tree.org_a1.name not in shown

    Certificate.objects.filter(pk=issued.pk).update(hours=Decimal("99"))
    shown = page(client.get(reverse("hours:verify-number", args=[issued.number])))
    assert 'data-status="altered"' in shown and "99.00" not in shown and "王**" not in shown


# --- the record as Excel ---------------------------------------------------------------------


def test_the_volunteer_downloads_the_whole_record(client, org_tree, volunteer, entries):
    services.record_item_add(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        kind="training",
        title="应急救护培训",
        issuer="泽州县红十字会",
        on=date(2026, 3, 5),
        hours=Decimal("4"),
    )
    client.force_login(volunteer.user)
    response = client.get(reverse("hours:record-xlsx"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert volunteer.number in response["Content-Disposition"]
    sheets = sheet_rows(response.content)
    hours = sheets["服务时长"]
    assert hours[0][2:5] == ("服务内容", "地点", "时长（小时）")
    assert [row[:3] for row in hours[1:]] == [
        ("2026-06-01 08:00", "2026-06-01 11:00", "社区环境清洁"),
        ("2026-06-02 08:00", "2026-06-02 10:00", "社区环境清洁"),
    ]
    assert [(row[4], row[6]) for row in hours[1:]] == [
        ("3.00", org_tree.org_a1.name),
        ("1.50", org_tree.org_a1.name),
    ]
    assert sheets["培训、表彰奖励和评价"][1:] == [
        ("2026-03-05", "培训", "应急救护培训", None, "泽州县红十字会", "4.00", None)
    ]

    client.force_login(org_tree.a1_staff)
    assert client.get(reverse("hours:record-xlsx")).status_code == 404


def test_the_end_of_a_service_period_is_not_called_the_recipient(
    client, org_tree, volunteer, entries
):
    client.force_login(org_tree.a1_staff)
    form = page(client.get(reverse("hours:volunteer", args=[volunteer.pk])))
    assert '<label for="id_ended_at">结束时间' in form
    client.force_login(volunteer.user)
    sheets = sheet_rows(client.get(reverse("hours:record-xlsx")).content)
    assert sheets["服务时长"][0][:2] == ("开始时间", "结束时间")
