"""Reading the Excel files people fill in: the sheet, its headers, and cells as text, dates and
times. The files speak Chinese (headers, examples), whatever the language of the request."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from leifeng.core.errors import DomainError

TEMPLATE_LANGUAGE = "zh-hans"
EXAMPLE_MARK = "【示例】"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H时%M分", "%H点%M分", "%H:%M:%S.%f")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def file_error(message: str) -> DomainError:
    return DomainError(message, code="invalid", fields={"file": message})


def open_rows(source: IO[bytes], sheet_name: str) -> tuple[Any, Iterator[list[Any]]]:
    """The rows of the named sheet (else the first). calamine (Rust) reads a large file about
    ten times faster than openpyxl, which still writes the templates."""
    try:
        workbook = CalamineWorkbook.from_filelike(source)
        if sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
        else:
            sheet = workbook.get_sheet_by_index(0)
        return workbook, sheet.iter_rows()
    except (CalamineError, ValueError, OSError, IndexError):
        raise file_error(_("This is not a valid Excel (.xlsx) file.")) from None


def header_text(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).rstrip("*＊")


def check_headers(row: tuple[Any, ...] | list[Any] | None, expected_headers: list[Any]) -> None:
    """Refuse a file whose header row is not the template's, naming what is missing or extra."""
    expected = [header_text(h) for h in expected_headers]
    found = [header_text(value) for value in (row or ())]
    while found and not found[-1]:
        found.pop()
    if found == expected:
        return
    missing = [h for h in expected if h not in found]
    extra = [h for h in found if h and h not in expected]
    parts = []
    if missing:
        parts.append(_("missing columns: %(list)s") % {"list": "、".join(missing)})
    if extra:
        parts.append(_("unknown columns: %(list)s") % {"list": "、".join(extra)})
    if not parts:
        parts.append(_("the columns are in the wrong order"))
    raise file_error(
        _("The headers do not match the template (%(detail)s). Download the template again.")
        % {"detail": "; ".join(parts)}
    )


def is_blank(values: list[Any] | tuple[Any, ...]) -> bool:
    return not any(value not in (None, "") for value in values)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_date(value: Any) -> date | str | None:
    """A cell as a date; the original text when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            continue
    return text


def cell_datetime(value: Any) -> datetime | str | None:
    """A cell as a naive local date and time ("2023-05-04 08:30"); the text when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    text = " ".join(cell_text(value).replace("T", " ").split())
    for day in DATE_FORMATS:
        for time in TIME_FORMATS:
            try:
                return datetime.strptime(text, f"{day} {time}")  # noqa: DTZ007 (local time)
            except ValueError:
                continue
    return text
