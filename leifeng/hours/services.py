"""The rules of service hours: attendance becomes a claim, a confirmed claim a ledger credit;
corrections are a reversal plus a new credit; nobody is credited twice for the same time.

Every credit or reversal of a volunteer runs with that volunteer's row locked (as their
sign-ups do), so the overlap check and the running total cannot race.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

import chinese_calendar
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import DecimalField, Exists, F, Max, OuterRef, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.activities.models import Activity, Attendance
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.errors import DomainError
from leifeng.hours.models import (
    ZERO,
    CorrectionRequest,
    HoursClaim,
    HoursEntry,
    HoursImport,
    LateEntry,
    RecordItem,
    StarCertification,
    VolunteerHours,
    WorkdayOverride,
)
from leifeng.notify import kinds
from leifeng.notify.services import notify
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.reports.rollups import mark_dirty
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.services import own_record

INVALID = "invalid"
CONFLICT = "conflict"
LATE = "late"
RECORD_WITHIN_WORKING_DAYS = 10  # 办法 art. 11
HUNDREDTH = Decimal("0.01")
CENTS: "DecimalField[Decimal, Decimal]" = DecimalField(max_digits=12, decimal_places=2)


# --- hours, working days and stars ---------------------------------------------------------


def round_hours(minutes: int) -> Decimal:
    """Minutes of service as hours, rounded down to the configured step (half hours)."""
    step = settings.HOURS_ROUNDING_MINUTES
    steps = max(minutes, 0) // step
    return (Decimal(steps * step) / Decimal(60)).quantize(HUNDREDTH, rounding=ROUND_DOWN)


def is_workday(day: date) -> bool:
    """A Chinese working day: the city office's override, else the holiday package (legal
    holidays and make-up days), else Monday to Friday for years the package does not cover."""
    override = WorkdayOverride.objects.filter(day=day).values_list("is_workday", flat=True).first()
    if override is not None:
        return override
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day after `day`."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_workday(current):
            count -= 1
    return current


def stars_reached(total: Decimal) -> int:
    """The star level whose standard `total` hours reach (certification is separate)."""
    return sum(1 for threshold in settings.HOURS_STAR_THRESHOLDS if total >= threshold)


# --- the ledger ----------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _lock(volunteer: Volunteer) -> VolunteerHours:
    """Lock the volunteer for this transaction and return their running total."""
    Volunteer.objects.select_for_update().filter(pk=volunteer.pk).values_list("pk").get()
    totals, _created = VolunteerHours.objects.get_or_create(volunteer=volunteer)
    return totals


def active_overlaps(
    volunteer: Volunteer, started_at: datetime, ended_at: datetime
) -> list[HoursEntry]:
    """Credits of the volunteer, not reversed, whose time overlaps the given period."""
    return list(
        HoursEntry.objects.filter(
            volunteer=volunteer,
            kind=HoursEntry.Kind.CREDIT,
            reversal__isnull=True,
            started_at__lt=ended_at,
            ended_at__gt=started_at,
        ).order_by("started_at")
    )


def credit_problems(
    *, content: str, started_at: datetime, ended_at: datetime, hours: Decimal
) -> dict[str, str]:
    """What is wrong with a credit's figures, by field (empty when nothing is)."""
    errors = {}
    if ended_at <= started_at:
        errors["ended_at"] = _("The service must end after it starts.")
    elif hours <= 0:
        errors["hours"] = _("Credit more than zero hours.")
    elif hours != hours.quantize(HUNDREDTH):
        errors["hours"] = _("Give hours to at most two decimal places.")
    elif hours > Decimal((ended_at - started_at).total_seconds()) / 3600:
        errors["hours"] = _("More hours than the time between start and end.")
    if not content.strip():
        errors["content"] = _("Say what the service was.")
    return errors


def _refuse_future(ended_at: datetime) -> None:
    """Staff record hours served, not hours planned."""
    if ended_at > timezone.now():
        message = _("The service has not ended yet.")
        raise DomainError(message, code=INVALID, fields={"ended_at": message})


