"""Reports to the city office: periods, who owes a report, filling it in, submitting,
returning and accepting, reminders, and the figures the dashboard reads.

Every figure comes from the rollups (rollups.py): a report's figures are its organisation's
whole subtree over the period's dates.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from html import unescape
from typing import Any

import nh3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from PIL import Image

from leifeng.accounts.models import User
from leifeng.activities.models import PUBLIC_STATUSES, ActivityPhoto
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.campaign import CampaignLine
from leifeng.core.errors import DomainError
from leifeng.core.uploads import photo_suffix
from leifeng.demands.models import OrderPhoto
from leifeng.notify import kinds
from leifeng.notify.services import notify
from leifeng.orgs import access
from leifeng.orgs.models import Membership, Organisation
from leifeng.reports import rollups
from leifeng.reports.models import (
    Attachment,
    DayFigures,
    MonthFigures,
    Period,
    Report,
    ReportEvent,
    ReportFigure,
)
from leifeng.reports.rollups import Totals

INVALID, CONFLICT, FORBIDDEN = "invalid", "conflict", "forbidden"
S = Report.Status

# --- the figures a report carries ----------------------------------------------------------


@dataclass(frozen=True)
class FigureKind:
    key: str
    label: Any
    unit: Any
    places: int = 0  # decimal places shown


FIGURES: dict[str, FigureKind] = {
    f.key: f
    for f in (
        FigureKind(
            "activities", gettext_lazy("Activities held"), pgettext_lazy("unit", "activities")
        ),
        FigureKind(
            "volunteers", gettext_lazy("Volunteers taking part"), pgettext_lazy("unit", "people")
        ),
        FigureKind("services", gettext_lazy("Times served"), pgettext_lazy("unit", "times")),
        FigureKind("hours", gettext_lazy("Service hours"), pgettext_lazy("unit", "hours"), 2),
        FigureKind(
            "registrations", gettext_lazy("New registrations"), pgettext_lazy("unit", "people")
        ),
        FigureKind("people_served", gettext_lazy("People served"), pgettext_lazy("unit", "people")),
        FigureKind("orders_taken", gettext_lazy("Orders taken"), pgettext_lazy("unit", "orders")),
        FigureKind("ratings", gettext_lazy("Ratings received"), pgettext_lazy("unit", "ratings")),
        FigureKind("satisfaction", gettext_lazy("Satisfaction"), "%", 1),
        FigureKind("stations", gettext_lazy("Stations on duty"), pgettext_lazy("unit", "stations")),
    )
}
LINES = [line.value for line in CampaignLine]


def line_label(line: str) -> str:
    return str(CampaignLine(line).label) if line else _("All lines")


def figure_values(by_line: dict[str, Totals]) -> dict[tuple[str, str], Decimal]:
    """(figure key, line) → value, from one organisation's rollup totals. Activities are
    given for each campaign line and in all (line ""); the rest in all only."""
    total = rollups.overall(by_line)
    ratings = total.sums.get("ratings", Decimal(0))
    satisfaction = (
        (total.sums.get("satisfied", Decimal(0)) * 100 / ratings).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )
        if ratings
        else Decimal(0)
    )
    values = {
        ("activities", ""): Decimal(total.count("activity_set")),
        ("volunteers", ""): Decimal(total.count("volunteer_set")),
        ("services", ""): total.sums.get("services", Decimal(0)),
        ("hours", ""): total.sums.get("hours", Decimal(0)).quantize(Decimal("0.01")),
        ("registrations", ""): total.sums.get("registrations", Decimal(0)),
        ("people_served", ""): total.sums.get("orders_served", Decimal(0)),
        ("orders_taken", ""): total.sums.get("orders_taken", Decimal(0)),
        ("ratings", ""): ratings,
        ("satisfaction", ""): satisfaction,
        ("stations", ""): Decimal(total.count("station_set")),
    }
    for line in LINES:
        cell = by_line.get(line)
        values[("activities", line)] = Decimal(cell.count("activity_set") if cell else 0)
    return values


def unrated(key: str, values: dict[tuple[str, str], Decimal]) -> bool:
    """Satisfaction without a single rating is no figure at all: shown as "—", not 0%."""
    return key == "satisfaction" and not values.get(("ratings", ""), 0)


def organisation_figures(
    organisation: Organisation, first_day: date, last_day: date
) -> dict[tuple[str, str], Decimal]:
    """The figures of `organisation`'s whole subtree over [first_day, last_day]."""
    return figure_values(rollups.figures([organisation.pk], first_day, last_day)[organisation.pk])


# --- periods and obligations ---------------------------------------------------------------


