"""The Word and Excel documents of a report and of an office's summary of a period, opened
again with python-docx and openpyxl and read back."""

import io
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from PIL import Image
from pyroaring import BitMap

from conftest import make_org
from leifeng.orgs.models import Organisation
from leifeng.reports import documents, services, wordprocessing
from leifeng.reports.models import DayFigures, Report, ReportFigure

SHANGHAI = ZoneInfo("Asia/Shanghai")
NARRATIVE = """
<h3>一、主要做法</h3>
<p>全县开展<strong>学雷锋</strong>志愿服务活动，<em>群众</em>满意。</p>
<ul><li>入户走访独居老人</li><li>清理河道垃圾</li></ul>
<ol><li>第一步</li><li>第二步</li></ol>
<blockquote>雷锋精神代代相传。</blockquote>
<table><tr><th>镇</th><th>活动</th></tr><tr><td>南村镇</td><td>12</td></tr></table>
<h4>（一）下一步</h4>
<ol><li>再次从一开始</li></ol>
"""


def png_bytes(size=(64, 48), colour=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def period(org_tree):
    """The city's first period of 2026, owed by both counties."""
    period = services.period_save(
        actor=org_tree.city_admin,
        organisation=org_tree.city,
        name="2026年第一次报告",
        starts_on=date(2025, 11, 20),
        ends_on=date(2026, 3, 19),
        due_on=date(2026, 3, 19),
    )
    services.obligations_set(
        actor=org_tree.city_admin,
        period=period,
        organisations=[org_tree.county_a, org_tree.county_b],
    )
    return period


@pytest.fixture
def report(org_tree, period, settings, tmp_path):
    """泽州's report: written, with figures (volunteers changed by hand) and a photo, sent."""
    settings.MEDIA_ROOT = tmp_path
    report = period.reports.get(organisation=org_tree.county_a)
    services.report_save(
        actor=org_tree.county_a_admin,
        report=report,
        narrative=NARRATIVE,
        contact_name="王芳",
        contact_phone="13912345678",
    )
    values = {
        ("activities", ""): Decimal(12),
        ("volunteers", ""): Decimal(80),
        ("services", ""): Decimal(150),
        ("hours", ""): Decimal("1234.50"),
        ("registrations", ""): Decimal(9),
        ("people_served", ""): Decimal(30),
        ("orders_taken", ""): Decimal(31),
        ("satisfaction", ""): Decimal("96.5"),
        ("stations", ""): Decimal(4),
        **{("activities", line): Decimal(0) for line in services.LINES},
        ("activities", "practice"): Decimal(7),
        ("activities", "care"): Decimal(5),
    }
    ReportFigure.objects.bulk_create(
        ReportFigure(report=report, key=key, line=line, computed=value, value=value)
        for (key, line), value in values.items()
    )
    ReportFigure.objects.filter(report=report, key="volunteers").update(
        value=86, manual=True, note="含线下登记的6人"
    )
    services.attachment_add(
        actor=org_tree.county_a_admin,
        report=report,
        upload=SimpleUploadedFile("visit.png", png_bytes(), content_type="image/png"),
        title="志愿者入户走访",
    )
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.SUBMITTED, submitted_at=datetime(2026, 3, 18, 15, tzinfo=SHANGHAI)
    )
    report.refresh_from_db()
    return report


