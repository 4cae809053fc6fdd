from datetime import datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from leifeng.activities.tests.conftest import make_volunteer
from leifeng.core.errors import DomainError
from leifeng.hours import imports, services
from leifeng.hours.models import HoursImport, LateEntry, VolunteerHours

HEADERS = [
    "志愿者编号*",
    "姓名*",
    "服务内容*",
    "服务地点",
    "开始时间*",
    "结束时间*",
    "服务时长（小时）*",
]


def xlsx(rows, headers=HEADERS, name="历史时长.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def people(db):
    return make_volunteer(1, name="王小雷"), make_volunteer(2, name="李文明")


def good_rows(people):
    wang, li = people
    return [
        [
            wang.number,
            "王小雷",
            "敬老院陪护",
            "金村镇敬老院",
            "2023-05-04 08:30",
            "2023-05-04 11:30",
            3,
        ],
        # Excel's own date cells and a number of hours with a fraction.
        [
            wang.number,
            "王小雷",
            "文明交通劝导",
            "",
            datetime(2023, 5, 5, 7),  # noqa: DTZ001 (an Excel cell: local time)
            datetime(2023, 5, 5, 9),  # noqa: DTZ001
            1.5,
        ],
        [li.number, "李文明", "图书整理", "", "2023/6/1 14:00", "2023/6/1 16:00", "2"],
    ]


def run(org_tree, upload, actor=None):
    return imports.hours_import(
        actor=actor or org_tree.a1_staff,
        organisation=org_tree.org_a1,
        upload=upload,
        reason="2023年纸质台账",
    )


def test_the_template_has_the_headers_read_back(db):
    sheet = load_workbook(BytesIO(imports.template_xlsx())).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["A2"].value.startswith("【示例】")


def test_rows_wait_for_a_second_person_and_a_reimport_adds_nothing(org_tree, people):
    outcome = run(org_tree, xlsx(good_rows(people)))
    assert (outcome.errors, outcome.rows, outcome.added, outcome.already) == ([], 3, 3, 0)
    late = list(LateEntry.objects.order_by("started_at"))
    assert [e.hours for e in late] == [Decimal("3"), Decimal("1.5"), Decimal("2")]
    assert {e.source for e in late} == {"import"} and late[0].batch == outcome.batch
    assert timezone.localtime(late[0].started_at).strftime("%Y-%m-%d %H:%M") == "2023-05-04 08:30"
    assert not VolunteerHours.objects.filter(total__gt=0).exists()

    again = run(org_tree, xlsx(good_rows(people)))
    assert (again.errors, again.added, again.already, again.batch) == ([], 0, 3, None)
    assert HoursImport.objects.count() == 1

    result = services.late_entries_approve(actor=org_tree.root, entries=late)
    assert len(result.confirmed) == 3 and not result.refused
    assert VolunteerHours.objects.get(volunteer=people[0]).total == Decimal("4.5")
    assert run(org_tree, xlsx(good_rows(people))).already == 3
    assert not services.hours_verify()


def test_every_bad_row_is_named_and_nothing_is_saved(org_tree, people):
    wang, li = people
    stranger = make_volunteer(3)
    rows = [
        *good_rows(people),
        ["140500009999", "查无此人", "清扫", "", "2023-05-06 08:00", "2023-05-06 09:00", 1],
        [li.number, "李武", "清扫", "", "2023-05-07 08:00", "2023-05-07 09:00", 1],
        [wang.number, "王小雷", "清扫", "", "2023-05-08 8点", "2023-05-08 09:00", 1],
        [wang.number, "王小雷", "清扫", "", "2023-05-09 08:00", "2023-05-09 09:00", 3],
        [wang.number, "王小雷", "清扫", "", "2023-05-04 10:00", "2023-05-04 12:00", 2],
        [wang.number, "王小雷", "清扫", "", "2099-01-01 08:00", "2099-01-01 09:00", 1],
    ]
    outcome = run(org_tree, xlsx(rows))
    found = {(e.row, e.column) for e in outcome.errors}
    assert found == {
        (5, "志愿者编号"),
        (6, "姓名"),
        (7, "开始时间"),
        (8, "服务时长（小时）"),
        (9, "开始时间"),  # overlaps row 2
        (10, "结束时间"),
    }
    assert "第 2 行" in next(e.message for e in outcome.errors if e.row == 9)
    assert not LateEntry.objects.exists() and not HoursImport.objects.exists()
    assert stranger.pk  # a volunteer outside the file is untouched


def test_a_row_over_time_already_credited_is_an_error_naming_it(org_tree, people):
    wang, _li = people
    start = datetime(2023, 5, 4, 9, tzinfo=timezone.get_current_timezone())
    late = services.late_entry_request(
        actor=org_tree.root,
        organisation=org_tree.org_a1,
        volunteer=wang,
        content="另一项服务",
        started_at=start,
        ended_at=start + timedelta(hours=1),
        hours=Decimal("1"),
        reason="补录",
    )
    services.late_entry_approve(actor=org_tree.a1_staff, late=late)
    outcome = run(org_tree, xlsx(good_rows(people)))
    assert [e.row for e in outcome.errors] == [2] and "另一项服务" in outcome.errors[0].message
    assert LateEntry.objects.count() == 1


def test_files_that_cannot_be_used_and_other_counties(org_tree, people):
    with pytest.raises(DomainError) as exc:
        run(org_tree, xlsx(good_rows(people), headers=HEADERS[:-1]))
    assert "file" in exc.value.fields
    with pytest.raises(DomainError):
        run(org_tree, SimpleUploadedFile("hours.csv", b"a,b"))
    with pytest.raises(DomainError):
        run(org_tree, SimpleUploadedFile("hours.xlsx", b"not a workbook"))
    with pytest.raises(DomainError):
        run(org_tree, xlsx([]))
    with pytest.raises(Http404):
        run(org_tree, xlsx(good_rows(people)), actor=org_tree.b1_staff)