def _check_credit(**figures: Any) -> None:
    errors = credit_problems(**figures)
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)


def describe(entries: list[HoursEntry] | list[LateEntry]) -> str:
    """Entries named for a person: content and local time, separated by 、."""
    return "；".join(
        f"{entry.content} {_local(entry.started_at)}–{_local(entry.ended_at)}" for entry in entries
    )


def _refuse_overlaps(clashes: list[HoursEntry]) -> None:
    if clashes:
        raise DomainError(
            _("These hours overlap time already credited: %(entries)s.")
            % {"entries": describe(clashes)},
            code=CONFLICT,
        )


def _change_total(totals: VolunteerHours, hours: Decimal) -> None:
    VolunteerHours.objects.filter(pk=totals.pk).update(total=F("total") + hours)


def _credit(
    *,
    actor: User | None,
    volunteer: Volunteer,
    organisation: Organisation,
    source: str,
    content: str,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    place: str = "",
    activity: Activity | None = None,
    reason: str = "",
) -> HoursEntry:
    """Credit hours, refusing any time already credited (whatever its source)."""
    _check_credit(content=content, started_at=started_at, ended_at=ended_at, hours=hours)
    totals = _lock(volunteer)
    _refuse_overlaps(active_overlaps(volunteer, started_at, ended_at))
    entry = HoursEntry(
        volunteer=volunteer,
        organisation=organisation,
        kind=HoursEntry.Kind.CREDIT,
        source=source,
        activity=activity,
        content=content.strip()[:200],
        place=place.strip()[:200],
        started_at=started_at,
        ended_at=ended_at,
        hours=hours.quantize(HUNDREDTH),
        reason=reason.strip()[:200],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    entry.save()
    mark_dirty(entry.started_at)
    _change_total(totals, entry.hours)
    _tell_new_stars(volunteer, totals.total, totals.total + entry.hours)
    return entry


def _tell_new_stars(volunteer: Volunteer, before: Decimal, after: Decimal) -> None:
    """The volunteer is told when their hours reach a new star standard."""
    reached = stars_reached(after)
    if reached <= stars_reached(before) or volunteer.user_id is None:
        return
    notify(
        recipients=[volunteer.user] if volunteer.user else [],
        kind=kinds.STARS_REACHED,
        context={"stars": reached, "hours": after},
        event_key=f"hours.stars:{volunteer.pk}:{reached}",
        url=reverse("hours:me"),
    )


def _reverse(actor: User, entry: HoursEntry, reason: str) -> HoursEntry:
    reason = _needs_reason(reason)
    totals = _lock(entry.volunteer)
    entry = HoursEntry.objects.get(pk=entry.pk)
    if entry.kind != HoursEntry.Kind.CREDIT or HoursEntry.objects.filter(reverses=entry).exists():
        raise DomainError(_("This entry has already been reversed."), code=CONFLICT)
    reversal = HoursEntry(
        volunteer_id=entry.volunteer_id,
        organisation_id=entry.organisation_id,
        kind=HoursEntry.Kind.REVERSAL,
        source=entry.source,
        activity_id=entry.activity_id,
        content=entry.content,
        place=entry.place,
        started_at=entry.started_at,
        ended_at=entry.ended_at,
        hours=-entry.hours,
        reverses=entry,
        reason=reason[:200],
        recorded_by=actor,
    )
    reversal.save()
    mark_dirty(reversal.started_at)
    _change_total(totals, reversal.hours)
    return reversal


def _needs_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why."), code=INVALID, fields={"reason": _("Enter a reason.")})
    return reason


@transaction.atomic
def entry_reverse(*, actor: User, entry: HoursEntry, reason: str) -> HoursEntry:
    """Take back a credit: a reversing entry with who, when and why; nothing is deleted."""
    access.require(actor, access.MANAGE, entry)
    reason = _needs_reason(reason)
    reversal = _reverse(actor, entry, reason)
    audit_record(
        actor=actor,
        organisation=entry.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=entry,
        before={"hours": str(entry.hours)},
        after={"hours": "0", "reason": reason},
    )
    return reversal


@transaction.atomic
def entry_correct(
    *,
    actor: User,
    entry: HoursEntry,
    hours: Decimal,
    started_at: datetime,
    ended_at: datetime,
    reason: str,
) -> HoursEntry:
    """Correct a credit (办法 art. 13): reverse it and credit the right figures."""
    access.require(actor, access.MANAGE, entry)
    reason = _needs_reason(reason)
    _reverse(actor, entry, reason)
    corrected = _credit(
        actor=actor,
        volunteer=entry.volunteer,
        organisation=entry.organisation,
        source=entry.source,
        content=entry.content,
        place=entry.place,
        activity=entry.activity,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        reason=reason,
    )
    audit_record(
        actor=actor,
        organisation=entry.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=entry,
        before={"hours": str(entry.hours), "from": _local(entry.started_at)},
        after={"hours": str(corrected.hours), "from": _local(started_at), "reason": reason},
    )
    return corrected


@transaction.atomic
def manual_credit(
    *,
    actor: User,
    organisation: Organisation,
    volunteer: Volunteer,
    content: str,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    place: str = "",
    reason: str = "",
) -> HoursEntry:
    """Staff record service done outside the platform, for a volunteer they can see, within
    the 10 working days; later, it is a late entry (late_entry_request)."""
    access.require(actor, access.MANAGE, organisation)
    access.require(actor, access.VIEW, volunteer)
    _refuse_future(ended_at)
    if is_late(ended_at):
        raise DomainError(
            _(
                "This service had to be recorded by %(day)s: record it as a late entry, with a "
                "reason, for a second person to approve."
            )
            % {"day": date_format(record_deadline(ended_at), "Y-m-d")},
            code=LATE,
        )
    entry = _credit(
        actor=actor,
        volunteer=volunteer,
        organisation=organisation,
        source=HoursEntry.Source.MANUAL,
        content=content,
        place=place,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        reason=reason,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE,
        obj=entry,
        after={"hours": str(entry.hours), "content": entry.content},
    )
    return entry


# --- late entries (补录): a reason and a second person's approval -------------------------


def record_deadline(ended_at: datetime) -> date:
    """The last day to record a service that ended then (办法 art. 11)."""
    return add_working_days(timezone.localdate(ended_at), RECORD_WITHIN_WORKING_DAYS)


def is_late(ended_at: datetime, today: date | None = None) -> bool:
    return (today or timezone.localdate()) > record_deadline(ended_at)


def pending_overlaps(
    volunteer: Volunteer, started_at: datetime, ended_at: datetime
) -> list[LateEntry]:
    """Late entries of the volunteer still waiting for approval that overlap the period."""
    return list(
        LateEntry.objects.filter(
            volunteer=volunteer,
            status=LateEntry.Status.PENDING,
            started_at__lt=ended_at,
            ended_at__gt=started_at,
        ).order_by("started_at")
    )


def add_late_entry(
    *,
    actor: User,
    volunteer: Volunteer,
    organisation: Organisation,
    source: str,
    content: str,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    reason: str,
    place: str = "",
    activity: Activity | None = None,
    claim: HoursClaim | None = None,
    batch: HoursImport | None = None,
) -> LateEntry:
    reason = _needs_reason(reason)
    _check_credit(content=content, started_at=started_at, ended_at=ended_at, hours=hours)
    _lock(volunteer)
    _refuse_overlaps(active_overlaps(volunteer, started_at, ended_at))
    waiting = pending_overlaps(volunteer, started_at, ended_at)
    if waiting:
        raise DomainError(
            _("These hours overlap a late entry waiting for approval: %(entries)s.")
            % {"entries": describe(waiting)},
            code=CONFLICT,
        )
    return LateEntry.objects.create(
        volunteer=volunteer,
        organisation=organisation,
        source=source,
        activity=activity,
        claim=claim,
        batch=batch,
        content=content.strip()[:200],
        place=place.strip()[:200],
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        reason=reason[:200],
        requested_by=actor,
    )


@transaction.atomic
def late_entry_request(
    *,
    actor: User,
    organisation: Organisation,
    volunteer: Volunteer,
    content: str,
    started_at: datetime,
    ended_at: datetime,
    hours: Decimal,
    reason: str,
    place: str = "",
) -> LateEntry:
    """Record hours past the deadline (补录): they wait for a second person's approval."""
    access.require(actor, access.MANAGE, organisation)
    access.require(actor, access.VIEW, volunteer)
    _refuse_future(ended_at)
    late = add_late_entry(
        actor=actor,
        volunteer=volunteer,
        organisation=organisation,
        source=HoursEntry.Source.MANUAL,
        content=content,
        place=place,
        started_at=started_at,
        ended_at=ended_at,
        hours=hours,
        reason=reason,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE,
        obj=late,
        after={"hours": str(late.hours), "content": late.content, "reason": late.reason},
    )
    return late


def _undecided(actor: User, late: LateEntry) -> LateEntry:
    access.require(actor, access.MANAGE, late)
    late = LateEntry.objects.select_for_update().get(pk=late.pk)
    if late.status != LateEntry.Status.PENDING:
        raise DomainError(_("This late entry has already been decided."), code=CONFLICT)
    return late


@transaction.atomic
def late_entry_approve(*, actor: User, late: LateEntry) -> HoursEntry:
    """The second person approves: the hours reach the ledger (if no time overlaps)."""
    late = _undecided(actor, late)
    if late.requested_by_id == actor.pk:
        raise DomainError(
            _("A second person must approve a late entry; you asked for this one."),
            code="forbidden",
        )
    entry = _credit(
        actor=actor,
        volunteer=late.volunteer,
        organisation=late.organisation,
        source=late.source,
        activity=late.activity,
        content=late.content,
        place=late.place,
        started_at=late.started_at,
        ended_at=late.ended_at,
        hours=late.hours,
        reason=late.reason,
    )
    now = timezone.now()
    LateEntry.objects.filter(pk=late.pk).update(
        status=LateEntry.Status.APPROVED, entry=entry, decided_by=actor, decided_at=now
    )
    if late.claim_id:
        HoursClaim.objects.filter(pk=late.claim_id).update(
            status=HoursClaim.Status.CONFIRMED, entry=entry, decided_by=actor, decided_at=now
        )
    audit_record(
        actor=actor,
        organisation=late.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=late,
        before={"status": LateEntry.Status.PENDING},
        after={"status": LateEntry.Status.APPROVED, "hours": str(late.hours)},
    )
    return entry


@transaction.atomic
def late_entry_reject(*, actor: User, late: LateEntry, reason: str) -> LateEntry:
    """Refuse a late entry with a reason (the one who asked may withdraw it this way too)."""
    late = _undecided(actor, late)
    reason = _needs_reason(reason)
    now = timezone.now()
    late.status = LateEntry.Status.REJECTED
    late.answer = reason[:200]
    late.decided_by = actor
    late.decided_at = now
    late.save(update_fields=["status", "answer", "decided_by", "decided_at"])
    if late.claim_id:
        HoursClaim.objects.filter(pk=late.claim_id).update(
            status=HoursClaim.Status.REJECTED, reason=reason[:200], decided_by=actor, decided_at=now
        )
    audit_record(
        actor=actor,
        organisation=late.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=late,
        before={"status": LateEntry.Status.PENDING},
        after={"status": late.status, "reason": late.answer},
    )
    return late


def late_entries_approve(*, actor: User, entries: list[LateEntry]) -> "BulkResult":
    """Approve many late entries; each stands alone, and a refused one says why."""
    return _each(entries, lambda late: late_entry_approve(actor=actor, late=late))


# --- from attendance to hours --------------------------------------------------------------


def claims_collect(now: datetime | None = None) -> int:
    """Each checked-out attendance becomes a claim waiting for its organiser."""
    waiting = (
        Attendance.objects.filter(
            status=Attendance.Status.PRESENT,
            checked_in_at__isnull=False,
            checked_out_at__isnull=False,
            hours_claim__isnull=True,
            signup__status="confirmed",
        )
        .select_related("shift__activity")
        .order_by("pk")
    )
    created = 0
    for attendance in waiting.iterator():
        assert attendance.checked_in_at and attendance.checked_out_at
        shift = attendance.shift
        minutes = int((attendance.checked_out_at - attendance.checked_in_at).total_seconds()) // 60
        end_day = timezone.localdate(shift.activity.ends_at or shift.ends_at)
        _claim, new = HoursClaim.objects.get_or_create(
            attendance=attendance,
            defaults={
                "volunteer_id": attendance.volunteer_id,
                "organisation_id": shift.activity.organisation_id,
                "started_at": attendance.checked_in_at,
                "ended_at": attendance.checked_out_at,
                "proposed_hours": round_hours(minutes),
                "due_on": add_working_days(end_day, RECORD_WITHIN_WORKING_DAYS),
            },
        )
        created += new
    return created


def _pending(actor: User, claim: HoursClaim) -> HoursClaim:
    access.require(actor, access.MANAGE, claim)
    claim = (
        HoursClaim.objects.select_for_update(of=("self",))
        .select_related("attendance__shift__activity", "volunteer", "organisation")
        .get(pk=claim.pk)
    )
    if claim.status != HoursClaim.Status.PENDING:
        raise DomainError(_("This claim has already been decided."), code=CONFLICT)
    return claim


@transaction.atomic
def claim_confirm(
    *,
    actor: User,
    claim: HoursClaim,
    hours: Decimal | None = None,
    reason: str = "",
    today: date | None = None,
) -> HoursEntry:
    """Confirm the proposed hours, or other hours with a reason. `today` is the day of the
    decision when past decisions are loaded (the demo); otherwise today."""
    claim = _pending(actor, claim)
    if claim.due_on < (today or timezone.localdate()):
        raise DomainError(
            _(
                "This claim was due on %(day)s: confirm it on its own as a late entry, with a "
                "reason, for a second person to approve."
            )
            % {"day": date_format(claim.due_on, "Y-m-d")},
            code=LATE,
        )
    credited = claim.proposed_hours if hours is None else hours
    if credited != claim.proposed_hours:
        reason = _needs_reason(reason)
    activity = claim.attendance.shift.activity
    entry = _credit(
        actor=actor,
        volunteer=claim.volunteer,
        organisation=claim.organisation,
        source=HoursEntry.Source.ATTENDANCE,
        activity=activity,
        content=activity.title,
        place=activity.address,
        started_at=claim.started_at,
        ended_at=claim.ended_at,
        hours=credited,
        reason=reason,
    )
    claim.status = HoursClaim.Status.CONFIRMED
    claim.entry = entry
    claim.reason = reason[:200]
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "entry", "reason", "decided_by", "decided_at"])
    return entry