def _manage(actor: User, organisation: Organisation) -> None:
    access.require(actor, access.MANAGE, organisation)


def _dates_checked(starts_on: date, ends_on: date, due_on: date) -> None:
    if ends_on < starts_on:
        message = _("The period must end on or after its first day.")
        raise DomainError(message, code=INVALID, fields={"ends_on": message})
    if due_on < starts_on:
        message = _("The due date cannot come before the period starts.")
        raise DomainError(message, code=INVALID, fields={"due_on": message})


@transaction.atomic
def period_save(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    starts_on: date,
    ends_on: date,
    due_on: date,
    period: Period | None = None,
) -> Period:
    """Create or change a reporting period of `organisation` (the office reports go to)."""
    _manage(actor, organisation)
    name = name.strip()
    if not name:
        message = _("Give the period a name.")
        raise DomainError(message, code=INVALID, fields={"name": message})
    _dates_checked(starts_on, ends_on, due_on)
    clash = Period.objects.filter(organisation=organisation, name=name)
    if period is not None:
        clash = clash.exclude(pk=period.pk)
    if clash.exists():
        message = _("There is already a period with this name.")
        raise DomainError(message, code=CONFLICT, fields={"name": message})
    before = None
    if period is None:
        period = Period(organisation=organisation, created_by=actor)
    else:
        if period.organisation_id != organisation.pk:
            raise DomainError(_("A period stays with its office."), code=INVALID)
        before = {"name": period.name, "dates": _dates_text(period)}
    period.name, period.starts_on, period.ends_on, period.due_on = (
        name,
        starts_on,
        ends_on,
        due_on,
    )
    period.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE if before is None else AuditEntry.Action.UPDATE,
        obj=period,
        before=before,
        after={"name": period.name, "dates": _dates_text(period)},
    )
    return period


def _dates_text(period: Period) -> str:
    return f"{period.starts_on}..{period.ends_on} due {period.due_on}"


def year_periods(year: int) -> list[tuple[str, date, date, date]]:
    """The city's three periods of a campaign year: reports by March 19, July 19 and
    November 19, each covering the days since the last one (name, first, last, due)."""
    return [
        (_("%(year)s, first report (due March 19)") % {"year": year},
         date(year - 1, 11, 20), date(year, 3, 19), date(year, 3, 19)),
        (_("%(year)s, second report (due July 19)") % {"year": year},
         date(year, 3, 20), date(year, 7, 19), date(year, 7, 19)),
        (_("%(year)s, third report (due November 19)") % {"year": year},
         date(year, 7, 20), date(year, 11, 19), date(year, 11, 19)),
    ]  # fmt: skip


@transaction.atomic
def year_create(*, actor: User, organisation: Organisation, year: int) -> list[Period]:
    """The three default periods of a year, each with the default obligations. Periods that
    exist already (by name) are left as they are."""
    _manage(actor, organisation)
    created = []
    for name, starts_on, ends_on, due_on in year_periods(year):
        if Period.objects.filter(organisation=organisation, name=name).exists():
            continue
        period = period_save(
            actor=actor,
            organisation=organisation,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            due_on=due_on,
        )
        obligations_set(actor=actor, period=period, organisations=default_obliged(organisation))
        created.append(period)
    return created


OBLIGED_KINDS = (
    Organisation.Kind.OFFICE,  # county offices, the development zone
    Organisation.Kind.UNIT,  # 市直工委, 市教育工委, 市国资委党委, units stationed in the city
    Organisation.Kind.FEDERATION,  # the volunteer federation
)


def default_obliged(organisation: Organisation) -> QuerySet[Organisation]:
    """Who owes the office a report unless it says otherwise: the offices, departments, units
    and the federation right below it (the campaign plan's addressees); its own practice
    center is part of the office and reports through it."""
    return organisation.children.filter(kind__in=OBLIGED_KINDS, is_active=True).order_by("path")


