"""Historical hours from Excel: every row checked (row errors named, nothing saved while any
remain), rows already recorded skipped so that a re-import adds nothing twice, and the new
rows kept as late entries for a second person to approve."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from leifeng.accounts.models import User
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.errors import DomainError
from leifeng.core.sheets import (
    EXAMPLE_MARK,
    TEMPLATE_LANGUAGE,
    RowError,
    cell_datetime,
    cell_text,
    check_headers,
    file_error,
    is_blank,
    open_rows,
)
from leifeng.hours import services
from leifeng.hours.models import HoursEntry, HoursImport, LateEntry
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.volunteers.models import Volunteer

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
SHEET = pgettext_lazy("hours sheet", "Service hours")
COLUMNS = [
    ("number", pgettext_lazy("hours sheet", "Volunteer number"), 18),
    ("name", pgettext_lazy("hours sheet", "Name"), 10),
    ("content", pgettext_lazy("hours sheet", "Service content"), 30),
    ("place", pgettext_lazy("hours sheet", "Place"), 24),
    ("started_at", pgettext_lazy("hours sheet", "From"), 20),
    ("ended_at", pgettext_lazy("hours sheet", "To"), 20),
    ("hours", pgettext_lazy("hours sheet", "Hours"), 18),
]
REQUIRED = {"number", "name", "content", "started_at", "ended_at", "hours"}


def _headers() -> list[str]:
    with translation.override(TEMPLATE_LANGUAGE):
        return [str(label) + ("*" if key in REQUIRED else "") for key, label, _w in COLUMNS]


def template_xlsx() -> bytes:
    """The sheet to fill in: headers (required ones starred) and an example row."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with translation.override(TEMPLATE_LANGUAGE):
        sheet.title = str(SHEET)
        sheet.append(_headers())
        sheet.append(
            [
                f"{EXAMPLE_MARK}140500000001",
                "王小雷",
                "敬老院陪护",
                "泽州县金村镇敬老院",
                "2023-05-04 08:30",
                "2023-05-04 11:30",
                3,
            ]
        )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9D9")
    for index, (_key, _label, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class Row:
    row: int
    volunteer: Volunteer
    content: str
    place: str
    started_at: datetime
    ended_at: datetime
    hours: Decimal


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: HoursImport | None = None
    added: int = 0
    already: int = 0


def _aware(value: Any) -> datetime | str | None:
    moment = cell_datetime(value)
    if isinstance(moment, datetime):
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    return moment


def _read(source: Any, actor: User) -> tuple[list[Row], list[RowError], int]:
    with translation.override(TEMPLATE_LANGUAGE):
        workbook, rows = open_rows(source, str(SHEET))
        labels = {key: str(label) for key, label, _w in COLUMNS}
    try:
        check_headers(next(rows, None), _headers())
        raw: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(rows, start=2):
            if is_blank(values) or cell_text(values[0]).startswith(EXAMPLE_MARK):
                continue
            raw.append((number, list(values) + [None] * (len(COLUMNS) - len(values))))
            if len(raw) > MAX_ROWS:
                raise file_error(
                    _("The file has more than %(max)d rows; split it into smaller files.")
                    % {"max": MAX_ROWS}
                )
    finally:
        workbook.close()
    if not raw:
        raise file_error(_("The file has no rows to import: fill them in from row 2."))
    numbers = {cell_text(values[0]) for _n, values in raw}
    visible = {
        v.number: v
        for v in access.scoped(Volunteer.objects.filter(number__in=numbers), actor, access.VIEW)
    }
    good: list[Row] = []
    errors: list[RowError] = []
    now = timezone.now()
    for number, values in raw:
        cells = dict(zip([key for key, _l, _w in COLUMNS], values, strict=False))
        problems: dict[str, str] = {}
        volunteer = visible.get(cell_text(cells["number"]))
        if volunteer is None:
            problems["number"] = _("No volunteer with this number in your scope.")
        elif cell_text(cells["name"]) != volunteer.name:
            problems["name"] = _("The name does not match the volunteer number.")
        started_at, ended_at = _aware(cells["started_at"]), _aware(cells["ended_at"])
        for key, moment in (("started_at", started_at), ("ended_at", ended_at)):
            if not isinstance(moment, datetime):
                problems[key] = _("Write a date and time such as 2023-05-04 08:30.")
        try:
            hours = Decimal(cell_text(cells["hours"]))
        except InvalidOperation:
            problems["hours"] = _("Write the hours as a number such as 2.5.")
            hours = Decimal(0)
        content = cell_text(cells["content"])
        if isinstance(started_at, datetime) and isinstance(ended_at, datetime):
            problems.update(
                services.credit_problems(
                    content=content, started_at=started_at, ended_at=ended_at, hours=hours
                )
            )
            if ended_at > now and "ended_at" not in problems:
                problems["ended_at"] = _("The service has not ended yet.")
        elif not content:
            problems["content"] = _("Say what the service was.")
        for key, message in problems.items():
            errors.append(RowError(number, labels[key], message))
        if not problems:
            assert volunteer and isinstance(started_at, datetime)
            assert isinstance(ended_at, datetime)
            good.append(
                Row(
                    number,
                    volunteer,
                    content,
                    cell_text(cells["place"]),
                    started_at,
                    ended_at,
                    hours,
                )
            )
    return good, errors, len(raw)


def _same(row: Row, entry: HoursEntry | LateEntry) -> bool:
    return (entry.started_at, entry.ended_at, entry.hours, entry.content) == (
        row.started_at,
        row.ended_at,
        row.hours,
        row.content,
    )


def _sort(rows: list[Row], outcome: ImportOutcome, label: str) -> list[Row]:
    """Rows new to the ledger; a row recorded before (credited or waiting) is counted as
    already there; a row overlapping other time, or another row of the file, is an error."""
    by_volunteer: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_volunteer[row.volunteer.pk].append(row)
    fresh = []
    for volunteer_rows in by_volunteer.values():
        volunteer = volunteer_rows[0].volunteer
        volunteer_rows.sort(key=lambda r: r.started_at)
        start, end = volunteer_rows[0].started_at, max(r.ended_at for r in volunteer_rows)
        recorded: list[HoursEntry | LateEntry] = [
            *services.active_overlaps(volunteer, start, end),
            *services.pending_overlaps(volunteer, start, end),
        ]
        previous: Row | None = None
        for row in volunteer_rows:
            clashes = [
                e for e in recorded if e.started_at < row.ended_at and e.ended_at > row.started_at
            ]
            if previous is not None and previous.ended_at > row.started_at:
                message = _("Overlaps row %(row)d of this file.") % {"row": previous.row}
                outcome.errors.append(RowError(row.row, label, message))
            elif len(clashes) == 1 and _same(row, clashes[0]):
                outcome.already += 1
            elif clashes:
                message = _("Overlaps time already recorded: %(entries)s.") % {
                    "entries": services.describe(clashes)  # type: ignore[arg-type]
                }
                outcome.errors.append(RowError(row.row, label, message))
            else:
                fresh.append(row)
            previous = row if previous is None or row.ended_at > previous.ended_at else previous
    return fresh


def hours_import(
    *, actor: User, organisation: Organisation, upload: UploadedFile, reason: str
) -> ImportOutcome:
    """Check an .xlsx of historical hours and, if every row is right, keep the new rows as late
    entries of `organisation` for a second person to approve. Nothing is saved otherwise."""
    access.require(actor, access.MANAGE, organisation)
    if not reason.strip():
        message = _("Say where these records come from.")
        raise DomainError(message, code=services.INVALID, fields={"reason": message})
    name = upload.name or ""
    if not name.lower().endswith(".xlsx"):
        raise file_error(_("Upload an Excel file ending in .xlsx (save it in Excel as .xlsx)."))
    if not upload.size or upload.size > MAX_BYTES:
        raise file_error(_("The file is empty or larger than 5 MB; split it into smaller files."))
    rows, errors, total = _read(upload, actor)
    outcome = ImportOutcome(rows=total, errors=errors)
    with translation.override(TEMPLATE_LANGUAGE):
        label = str(COLUMNS[4][1])
    fresh = _sort(rows, outcome, label)
    outcome.errors.sort(key=lambda error: error.row)
    if outcome.errors or not fresh:
        return outcome
    try:
        with transaction.atomic():
            batch = HoursImport.objects.create(
                organisation=organisation,
                filename=name[-200:],
                rows=total,
                added=len(fresh),
                already=outcome.already,
                reason=reason.strip()[:200],
                uploaded_by=actor,
            )
            for row in fresh:
                services.add_late_entry(
                    actor=actor,
                    volunteer=row.volunteer,
                    organisation=organisation,
                    source=HoursEntry.Source.IMPORT,
                    content=row.content,
                    place=row.place,
                    started_at=row.started_at,
                    ended_at=row.ended_at,
                    hours=row.hours,
                    reason=batch.reason,
                    batch=batch,
                )
            audit_record(
                actor=actor,
                organisation=organisation,
                action=AuditEntry.Action.CREATE,
                obj=batch,
                after={"rows": total, "added": len(fresh), "already": outcome.already},
            )
    except DomainError as exc:  # recorded by someone else since the check
        outcome.errors.append(RowError(0, "", exc.message))
        return outcome
    outcome.batch, outcome.added = batch, len(fresh)
    return outcome
