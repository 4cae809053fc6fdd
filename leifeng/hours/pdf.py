"""The volunteer service record certificate (志愿服务记录证明) as a PDF.

A pure function of its data: no database, no request. The layout follows
《志愿服务记录与证明出具办法（试行）》 arts. 14–17 and the four blocks of 民发〔2015〕149号:
1 the volunteer's identity, 2 the service (time in hours, content, recording unit; training and
awards when given), 3 the issuer (name, person in charge, clerk, contact) with room for the seal,
4 the number, the date and a QR code to verify it.

The certificate is always Chinese, whatever the request's language (like the Excel templates), and
embeds WenQuanYi Micro Hei (fonts/, Apache-2.0 or GPL-3+ with font exception; see fonts/COPYRIGHT)
so that it renders on machines without Chinese fonts. Only the glyphs used are embedded.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import segno
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.shapes import Path as ShapePath
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

LANGUAGE = "zh-hans"
FONT = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 16 * mm
MARGIN_BOTTOM = 20 * mm  # room for the footer
WIDTH = PAGE_WIDTH - 2 * MARGIN_X
QR_SIZE = 26 * mm
GRID = colors.HexColor("#444444")
SHADE = colors.HexColor("#EEEEEE")
DASH = "—"
MAX_TEXT = 300  # characters in one cell (the fields hold at most 200)


@dataclass(frozen=True)
class CertificateRecord:
    started_at: datetime  # aware; printed in local time as YYYY-MM-DD HH:MM
    ended_at: datetime
    content: str  # service content (activity name)
    place: str
    hours: Decimal
    recorded_by: str  # the recording organisation (记录单位)


@dataclass(frozen=True)
class CertificateData:
    number: str  # 证明编号, e.g. "ZA-2026-7K3M9Q2XAB"
    issued_on: date
    volunteer_name: str
    document_type: str  # label, e.g. "居民身份证"
    document_masked: str  # e.g. "1405**********1234"
    volunteer_number: str
    total_hours: Decimal
    records: list[CertificateRecord]
    issuer: str  # issuing organisation's name
    person_in_charge: str  # 负责人 (may be empty)
    handled_by: str  # 经办人
    contact: str  # phone (may be empty)
    verify_url: str  # absolute URL of the public verification page
    stars: int = 0  # certified star level, 0 = none
    # (date, name, held by, learning hours)
    trainings: list[tuple[date, str, str, Decimal | None]] = field(default_factory=list)
    awards: list[tuple[date, str, str]] = field(default_factory=list)  # (date, name, granted by)


def render_certificate(data: CertificateData) -> bytes:
    """The certificate as PDF bytes."""
    _register_font()
    with translation.override(LANGUAGE):
        title = _("Volunteer service record certificate")
        number_line = _("Certificate No.: %(number)s") % {"number": data.number}
        page_line = _("Page %(page)d of %(pages)d")
        story = _story(data, title)
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=f"{title} {data.number}",
            author=data.issuer,
            subject=f"{title} {data.number}",
            creator="Leifeng",
        )

        def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
            # Start in the embedded font, so that no page names an unembedded Helvetica.
            kwargs.update(initialFontName=FONT, initialFontSize=10, lang="zh-CN")
            return _FooterCanvas(*args, number_line=number_line, page_line=page_line, **kwargs)

        document.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()


# Fonts ---------------------------------------------------------------------------------------

_font_lock = threading.Lock()


def _register_font() -> None:
    """Register the embedded CJK font once per process (parsing the 5 MB file takes a while)."""
    with _font_lock:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))
        # The font has no bold or italic; map them to itself so that markup cannot fail.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)


# Styles --------------------------------------------------------------------------------------


def _style(name: str, size: float, *, leading: float = 1.5, **kwargs: Any) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        fontName=FONT,
        fontSize=size,
        leading=size * leading,
        wordWrap="CJK",  # Chinese has no spaces: break between any two characters
        **kwargs,
    )


TITLE = _style("title", 22, alignment=TA_CENTER, spaceBefore=2 * mm, spaceAfter=6 * mm)
META = _style("meta", 10, alignment=TA_RIGHT, leading=1.4)
BODY = _style("body", 12, leading=1.75, firstLineIndent=24, spaceAfter=1 * mm)
HEADING = _style("heading", 13, spaceBefore=4 * mm, spaceAfter=2 * mm)
SUBHEADING = _style("subheading", 11, spaceBefore=2 * mm, spaceAfter=1.5 * mm)
CELL = _style("cell", 9, leading=1.35)
CELL_CENTER = _style("cell-center", 9, leading=1.35, alignment=TA_CENTER)
LABEL = _style("label", 10, leading=1.4, alignment=TA_CENTER)
VALUE = _style("value", 10, leading=1.4)
SEAL = _style("seal", 11, alignment=TA_RIGHT, leading=1.6)
SMALL = _style("small", 9, leading=1.45, alignment=TA_LEFT)


def _heading(text: str, style: ParagraphStyle = HEADING) -> list[Any]:
    """A heading that never ends a page alone: it needs room for a few table rows below it."""
    return [CondPageBreak(25 * mm), Paragraph(escape(text), style)]


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A paragraph of plain text (escaped: names and contents are data, not markup).

    Text past MAX_TEXT characters is cut: a table row must fit on one page. The fields it comes
    from hold at most 200 characters, so this only guards against misuse."""
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return Paragraph(escape(text), style)