@transaction.atomic
def obligations_set(
    *, actor: User, period: Period, organisations: Iterable[Organisation]
) -> tuple[int, int]:
    """Exactly `organisations` owe a report for `period`: reports are created for the new
    ones; those dropped lose theirs, unless already submitted (then it is refused).
    Returns (added, removed)."""
    _manage(actor, period.organisation)
    wanted = {org.pk: org for org in organisations}
    outside = [
        org.name
        for org in wanted.values()
        if not org.path.startswith(period.organisation.path) or org.pk == period.organisation_id
    ]
    if outside:
        message = _("Only organisations below %(office)s can owe it a report: %(names)s") % {
            "office": period.organisation.name,
            "names": "、".join(outside),
        }
        raise DomainError(message, code=INVALID, fields={"organisations": message})
    existing = {report.organisation_id: report for report in period.reports.all()}
    dropped = [report for pk, report in existing.items() if pk not in wanted]
    started = [r.organisation.name for r in dropped if r.status != S.DRAFT]
    if started:
        message = _("These have already submitted and cannot be dropped: %(names)s") % {
            "names": "、".join(started)
        }
        raise DomainError(message, code=CONFLICT, fields={"organisations": message})
    now = timezone.now()
    for report in dropped:
        report.delete()
    added = [org for pk, org in wanted.items() if pk not in existing]
    for org in added:
        report = Report.objects.create(
            period=period,
            organisation=org,
            contact_name=org.contact_name,
            contact_phone=org.contact_phone,
        )
        ReportEvent.objects.create(report=report, action="created", actor=actor, at=now)
    if added or dropped:
        audit_record(
            actor=actor,
            organisation=period.organisation,
            action=AuditEntry.Action.UPDATE,
            obj=period,
            before={"organisations": sorted(existing)},
            after={"organisations": sorted(wanted)},
        )
    return len(added), len(dropped)


# --- filling a report in -------------------------------------------------------------------

EDITABLE = (S.DRAFT, S.RETURNED)

NARRATIVE_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "h3", "h4", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
NARRATIVE_MAX = 50_000


def clean_narrative(html: str) -> str:
    """The narrative as safe formatted text: headings, paragraphs, emphasis, lists and
    tables are kept; scripts, styles, links and everything else are dropped."""
    return nh3.clean(html or "", tags=NARRATIVE_TAGS, attributes={}, link_rel=None).strip()


def narrative_text(html: str) -> str:
    """The narrative's words without its markup: an editor's empty "<p><br></p>" is none."""
    return unescape(nh3.clean(html or "", tags=set())).strip()


def _editable(actor: User, report: Report) -> Report:
    access.require(actor, access.REPORT, report)
    report = Report.objects.select_for_update().select_related("period").get(pk=report.pk)
    if report.status not in EDITABLE:
        raise DomainError(
            _("This report is “%(status)s” and can no longer be changed.")
            % {"status": report.get_status_display()},
            code=CONFLICT,
        )
    return report


@transaction.atomic
def report_save(
    *, actor: User, report: Report, narrative: str, contact_name: str, contact_phone: str
) -> Report:
    report = _editable(actor, report)
    cleaned = clean_narrative(narrative)
    if len(cleaned) > NARRATIVE_MAX:
        message = _("The narrative is too long: keep it under %(max)d characters.") % {
            "max": NARRATIVE_MAX
        }
        raise DomainError(message, code=INVALID, fields={"narrative": message})
    report.narrative = cleaned
    report.contact_name = contact_name.strip()[:50]
    report.contact_phone = contact_phone.strip()[:20]
    report.save(update_fields=["narrative", "contact_name", "contact_phone", "updated_at"])
    return report


def figures_fill(report: Report) -> list[ReportFigure]:
    """Bring the report's figures up to date with the platform's (while it can be changed):
    every figure gets today's count; those not changed by hand take it as their value."""
    if report.status not in EDITABLE:
        return list(report.figures.all())
    values = organisation_figures(
        report.organisation, report.period.starts_on, report.period.ends_on
    )
    with transaction.atomic():
        kept = {
            (f.key, f.line): f
            for f in ReportFigure.objects.select_for_update().filter(report=report)
        }
        changed, new = [], []
        for (key, line), value in values.items():
            figure = kept.get((key, line))
            if figure is None:
                new.append(
                    ReportFigure(report=report, key=key, line=line, computed=value, value=value)
                )
            elif figure.computed != value or (not figure.manual and figure.value != value):
                figure.computed = value
                if not figure.manual:
                    figure.value = value
                changed.append(figure)
        ReportFigure.objects.bulk_create(new)
        ReportFigure.objects.bulk_update(changed, ["computed", "value"])
        Report.objects.filter(pk=report.pk).update(figures_at=timezone.now())
    return report_figures(report)


def report_figures(report: Report) -> list[ReportFigure]:
    """The figures in the order of FIGURES, activities by line after their total."""
    order = {key: index for index, key in enumerate(FIGURES)}
    lines = {line: index for index, line in enumerate(["", *LINES])}
    return sorted(report.figures.all(), key=lambda f: (order.get(f.key, 99), lines.get(f.line, 99)))


