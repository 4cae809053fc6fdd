"""The reports as documents: a unit's report and an office's summary of a period, in Word (for
reading, printing and forwarding, as the city's offices work) and in Excel (the same figures,
for adding up).

Pure reads: they never fill in or change figures (a draft's view calls figures_fill first). A
report's figures are its snapshot (ReportFigure); a summary's come from the rollups of the
office's subtree (services.board), like the dashboard.

The Word files use python-docx's own API, plus a few pieces of plain OOXML it has no API for:
East Asian font names (w:rFonts/@w:eastAsia), the PAGE field in the footer, header rows
repeated on each page (w:tblHeader), and a restart of numbering for each numbered list of a
narrative. Body text is 仿宋 and headings 黑体, as in
the offices' own documents; Word and WPS substitute installed fonts where these are missing.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from PIL import Image, ImageOps

from leifeng.orgs.models import Organisation
from leifeng.reports import charts, services
from leifeng.reports.models import Attachment, Period, Report

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


# Control characters have no place in XML: python-docx and openpyxl refuse them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return CONTROL.sub("", text)


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


# --- Word: page, fonts, styles -------------------------------------------------------------

LATIN_FONT = "Times New Roman"
BODY_FONT = "仿宋"  # FangSong
HEADING_FONT = "黑体"  # SimHei
QUOTE_FONT = "楷体"  # KaiTi
BODY_PT = 12
TABLE_PT = 10.5
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)  # A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(30), Mm(28), Mm(27), Mm(27)
TEXT_WIDTH = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
TEXT_HEIGHT = Emu(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
BLACK = RGBColor(0, 0, 0)
TABLE_STYLE = "Table Text"
THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(rpr: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run property element outright; theme fonts (which win over names)
    are dropped, so that Word and WPS show the East Asian font named here."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style(
    document: DocxDocument,
    name: str,
    *,
    east_asia: str,
    size: float,
    bold: bool | None = None,
    italic: bool | None = None,
    align: WD_ALIGN_PARAGRAPH | None = None,
    before: float | None = None,
    after: float | None = None,
    line: float | None = None,
) -> ParagraphStyle:
    style = document.styles[name]
    assert isinstance(style, ParagraphStyle)
    _set_fonts(style.element.get_or_add_rPr(), east_asia)
    style.font.size = Pt(size)
    style.font.color.rgb = BLACK
    style.font.bold = bold
    style.font.italic = italic
    paragraph = style.paragraph_format
    if align is not None:
        paragraph.alignment = align
    if before is not None:
        paragraph.space_before = Pt(before)
    if after is not None:
        paragraph.space_after = Pt(after)
    if line is not None:
        paragraph.line_spacing = line
    return style


def _new_document(title: str, author: str) -> DocxDocument:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = Mm(15)

    # Defaults for every run: named fonts instead of the template's theme fonts, and Chinese
    # as the East Asian language (so that Word lays out and proofs it as Chinese).
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, BODY_FONT)
            lang = rpr.find(qn("w:lang"))
            if lang is not None:
                lang.set(qn("w:eastAsia"), "zh-CN")

    _style(document, "Normal", east_asia=BODY_FONT, size=BODY_PT, after=4, line=1.5)
    body = _style(document, "Body Text", east_asia=BODY_FONT, size=BODY_PT, after=4, line=1.5)
    body.paragraph_format.first_line_indent = Pt(BODY_PT * 2)  # 首行缩进两字
    title_style = _style(
        document,
        "Title",
        east_asia=HEADING_FONT,
        size=20,
        bold=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        before=6,
        after=6,
        line=1.25,
    )
    title_ppr = title_style.element.pPr
    borders = title_ppr.find(qn("w:pBdr")) if title_ppr is not None else None
    if title_ppr is not None and borders is not None:
        title_ppr.remove(borders)  # the template's blue rule under the title
    _style(
        document,
        "Subtitle",
        east_asia=QUOTE_FONT,
        size=14,
        bold=False,
        italic=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=12,
    )
    for name, size in (("Heading 1", 16), ("Heading 2", 14), ("Heading 3", BODY_PT)):
        _style(document, name, east_asia=HEADING_FONT, size=size, bold=False, before=12, after=6)
    quote = _style(document, "Quote", east_asia=QUOTE_FONT, size=BODY_PT, italic=False)
    quote.paragraph_format.left_indent = Pt(BODY_PT * 2)
    _style(
        document,
        "Caption",
        east_asia=BODY_FONT,
        size=TABLE_PT,
        bold=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=10,
        line=1.0,
    )
    for name in ("List Bullet", "List Bullet 2", "List Number", "List Number 2"):
        _style(document, name, east_asia=BODY_FONT, size=BODY_PT, after=2, line=1.5)
    table_text = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(table_text, ParagraphStyle)
    table_text.base_style = document.styles["Normal"]
    _style(document, TABLE_STYLE, east_asia=BODY_FONT, size=TABLE_PT, before=1, after=1, line=1.0)

    _page_numbers(document)
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    properties.comments = ""
    properties.language = "zh-CN"
    properties.created = properties.modified = timezone.now()
    return document


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A complex field (w:fldChar begin / instrText / separate / result / end)."""

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._r.append(element)

    char("begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    char("separate")
    paragraph.add_run(shown)
    char("end")


def _page_numbers(document: DocxDocument) -> None:
    """ "— 1 —" centred at the foot of every page, as on the offices' documents."""
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")


def _save(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _line(document: DocxDocument, text: str, style: str = "Normal") -> Paragraph:
    return document.add_paragraph(_clean(text), style=style)


def _table(
    document: DocxDocument,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    widths_mm: Sequence[float] | None = None,
    numeric: Iterable[int] = (),
    bold_rows: Iterable[int] = (),
) -> Table:
    """A bordered table with a bold header row repeated on each page; `numeric` columns are
    right-aligned."""
    body = [list(row) for row in rows]
    table: Table = document.add_table(rows=1 + len(body), cols=len(header), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    right = set(numeric)
    strong = {index + 1 for index in bold_rows}
    for r, values in enumerate([list(header), *body]):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            paragraph = cells[c].paragraphs[0]
            paragraph.style = document.styles[TABLE_STYLE]
            run = paragraph.add_run(_clean(value))
            if r == 0 or r in strong:
                run.bold = True
            if r == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif c in right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table)
    if widths_mm:
        _widths(table, widths_mm)
    return table


def _repeat_header(table: Table) -> None:
    """The first row is repeated at the top of each page the table runs over."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    if properties.find(qn("w:tblHeader")) is None:
        properties.append(OxmlElement("w:tblHeader"))


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Column widths in the grid (read by LibreOffice and WPS) and in each cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _picture(document: DocxDocument, png: bytes, width: int | None = None) -> None:
    document.add_picture(io.BytesIO(png), width=Emu(width or TEXT_WIDTH))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


# --- photos --------------------------------------------------------------------------------

PHOTO_PX = 1600


def _photo(file: FieldFile, longest: int = PHOTO_PX) -> tuple[bytes, int, int] | None:
    """The photo as a JPEG of at most `longest` px, turned upright (EXIF), with its size;
    None if the file is gone or not an image. (WebP and big originals would not go into Word
    as they are.)"""
    if not file:
        return None
    try:
        with file.open("rb") as source:
            data = source.read()
        with Image.open(io.BytesIO(data)) as original:
            original.draft("RGB", (longest, longest))  # JPEG: decode at a smaller scale, fast
            image = ImageOps.exif_transpose(original).convert("RGB")
            image.thumbnail((longest, longest))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue(), image.width, image.height
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _fit(width_px: int, height_px: int, max_width: int, max_height: int) -> int:
    """The width (EMU) that keeps the picture within max_width × max_height."""
    return int(min(max_width, max_height * width_px / max(height_px, 1)))


# --- the narrative: a small HTML subset into Word -------------------------------------------


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False
    brk: bool = False  # a line break (<br>) instead of text


@dataclass
class Para:
    kind: str = "p"  # p, h3, h4, li, quote
    runs: list[Run] = field(default_factory=list)
    list_kind: str = ""  # ul or ol, for li
    level: int = 0  # list depth, 1 = top
    marker: bool = True  # the item's first paragraph (the one with the bullet or number)
    list_id: int = 0  # which <ol> (numbering restarts for each)

    def is_empty(self) -> bool:
        return not any(run.brk or run.text.strip() for run in self.runs)


@dataclass
class Cell:
    header: bool = False
    paras: list[Para] = field(default_factory=list)


@dataclass
class HtmlTable:
    rows: list[list[Cell]] = field(default_factory=list)


Block = Para | HtmlTable
SPACES = re.compile(r"\s+")


class NarrativeParser(HTMLParser):
    """Reads the narrative's HTML (services.NARRATIVE_TAGS) into paragraphs and tables.
    Whitespace collapses as in a browser; unknown tags keep their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.para: Para | None = None
        self.bold = self.italic = self.underline = 0
        self.heading = ""
        self.quote = 0
        self.lists: list[list[Any]] = []  # [kind, id]
        self.list_ids = 0
        self.item_pending = False
        self.table: HtmlTable | None = None
        self.table_depth = 0  # a table in a table: its cells become lines of the outer cell
        self.cell: Cell | None = None

    def _close(self) -> None:
        if self.para is not None:
            runs = self.para.runs
            while runs and not runs[-1].brk and not runs[-1].text.strip():
                runs.pop()
            if runs and not runs[-1].brk:
                runs[-1].text = runs[-1].text.rstrip()
            while runs and runs[-1].brk:
                runs.pop()
        self.para = None

    def _open(self) -> Para:
        if self.para is None:
            in_table = self.table is not None
            if self.heading and not in_table:
                para = Para(kind=self.heading)
            elif self.lists and not in_table:
                kind, list_id = self.lists[-1]
                para = Para(
                    kind="li",
                    list_kind=kind,
                    level=len(self.lists),
                    marker=self.item_pending,
                    list_id=list_id,
                )
                self.item_pending = False
            elif self.quote and not in_table:
                para = Para(kind="quote")
            else:
                para = Para()
            if self.cell is not None:
                self.cell.paras.append(para)
            else:
                self.blocks.append(para)
            self.para = para
        return self.para

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "u":
            self.underline += 1
        elif tag == "br":
            self._open().runs.append(Run("", brk=True))
        elif tag in ("p", "blockquote", "h3", "h4", "ul", "ol", "li", "tr", "td", "th"):
            self._close()
            if tag in ("h3", "h4"):
                self.heading = tag
            elif tag == "blockquote":
                self.quote += 1
            elif tag in ("ul", "ol"):
                self.list_ids += 1
                self.lists.append([tag, self.list_ids])
            elif tag == "li":
                self.item_pending = True
            elif self.table is not None and self.table_depth == 1:
                if tag == "tr":
                    self.table.rows.append([])
                    self.cell = None
                elif tag in ("td", "th"):
                    if not self.table.rows:
                        self.table.rows.append([])
                    self.cell = Cell(header=tag == "th")
                    self.table.rows[-1].append(self.cell)
        elif tag == "table":
            self._close()
            self.table_depth += 1
            if self.table_depth == 1:
                self.table = HtmlTable()
                self.blocks.append(self.table)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("strong", "b"):
            self.bold = max(self.bold - 1, 0)
        elif tag in ("em", "i"):
            self.italic = max(self.italic - 1, 0)
        elif tag == "u":
            self.underline = max(self.underline - 1, 0)
        elif tag in ("p", "h3", "h4", "li", "blockquote", "ul", "ol", "td", "th", "tr"):
            self._close()
            if tag in ("h3", "h4"):
                self.heading = ""
            elif tag == "blockquote":
                self.quote = max(self.quote - 1, 0)
            elif tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            elif tag == "li":
                self.item_pending = False
        elif tag == "table" and self.table_depth:
            self._close()
            self.table_depth -= 1
            if not self.table_depth:
                self.table = self.cell = None

    def handle_data(self, data: str) -> None:
        text = SPACES.sub(" ", _clean(data))
        if not text.strip() and (self.para is None or not self.para.runs):
            return
        para = self._open()
        if not para.runs or para.runs[-1].brk:
            text = text.lstrip()
        if para.runs and not para.runs[-1].brk and para.runs[-1].text.endswith(" "):
            text = text.lstrip()
        if text:
            para.runs.append(Run(text, self.bold > 0, self.italic > 0, self.underline > 0))

    def close(self) -> None:
        super().close()
        self._close()


def narrative_blocks(html: str) -> list[Block]:
    """The narrative as paragraphs and tables, empty paragraphs dropped."""
    parser = NarrativeParser()
    parser.feed(html or "")
    parser.close()
    blocks: list[Block] = []
    for block in parser.blocks:
        if isinstance(block, Para):
            if not block.is_empty():
                blocks.append(block)
        else:
            for row in block.rows:
                for cell in row:
                    cell.paras = [p for p in cell.paras if not p.is_empty()]
            block.rows = [row for row in block.rows if row]
            if block.rows:
                blocks.append(block)
    return blocks


PARA_STYLES = {"p": "Body Text", "h3": "Heading 2", "h4": "Heading 3", "quote": "Quote"}


def _runs(paragraph: Paragraph, runs: Iterable[Run], bold: bool = False) -> None:
    for piece in runs:
        if piece.brk:
            paragraph.add_run().add_break()
            continue
        run = paragraph.add_run(piece.text)
        if piece.bold or bold:
            run.bold = True
        if piece.italic:
            run.italic = True
        if piece.underline:
            run.underline = True


class _Numbering:
    """A fresh numbering instance for each <ol>, so that every numbered list starts at 1
    (otherwise Word would number all lists of the style as one)."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.ids: dict[int, int] = {}

    def num_id(self, list_id: int, style_name: str) -> int | None:
        if list_id in self.ids:
            return self.ids[list_id]
        try:
            style = self.document.styles[style_name]
            style_num = style.element.pPr.numPr.numId.val
            numbering = self.document.part.numbering_part.element
            abstract_id = numbering.num_having_numId(style_num).abstractNumId.val
        except (AttributeError, KeyError, NotImplementedError):
            return None
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        self.ids[list_id] = int(num.numId)
        return self.ids[list_id]

    def apply(self, paragraph: Paragraph, list_id: int, style_name: str) -> None:
        num_id = self.num_id(list_id, style_name)
        if num_id is None:
            return
        numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        numbering.get_or_add_ilvl().val = 0
        numbering.get_or_add_numId().val = num_id


def _narrative(document: DocxDocument, html: str) -> None:
    numbering = _Numbering(document)
    for block in narrative_blocks(html):
        if isinstance(block, HtmlTable):
            _narrative_table(document, block)
            continue
        if block.kind == "li":
            deep = block.level > 1
            if not block.marker:
                paragraph = document.add_paragraph(style="Normal")
                paragraph.paragraph_format.left_indent = Pt(BODY_PT * 2 * block.level)
            elif block.list_kind == "ol":
                style = "List Number 2" if deep else "List Number"
                paragraph = document.add_paragraph(style=style)
                numbering.apply(paragraph, block.list_id, style)
            else:
                paragraph = document.add_paragraph(style="List Bullet 2" if deep else "List Bullet")
        else:
            paragraph = document.add_paragraph(style=PARA_STYLES.get(block.kind, "Body Text"))
        _runs(paragraph, block.runs)


def _narrative_table(document: DocxDocument, block: HtmlTable) -> None:
    columns = max(len(row) for row in block.rows)
    table = document.add_table(rows=len(block.rows), cols=columns, style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(block.rows):
        cells: list[_Cell] = list(table.rows[r].cells)
        for c, cell in enumerate(row):
            target = cells[c]
            for index, para in enumerate(cell.paras or [Para()]):
                paragraph = target.paragraphs[0] if index == 0 else target.add_paragraph()
                paragraph.style = document.styles[TABLE_STYLE]
                _runs(paragraph, para.runs, bold=cell.header)
    if block.rows and all(cell.header for cell in block.rows[0]):
        _repeat_header(table)
    document.add_paragraph(style="Normal")  # room after the table


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
    document = _new_document(title, organisation.name)
    _line(document, title, style="Title")
    _line(document, period.name, style="Subtitle")
    _line(document, _("Reporting organisation: %(name)s") % {"name": organisation.name})
    _line(document, _period_line(period))
    _line(document, _status_line(report))
    if report.comment.strip():
        _line(document, _("Comments from the office: %(comment)s") % {"comment": report.comment})

    figures = services.report_figures(report)
    document.add_paragraph(_("Figures"), style="Heading 1")
    if not figures:
        _line(document, _("No figures yet."))
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
        _table(
            document,
            [_("Figure"), _("Unit"), _("Reported"), _("Counted by the platform"), _("Note")],
            rows,
            widths_mm=(46, 16, 26, 26, 42),
            numeric=(2, 3),
            bold_rows=manual_rows,
        )
        if manual_rows:
            _line(
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
            _picture(
                document,
                charts.bars_png(
                    chart_title,
                    [services.line_label(f.line) for f in by_line],
                    [f.value for f in by_line],
                    _unit("activities"),
                ),
            )
            _line(document, chart_title, style="Caption")

    document.add_paragraph(_("What was done"), style="Heading 1")
    if report.narrative.strip():
        _narrative(document, report.narrative)
    else:
        _line(document, _("No narrative yet."))

    photos = list(
        report.attachments.filter(kind=Attachment.Kind.PHOTO, in_document=True).order_by("pk")[
            :REPORT_PHOTOS
        ]
    )
    shown = 0
    for attachment in photos:
        photo = _photo(attachment.file)
        if photo is None:
            continue
        if not shown:
            document.add_paragraph(_("Photos"), style="Heading 1")
        shown += 1
        data, width, height = photo
        _picture(document, data, _fit(width, height, TEXT_WIDTH, int(TEXT_HEIGHT * 0.42)))
        caption = attachment.title or _("Photo %(number)d") % {"number": shown}
        _line(document, caption, style="Caption")

    document.add_paragraph("", style="Normal")
    contact = document.add_paragraph(style="Normal")
    contact.add_run(_("Contact person: %(name)s") % {"name": _clean(report.contact_name) or "—"})
    contact.add_run("\u3000\u3000")  # two ideographic spaces
    contact.add_run(_("Phone: %(phone)s") % {"phone": _clean(report.contact_phone) or "—"})
    return _save(document)


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
    document = _new_document(title, organisation.name)
    _line(document, title, style="Title")
    _line(document, period.name, style="Subtitle")
    _line(document, _period_line(period))
    _line(document, _("Produced on %(date)s") % {"date": _day(timezone.localdate())})

    # Submissions
    document.add_paragraph(_("Submissions"), style="Heading 1")
    counts = summary.counts
    _line(
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
        _table(
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
    _line(
        document,
        _("The figures of %(organisation)s and all organisations below it, %(first)s to %(last)s.")
        % {
            "organisation": organisation.name,
            "first": _day(period.starts_on),
            "last": _day(period.ends_on),
        },
        style="Body Text",
    )
    _table(
        document,
        [_("Figure"), _("Value"), _("Unit")],
        (
            [str(kind.label), _number(board.total.get((key, ""), 0), kind.places), str(kind.unit)]
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
        _table(
            document,
            header,
            rows,
            widths_mm=(46, 18, 18, 18, 20, 18, 18),
            numeric=range(1, len(header)),
            bold_rows=[len(rows) - 1],
        )
        _line(
            document,
            _(
                "Volunteers and activities are counted once for the whole area, so the whole "
                "may be less than the sum of its parts."
            ),
            style="Caption",
        )
        chart_title = _("Service hours by organisation")
        _picture(
            document,
            charts.bars_png(
                chart_title,
                [child.name for child, _values in board.by_child],
                [values.get(("hours", ""), Decimal(0)) for _child, values in board.by_child],
                _unit("hours"),
            ),
        )
        _line(document, chart_title, style="Caption")

    lines = [(line, activities, hours) for line, activities, hours in board.by_line if line]
    document.add_paragraph(_("By campaign line"), style="Heading 2")
    _table(
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
        _picture(
            document,
            charts.bars_png(
                chart_title,
                [services.line_label(line) for line, _a, _h in lines],
                [activities for _l, activities, _h in lines],
                _unit("activities"),
            ),
        )
        _line(document, chart_title, style="Caption")

    if board.top:
        document.add_paragraph(_("Units with the most service hours"), style="Heading 2")
        _table(
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
        _picture(
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
        _line(document, chart_title, style="Caption")

    _summary_photos(document, summary)
    return _save(document)


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
        photo = _photo(attachment.thumbnail or attachment.file, longest=800)
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
            io.BytesIO(data), width=Emu(_fit(width, height, half, int(Mm(60))))
        )
        label = table.cell(row * 2 + 1, column).paragraphs[0]
        label.style = document.styles["Caption"]
        label.add_run(_clean(caption))


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
                cell = sheet.cell(row=r, column=c, value=_clean(str(value)))
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
    by_child = [
        [child.name, *(values.get((key, ""), Decimal(0)) for key in keys)]
        for child, values in board.by_child
    ]
    by_child.append([_("Whole area"), *(board.total.get((key, ""), Decimal(0)) for key in keys)])
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
