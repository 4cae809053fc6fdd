"""The reports as documents: a unit's report and an office's summary of a period, in Word (for
reading, printing and forwarding, as the city's offices work) and in Excel (the same figures,
for adding up).

Pure reads: they never fill in or change figures (a draft's view calls figures_fill first). A
report's figures are its snapshot (ReportFigure); a summary's come from the rollups of the
office's subtree (services.board), like the dashboard.

The Word pieces (page, fonts, tables, photos, the narrative) are in wordprocessing.py. Body
text is 仿宋 and headings 黑体, as in the offices' own documents; Word and WPS substitute
installed fonts where these are missing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from leifeng.orgs.models import Organisation
from leifeng.reports import charts, services
from leifeng.reports.models import Attachment, Period, Report
from leifeng.reports.wordprocessing import (
    TEXT_HEIGHT,
    TEXT_WIDTH,
    add_line,
    add_narrative,
    add_picture,
    add_table,
    clean,
    fit,
    new_document,
    photo_data,
    save_document,
)

# --- shared words --------------------------------------------------------------------------

STATE_LABELS = {
    "accepted": gettext_lazy("Accepted"),
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "returned": gettext_lazy("Returned for changes"),
    "missing": gettext_lazy("Missing (overdue)"),
    "pending": gettext_lazy("Not yet due"),
}
# The columns of "figures by organisation" (Word; Excel has them all).
CHILD_COLUMNS = ("activities", "volunteers", "services", "hours", "registrations", "orders_taken")
TREND_SERIES = ("activities", "volunteers", "services")
MANUAL_MARK = "※"
REPORT_PHOTOS = 12
SUMMARY_PHOTOS = 6
SHOWN = (Report.Status.SUBMITTED, Report.Status.RESUBMITTED, Report.Status.ACCEPTED)


def _figure_label(key: str, line: str = "") -> str:
    kind = services.FIGURES.get(key)
    label = str(kind.label) if kind else key
    if line:
        return _("of which: %(line)s") % {"line": services.line_label(line)}
    return label


def _unit(key: str) -> str:
    kind = services.FIGURES.get(key)
    return str(kind.unit) if kind else ""


def _places(key: str) -> int:
    kind = services.FIGURES.get(key)
    return kind.places if kind else 2


def _number(value: Decimal | int, places: int = 0) -> str:
    return f"{Decimal(value):,.{places}f}"


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _moment(value: datetime) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _ranked_periods(period: Period) -> list[Period]:
    """The periods of the same office and year up to this one (for the trend)."""
    return list(
        Period.objects.filter(
            organisation_id=period.organisation_id,
            due_on__year=period.due_on.year,
            starts_on__lte=period.starts_on,
        ).order_by("starts_on", "pk")
    )


# --- the Word report of one submission -----------------------------------------------------


def report_title(report: Report) -> str:
    return _(
        "%(organisation)s report on New Era civilization practice and "
        "Learn from Lei Feng volunteer service"
    ) % {"organisation": report.organisation.name}


def _status_line(report: Report) -> str:
    status = report.get_status_display()
    if report.submitted_at is None:
        return _("Status: %(status)s") % {"status": status}
    when = _moment(report.submitted_at)
    if report.late:
        return _("Status: %(status)s, first submitted late, last on %(when)s") % {
            "status": status,
            "when": when,
        }
    return _("Status: %(status)s, submitted on %(when)s") % {"status": status, "when": when}


def _period_line(period: Period) -> str:
    return _("Period covered: %(first)s to %(last)s; due on %(due)s") % {
        "first": _day(period.starts_on),
        "last": _day(period.ends_on),
        "due": _day(period.due_on),
    }


def report_docx(report: Report) -> bytes:
    """The Word report of one submission: what it is, its figures (those changed by hand
    marked, with why), activities by campaign line as a chart, the narrative, the photos
    chosen for it and the contact."""
    period, organisation = report.period, report.organisation
    title = report_title(report)
    document = new_document(title, organisation.name)
    add_line(document, title, style="Title")
    add_line(document, period.name, style="Subtitle")
    add_line(document, _("Reporting organisation: %(name)s") % {"name": organisation.name})
    add_line(document, _period_line(period))
    add_line(document, _status_line(report))
    if report.comment.strip():
        add_line(document, _("Comments from the office: %(comment)s") % {"comment": report.comment})

    figures = services.report_figures(report)
    document.add_paragraph(_("Figures"), style="Heading 1")
    if not figures:
        add_line(document, _("No figures yet."))
    else:
        rows, manual_rows = [], []
        for index, figure in enumerate(figures):
            places = _places(figure.key)
            if figure.manual:
                manual_rows.append(index)
            rows.append(
                [
                    _figure_label(figure.key, figure.line),
                    _unit(figure.key),
                    _number(figure.value, places),
                    _number(figure.computed, places),
                    _("%(mark)s Changed by hand: %(note)s")
                    % {"mark": MANUAL_MARK, "note": figure.note}
                    if figure.manual
                    else "",
                ]
            )
        add_table(
            document,
            [_("Figure"), _("Unit"), _("Reported"), _("Counted by the platform"), _("Note")],
            rows,
            widths_mm=(46, 16, 26, 26, 42),
            numeric=(2, 3),
            bold_rows=manual_rows,
        )
        if manual_rows:
            add_line(
                document,
                _(
                    "%(mark)s The reported figure differs from the platform's count; "
                    "the note says why."
                )
                % {"mark": MANUAL_MARK},
                style="Caption",
            )
        by_line = [f for f in figures if f.key == "activities" and f.line]
        if by_line:
            chart_title = _("Activities held by campaign line")
            add_picture(
                document,
                charts.bars_png(
                    chart_title,
                    [services.line_label(f.line) for f in by_line],
                    [f.value for f in by_line],
                    _unit("activities"),
                ),
            )
            add_line(document, chart_title, style="Caption")

    document.add_paragraph(_("What was done"), style="Heading 1")
    if report.narrative.strip():
        add_narrative(document, report.narrative)
    else:
        add_line(document, _("No narrative yet."))

    photos = list(
        report.attachments.filter(kind=Attachment.Kind.PHOTO, in_document=True).order_by("pk")[
            :REPORT_PHOTOS
        ]
    )
    shown = 0
    for attachment in photos:
        photo = photo_data(attachment.file)
        if photo is None:
            continue
        if not shown:
            document.add_paragraph(_("Photos"), style="Heading 1")
        shown += 1
        data, width, height = photo
        add_picture(document, data, fit(width, height, TEXT_WIDTH, int(TEXT_HEIGHT * 0.42)))
        caption = attachment.title or _("Photo %(number)d") % {"number": shown}
        add_line(document, caption, style="Caption")

    document.add_paragraph("", style="Normal")
    contact = document.add_paragraph(style="Normal")
    contact.add_run(_("Contact person: %(name)s") % {"name": clean(report.contact_name) or "—"})
    contact.add_run("\u3000\u3000")  # two ideographic spaces
    contact.add_run(_("Phone: %(phone)s") % {"phone": clean(report.contact_phone) or "—"})
    return save_document(document)


# --- the city summary of a period ----------------------------------------------------------


@dataclass
class Summary:
    """What the summary documents show, read once for Word and Excel alike."""

    period: Period
    organisation: Organisation
    reports: list[Report]
    states: dict[int, str]  # report pk → submission_state
    board: services.Board

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATE_LABELS, 0)
        for state in self.states.values():
            counts[state] = counts.get(state, 0) + 1
        return counts


def summary_read(period: Period, organisation: Organisation) -> Summary:
    """The reports owed for `period` within `organisation`'s subtree, their state today, and
    the subtree's figures over the period's dates."""
    reports = list(
        period.reports.filter(organisation__path__startswith=organisation.path)
        .select_related("organisation", "period")
        .order_by("organisation__path")
    )
    today = timezone.localdate()
    return Summary(
        period=period,
        organisation=organisation,
        reports=reports,
        states={r.pk: services.submission_state(r, today) for r in reports},
        board=services.board(organisation, period.starts_on, period.ends_on),
    )


def summary_title(period: Period, organisation: Organisation) -> str:
    return _("%(organisation)s summary of volunteer service reports") % {
        "organisation": organisation.name
    }


def _late_text(report: Report) -> str:
    return _("Yes") if report.late else ""


def summary_docx(period: Period, organisation: Organisation) -> bytes:
    """The summary of a period for `organisation`'s subtree: who reported and how, the
    subtree's figures (totals, by child organisation, by campaign line, top units) with
    charts and the trend over the year's periods, and a few photos of the reports sent."""
    summary = summary_read(period, organisation)
    board = summary.board
    title = summary_title(period, organisation)
    document = new_document(title, organisation.name)
    add_line(document, title, style="Title")
    add_line(document, period.name, style="Subtitle")
    add_line(document, _period_line(period))
    add_line(document, _("Produced on %(date)s") % {"date": _day(timezone.localdate())})

    # Submissions
    document.add_paragraph(_("Submissions"), style="Heading 1")
    counts = summary.counts
    add_line(
        document,
        _(
            "%(obliged)d organisations owe a report: %(on_time)d submitted on time, "
            "%(late)d late, %(returned)d returned for changes, %(accepted)d accepted, "
            "%(missing)d missing and %(pending)d not yet due."
        )
        % {"obliged": len(summary.reports), **counts},
        style="Body Text",
    )
    if summary.reports:
        add_table(
            document,
            [_("Organisation"), _("Status"), _("Submitted at"), _("Late")],
            (
                [
                    r.organisation.name,
                    str(STATE_LABELS[summary.states[r.pk]]),
                    _moment(r.submitted_at) if r.submitted_at else "",
                    _late_text(r),
                ]
                for r in summary.reports
            ),
            widths_mm=(70, 36, 36, 14),
        )

    # Figures
    document.add_paragraph(_("Figures"), style="Heading 1")
    add_line(
        document,
        _("The figures of %(organisation)s and all organisations below it, %(first)s to %(last)s.")
        % {
            "organisation": organisation.name,
            "first": _day(period.starts_on),
            "last": _day(period.ends_on),
        },
        style="Body Text",
    )
    add_table(
        document,
        [_("Figure"), _("Value"), _("Unit")],
        (
            [
                str(kind.label),
                "—"
                if services.unrated(key, board.total)
                else _number(board.total.get((key, ""), 0), kind.places),
                str(kind.unit),
            ]
            for key, kind in services.FIGURES.items()
        ),
        widths_mm=(70, 46, 40),
        numeric=(1,),
    )

    if board.by_child:
        document.add_paragraph(_("By organisation"), style="Heading 2")
        header = [_("Organisation"), *(_figure_label(key) for key in CHILD_COLUMNS)]
        rows = [
            [child.name, *(_number(values.get((k, ""), 0), _places(k)) for k in CHILD_COLUMNS)]
            for child, values in board.by_child
        ]
        rows.append(
            [
                _("Whole area"),
                *(_number(board.total.get((k, ""), 0), _places(k)) for k in CHILD_COLUMNS),
            ]
        )
        add_table(
            document,
            header,
            rows,
            widths_mm=(46, 18, 18, 18, 20, 18, 18),
            numeric=range(1, len(header)),
            bold_rows=[len(rows) - 1],
        )
        add_line(
            document,
            _(
                "Volunteers and activities are counted once for the whole area, so the whole "
                "may be less than the sum of its parts."
            ),
            style="Caption",
        )
        chart_title = _("Service hours by organisation")
        add_picture(
            document,
            charts.bars_png(
                chart_title,
                [child.name for child, _values in board.by_child],
                [values.get(("hours", ""), Decimal(0)) for _child, values in board.by_child],
                _unit("hours"),
            ),
        )
        add_line(document, chart_title, style="Caption")

    lines = [(line, activities, hours) for line, activities, hours in board.by_line if line]
    document.add_paragraph(_("By campaign line"), style="Heading 2")
    add_table(
        document,
        [_("Campaign line"), _figure_label("activities"), _figure_label("hours")],
        (
            [
                services.line_label(line) if line else _("Not tied to a line"),
                _number(activities),
                _number(hours, 2),
            ]
            for line, activities, hours in board.by_line
        ),
        widths_mm=(70, 43, 43),
        numeric=(1, 2),
    )
    if lines:
        chart_title = _("Activities held by campaign line")
        add_picture(
            document,
            charts.bars_png(
                chart_title,
                [services.line_label(line) for line, _a, _h in lines],
                [activities for _l, activities, _h in lines],
                _unit("activities"),
            ),
        )
        add_line(document, chart_title, style="Caption")

    if board.top:
        document.add_paragraph(_("Units with the most service hours"), style="Heading 2")
        add_table(
            document,
            [_("Rank"), _("Unit"), _figure_label("hours")],
            (
                [str(rank), unit.name, _number(hours, 2)]
                for rank, (unit, hours) in enumerate(board.top, 1)
            ),
            widths_mm=(16, 100, 40),
            numeric=(0, 2),
        )

    periods = _ranked_periods(period)
    if len(periods) > 1:
        trend = services.trend(organisation, periods)
        document.add_paragraph(_("Over the year"), style="Heading 2")
        chart_title = _("Figures by period, %(year)s") % {"year": period.due_on.year}
        add_picture(
            document,
            charts.trend_png(
                chart_title,
                [p.name for p, _values in trend],
                {
                    _figure_label(key): [values.get((key, ""), Decimal(0)) for _p, values in trend]
                    for key in TREND_SERIES
                },
            ),
        )
        add_line(document, chart_title, style="Caption")

    _summary_photos(document, summary)
    return save_document(document)