@transaction.atomic
def figure_set(
    *, actor: User, report: Report, key: str, line: str = "", value: Decimal, note: str
) -> ReportFigure:
    """The unit knows better: the figure says `value`, marked as changed by hand with why."""
    report = _editable(actor, report)
    figure = (
        ReportFigure.objects.select_for_update().filter(report=report, key=key, line=line).first()
    )
    if figure is None:
        raise DomainError(_("There is no such figure in this report."), code=INVALID)
    if value < 0 or value >= Decimal("1e12"):
        message = _("Enter a number from 0 up.")
        raise DomainError(message, code=INVALID, fields={"value": message})
    note = note.strip()
    if not note:
        message = _("Say why the platform's figure is not right.")
        raise DomainError(message, code=INVALID, fields={"note": message})
    places = FIGURES[key].places if key in FIGURES else 2
    value = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    before = {"value": str(figure.value), "manual": figure.manual}
    figure.value, figure.manual, figure.note, figure.changed_by = value, True, note[:200], actor
    figure.save(update_fields=["value", "manual", "note", "changed_by"])
    ReportEvent.objects.create(
        report=report,
        action="figure_changed",
        actor=actor,
        comment=f"{FIGURES[key].label if key in FIGURES else key}"
        f"{' · ' + line_label(line) if line else ''}: {before['value']} → {value} ({note})",
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        organisation=report.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=figure,
        before=before,
        after={"value": str(value), "manual": True, "note": note},
    )
    return figure


@transaction.atomic
def figure_reset(*, actor: User, report: Report, key: str, line: str = "") -> ReportFigure:
    """Back to the platform's figure."""
    report = _editable(actor, report)
    figure = (
        ReportFigure.objects.select_for_update().filter(report=report, key=key, line=line).first()
    )
    if figure is None:
        raise DomainError(_("There is no such figure in this report."), code=INVALID)
    before = {"value": str(figure.value), "manual": figure.manual}
    figure.value, figure.manual, figure.note, figure.changed_by = figure.computed, False, "", actor
    figure.save(update_fields=["value", "manual", "note", "changed_by"])
    audit_record(
        actor=actor,
        organisation=report.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=figure,
        before=before,
        after={"value": str(figure.value), "manual": False},
    )
    return figure


# --- attachments ---------------------------------------------------------------------------

ATTACHMENTS_MAX = 30
THUMBNAIL_SIZE = (480, 480)


def _limit_mb(kind: str) -> int:
    return int(settings.REPORTS_ATTACHMENT_MB[kind])


def _sniff(upload: UploadedFile) -> tuple[str, str]:
    """(kind, suffix) of an upload read from its bytes, or ("", "") if not allowed."""
    if suffix := photo_suffix(upload):
        return Attachment.Kind.PHOTO, suffix
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    if head[4:8] == b"ftyp":
        return Attachment.Kind.VIDEO, "mov" if head[8:10] == b"qt" else "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Attachment.Kind.VIDEO, "webm"
    if head.startswith(b"%PDF-"):
        return Attachment.Kind.DOCUMENT, "pdf"
    if head.startswith(b"PK\x03\x04"):
        for suffix in ("docx", "xlsx", "pptx"):
            if name.endswith("." + suffix):
                return Attachment.Kind.DOCUMENT, suffix
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        for suffix in ("doc", "xls", "ppt", "wps", "et"):
            if name.endswith("." + suffix):
                return Attachment.Kind.DOCUMENT, suffix
    return "", ""


def _thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB")
    image.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _room_for_one(report: Report) -> None:
    if report.attachments.count() >= ATTACHMENTS_MAX:
        raise DomainError(
            _("A report takes at most %(max)d attachments.") % {"max": ATTACHMENTS_MAX},
            code=CONFLICT,
        )


@transaction.atomic
def attachment_add(
    *, actor: User, report: Report, upload: UploadedFile, title: str = ""
) -> Attachment:
    """A photo, video or document for the report: its type read from its bytes (JPEG, PNG,
    WebP; MP4, MOV, WebM; PDF, Word, Excel, PowerPoint, WPS) and its size checked; photos get
    a thumbnail."""
    report = _editable(actor, report)
    _room_for_one(report)
    kind, suffix = _sniff(upload)
    if not kind:
        message = _(
            "%(name)s is not a photo (JPEG, PNG, WebP), a video (MP4, MOV, WebM) or a document "
            "(PDF, Word, Excel, PowerPoint, WPS)."
        ) % {"name": upload.name}
        raise DomainError(message, code=INVALID, fields={"file": message})
    if not upload.size or upload.size > _limit_mb(kind) * 1024 * 1024:
        message = _("%(name)s is empty or larger than %(max)d MB.") % {
            "name": upload.name,
            "max": _limit_mb(kind),
        }
        raise DomainError(message, code=INVALID, fields={"file": message})
    attachment = Attachment(
        report=report,
        kind=kind,
        title=(title or "").strip()[:100],
        size=upload.size,
        original_name=(upload.name or "")[:200],
        in_document=kind == Attachment.Kind.PHOTO,
        uploaded_by=actor,
    )
    attachment.file.save(f"report-{report.pk}.{suffix}", upload, save=False)
    if kind == Attachment.Kind.PHOTO:
        upload.seek(0)
        attachment.thumbnail.save(
            f"report-{report.pk}.jpg", ContentFile(_thumbnail(upload.read())), save=False
        )
    attachment.save()
    _event(report, actor, "attachment_added", attachment.original_name)
    return attachment


