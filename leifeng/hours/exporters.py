"""A volunteer's own service record as .xlsx (办法 art. 12): the activities they attended, every
ledger entry, training, awards, evaluations and star levels, each on its own sheet."""

from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from leifeng.activities.models import Attendance
from leifeng.hours.models import HoursEntry, RecordItem, StarCertification
from leifeng.orgs.exporters import text_cell
from leifeng.volunteers.models import Volunteer


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def _sheet(workbook: Workbook, title: str, header: list[str], rows: Iterable[list[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, text, font=bold) for text in header])
    for row in rows:
        sheet.append([text_cell(sheet, "" if value is None else str(value)) for value in row])


def record_xlsx(volunteer: Volunteer) -> bytes:
    workbook = Workbook(write_only=True)
    entries = HoursEntry.objects.filter(volunteer=volunteer).select_related("organisation")
    _sheet(
        workbook,
        _("Service hours"),
        [
            pgettext("time span", "From"),
            pgettext("time span", "To"),
            _("Service content"),
            _("Place"),
            _("Hours"),
            _("Kind"),
            _("Recorded by"),
            _("Reason"),
            _("Recorded at"),
        ],
        (
            [
                _local(e.started_at),
                _local(e.ended_at),
                e.content,
                e.place,
                e.hours,
                e.get_kind_display(),
                e.organisation.name,
                e.reason,
                _local(e.recorded_at),
            ]
            for e in entries.order_by("started_at", "pk")
        ),
    )
    attendances = (
        Attendance.objects.filter(volunteer=volunteer)
        .select_related("shift__activity__organisation")
        .order_by("shift__starts_at", "pk")
    )
    _sheet(
        workbook,
        _("Activities"),
        [_("Activity"), _("Organiser"), _("Shift"), _("Checked in"), _("Checked out"), _("Status")],
        (
            [
                a.shift.activity.title,
                a.shift.activity.organisation.name,
                f"{_local(a.shift.starts_at)}–{_local(a.shift.ends_at)}",
                _local(a.checked_in_at),
                _local(a.checked_out_at),
                a.get_status_display(),
            ]
            for a in attendances
        ),
    )
    items = RecordItem.objects.filter(volunteer=volunteer).order_by("on", "pk")
    _sheet(
        workbook,
        _("Training, awards and evaluations"),
        [
            _("Date"),
            _("Kind"),
            _("Name"),
            _("Main content"),
            _("Held or granted by"),
            _("Learning hours"),
            _("Rating"),
        ],
        (
            [
                i.on.isoformat(),
                i.get_kind_display(),
                i.title,
                i.detail,
                i.issuer,
                i.hours,
                i.get_rating_display(),
            ]
            for i in items
        ),
    )
    stars = StarCertification.objects.filter(volunteer=volunteer).select_related("organisation")
    _sheet(
        workbook,
        _("Star levels"),
        [_("Stars"), _("Hours then"), _("Certified by"), _("Certified at")],
        (
            [s.level, s.hours_at, s.organisation.name, _local(s.certified_at)]
            for s in stars.order_by("level")
        ),
    )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
