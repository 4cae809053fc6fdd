"""Volunteers from Excel: the template, and reading a filled-in file row by row.

The sheet speaks Chinese (headers, drop-down lists), whatever the language of the request.
Reading checks every row with services.profile_check, the same rules as the registration form.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import IO, Any

from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from leifeng.core.campaign import CampaignLine
from leifeng.core.errors import DomainError
from leifeng.core.sheets import (
    EXAMPLE_MARK,
    TEMPLATE_LANGUAGE,
    RowError,
    check_headers,
    file_error,
    open_rows,
)
from leifeng.core.sheets import cell_date as _date
from leifeng.core.sheets import cell_text as _text
from leifeng.regions.models import Region
from leifeng.volunteers.codes import (
    Availability,
    Education,
    GuardianRelation,
    PoliticalStatus,
    Sex,
    VolunteerKind,
)
from leifeng.volunteers.identity import DocumentType
from leifeng.volunteers.models import Skill
from leifeng.volunteers.services import Guardian, Profile, profile_check

LANGUAGE = TEMPLATE_LANGUAGE
SEPARATORS = re.compile(r"[、,，;；/]+")


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy text, rendered in Chinese
    width: int = 14
    required: bool = False
    choices: type[TextChoices] | None = None  # a drop-down list
    several: type[TextChoices] | None = None  # several labels separated by 、


COLUMNS = [
    Column("name", gettext_lazy("Real name"), 10, required=True),  # 姓名, not 名称
    Column("document_type", gettext_lazy("Document type"), 16, choices=DocumentType),
    Column("document_number", gettext_lazy("Document number"), 22, required=True),
    Column("mobile", gettext_lazy("Mobile number"), 14, required=True),
    Column("residence", gettext_lazy("Residence (township or street)"), 30, required=True),
    Column("birth_date", gettext_lazy("Birth date (documents other than the ID card)"), 16),
    Column("sex", gettext_lazy("Sex (documents other than the ID card)"), 10, choices=Sex),
    Column("kinds", gettext_lazy("Volunteer kinds"), 20, several=VolunteerKind),
    Column("campaign_lines", gettext_lazy("Campaign lines"), 24, several=CampaignLine),
    Column("skills", gettext_lazy("Skills"), 16),
    Column("availability", gettext_lazy("Availability"), 16, several=Availability),
    Column("political_status", gettext_lazy("Political status"), 16, choices=PoliticalStatus),
    Column("education", gettext_lazy("Education"), 12, choices=Education),
    Column("national_number", gettext_lazy("National volunteer number"), 18),
    Column("guardian_name", gettext_lazy("Guardian's name (under 18)"), 14),
    Column("guardian_relation", gettext_lazy("Guardian's relation"), 12, choices=GuardianRelation),
    Column("guardian_phone", gettext_lazy("Guardian's mobile"), 14),
]
TEXT_COLUMNS = {"document_number", "mobile", "guardian_phone", "national_number"}


def headers() -> list[str]:
    with translation.override(LANGUAGE):
        return [str(column.header) for column in COLUMNS]


def _labels(choices: type[TextChoices]) -> dict[str, str]:
    """Chinese label → code, plus the codes and English labels themselves."""
    mapping = {code: code for code in choices.values}
    with translation.override("en"):
        mapping.update({str(label): code for code, label in choices.choices})
    with translation.override(LANGUAGE):
        mapping.update({str(label): code for code, label in choices.choices})
    return mapping


def region_label(region: Region, county_name: str) -> str:
    return f"{county_name}{region.name}（{region.code}）"


def _residence_options() -> list[tuple[str, Region]]:
    """Townships (and coded villages) as "泽州县南村镇（140525100）"."""
    regions = Region.objects.filter(
        level__in=[Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE]
    ).order_by("path")
    counties: dict[int, str] = {}
    options = []
    for region in regions:
        if region.level == Region.Level.COUNTY:
            counties[region.pk] = region.name
            continue
        if region.level == Region.Level.VILLAGE and not region.code:
            continue
        county_name = next((counties[pk] for pk in region.path_ids() if pk in counties), "")
        options.append((region_label(region, county_name), region))
    return options


def template_xlsx(*, example_number: str) -> bytes:
    """The import template: Chinese headers, one example row, drop-down lists, a notes sheet."""
    with translation.override(LANGUAGE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Volunteers"))
        codes = workbook.create_sheet(str(_("Code lists")))
        notes = workbook.create_sheet(str(_("Instructions")))
        bold = Font(bold=True)
        required_fill = PatternFill("solid", fgColor="FDE9D9")
        sheet.append(headers())
        for index, column in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font = bold
            if column.required:
                cell.fill = required_fill
            letter = get_column_letter(index)
            sheet.column_dimensions[letter].width = column.width
            if column.key in TEXT_COLUMNS:  # long numbers must stay text, or Excel rounds them
                for row in range(2, 5002):
                    sheet.cell(row=row, column=index).number_format = "@"
        sheet.freeze_panes = "A2"

        residences = _residence_options()
        lists: dict[str, list[str]] = {"residence": [label for label, _r in residences]}
        for column in COLUMNS:
            if column.choices is not None:
                lists[column.key] = [str(label) for label in column.choices.labels]
        for col_index, (key, values) in enumerate(lists.items(), start=1):
            letter = get_column_letter(col_index)
            header = next(str(c.header) for c in COLUMNS if c.key == key)
            codes.cell(row=1, column=col_index, value=header).font = bold
            for row, value in enumerate(values, start=2):
                codes.cell(row=row, column=col_index, value=value)
            target = get_column_letter(next(i for i, c in enumerate(COLUMNS, 1) if c.key == key))
            validation = DataValidation(
                type="list",
                formula1=f"'{codes.title}'!${letter}$2:${letter}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=str(_("Not in the list")),
                error=str(_("Choose a value from the drop-down list.")),
            )
            validation.add(f"{target}2:{target}5001")
            sheet.add_data_validation(validation)
        codes.sheet_state = "hidden"

        first_township = residences[0][0] if residences else ""
        example = {
            "name": f"{EXAMPLE_MARK}张三",
            "document_type": str(DocumentType.RESIDENT_ID.label),
            "document_number": example_number,
            "mobile": "13800000000",
            "residence": first_township,
            "kinds": "、".join(
                str(label) for label in (VolunteerKind.COMMUNITY.label, VolunteerKind.YOUTH.label)
            ),
            "campaign_lines": str(CampaignLine.CIVILIZED_CITY.label),
            "availability": str(Availability.WEEKEND.label),
            "political_status": str(PoliticalStatus.MASSES.label),
            "education": str(Education.BACHELOR.label),
        }
        # Row 2 by number: the text formats above reach row 5001, and append() writes below.
        for index, column in enumerate(COLUMNS, start=1):
            sheet.cell(row=2, column=index, value=example.get(column.key))

        notes.column_dimensions["A"].width = 110
        for line in [
            _("How to fill in this sheet"),
            _(
                "One volunteer per row, from row 3. Rows whose name starts with %(mark)s are "
                "skipped."
            )
            % {"mark": EXAMPLE_MARK},
            _("Coloured headers are required. Do not change, move or delete the headers."),
            _("Enter document and mobile numbers as text, exactly as on the document."),
            _(
                "Birth date and sex come from the ID card or residence permit number; fill them "
                "in only for other documents (date as 2000-01-31)."
            ),
            _("Several volunteer kinds, campaign lines, skills or times: separate them with 、"),
            _("Volunteer kinds: %(list)s")
            % {"list": "、".join(str(label) for label in VolunteerKind.labels)},
            _("Campaign lines: %(list)s")
            % {"list": "、".join(str(label) for label in CampaignLine.labels)},
            _("Availability: %(list)s")
            % {"list": "、".join(str(label) for label in Availability.labels)},
            _("Skills: %(list)s")
            % {"list": "、".join(Skill.objects.values_list("name", flat=True)) or "—"},
            _("Under 18: the guardian's name, relation and mobile are required."),
            _(
                "Importing the same file again creates nobody twice: people already registered "
                "with your organisation are updated, or skipped when nothing changed."
            ),
        ]:
            notes.append([str(line)])
        notes["A1"].font = bold
        buffer = BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


# --- reading -------------------------------------------------------------------------------


@dataclass
class CheckedRow:
    row: int
    profile: Profile


@dataclass
class FileCheck:
    rows: list[CheckedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0


def _open_rows(source: IO[bytes]) -> tuple[Any, Iterator[list[Any]]]:
    with translation.override(LANGUAGE):
        name = str(_("Volunteers"))
    return open_rows(source, name)


def _check_headers(row: tuple[Any, ...] | None) -> None:
    check_headers(row, headers())


def _parts(text: str, known: dict[str, Any]) -> list[str]:
    """The entries of a cell holding several, separated by 、 (or , ; /); spaces separate too,
    unless they belong to an entry ("Community volunteer")."""
    parts = []
    for part in SEPARATORS.split(text):
        part = " ".join(part.split())
        words = part.split()
        if part in known or not all(word in known for word in words):
            parts.append(part)  # unknown entries are reported whole
        else:
            parts.extend(words)
    return [part for part in parts if part]


class RowReader:
    """Turns raw rows into checked profiles, with lookup tables built once per file."""

    def __init__(self, *, today: date) -> None:
        self.today = today
        self.headers = dict(zip([c.key for c in COLUMNS], headers(), strict=True))
        self.choice_maps = {
            c.key: _labels(c.choices or c.several)  # type: ignore[arg-type]
            for c in COLUMNS
            if c.choices or c.several
        }
        self.residences: dict[str, Region] = {}
        for label, region in _residence_options():
            self.residences[label] = region
            self.residences[region.code] = region
        for region in Region.objects.filter(level=Region.Level.TOWNSHIP):
            self.residences.setdefault(region.name, region)
        self.skills = {skill.name: skill for skill in Skill.objects.all()}
        self.document_default = DocumentType.RESIDENT_ID.value

    def _residence(self, text: str) -> Region | None:
        if text in self.residences:
            return self.residences[text]
        code = re.search(r"(\d{9,12})", text)
        return self.residences.get(code.group(1)) if code else None

    def read(self, number: int, values: tuple[Any, ...]) -> tuple[Profile | None, list[RowError]]:
        cells = dict(zip([c.key for c in COLUMNS], values, strict=False))
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(RowError(number, self.headers.get(key, key), message))

        data: dict[str, Any] = {"name": _text(cells.get("name"))}
        document_number = cells.get("document_number")
        if isinstance(document_number, int | float) and abs(document_number) >= 1e15:
            fail(
                "document_number",
                _("The number was stored as a number and Excel has rounded it; enter it as text."),
            )
        data["document_number"] = _text(document_number)
        data["mobile"] = _text(cells.get("mobile"))
        for key in ("document_type", "sex", "political_status", "education"):
            text = _text(cells.get(key))
            if not text:
                data[key] = self.document_default if key == "document_type" else ""
                continue
            code = self.choice_maps[key].get(text)
            if code is None:
                fail(key, _("“%(value)s” is not in the list.") % {"value": text})
            data[key] = code or ""
        for key in ("kinds", "campaign_lines", "availability"):
            codes = []
            for part in _parts(_text(cells.get(key)), self.choice_maps[key]):
                code = self.choice_maps[key].get(part)
                if code is None:
                    fail(key, _("“%(value)s” is not in the list.") % {"value": part})
                else:
                    codes.append(code)
            data[key] = codes
        skills = []
        for part in _parts(_text(cells.get("skills")), self.skills):
            if part in self.skills:
                skills.append(self.skills[part])
            else:
                fail("skills", _("“%(value)s” is not a known skill.") % {"value": part})
        data["skills"] = skills
        residence_text = _text(cells.get("residence"))
        data["residence"] = self._residence(residence_text) if residence_text else None
        if residence_text and data["residence"] is None:
            fail("residence", _("“%(value)s” is not a known township.") % {"value": residence_text})
        birth = _date(cells.get("birth_date"))
        if isinstance(birth, str):
            fail("birth_date", _("Write the date as 2000-01-31."))
            birth = None
        data["birth_date"] = birth
        data["national_number"] = _text(cells.get("national_number"))
        # Always a guardian, even with empty cells: the organisation affirms consent when it
        # uploads, so a minor's row is only ever missing the three guardian columns.
        relation_text = _text(cells.get("guardian_relation"))
        guardian = Guardian(
            name=_text(cells.get("guardian_name")),
            relation=self.choice_maps["guardian_relation"].get(relation_text, relation_text),
            phone=_text(cells.get("guardian_phone")),
            consented=True,
        )
        try:
            profile = profile_check(data, today=self.today, allow_15=True, guardian=guardian)
        except DomainError as exc:
            reported = {e.column for e in errors}
            for key, message in exc.fields.items():
                if self.headers.get(key, key) not in reported:
                    fail(key, message)
            return None, errors
        if errors:
            return None, errors
        return profile, errors


def read_file(
    source: IO[bytes],
    *,
    today: date,
    max_rows: int,
    on_progress: Callable[[int], None] | None = None,
) -> FileCheck:
    """Check every row of an uploaded file. Raises DomainError for a file that cannot be used
    at all (not .xlsx, wrong headers, empty, too many rows)."""
    workbook, rows = _open_rows(source)
    try:
        _check_headers(next(rows, None))
        reader = RowReader(today=today)
        result = FileCheck()
        seen: dict[str, int] = {}
        for number, values in enumerate(rows, start=2):
            if not any(value not in (None, "") for value in values):
                continue
            if _text(values[0]).startswith(EXAMPLE_MARK):
                continue
            result.total += 1
            if result.total > max_rows:
                raise file_error(
                    _("The file has more than %(max)d volunteers; split it into smaller files.")
                    % {"max": max_rows}
                )
            profile, errors = reader.read(number, values)
            if profile is not None:
                first = seen.setdefault(profile.document_hash, number)
                if first != number:
                    errors.append(
                        RowError(
                            number,
                            reader.headers["document_number"],
                            _("The same document is already in row %(row)d.") % {"row": first},
                        )
                    )
                else:
                    result.rows.append(CheckedRow(number, profile))
            result.errors.extend(errors)
            if on_progress and result.total % 1000 == 0:
                on_progress(result.total)
        if result.total == 0:
            raise file_error(_("The file has no volunteers in it: fill in rows from row 3."))
        return result
    finally:
        workbook.close()