def pickable_photos(report: Report) -> QuerySet[OrderPhoto]:
    """Service photos of the organisation's subtree taken within the period: the photos its
    volunteers took when serving residents' orders."""
    starts, ends = rollups._bounds(report.period.starts_on, report.period.ends_on)
    return (
        OrderPhoto.objects.filter(
            order__receiver__path__startswith=report.organisation.path,
            order__done_at__gte=starts,
            order__done_at__lt=ends,
        )
        .select_related("order")
        .order_by("-order__done_at", "pk")
    )


def pickable_activity_photos(report: Report) -> QuerySet[ActivityPhoto]:
    """Photos of the subtree's activities held (at least partly) within the period and not
    cancelled: an activity counts if it starts before the period ends and ends after it
    starts. Latest activity first."""
    starts, ends = rollups._bounds(report.period.starts_on, report.period.ends_on)
    return (
        ActivityPhoto.objects.filter(
            activity__organisation__path__startswith=report.organisation.path,
            activity__status__in=PUBLIC_STATUSES,
            activity__starts_at__lt=ends,
            activity__ends_at__gte=starts,
        )
        .select_related("activity")
        .order_by("-activity__starts_at", "activity_id", "pk")
    )


# What a page or an app names the photo it picks: an activity's photo or a service photo.
PICK_KINDS = ("activity", "order")


def pickable(report: Report, kind: str) -> QuerySet[ActivityPhoto] | QuerySet[OrderPhoto]:
    """The photos of `kind` ("activity" or "order") the report may pick."""
    if kind == "activity":
        return pickable_activity_photos(report)
    if kind == "order":
        return pickable_photos(report)
    raise ValueError(kind)


@transaction.atomic
def attachment_pick(
    *, actor: User, report: Report, photo: OrderPhoto | ActivityPhoto
) -> Attachment:
    """Copy a photo of one of the subtree's activities, or a service photo, into the report
    (the report keeps its own copy, so removing the original later changes nothing here)."""
    report = _editable(actor, report)
    if isinstance(photo, ActivityPhoto):
        found: ActivityPhoto | OrderPhoto | None = (
            pickable_activity_photos(report).filter(pk=photo.pk).first()
        )
    else:
        found = pickable_photos(report).filter(pk=photo.pk).first()
    if found is None:
        raise DomainError(
            _("This photo is not from this report's organisation and period."), code=FORBIDDEN
        )
    _room_for_one(report)
    if isinstance(found, ActivityPhoto):
        title = found.caption or found.activity.title
    else:
        title = str(found.order.get_category_display())
    with found.image.open("rb") as source:
        data = source.read()
    suffix = found.image.name.rsplit(".", 1)[-1]
    attachment = Attachment(
        report=report,
        kind=Attachment.Kind.PHOTO,
        title=title[:100],
        size=len(data),
        original_name=found.image.name.rsplit("/", 1)[-1][:200],
        uploaded_by=actor,
    )
    attachment.file.save(f"report-{report.pk}.{suffix}", ContentFile(data), save=False)
    attachment.thumbnail.save(f"report-{report.pk}.jpg", ContentFile(_thumbnail(data)), save=False)
    attachment.save()
    _event(report, actor, "attachment_added", attachment.original_name)
    return attachment


@transaction.atomic
def attachment_update(
    *, actor: User, attachment: Attachment, title: str, in_document: bool
) -> Attachment:
    _editable(actor, attachment.report)
    attachment.title = title.strip()[:100]
    attachment.in_document = in_document and attachment.kind == Attachment.Kind.PHOTO
    attachment.save(update_fields=["title", "in_document"])
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    report = _editable(actor, attachment.report)
    name = attachment.original_name
    files = [(f.storage, f.name) for f in (attachment.file, attachment.thumbnail) if f]
    attachment.delete()
    for storage, name_ in files:
        transaction.on_commit(partial(storage.delete, name_))
    _event(report, actor, "attachment_removed", name)


# --- moves ---------------------------------------------------------------------------------