def read_docx(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def rows_of(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_report_docx_has_its_title_period_and_status(report):
    document = read_docx(documents.report_docx(report))
    title, subtitle = document.paragraphs[0], document.paragraphs[1]
    assert title.style.name == "Title"
    assert title.text == documents.report_title(report)
    assert "泽州县文明办" in title.text
    assert subtitle.text == "2026年第一次报告"
    assert document.core_properties.title == title.text
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年3月19日" in text  # the due date, in Chinese form
    assert "王芳" in text and "13912345678" in text


def test_the_report_figures_table_shows_the_reported_numbers_and_marks_the_changed_one(report):
    document = read_docx(documents.report_docx(report))
    rows = {row[0]: row for row in rows_of(document.tables[0])}
    assert rows[_("Service hours")][2] == "1,234.50"
    assert rows[_("Activities held")][2] == "12"
    assert rows[_("Satisfaction")][2] == "96.5"
    practice = _("of which: %(line)s") % {"line": services.line_label("practice")}
    assert rows[practice][2] == "7"
    volunteers = rows[_("Volunteers taking part")]
    assert volunteers[2:4] == ["86", "80"]  # reported, counted
    assert documents.MANUAL_MARK in volunteers[4] and "含线下登记的6人" in volunteers[4]
    assert documents.MANUAL_MARK not in rows[_("Service hours")][4]


def test_the_narrative_becomes_word_headings_runs_lists_and_a_table(report):
    document = read_docx(documents.report_docx(report))
    paragraphs = document.paragraphs
    heading = next(p for p in paragraphs if p.text == "一、主要做法")
    assert heading.style.name == "Heading 2"
    assert next(p for p in paragraphs if p.text == "（一）下一步").style.name == "Heading 3"
    body = next(p for p in paragraphs if p.text.startswith("全县开展"))
    assert [r.text for r in body.runs if r.bold] == ["学雷锋"]
    assert [r.text for r in body.runs if r.italic] == ["群众"]
    bullets = [p.text for p in paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["入户走访独居老人", "清理河道垃圾"]
    numbered = [p for p in paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["第一步", "第二步", "再次从一开始"]
    # Each numbered list starts again at 1: its own numbering instance.
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert ids[0] == ids[1] != ids[2]
    quote = next(p for p in paragraphs if p.text == "雷锋精神代代相传。")
    assert quote.style.name == "Quote"
    narrative_table = document.tables[1]
    assert rows_of(narrative_table) == [["镇", "活动"], ["南村镇", "12"]]
    assert narrative_table.rows[0].cells[0].paragraphs[0].runs[0].bold


def test_the_report_docx_holds_the_chart_and_the_photo_with_its_caption(report):
    document = read_docx(documents.report_docx(report))
    assert len(document.inline_shapes) == 2  # activities by line, and the one photo
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert "志愿者入户走访" in captions


def test_a_photo_left_out_of_the_document_is_not_in_it(report):
    report.attachments.update(in_document=False)
    document = read_docx(documents.report_docx(report))
    assert len(document.inline_shapes) == 1


def test_the_report_docx_is_a4_with_chinese_fonts_and_page_numbers(report):
    document = read_docx(documents.report_docx(report))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:eastAsia")) == wordprocessing.BODY_FONT
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(docx.oxml.ns.qn("w:eastAsia")) == wordprocessing.HEADING_FONT
    assert heading.get(docx.oxml.ns.qn("w:eastAsiaTheme")) is None
    assert "PAGE" in section.footer._element.xml


def test_the_report_xlsx_has_the_figures_as_numbers_under_a_frozen_bold_header(report):
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(report)))
    assert workbook.sheetnames == [_("Figures"), _("Report")]
    sheet = workbook[_("Figures")]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == _("Figure") and sheet["A1"].font.bold
    assert sheet["D1"].value == _("Reported")
    rows = {(row[0].value, row[1].value): row for row in sheet.iter_rows(min_row=2)}
    hours = rows[(_("Service hours"), None)]
    assert hours[3].value == Decimal("1234.50") or hours[3].value == 1234.5
    assert hours[3].data_type == "n" and hours[3].number_format == "#,##0.00"
    volunteers = rows[(_("Volunteers taking part"), None)]
    assert (volunteers[3].value, volunteers[4].value) == (86, 80)
    assert volunteers[5].value == documents.MANUAL_MARK
    assert volunteers[6].value == "含线下登记的6人"
    care = rows[(_("Activities held"), services.line_label("care"))]
    assert care[3].value == 5 and care[3].number_format == "#,##0"
    about = {row[0].value: row[1] for row in workbook[_("Report")].iter_rows(min_row=2)}
    assert about[_("Organisation")].value == "泽州县文明办"
    assert about[_("Due on")].is_date  # a date cell, not text
    assert about[_("Due on")].value.date() == date(2026, 3, 19)


def test_text_that_looks_like_a_formula_stays_text(report):
    Organisation.objects.filter(pk=report.organisation_id).update(name="=HYPERLINK(1)")
    report.organisation.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(documents.report_xlsx(report)))
    about = {row[0].value: row[1] for row in workbook[_("Report")].iter_rows(min_row=2)}
    assert about[_("Organisation")].data_type == "s"


def test_sheet_names_are_made_valid_and_unique():
    assert documents.sheet_name("a/b:c*d?e[f]g\\h") == "a b c d e f g h"
    assert len(documents.sheet_name("长" * 40)) == 31
    assert documents.sheet_name("数据", ["数据"]) == "数据 (2)"


# --- the summary ---------------------------------------------------------------------------


def day_figures(rows: list[tuple[Organisation, date, str, dict]]) -> None:
    """Rollup rows as the engine would keep them: each contribution added to its
    organisation and to every ancestor."""
    sums: dict = defaultdict(lambda: defaultdict(Decimal))
    sets: dict = defaultdict(lambda: defaultdict(BitMap))
    for org, day, line, values in rows:
        for ancestor in [int(pk) for pk in org.path.strip("/").split("/")]:
            key = (ancestor, day, line)
            for name, value in values.items():
                if name.endswith("_set"):
                    sets[key][name] |= BitMap(value)
                else:
                    sums[key][name] += Decimal(value)
    DayFigures.objects.bulk_create(
        DayFigures(
            organisation_id=org_id,
            day=day,
            line=line,
            **sums[(org_id, day, line)],
            **{name: ids.serialize() for name, ids in sets[(org_id, day, line)].items()},
        )
        for org_id, day, line in set(sums) | set(sets)
    )


@pytest.fixture
def summary(org_tree, period, report):
    """The second period of 2026; 泽州 has sent (with a photo), 城区 has not. Figures: a unit
    under 泽州 served 30 hours in two activities, 城区's center 10 hours in one."""
    second = services.period_save(
        actor=org_tree.city_admin,
        organisation=org_tree.city,
        name="2026年第二次报告",
        starts_on=date(2026, 3, 20),
        ends_on=date(2026, 7, 19),
        due_on=date(2026, 7, 19),
    )
    services.obligations_set(
        actor=org_tree.city_admin,
        period=second,
        organisations=[org_tree.county_a, org_tree.county_b],
    )
    unit = make_org(
        org_tree.root, org_tree.county_a, "泽州县教育局", Organisation.Kind.UNIT, "140525"
    )
    day_figures(
        [
            (unit, date(2026, 3, 25), "practice", {"hours": "30.5", "services": 6,
             "activity_set": [1, 2], "volunteer_set": [1, 2, 3]}),
            (org_tree.org_b1, date(2026, 3, 26), "care", {"hours": 10, "services": 2,
             "activity_set": [3], "volunteer_set": [3, 4]}),
        ]
    )  # fmt: skip
    sent = second.reports.get(organisation=org_tree.county_a)
    report.attachments.update(report=sent)
    Report.objects.filter(pk=sent.pk).update(
        status=Report.Status.ACCEPTED, submitted_at=datetime(2026, 7, 10, 9, tzinfo=SHANGHAI)
    )
    return second


def test_the_summary_docx_lists_who_reported_and_the_figures(org_tree, summary, time_machine):
    time_machine.move_to(datetime(2026, 7, 25, 10, tzinfo=SHANGHAI))
    document = read_docx(documents.summary_docx(summary, org_tree.city))
    assert document.paragraphs[0].text == documents.summary_title(summary, org_tree.city)
    assert document.paragraphs[1].text == "2026年第二次报告"
    submissions = rows_of(document.tables[0])
    assert submissions[1][:2] == ["泽州县文明办", str(documents.STATE_LABELS["accepted"])]
    assert submissions[2] == ["城区文明办", str(documents.STATE_LABELS["missing"]), "", ""]
    totals = {row[0]: row[1] for row in rows_of(document.tables[1])}
    assert totals[_("Service hours")] == "40.50"
    assert totals[_("Activities held")] == "3"
    assert totals[_("Volunteers taking part")] == "4"  # volunteer 3 counts once
    by_child = {row[0]: row for row in rows_of(document.tables[2])}
    assert by_child["泽州县文明办"][4] == "30.50"
    assert by_child["城区文明办"][1] == "1"
    by_line = {row[0]: row for row in rows_of(document.tables[3])}
    assert by_line[services.line_label("care")][1:] == ["1", "10.00"]
    top = rows_of(document.tables[4])
    assert top[1] == ["1", "泽州县教育局", "30.50"]
    # Charts: hours by county, activities by line, the year's trend; and the one photo.
    assert len(document.inline_shapes) == 4
    assert any(p.text == "泽州县文明办" for p in document.tables[5]._cells[2].paragraphs)


def test_the_summary_xlsx_has_a_sheet_for_each_view(org_tree, summary, time_machine):
    time_machine.move_to(datetime(2026, 7, 25, 10, tzinfo=SHANGHAI))
    workbook = openpyxl.load_workbook(io.BytesIO(documents.summary_xlsx(summary, org_tree.city)))
    assert workbook.sheetnames == [
        _("Submissions"),
        _("By organisation"),
        _("By campaign line"),
        _("Top units"),
    ]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    submissions = list(workbook[_("Submissions")].iter_rows(min_row=2, values_only=True))
    assert submissions[0][0] == "泽州县文明办"
    assert submissions[0][3].isoformat() == "2026-07-10T09:00:00"  # local time, a date cell
    assert submissions[1][2] == str(documents.STATE_LABELS["missing"])
    by_org = workbook[_("By organisation")]
    header = [cell.value for cell in by_org[1]]
    hours_column = header.index(
        _("%(figure)s (%(unit)s)")
        % {"figure": _("Service hours"), "unit": pgettext("unit", "hours")}
    )
    rows = {row[0].value: row for row in by_org.iter_rows(min_row=2)}
    assert rows["泽州县文明办"][hours_column].value == Decimal("30.5")
    assert rows["泽州县文明办"][hours_column].data_type == "n"
    assert rows[_("Whole area")][hours_column].value == Decimal("40.5")
    lines = {row[0]: row[1:] for row in workbook[_("By campaign line")].iter_rows(
        min_row=2, values_only=True)}  # fmt: skip
    assert lines[services.line_label("practice")] == (2, Decimal("30.5"))
    top = list(workbook[_("Top units")].iter_rows(min_row=2, values_only=True))
    assert top == [(1, "泽州县教育局", Decimal("30.5"))]


def test_a_county_summary_covers_only_its_subtree(org_tree, summary, time_machine):
    time_machine.move_to(datetime(2026, 7, 25, 10, tzinfo=SHANGHAI))
    document = read_docx(documents.summary_docx(summary, org_tree.county_a))
    assert [row[0] for row in rows_of(document.tables[0])[1:]] == ["泽州县文明办"]
    assert "城区文明办" not in "\n".join(c.text for t in document.tables for c in t._cells)


# --- the narrative parser ------------------------------------------------------------------


def test_narrative_whitespace_collapses_and_breaks_stay():
    (para,) = wordprocessing.narrative_blocks("<p>  第一行\n  <br>第二行 <b>加粗</b>  </p>")
    assert [(r.text, r.brk, r.bold) for r in para.runs] == [
        ("第一行 ", False, False),
        ("", True, False),
        ("第二行 ", False, False),
        ("加粗", False, True),
    ]


def test_nested_lists_and_item_paragraphs():
    blocks = wordprocessing.narrative_blocks(
        "<ul><li><p>甲</p><p>甲续</p><ol><li>子一</li><li>子二</li></ol></li><li>乙</li></ul>"
    )
    assert [("".join(r.text for r in b.runs), b.level, b.marker, b.list_kind)
            for b in blocks] == [
        ("甲", 1, True, "ul"),
        ("甲续", 1, False, "ul"),
        ("子一", 2, True, "ol"),
        ("子二", 2, True, "ol"),
        ("乙", 1, True, "ul"),
    ]  # fmt: skip


def test_a_table_in_a_table_becomes_lines_of_the_outer_cell():
    (table,) = wordprocessing.narrative_blocks(
        "<table><tr><td>外<table><tr><td>内一</td><td>内二</td></tr></table></td>"
        "<td>右</td></tr></table>"
    )
    assert len(table.rows) == 1
    left, right = table.rows[0]
    assert ["".join(r.text for r in p.runs) for p in left.paras] == ["外", "内一", "内二"]
    assert ["".join(r.text for r in p.runs) for p in right.paras] == ["右"]


def test_control_characters_do_not_break_the_documents(report):
    Report.objects.filter(pk=report.pk).update(
        narrative="<p>坏\x0b字符</p>", contact_name="王\x01芳"
    )
    report.refresh_from_db()
    document = read_docx(documents.report_docx(report))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "坏字符" in text and "王芳" in text