@transaction.atomic
def claim_confirm_late(
    *, actor: User, claim: HoursClaim, reason: str, hours: Decimal | None = None
) -> LateEntry:
    """Confirm an overdue claim: it becomes a late entry waiting for a second approval."""
    claim = _pending(actor, claim)
    activity = claim.attendance.shift.activity
    late = add_late_entry(
        actor=actor,
        volunteer=claim.volunteer,
        organisation=claim.organisation,
        source=HoursEntry.Source.ATTENDANCE,
        activity=activity,
        claim=claim,
        content=activity.title,
        place=activity.address,
        started_at=claim.started_at,
        ended_at=claim.ended_at,
        hours=claim.proposed_hours if hours is None else hours,
        reason=reason,
    )
    HoursClaim.objects.filter(pk=claim.pk).update(status=HoursClaim.Status.LATE)
    audit_record(
        actor=actor,
        organisation=claim.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=claim,
        before={"status": HoursClaim.Status.PENDING},
        after={"status": HoursClaim.Status.LATE, "reason": late.reason},
    )
    return late


@transaction.atomic
def claim_reject(*, actor: User, claim: HoursClaim, reason: str) -> HoursClaim:
    claim = _pending(actor, claim)
    claim.reason = _needs_reason(reason)[:200]
    claim.status = HoursClaim.Status.REJECTED
    claim.decided_by = actor
    claim.decided_at = timezone.now()
    claim.save()
    audit_record(
        actor=actor,
        organisation=claim.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=claim,
        before={"status": HoursClaim.Status.PENDING},
        after={"status": claim.status, "reason": claim.reason},
    )
    return claim