# (from, action) → to. Written once: pages, API and tests read it.
MOVES: dict[tuple[str, str], str] = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.RESUBMITTED,
    (S.SUBMITTED, "return"): S.RETURNED,
    (S.RESUBMITTED, "return"): S.RETURNED,
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.RESUBMITTED, "accept"): S.ACCEPTED,
}


def allowed(report: Report, action: str) -> bool:
    return (report.status, action) in MOVES


def _event(
    report: Report, actor: User | None, action: str, comment: str = "", at: datetime | None = None
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
        at=at or timezone.now(),
    )


def _move(report: Report, action: str, actor: User, **changes: Any) -> Report:
    """Apply the move if MOVES allows it and nobody moved the report first."""
    to = MOVES.get((report.status, action))
    if to is None:
        raise DomainError(
            _("A report that is “%(status)s” cannot be %(action)s.")
            % {"status": report.get_status_display(), "action": ACTION_WORDS[action]},
            code=CONFLICT,
        )
    moved = Report.objects.filter(pk=report.pk, status=report.status).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if not moved:
        raise DomainError(_("Someone else changed this report first."), code=CONFLICT)
    before = report.status
    report.refresh_from_db()
    audit_record(
        actor=actor,
        organisation=report.organisation,
        action=AuditEntry.Action.UPDATE,  # one of the log's actions; the move is in the statuses
        obj=report,
        before={"status": before},
        after={"status": to},
    )
    return report


ACTION_WORDS = {
    "submit": gettext_lazy("submitted"),
    "return": gettext_lazy("returned"),
    "accept": gettext_lazy("accepted"),
}


def is_late(report: Report, today: date | None = None) -> bool:
    return (today or timezone.localdate()) > report.period.due_on


@transaction.atomic
def report_submit(*, actor: User, report: Report, now: datetime | None = None) -> Report:
    """Send the report to the office: its figures are brought up to date one last time and
    kept as they are from then on. The first submission after the due date is marked late."""
    access.require(actor, access.REPORT, report)
    report = (
        Report.objects.select_for_update()
        .select_related("period", "organisation")
        .get(pk=report.pk)
    )
    if not allowed(report, "submit"):
        _move(report, "submit", actor)  # raises, saying why
    if not narrative_text(report.narrative):
        message = _("Write what your volunteers did before submitting.")
        raise DomainError(message, code=INVALID, fields={"narrative": message})
    if not report.contact_name.strip() or not report.contact_phone.strip():
        message = _("Give a contact person and phone.")
        raise DomainError(message, code=INVALID, fields={"contact_name": message})
    moment = now or timezone.now()
    figures_fill(report)
    first_time = report.status == S.DRAFT
    late = report.late or (first_time and is_late(report, timezone.localdate(moment)))
    report = _move(report, "submit", actor, submitted_at=moment, late=late)
    _event(
        report,
        actor,
        "resubmitted" if not first_time else "submitted",
        _("late") if late and first_time else "",
        at=moment,
    )
    notify(
        recipients=_responsible(report.period.organisation, reviewers=True),
        kind=kinds.REPORT_SUBMITTED,
        context={"organisation": report.organisation.name, "period": report.period.name},
        event_key=f"reports.submitted:{report.pk}:{report.events.count()}",
        url=reverse("reports:report", args=[report.pk]),
    )
    return report


@transaction.atomic
def report_return(
    *, actor: User, report: Report, comment: str, now: datetime | None = None
) -> Report:
    """The office sends the report back with what to change. `now`: only for loading past
    decisions (the demo)."""
    report = _reviewable(actor, report)
    comment = comment.strip()
    if not comment:
        message = _("Say what should be changed.")
        raise DomainError(message, code=INVALID, fields={"comment": message})
    report = _move(
        report,
        "return",
        actor,
        comment=comment[:5000],
        decided_by=actor,
        decided_at=now or timezone.now(),
    )
    _event(report, actor, "returned", comment, at=now)
    notify(
        recipients=_responsible(report.organisation),
        kind=kinds.REPORT_RETURNED,
        context={"period": report.period.name, "comment": comment},
        event_key=f"reports.returned:{report.pk}:{report.events.count()}",
        url=reverse("reports:report", args=[report.pk]),
    )
    return report


@transaction.atomic
def report_accept(
    *, actor: User, report: Report, comment: str = "", now: datetime | None = None
) -> Report:
    """The office accepts the report. `now`: only for loading past decisions (the demo)."""
    report = _reviewable(actor, report)
    report = _move(
        report,
        "accept",
        actor,
        comment=comment.strip()[:5000],
        decided_by=actor,
        decided_at=now or timezone.now(),
    )
    _event(report, actor, "accepted", comment.strip(), at=now)
    notify(
        recipients=_responsible(report.organisation),
        kind=kinds.REPORT_ACCEPTED,
        context={"period": report.period.name},
        event_key=f"reports.accepted:{report.pk}",
        url=reverse("reports:report", args=[report.pk]),
    )
    return report