def _summary_photos(document: DocxDocument, summary: Summary) -> None:
    """A few photos of the reports sent, one per report first, two side by side."""
    chosen: list[tuple[str, bytes, int, int]] = []
    attachments = (
        Attachment.objects.filter(
            report__in=[r for r in summary.reports if r.status in SHOWN],
            kind=Attachment.Kind.PHOTO,
            in_document=True,
        )
        .select_related("report__organisation")
        .order_by("report__organisation__path", "pk")
    )
    seen: set[int] = set()
    for attachment in attachments:
        if len(chosen) >= SUMMARY_PHOTOS:
            break
        if attachment.report_id in seen:
            continue
        photo = photo_data(attachment.thumbnail or attachment.file, longest=800)
        if photo is None:
            continue
        seen.add(attachment.report_id)
        chosen.append((attachment.report.organisation.name, *photo))
    if not chosen:
        return
    document.add_paragraph(_("Photos"), style="Heading 1")
    half = int(TEXT_WIDTH / 2) - int(Mm(4))
    rows = (len(chosen) + 1) // 2
    table = document.add_table(rows=rows * 2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (caption, data, width, height) in enumerate(chosen):
        row, column = divmod(index, 2)
        picture = table.cell(row * 2, column).paragraphs[0]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.add_run().add_picture(
            io.BytesIO(data), width=Emu(fit(width, height, half, int(Mm(60))))
        )
        label = table.cell(row * 2 + 1, column).paragraphs[0]
        label.style = document.styles["Caption"]
        label.add_run(clean(caption))


# --- Excel ---------------------------------------------------------------------------------

SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
NUMBER_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def sheet_name(title: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    name = SHEET_FORBIDDEN.sub(" ", title).strip().strip("'")[:31] or "Sheet"
    used = {t.lower() for t in taken}
    base, number = name, 2
    while name.lower() in used:
        suffix = f" ({number})"
        name = base[: 31 - len(suffix)] + suffix
        number += 1
    return name


@dataclass
class Column:
    title: str
    places: int | None = None  # a number with these decimal places; None = text
    date: bool = False
    moment: bool = False


def _width(value: Any) -> float:
    text = value if isinstance(value, str) else f"{value}"
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet(
    workbook: Any, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> Any:
    """A sheet with a bold frozen header; numbers and dates stay numbers and dates, text stays
    text (never a formula, whatever a name starts with)."""
    sheet = workbook.create_sheet(sheet_name(title, workbook.sheetnames))
    bold = Font(bold=True)
    widths = [_width(column.title) for column in columns]
    for c, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=c, value=column.title)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, 2):
        for c, (column, value) in enumerate(zip(columns, values, strict=False), 1):
            if value is None or value == "":
                continue
            if column.places is not None and isinstance(value, Decimal | int | float):
                cell = sheet.cell(row=r, column=c, value=value)
                cell.number_format = NUMBER_FORMATS.get(column.places, "#,##0.00")
                widths[c - 1] = max(widths[c - 1], _width(f"{value:,}") + 1)
            elif column.moment and isinstance(value, datetime):
                local = timezone.localtime(value).replace(tzinfo=None)  # Excel has no zones
                cell = sheet.cell(row=r, column=c, value=local)
                cell.number_format = DATETIME_FORMAT
                widths[c - 1] = max(widths[c - 1], 17)
            elif column.date and isinstance(value, date):
                cell = sheet.cell(row=r, column=c, value=value)
                cell.number_format = DATE_FORMAT
                widths[c - 1] = max(widths[c - 1], 11)
            else:
                cell = sheet.cell(row=r, column=c, value=clean(str(value)))
                cell.data_type = "s"  # text, even "=…"
                widths[c - 1] = max(widths[c - 1], _width(str(value)))
    for c, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    return sheet


def _workbook() -> Any:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def _xlsx(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(report: Report) -> bytes:
    """The report's figures as a workbook: a sheet of figures and a sheet about the report."""
    workbook = _workbook()
    figures = services.report_figures(report)
    _sheet(
        workbook,
        _("Figures"),
        [
            Column(_("Figure")),
            Column(_("Campaign line")),
            Column(_("Unit")),
            Column(_("Reported"), places=2),
            Column(_("Counted by the platform"), places=2),
            Column(_("Changed by hand")),
            Column(_("Why changed")),
        ],
        (
            [
                _figure_label(f.key),
                services.line_label(f.line) if f.line else "",
                _unit(f.key),
                f.value,
                f.computed,
                MANUAL_MARK if f.manual else "",
                f.note if f.manual else "",
            ]
            for f in figures
        ),
    )
    # Reported/counted take the figure's own places: set per row below.
    sheet = workbook[workbook.sheetnames[0]]
    for row, figure in enumerate(figures, 2):
        number_format = NUMBER_FORMATS.get(_places(figure.key), "#,##0.00")
        sheet.cell(row=row, column=4).number_format = number_format
        sheet.cell(row=row, column=5).number_format = number_format
    period = report.period
    _sheet(
        workbook,
        _("Report"),
        [Column(_("Item")), Column(_("Value"), date=True, moment=True)],
        [
            [_("Organisation"), report.organisation.name],
            [_("Period"), period.name],
            [_("Covers from"), period.starts_on],
            [_("Covers until"), period.ends_on],
            [_("Due on"), period.due_on],
            [_("Status"), report.get_status_display()],
            [_("Submitted at"), report.submitted_at],
            [_("Late"), _late_text(report)],
            [_("Contact person"), report.contact_name],
            [_("Contact phone"), report.contact_phone],
        ],
    )
    return _xlsx(workbook)


def summary_xlsx(period: Period, organisation: Organisation) -> bytes:
    """The summary's figures as a workbook: submissions, figures by child organisation (and
    the whole area), by campaign line, and the top units."""
    summary = summary_read(period, organisation)
    board = summary.board
    workbook = _workbook()
    _sheet(
        workbook,
        _("Submissions"),
        [
            Column(_("Organisation")),
            Column(_("Report status")),
            Column(_("Status")),
            Column(_("Submitted at"), moment=True),
            Column(_("Late")),
        ],
        (
            [
                r.organisation.name,
                r.get_status_display(),
                str(STATE_LABELS[summary.states[r.pk]]),
                r.submitted_at,
                _late_text(r),
            ]
            for r in summary.reports
        ),
    )
    keys = list(services.FIGURES)
    figure_columns = [
        Column(
            _("%(figure)s (%(unit)s)") % {"figure": _figure_label(key), "unit": _unit(key)},
            places=_places(key),
        )
        for key in keys
    ]

    def cells(values: dict[tuple[str, str], Decimal]) -> list[Decimal | None]:
        # A satisfaction nobody rated is left empty, not 0%.
        return [
            None if services.unrated(key, values) else values.get((key, ""), Decimal(0))
            for key in keys
        ]

    by_child = [[child.name, *cells(values)] for child, values in board.by_child]
    by_child.append([_("Whole area"), *cells(board.total)])
    _sheet(workbook, _("By organisation"), [Column(_("Organisation")), *figure_columns], by_child)
    _sheet(
        workbook,
        _("By campaign line"),
        [
            Column(_("Campaign line")),
            Column(_figure_label("activities"), places=0),
            Column(_figure_label("hours"), places=2),
        ],
        (
            [
                services.line_label(line) if line else _("Not tied to a line"),
                activities,
                hours,
            ]
            for line, activities, hours in board.by_line
        ),
    )
    _sheet(
        workbook,
        _("Top units"),
        [Column(_("Rank"), places=0), Column(_("Unit")), Column(_figure_label("hours"), places=2)],
        ([rank, unit.name, hours] for rank, (unit, hours) in enumerate(board.top, 1)),
    )
    return _xlsx(workbook)