@dataclass(frozen=True)
class BulkResult:
    confirmed: list[HoursEntry]
    refused: list[tuple[Any, str]]


def _each(items: list[Any], credit: Callable[[Any], HoursEntry]) -> BulkResult:
    """Credit each item in its own transaction; a refused one is kept with the reason."""
    confirmed, refused = [], []
    for item in items:
        try:
            confirmed.append(credit(item))
        except DomainError as exc:
            refused.append((item, exc.message))
        except (Http404, PermissionDenied):
            refused.append((item, _("You do not have permission to do this here.")))
    return BulkResult(confirmed, refused)


def claims_confirm(*, actor: User, claims: list[HoursClaim]) -> BulkResult:
    """Confirm many claims as proposed; each stands alone, and a refused one says why."""
    return _each(claims, lambda claim: claim_confirm(actor=actor, claim=claim))


# --- proving the totals --------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    volunteer_id: int
    total: Decimal
    ledger: Decimal


def hours_verify() -> list[Mismatch]:
    """Every volunteer whose kept total differs from the sum of their ledger entries (a
    volunteer with entries but no total row counts as a total of zero). Repairs nothing.
    The database compares and returns only the differences, however large the ledger."""
    # Both sides rounded to the cent: SQLite adds decimals as floating point (a total kept
    # with F("total") + hours can read 25.490000000000002 there).
    with_entries = (
        HoursEntry.objects.values("volunteer_id")
        .annotate(
            ledger=Round(Sum("hours", output_field=CENTS), 2),
            total=Round(Coalesce(Max("volunteer__hours__total"), ZERO, output_field=CENTS), 2),
        )
        .exclude(ledger=F("total"))
        .values_list("volunteer_id", "total", "ledger")
    )
    without_entries = (
        VolunteerHours.objects.exclude(total=0)
        .filter(~Exists(HoursEntry.objects.filter(volunteer_id=OuterRef("volunteer_id"))))
        .values_list("volunteer_id", "total", Value(ZERO, output_field=CENTS))
    )
    return sorted(
        (
            Mismatch(volunteer_id, total.quantize(HUNDREDTH), ledger.quantize(HUNDREDTH))
            for volunteer_id, total, ledger in [*with_entries, *without_entries]
        ),
        key=lambda mismatch: mismatch.volunteer_id,
    )