def _reviewable(actor: User, report: Report) -> Report:
    report = (
        Report.objects.select_for_update().select_related("period__organisation").get(pk=report.pk)
    )
    access.require(actor, access.MANAGE, report.period.organisation)
    return report


def may_review(actor: User, report: Report) -> bool:
    return access.can(actor, access.MANAGE, report.period.organisation)


def may_write(actor: User, report: Report) -> bool:
    return access.can(actor, access.REPORT, report) and report.status in EDITABLE


# --- reminders -----------------------------------------------------------------------------

REPORTING_ROLES = (Membership.Role.ADMIN, Membership.Role.STAFF, Membership.Role.REPORTER)


def _responsible(organisation: Organisation, reviewers: bool = False) -> list[User]:
    """The people of this organisation itself (not of the offices above it) who write its
    reports, or with `reviewers`, who manage it."""
    roles = (Membership.Role.ADMIN, Membership.Role.STAFF) if reviewers else REPORTING_ROLES
    return list(
        User.objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=roles,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def reminder_stage(period: Period, today: date) -> str | None:
    """Which reminder is due today for an unsent report: "before-N" from N days before the
    due date (the nearest of REPORTS_REMIND_BEFORE), "after-N" from N days after it (the
    furthest passed of REPORTS_REMIND_AFTER), or None."""
    left = (period.due_on - today).days
    if left >= 0:
        passed = [days for days in settings.REPORTS_REMIND_BEFORE if left <= days]
        return f"before-{min(passed)}" if passed else None
    over = -left
    passed = [days for days in settings.REPORTS_REMIND_AFTER if over >= days]
    return f"after-{max(passed)}" if passed else None


def reminders_send(today: date | None = None) -> int:
    """Remind the people responsible for each report not yet (re)submitted, once per stage.
    The periodic job `reports.reminders` calls this; returns the messages created."""
    today = today or timezone.localdate()
    horizon = max(settings.REPORTS_REMIND_BEFORE, default=0)
    sent = 0
    reports = Report.objects.filter(
        status__in=EDITABLE,
        period__due_on__lte=today + timedelta(days=horizon),
        period__starts_on__lte=today,
    ).select_related("period", "organisation")
    for report in reports.iterator():
        stage = reminder_stage(report.period, today)
        if stage is None:
            continue
        overdue = stage.startswith("after")
        # A report returned again is reminded again, stage by stage.
        returns = report.events.filter(action="returned").count()
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=_responsible(report.organisation),
                    kind=kinds.REPORT_OVERDUE if overdue else kinds.REPORT_DUE,
                    context={
                        "period": report.period.name,
                        "due": report.period.due_on.strftime("%Y-%m-%d"),
                        "days": abs((report.period.due_on - today).days),
                    },
                    event_key=f"reports.reminder:{report.pk}:{returns}:{stage}",
                    url=reverse("reports:report", args=[report.pk]),
                )
            )
    return sent


# --- what the pages read -------------------------------------------------------------------


def visible_reports(actor: User) -> QuerySet[Report]:
    """Reports the actor may read: of organisations in their scope (the office sees all
    reports sent to it, a county its own and those of its subtree)."""
    return access.scoped(
        Report.objects.select_related("period", "organisation"), actor, access.VIEW
    )


def reviewable_periods(actor: User) -> QuerySet[Period]:
    """Periods of offices the actor manages (they set them up and review their reports)."""
    return access.scoped(Period.objects.select_related("organisation"), actor, access.MANAGE)


def readable_periods(actor: User) -> QuerySet[Period]:
    """Periods the actor runs (reviewable_periods), and those in which an organisation they
    see owes a report."""
    return Period.objects.select_related("organisation").filter(
        Q(pk__in=reviewable_periods(actor).values("pk"))
        | Q(pk__in=visible_reports(actor).values("period_id"))
    )


def submission_state(report: Report, today: date | None = None) -> str:
    """For the dashboard: "accepted", "on_time", "late", "returned", "missing" (due date
    passed, never submitted) or "pending" (not yet due)."""
    if report.status == S.DRAFT:
        return "missing" if is_late(report, today) else "pending"
    if report.status == S.RETURNED:
        return "returned"
    if report.status == S.ACCEPTED:
        return "accepted"
    return "late" if report.late else "on_time"