def _grid() -> list[tuple[Any, ...]]:
    return [
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # empty cells too: else Table sets Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]


# Formatting ----------------------------------------------------------------------------------


def _hours(value: Decimal) -> str:
    """12.50 → "12.5", 3.00 → "3": exact, without trailing zeros or exponents."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _span(started_at: datetime, ended_at: datetime) -> Paragraph:
    """Local time as 2026-06-01 08:30–11:00; on two lines when it ends on another day."""
    start, end = timezone.localtime(started_at), timezone.localtime(ended_at)
    if start.date() == end.date():
        return Paragraph(f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}", CELL)
    return Paragraph(f"{start:%Y-%m-%d %H:%M}–<br/>{end:%Y-%m-%d %H:%M}", CELL)


def _long_date(day: date) -> str:
    return _("%(year)d-%(month)d-%(day)d") % {"year": day.year, "month": day.month, "day": day.day}


# The document --------------------------------------------------------------------------------


def _story(data: CertificateData, title: str) -> list[Any]:
    issued = data.issued_on.isoformat()
    story: list[Any] = [
        Paragraph(escape(_("Certificate No.: %(number)s") % {"number": data.number}), META),
        Paragraph(escape(_("Date of issue: %(date)s") % {"date": issued}), META),
        Paragraph(escape(title), TITLE),
        _p(_statement(data), BODY),
    ]
    story += _identity(data)
    story += _service(data)
    story += _issuer(data)
    story += _verification(data)
    return story


def _statement(data: CertificateData) -> str:
    values = {
        "name": data.volunteer_name,
        "document_type": data.document_type,
        "document_number": data.document_masked,
        "volunteer_number": data.volunteer_number,
        "hours": _hours(data.total_hours),
    }
    if data.volunteer_number:
        return (
            _(
                "This is to certify that %(name)s (%(document_type)s %(document_number)s, "
                "volunteer number %(volunteer_number)s) has taken part in volunteer service. "
                "According to the records, the total service time is %(hours)s hours, "
                "as follows:"
            )
            % values
        )
    return (
        _(
            "This is to certify that %(name)s (%(document_type)s %(document_number)s) has taken "
            "part in volunteer service. According to the records, the total service time is "
            "%(hours)s hours, as follows:"
        )
        % values
    )


def _identity(data: CertificateData) -> list[Any]:
    rows = [
        [
            _p(_("Full name"), LABEL),
            _p(data.volunteer_name, VALUE),
            _p(_("Volunteer number"), LABEL),
            _p(data.volunteer_number or DASH, VALUE),
        ],
        [
            _p(_("Document type"), LABEL),
            _p(data.document_type, VALUE),
            _p(_("Document number"), LABEL),
            _p(data.document_masked, VALUE),
        ],
    ]
    if data.stars:
        stars = _("%(stars)d-star volunteer") % {"stars": data.stars}
        rows.append([_p(_("Stars"), LABEL), _p(stars, VALUE), "", ""])
    style = [
        *_grid(),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("BACKGROUND", (2, 0), (2, 1), SHADE),
    ]
    if data.stars:
        style.append(("SPAN", (1, 2), (3, 2)))
    widths = [0.16 * WIDTH, 0.34 * WIDTH, 0.16 * WIDTH, 0.34 * WIDTH]
    return [
        *_heading(_("1. Volunteer identity")),
        Table(rows, colWidths=widths, style=TableStyle(style)),
    ]


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Paragraph | str]],
    widths: Sequence[float],
    *,
    empty: str,
    total: Paragraph | None = None,
) -> Table:
    """A ruled table whose header row repeats on every page; `empty` fills it when no rows."""
    data: list[Sequence[Paragraph | str]] = [[_p(text, CELL_CENTER) for text in header]]
    data += rows
    style = [*_grid(), ("BACKGROUND", (0, 0), (-1, 0), SHADE)]
    if len(data) == 1:
        data.append([_p(empty, CELL_CENTER)] + [""] * (len(header) - 1))
        style.append(("SPAN", (0, 1), (-1, 1)))
    if total is not None:
        # "Total" across every column but the hours (next-to-last) and the recorder.
        data.append([_p(_("Total"), CELL_CENTER), *[""] * (len(header) - 3), total, ""])
        style += [("SPAN", (0, -1), (-3, -1)), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    return Table(
        data,
        colWidths=[fraction * WIDTH for fraction in widths],
        repeatRows=1,
        style=TableStyle(style),
    )


def _service(data: CertificateData) -> list[Any]:
    header = [
        _("No."),
        _("Service time"),
        _("Service content"),
        _("Place"),
        _("Hours"),
        _("Recorded by"),
    ]
    rows = [
        [
            _p(str(index), CELL_CENTER),
            _span(record.started_at, record.ended_at),
            _p(record.content),
            _p(record.place),
            _p(_hours(record.hours), CELL_CENTER),
            _p(record.recorded_by),
        ]
        for index, record in enumerate(data.records, start=1)
    ]
    story: list[Any] = [
        *_heading(_("2. Volunteer service")),
        Paragraph(escape(_("Service records")), SUBHEADING),
        _table(
            header,
            rows,
            [0.055, 0.22, 0.24, 0.175, 0.13, 0.18],
            empty=_("No service records."),
            total=_p(_hours(data.total_hours), CELL_CENTER),
        ),
    ]
    if data.trainings:
        header = [_("No."), _("Date"), _("Training name"), _("Held by"), _("Learning hours")]
        rows = [
            [
                _p(str(index), CELL_CENTER),
                _p(day.isoformat(), CELL_CENTER),
                _p(name),
                _p(held_by),
                _p(DASH if hours is None else _hours(hours), CELL_CENTER),
            ]
            for index, (day, name, held_by, hours) in enumerate(data.trainings, start=1)
        ]
        story += [
            *_heading(_("Training records"), SUBHEADING),
            _table(header, rows, [0.055, 0.12, 0.38, 0.28, 0.165], empty=""),
        ]
    if data.awards:
        header = [_("No."), _("Date"), _("Award name"), _("Granted by")]
        rows = [
            [_p(str(index), CELL_CENTER), _p(day.isoformat(), CELL_CENTER), _p(name), _p(by)]
            for index, (day, name, by) in enumerate(data.awards, start=1)
        ]
        story += [
            *_heading(_("Awards and commendations"), SUBHEADING),
            _table(header, rows, [0.055, 0.12, 0.45, 0.375], empty=""),
        ]
    return story


def _issuer(data: CertificateData) -> list[Any]:
    info = Table(
        [
            [_p(_("Issuing organisation"), LABEL), _p(data.issuer, VALUE)],
            [_p(_("Person in charge"), LABEL), _p(data.person_in_charge, VALUE)],
            [_p(_("Handled by"), LABEL), _p(data.handled_by, VALUE)],
            [_p(_("Contact phone"), LABEL), _p(data.contact, VALUE)],
        ],
        colWidths=[0.2 * WIDTH, 0.4 * WIDTH],
        style=TableStyle([*_grid(), ("BACKGROUND", (0, 0), (0, -1), SHADE)]),
    )
    # The seal is stamped over the issuer's name and the date, as on any office document.
    seal = [
        _p(data.issuer, SEAL),
        _p(_("(Seal)"), SEAL),
        Spacer(1, 4 * mm),
        _p(_long_date(data.issued_on), SEAL),
    ]
    layout = Table(
        [[info, seal]],
        colWidths=[0.6 * WIDTH, 0.4 * WIDTH],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (0, 0), "TOP"),
                ("VALIGN", (1, 0), (1, 0), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    return [KeepTogether([Paragraph(escape(_("3. Issuer")), HEADING), layout])]


def _verification(data: CertificateData) -> list[Any]:
    link = f"<a href={quoteattr(data.verify_url)}>{escape(data.verify_url)}</a>"
    text = [
        _p(_("Certificate No.: %(number)s") % {"number": data.number}, SMALL),
        _p(_("Date of issue: %(date)s") % {"date": data.issued_on.isoformat()}, SMALL),
        _p(_("Scan the QR code or visit the URL to verify this certificate:"), SMALL),
        Paragraph(link, SMALL),
        Spacer(1, 2 * mm),
        _p(
            _(
                "This certificate is issued free of charge and truthfully from the volunteer "
                "service records. Any alteration makes it void."
            ),
            SMALL,
        ),
    ]
    layout = Table(
        [[_qr(data.verify_url), text]],
        colWidths=[QR_SIZE + 4 * mm, WIDTH - QR_SIZE - 4 * mm],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
            ]
        ),
    )
    return [KeepTogether([Paragraph(escape(_("4. Other information")), HEADING), layout])]


def _qr(url: str) -> Drawing:
    """The QR code as vector squares: one filled path, so no hairline seams between modules."""
    rows = [list(row) for row in segno.make(url, error="m").matrix_iter(border=2)]
    module = QR_SIZE / len(rows)
    path = ShapePath(fillColor=colors.black, strokeColor=None, strokeWidth=0)
    for y, row in enumerate(rows):
        top = QR_SIZE - y * module
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            run = x
            while run < len(row) and row[run]:
                run += 1
            # One rectangle per horizontal run of dark modules.
            path.moveTo(x * module, top)
            path.lineTo(run * module, top)
            path.lineTo(run * module, top - module)
            path.lineTo(x * module, top - module)
            path.closePath()
            x = run
    drawing = Drawing(QR_SIZE, QR_SIZE, initialFontName=FONT)  # else it sets Helvetica
    drawing.add(path)
    return drawing


class _FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds pages back until the end, so every footer can say how many pages there are."""

    def __init__(self, *args: Any, number_line: str, page_line: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._number_line = number_line
        self._page_line = page_line
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        count = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(count)
            super().showPage()
        super().save()

    def _footer(self, count: int) -> None:
        page = self._pageNumber
        y = MARGIN_BOTTOM - 10 * mm
        self.saveState()
        self.setStrokeColor(GRID)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 4 * mm, PAGE_WIDTH - MARGIN_X, y + 4 * mm)
        self.setFont(FONT, 9)
        self.setFillColor(colors.HexColor("#333333"))
        self.drawString(MARGIN_X, y, self._number_line)
        self.drawRightString(
            PAGE_WIDTH - MARGIN_X, y, self._page_line % {"page": page, "pages": count}
        )
        self.restoreState()