def record_of(volunteer: Volunteer) -> dict[str, Any]:
    """A volunteer's total, the star standard reached, and the level certified."""
    total = VolunteerHours.objects.filter(volunteer=volunteer).values_list("total", flat=True)
    hours = total.first() or ZERO
    certified = (
        StarCertification.objects.filter(volunteer=volunteer)
        .order_by("-level")
        .values_list("level", flat=True)
        .first()
    )
    return {
        "total": hours,
        "stars_reached": stars_reached(hours),
        "stars_certified": certified or 0,
    }


@transaction.atomic
def stars_certify(
    *, actor: User, organisation: Organisation, volunteer: Volunteer, level: int, note: str = ""
) -> StarCertification:
    """Certify a star level the volunteer's hours reach, once per level, recorded."""
    access.require(actor, access.MANAGE, organisation)
    access.require(actor, access.VIEW, volunteer)
    totals = _lock(volunteer)
    if not 1 <= level <= stars_reached(totals.total):
        raise DomainError(
            _("The hours (%(hours)s) do not reach the standard for %(level)s stars.")
            % {"hours": totals.total, "level": level},
            code=INVALID,
            fields={"level": _("Not reached.")},
        )
    if StarCertification.objects.filter(volunteer=volunteer, level__gte=level).exists():
        raise DomainError(_("This level or a higher one is already certified."), code=CONFLICT)
    certification = StarCertification.objects.create(
        volunteer=volunteer,
        organisation=organisation,
        level=level,
        hours_at=totals.total,
        note=note.strip()[:200],
        certified_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE,
        obj=certification,
        after={"stars": level, "hours": str(totals.total)},
    )
    return certification