@dataclass
class Board:
    """The figures a dashboard shows for one organisation and span of days."""

    organisation: Organisation
    first_day: date
    last_day: date
    total: dict[tuple[str, str], Decimal]
    by_child: list[tuple[Organisation, dict[tuple[str, str], Decimal]]]
    by_line: list[tuple[str, Decimal, Decimal]]  # line, activities, hours
    top: list[tuple[Organisation, Decimal]]


TOP_KINDS = (
    Organisation.Kind.UNIT,
    Organisation.Kind.FEDERATION,
    Organisation.Kind.VOLUNTEER_ORG,
    Organisation.Kind.STATION,
    Organisation.Kind.POINT,
    Organisation.Kind.TEAM_CORPS,
    Organisation.Kind.TEAM_BRANCH,
    Organisation.Kind.TEAM,
)


def board(organisation: Organisation, first_day: date, last_day: date, top: int = 10) -> Board:
    """The whole subtree's figures, each child's (the counties, for the city), each campaign
    line's activities and hours, and the units with the most service hours."""
    children = list(organisation.children.filter(is_active=True).order_by("path"))
    read = rollups.figures([organisation.pk, *(c.pk for c in children)], first_day, last_day)
    by_line = []
    for line in ["", *LINES]:
        cell = read[organisation.pk].get(line)
        if line == "" and (cell is None or not cell.sums.get("hours")):
            continue  # no hours outside the lines
        by_line.append(
            (
                line,
                Decimal(cell.count("activity_set") if cell else 0),
                (cell.sums.get("hours", Decimal(0)) if cell else Decimal(0)).quantize(
                    Decimal("0.01")
                ),
            )
        )
    return Board(
        organisation=organisation,
        first_day=first_day,
        last_day=last_day,
        total=figure_values(read[organisation.pk]),
        by_child=[(child, figure_values(read[child.pk])) for child in children],
        by_line=by_line,
        top=top_units(organisation, first_day, last_day, top),
    )


def top_units(
    organisation: Organisation, first_day: date, last_day: date, limit: int = 10
) -> list[tuple[Organisation, Decimal]]:
    """The units, stations and teams below `organisation` with the most service hours in
    [first_day, last_day] (their own subtree's hours)."""
    months, edges = rollups._pieces(first_day, last_day)
    below = {
        "organisation__path__startswith": organisation.path,
        "organisation__kind__in": TOP_KINDS,
    }
    totals: dict[int, Decimal] = {}
    parts: list[QuerySet[Any]] = []
    if months:
        parts.append(MonthFigures.objects.filter(month__in=months, **below))
    for lo, hi in edges:
        parts.append(DayFigures.objects.filter(day__range=(lo, hi), **below))
    for part in parts:
        for org_id, hours in (
            part.exclude(organisation=organisation)
            .values_list("organisation_id")
            .annotate(total=Sum("hours"))
            .values_list("organisation_id", "total")
        ):
            totals[org_id] = totals.get(org_id, Decimal(0)) + Decimal(hours or 0)
    best = sorted(((h, pk) for pk, h in totals.items() if h > 0), reverse=True)[:limit]
    names = Organisation.objects.in_bulk([pk for _h, pk in best])
    return [(names[pk], h.quantize(Decimal("0.01"))) for h, pk in best]


def trend(
    organisation: Organisation, periods: Iterable[Period]
) -> list[tuple[Period, dict[tuple[str, str], Decimal]]]:
    """The organisation's figures in each period, oldest first."""
    return [
        (period, organisation_figures(organisation, period.starts_on, period.ends_on))
        for period in sorted(periods, key=lambda p: p.starts_on)
    ]


def city_root() -> Organisation | None:
    """The top of the organisation tree (the city office): the public figures are its."""
    return Organisation.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()


def public_totals() -> dict[str, Any]:
    """The city's figures since records began and this year: no personal data, only counts."""
    from leifeng.activities.models import Station

    root = city_root()
    if root is None:
        return {}
    today = timezone.localdate()
    span = rollups.source_span()
    first_day = span[0] if span else today
    all_time = organisation_figures(root, first_day, today)
    this_year = organisation_figures(root, date(today.year, 1, 1), today)
    stations = Station.objects.filter(
        is_active=True, organisation__path__startswith=root.path
    ).count()
    return {
        "organisation": root,
        "all_time": all_time,
        "this_year": this_year,
        "stations": stations,
        "year": today.year,
    }


def figures_refreshed_at() -> datetime | None:
    """When the rollup job last finished (the dashboard says how fresh its figures are)."""
    from leifeng.jobs.models import PeriodicRun

    return (
        PeriodicRun.objects.filter(name="reports.rollups", status=PeriodicRun.Status.SUCCEEDED)
        .exclude(finished_at=None)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
