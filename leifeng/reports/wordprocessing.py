"""Word pieces the reports' documents share: an A4 document with Chinese government fonts
(仿宋 body, 黑体 headings) and page numbers, tables, pictures, photos fitted to the page, and
a report's narrative (its small HTML subset) turned into Word headings, paragraphs, lists and
tables.

python-docx's own API, plus a few pieces of plain OOXML it has no API for: East Asian font names
(w:rFonts/@w:eastAsia), the PAGE field in the footer, header rows repeated on each page
(w:tblHeader), and a restart of numbering for each numbered list of a narrative.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils import timezone
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
from PIL import Image, ImageOps

# Control characters have no place in XML: python-docx and openpyxl refuse them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return CONTROL.sub("", text)


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


def new_document(title: str, author: str) -> DocxDocument:
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


def save_document(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_line(document: DocxDocument, text: str, style: str = "Normal") -> Paragraph:
    return document.add_paragraph(clean(text), style=style)


def add_table(
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
            run = paragraph.add_run(clean(value))
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


def add_picture(document: DocxDocument, png: bytes, width: int | None = None) -> None:
    document.add_picture(io.BytesIO(png), width=Emu(width or TEXT_WIDTH))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


# --- photos --------------------------------------------------------------------------------

PHOTO_PX = 1600


def photo_data(file: FieldFile, longest: int = PHOTO_PX) -> tuple[bytes, int, int] | None:
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


def fit(width_px: int, height_px: int, max_width: int, max_height: int) -> int:
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
        text = SPACES.sub(" ", clean(data))
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


def add_narrative(document: DocxDocument, html: str) -> None:
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