# --- corrections asked by the volunteer (办法 art. 13) -------------------------------------


@transaction.atomic
def correction_ask(
    *,
    actor: User,
    volunteer: Volunteer,
    message: str,
    entry: HoursEntry | None = None,
    organisation: Organisation | None = None,
) -> CorrectionRequest:
    """The volunteer reports a wrong entry (to the organisation that recorded it) or a missing
    one (to the organisation that ran the service)."""
    own_record(actor, volunteer)
    message = message.strip()
    if not message:
        raise DomainError(
            _("Say what is wrong or missing."),
            code=INVALID,
            fields={"message": _("Say what is wrong or missing.")},
        )
    if entry is not None:
        if entry.volunteer_id != volunteer.pk:
            raise DomainError(_("This is not your volunteer record."), code="forbidden")
        organisation = entry.organisation
    if organisation is None:
        raise DomainError(
            _("Choose the organisation that ran the service."),
            code=INVALID,
            fields={"organisation": _("Choose the organisation that ran the service.")},
        )
    return CorrectionRequest.objects.create(
        volunteer=volunteer, organisation=organisation, entry=entry, message=message[:1000]
    )


@transaction.atomic
def correction_answer(
    *, actor: User, request: CorrectionRequest, corrected: bool, answer: str
) -> CorrectionRequest:
    """Close the request: corrected (after correcting with the ledger's tools) or not, with
    an answer the volunteer reads."""
    access.require(actor, access.MANAGE, request)
    answer = _needs_reason(answer)
    updated = CorrectionRequest.objects.filter(
        pk=request.pk, status=CorrectionRequest.Status.OPEN
    ).update(
        status=CorrectionRequest.Status.DONE if corrected else CorrectionRequest.Status.DECLINED,
        answer=answer[:200],
        answered_by=actor,
        answered_at=timezone.now(),
    )
    if not updated:
        raise DomainError(_("This request has already been answered."), code=CONFLICT)
    request.refresh_from_db()
    audit_record(
        actor=actor,
        organisation=request.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=request,
        before={"status": CorrectionRequest.Status.OPEN},
        after={"status": request.status, "answer": answer},
    )
    return request


# --- training, awards, evaluations (办法 arts. 8–10) ---------------------------------------


@transaction.atomic
def record_item_add(
    *,
    actor: User,
    organisation: Organisation,
    volunteer: Volunteer,
    kind: str,
    title: str,
    issuer: str,
    on: date,
    detail: str = "",
    hours: Decimal | None = None,
    rating: str = "",
) -> RecordItem:
    """Record a training (with its learning hours), an award, or an evaluation (with its
    rating) for a volunteer the user can see, by an organisation the user manages."""
    access.require(actor, access.MANAGE, organisation)
    access.require(actor, access.VIEW, volunteer)
    errors = {}
    if not title.strip():
        errors["title"] = _("Enter the name.")
    if not issuer.strip():
        errors["issuer"] = _("Enter the unit.")
    if on > timezone.localdate():
        errors["on"] = _("The date cannot be in the future.")
    if kind == RecordItem.Kind.TRAINING and not (hours and hours > 0):
        errors["hours"] = _("Enter the learning hours of the training.")
    if kind == RecordItem.Kind.EVALUATION and rating not in RecordItem.Rating.values:
        errors["rating"] = _("Choose the rating.")
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    item = RecordItem.objects.create(
        volunteer=volunteer,
        organisation=organisation,
        kind=kind,
        title=title.strip()[:100],
        issuer=issuer.strip()[:100],
        on=on,
        detail=detail.strip()[:500],
        hours=hours if kind == RecordItem.Kind.TRAINING else None,
        rating=rating if kind == RecordItem.Kind.EVALUATION else "",
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE,
        obj=item,
        after={"kind": kind, "title": item.title, "on": str(on)},
    )
    return item
