"""The rules of activities, stations, sign-ups and attendance. Views, the API, commands and
jobs all call these functions; each one checks who may do it and leaves nothing half-saved.

Never overbooked: a sign-up takes a place with one conditional UPDATE
(`confirmed = confirmed + 1 WHERE confirmed < quota`), which the database serialises per
shift, and a CHECK constraint refuses any shift whose `confirmed` passes its quota. Nobody
twice: a partial unique index on active (shift, volunteer) sign-ups. No overlapping shifts:
a volunteer's sign-ups run one at a time (their row is locked) and each checks the others.
"""

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.activities.models import (
    PUBLIC_STATUSES,
    Activity,
    ActivityPhoto,
    Attendance,
    RosterPattern,
    Shift,
    Signup,
    Station,
)
from leifeng.audit.models import AuditEntry
from leifeng.audit.services import audit_record
from leifeng.core.campaign import CampaignLine
from leifeng.core.errors import DomainError
from leifeng.core.uploads import photo_suffix
from leifeng.notify import kinds
from leifeng.notify.services import notify
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.reports.rollups import mark_dirty
from leifeng.volunteers.models import TeamMembership, Volunteer
from leifeng.volunteers.services import own_record

INVALID = "invalid"
CONFLICT = "conflict"

# Check-in opens this long before a shift starts; check-out is accepted this long after it ends.
CHECK_IN_EARLY = timedelta(minutes=60)
CHECK_OUT_LATE = timedelta(hours=2)
# The organiser's QR code changes every QR_STEP; a code is accepted for two steps, so a
# photographed code stops working within a minute.
QR_STEP_SECONDS = 30
QR_SALT = "leifeng.activities.checkin"
ROSTER_MAX_DAYS = 92

ACTIVITY_FIELDS = (
    "title",
    "description",
    "campaign_line",
    "served_groups",
    "national_category",
    "contact_name",
    "contact_phone",
    "address",
    "township",
    "latitude",
    "longitude",
    "checkin_radius_m",
    "require_location",
    "signup_opens_at",
    "signup_closes_at",
    "cancel_hours_before",
    "join_rule",
    "invitation_code",
    "min_age",
    "max_age",
    "volunteer_kinds",
    "risk_notice",
    "risky",
    "insurer",
    "policy_number",
    "insured_from",
    "insured_until",
)
ACTIVITY_RELATIONS = ("service_items", "teams", "skills")
STATION_FIELDS = (
    "name",
    "place_kind",
    "host_unit",
    "address",
    "township",
    "latitude",
    "longitude",
    "checkin_radius_m",
    "opening_hours",
    "services",
    "services_note",
    "contact_phone",
    "is_active",
)
EDITABLE = (Activity.Status.DRAFT, Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS)
# Photos of an activity: taken once it is under way (not of a draft or a cancelled one).
PHOTOS_MAX = 30
PHOTO_MAX_MB = 10


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def _invalid(message: Any, **fields: Any) -> DomainError:
    return DomainError(message, code=INVALID, fields=fields)


def _full_clean(obj: Any, exclude: tuple[str, ...] = ()) -> None:
    """Model validation, turned into one DomainError that names every wrong field."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise DomainError(
            _("Please correct the marked fields."),
            code=INVALID,
            fields={field: " ".join(messages) for field, messages in exc.message_dict.items()},
        ) from None


def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(obj, f"{name}_id", None) if name == "township" else getattr(obj, name)
        values[name] = value if isinstance(value, bool | int | list | type(None)) else str(value)
    return values


# --- activities ----------------------------------------------------------------------------


@transaction.atomic
def activity_save(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    activity: Activity | None = None,
) -> Activity:
    """Create (as a draft) or change an activity. `data` holds ACTIVITY_FIELDS and the
    relations service_items, teams and skills (lists of rows)."""
    access.require(actor, access.MANAGE, organisation)
    creating = activity is None
    if activity is None:
        activity = Activity(organisation=organisation, created_by=actor)
    else:
        access.require(actor, access.MANAGE, activity)
        if activity.status not in EDITABLE:
            raise DomainError(
                _("A finished or cancelled activity cannot be changed."), code=CONFLICT
            )
        if activity.station_id and data.get("risky"):
            raise _invalid(_("A station's duty cannot be marked risky."), risky=_("Not here."))
    before = None if creating else _snapshot(activity, ACTIVITY_FIELDS)
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    for name in ("title", "description", "risk_notice", "invitation_code", "address"):
        setattr(activity, name, (getattr(activity, name) or "").strip())
    _full_clean(activity, exclude=("organisation", "created_by", "station"))
    _check_activity(activity, data)
    if activity.status != Activity.Status.DRAFT:
        _check_publishable(activity, needs_shifts=False)
    activity.save()
    if activity.status != Activity.Status.DRAFT:
        _mark_figures(activity)  # its campaign line may have changed
    for name in ACTIVITY_RELATIONS:
        if name in data:
            getattr(activity, name).set(data[name])
    audit_record(
        actor=actor,
        organisation=activity.organisation,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=activity,
        before=before,
        after=_snapshot(activity, ACTIVITY_FIELDS),
    )
    return activity


def _check_activity(activity: Activity, data: dict[str, Any]) -> None:
    errors: dict[str, Any] = {}
    if (
        activity.min_age is not None
        and activity.max_age is not None
        and activity.min_age > activity.max_age
    ):
        errors["max_age"] = _("The maximum age must not be below the minimum age.")
    if activity.join_rule == Activity.JoinRule.TEAMS and not data.get(
        "teams", activity.pk and list(activity.teams.all())
    ):
        errors["teams"] = _("Choose the teams whose members may join.")
    if activity.join_rule == Activity.JoinRule.CODE and not activity.invitation_code:
        errors["invitation_code"] = _("Enter the invitation code volunteers must give.")
    for team in data.get("teams", []):
        if not team.is_team:
            errors["teams"] = _("Choose volunteer teams only.")
    for item in data.get("service_items", []):
        if item.campaign_line != activity.campaign_line:
            errors["service_items"] = _("Choose service items of the activity's campaign line.")
    if (activity.latitude is None) != (activity.longitude is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    if activity.require_location and activity.latitude is None:
        errors["require_location"] = _("Checking the position needs the place's coordinates.")
    if (
        activity.signup_opens_at
        and activity.signup_closes_at
        and activity.signup_closes_at <= activity.signup_opens_at
    ):
        errors["signup_closes_at"] = _("Sign-up must close after it opens.")
    if (
        activity.insured_from
        and activity.insured_until
        and activity.insured_until < activity.insured_from
    ):
        errors["insured_until"] = _("The insurance must end after it starts.")
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)


def _check_publishable(activity: Activity, *, needs_shifts: bool = True) -> None:
    """Art. 12: the risks are stated. Art. 17: insurance before anything that may endanger
    personal safety, covering every shift."""
    if not activity.risk_notice:
        raise _invalid(
            _("State the possible risks before publishing."), risk_notice=_("Enter the risks.")
        )
    shifts = list(activity.shifts.all()) if activity.pk else []
    if needs_shifts and not shifts:
        raise DomainError(_("Add at least one shift before publishing."), code=INVALID)
    if not activity.risky:
        return
    if not activity.has_insurance():
        raise _invalid(
            _(
                "This activity may endanger personal safety: record its accident insurance "
                "(insurer, policy number, period) before publishing."
            ),
            insurer=_("Required for a risky activity."),
            policy_number=_("Required for a risky activity."),
        )
    assert activity.insured_from and activity.insured_until
    for shift in shifts:
        if not (
            activity.insured_from
            <= timezone.localdate(shift.starts_at)
            <= timezone.localdate(shift.ends_at)
            <= activity.insured_until
        ):
            raise _invalid(
                _("The insurance period does not cover the shift on %(date)s.")
                % {"date": _local(shift.starts_at)},
                insured_until=_("Cover every shift."),
            )


@transaction.atomic
def activity_publish(*, actor: User, activity: Activity, now: datetime | None = None) -> Activity:
    access.require(actor, access.MANAGE, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Activity.Status.DRAFT:
        raise DomainError(_("Only a draft can be published."), code=CONFLICT)
    _check_publishable(activity)
    activity.status = Activity.Status.PUBLISHED
    activity.published_at = _now(now)
    activity.save(update_fields=["status", "published_at", "updated_at"])
    _mark_figures(activity)
    _audit_status(actor, activity, Activity.Status.DRAFT)
    return activity


def _audit_status(actor: User | None, activity: Activity, before: str) -> None:
    audit_record(
        actor=actor,
        organisation=activity.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=activity,
        before={"status": before},
        after={"status": activity.status},
    )


@transaction.atomic
def activity_cancel(
    *, actor: User, activity: Activity, reason: str, now: datetime | None = None
) -> Activity:
    """Cancel an activity: every sign-up ends and everyone signed up or waiting is told."""
    access.require(actor, access.MANAGE, activity)
    reason = reason.strip()
    if not reason:
        raise _invalid(_("Say why the activity is cancelled."), reason=_("Enter a reason."))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status in (Activity.Status.FINISHED, Activity.Status.CANCELLED):
        raise DomainError(_("This activity has already ended."), code=CONFLICT)
    moment = _now(now)
    before = activity.status
    activity.status = Activity.Status.CANCELLED
    activity.cancelled_at = moment
    activity.cancel_reason = reason[:200]
    activity.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _mark_figures(activity)
    # Lock every shift first (signup_create locks its shift before reading the status), so a
    # sign-up racing this either committed already and is ended below, or sees "cancelled".
    activity.shifts.update(confirmed=0)
    active = Signup.objects.filter(shift__activity=activity, status__in=Signup.ACTIVE)
    users = list(
        User.objects.filter(volunteer__signups__in=active.values("pk"), is_active=True).distinct()
    )
    active.update(
        status=Signup.Status.CANCELLED,
        cancelled_at=moment,
        cancel_reason=reason[:200],
        cancelled_by=actor,
    )
    notify(
        recipients=users,
        kind=kinds.ACTIVITY_CANCELLED,
        context={"activity": activity.title, "reason": reason},
        event_key=f"activities.cancelled:{activity.pk}",
        url=reverse("activities:detail", args=[activity.pk]),
    )
    _audit_status(actor, activity, before)
    return activity


@transaction.atomic
def activity_finish(*, actor: User, activity: Activity) -> Activity:
    access.require(actor, access.MANAGE, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status not in (Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS):
        raise DomainError(_("Only a running activity can be finished."), code=CONFLICT)
    before = activity.status
    activity.status = Activity.Status.FINISHED
    activity.save(update_fields=["status", "updated_at"])
    _audit_status(actor, activity, before)
    return activity


def activities_advance(now: datetime | None = None) -> int:
    """Published activities whose first shift has started are in progress; those whose last
    shift has ended are finished. A station's duty roster runs on."""
    moment = _now(now)
    ordinary = Activity.objects.filter(station__isnull=True, is_assignment=False)
    started = ordinary.filter(status=Activity.Status.PUBLISHED, starts_at__lte=moment).update(
        status=Activity.Status.IN_PROGRESS, updated_at=moment
    )
    finished = ordinary.filter(status=Activity.Status.IN_PROGRESS, ends_at__lte=moment).update(
        status=Activity.Status.FINISHED, updated_at=moment
    )
    return started + finished


# --- photos --------------------------------------------------------------------------------


def _photos_checked(
    activity: Activity, photos: list[UploadedFile]
) -> list[tuple[UploadedFile, str]]:
    """Each photo a JPEG, PNG or WebP image (read, not trusted by its name) up to
    PHOTO_MAX_MB, and no more than PHOTOS_MAX on the activity in all."""

    def refuse(message: str) -> DomainError:
        return _invalid(message, photos=message)

    if not photos:
        raise refuse(_("Choose at least one photo."))
    room = PHOTOS_MAX - activity.photos.count()
    if len(photos) > room:
        raise refuse(
            _("An activity keeps at most %(max)d photos; %(room)d more can be added.")
            % {"max": PHOTOS_MAX, "room": max(room, 0)}
        )
    checked = []
    for photo in photos:
        if not photo.size or photo.size > PHOTO_MAX_MB * 1024 * 1024:
            raise refuse(
                _("%(name)s is empty or larger than %(max)d MB.")
                % {"name": photo.name, "max": PHOTO_MAX_MB}
            )
        if not (suffix := photo_suffix(photo)):
            raise refuse(_("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": photo.name})
        checked.append((photo, suffix))
    return checked


def _photo_values(photo: ActivityPhoto) -> dict[str, Any]:
    return {"image": photo.image.name, "caption": photo.caption}


@transaction.atomic
def activity_photos_add(
    *, actor: User, activity: Activity, photos: list[UploadedFile], caption: str = ""
) -> list[ActivityPhoto]:
    """Photos of a recruiting, running or finished activity, for its page and for the reports
    to the city. All are checked before any is stored: either every photo is added or none."""
    access.require(actor, access.MANAGE, activity)
    # Lock the activity so that two uploads at once cannot both pass the limit.
    activity = (
        Activity.objects.select_for_update().select_related("organisation").get(pk=activity.pk)
    )
    if activity.status not in PUBLIC_STATUSES:
        message = _("Photos can be added once the activity is published, and not if cancelled.")
        raise DomainError(message, code=CONFLICT, fields={"photos": message})
    checked = _photos_checked(activity, photos)
    caption = caption.replace("\x00", "").strip()[:100]  # PostgreSQL refuses NUL in text
    added: list[ActivityPhoto] = []
    written: list[str] = []
    try:
        for upload, suffix in checked:
            photo = ActivityPhoto(activity=activity, caption=caption, uploaded_by=actor)
            name = f"activity-{activity.pk}-{secrets.token_hex(4)}.{suffix}"
            photo.image.save(name, File(upload), save=False)
            written.append(photo.image.name)
            photo.save()
            added.append(photo)
            audit_record(
                actor=actor,
                organisation=activity.organisation,
                action=AuditEntry.Action.CREATE,
                obj=photo,
                after=_photo_values(photo),
            )
    except BaseException:
        # The rows roll back with the transaction; the files already written do not.
        for name in written:
            ActivityPhoto.image.field.storage.delete(name)
        raise
    return added


@transaction.atomic
def activity_photo_remove(*, actor: User, photo: ActivityPhoto) -> None:
    """Remove a photo; its file goes once the removal is committed. Copies already picked
    into a report stay there (a report keeps its own copy)."""
    access.require(actor, access.MANAGE, photo)
    photo = ActivityPhoto.objects.select_related("activity__organisation").get(pk=photo.pk)
    storage, name = photo.image.storage, photo.image.name
    audit_record(
        actor=actor,
        organisation=photo.activity.organisation,
        action=AuditEntry.Action.DELETE,
        obj=photo,
        before=_photo_values(photo),
    )
    photo.delete()
    transaction.on_commit(partial(storage.delete, name))


# --- shifts --------------------------------------------------------------------------------


def _refresh_span(activity: Activity) -> None:
    _mark_figures(activity)  # the days it held before the change
    span = activity.shifts.aggregate(first=Min("starts_at"), last=Max("ends_at"))
    Activity.objects.filter(pk=activity.pk).update(starts_at=span["first"], ends_at=span["last"])
    activity.starts_at, activity.ends_at = span["first"], span["last"]
    _mark_figures(activity)


def _mark_figures(activity: Activity) -> None:
    """The activities held on its days changed: the reports' rollups recompute them."""
    if activity.starts_at and activity.ends_at:
        mark_dirty(activity.starts_at, activity.ends_at)


def _check_shift_times(starts_at: datetime, ends_at: datetime, quota: int) -> None:
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("A shift must end after it starts.")
    elif ends_at - starts_at > Shift.MAX_LENGTH:
        errors["ends_at"] = _("A shift lasts at most 24 hours; add several shifts instead.")
    if quota < 1:
        errors["quota"] = _("At least one volunteer is needed.")
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)


@transaction.atomic
def shift_add(
    *,
    actor: User,
    activity: Activity,
    starts_at: datetime,
    ends_at: datetime,
    quota: int,
    note: str = "",
) -> Shift:
    access.require(actor, access.MANAGE, activity)
    if activity.status not in EDITABLE:
        raise DomainError(_("A finished or cancelled activity cannot be changed."), code=CONFLICT)
    _check_shift_times(starts_at, ends_at, quota)
    try:
        with transaction.atomic():
            shift = Shift.objects.create(
                activity=activity,
                starts_at=starts_at,
                ends_at=ends_at,
                quota=quota,
                note=note.strip()[:100],
            )
    except IntegrityError:
        raise DomainError(
            _("This activity already has a shift at that time."), code=CONFLICT
        ) from None
    if activity.status != Activity.Status.DRAFT:
        _check_publishable(activity)
    _refresh_span(activity)
    return shift


@transaction.atomic
def shift_update(*, actor: User, shift: Shift, quota: int, note: str | None = None) -> Shift:
    """Change a shift's quota. A larger quota takes people from the waiting list; a smaller
    one may not drop below those already signed up."""
    access.require(actor, access.MANAGE, shift)
    shift = (
        Shift.objects.select_for_update(of=("self",)).select_related("activity").get(pk=shift.pk)
    )
    if shift.activity.status not in EDITABLE:
        raise DomainError(_("A finished or cancelled activity cannot be changed."), code=CONFLICT)
    if quota < max(shift.confirmed, 1):
        raise _invalid(
            _("%(count)s volunteers have signed up; the quota cannot be lower.")
            % {"count": shift.confirmed},
            quota=_("At least %(count)s.") % {"count": max(shift.confirmed, 1)},
        )
    shift.quota = quota
    if note is not None:
        shift.note = note.strip()[:100]
    shift.save(update_fields=["quota", "note"])
    _promote(shift, actor=actor, now=timezone.now())
    shift.refresh_from_db(fields=["confirmed"])
    return shift


@transaction.atomic
def shift_delete(*, actor: User, shift: Shift) -> None:
    access.require(actor, access.MANAGE, shift)
    activity = shift.activity
    if activity.status not in EDITABLE:
        raise DomainError(_("A finished or cancelled activity cannot be changed."), code=CONFLICT)
    if activity.status != Activity.Status.DRAFT and activity.shifts.count() == 1:
        raise DomainError(
            _("A published activity keeps at least one shift; cancel the activity instead."),
            code=CONFLICT,
        )
    if shift.signups.exists():
        raise DomainError(
            _("Volunteers have signed up for this shift; cancel the activity instead."),
            code=CONFLICT,
        )
    shift.delete()
    _refresh_span(activity)


# --- stations and duty rosters -------------------------------------------------------------


@transaction.atomic
def station_save(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    station: Station | None = None,
) -> Station:
    access.require(actor, access.MANAGE, organisation)
    creating = station is None
    if station is None:
        station = Station(organisation=organisation)
    else:
        access.require(actor, access.MANAGE, station)
    before = None if creating else _snapshot(station, STATION_FIELDS)
    for name in STATION_FIELDS:
        if name in data:
            setattr(station, name, data[name])
    _full_clean(station, exclude=("organisation",))
    if (station.latitude is None) != (station.longitude is None):
        raise _invalid(
            _("Give both latitude and longitude, or neither."),
            longitude=_("Give both latitude and longitude, or neither."),
        )
    station.save()
    duty = Activity.objects.filter(station=station).first()
    if duty is not None:
        # The duty roster is where the station is.
        for name in ("address", "township_id", "latitude", "longitude", "checkin_radius_m"):
            setattr(duty, name, getattr(station, name))
        duty.title = _duty_title(station)
        duty.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
        obj=station,
        before=before,
        after=_snapshot(station, STATION_FIELDS),
    )
    return station


def _duty_title(station: Station) -> str:
    return _("%(station)s duty roster") % {"station": station.name}


@transaction.atomic
def pattern_add(
    *, actor: User, station: Station, weekday: int, start_time: time, end_time: time, quota: int
) -> RosterPattern:
    access.require(actor, access.MANAGE, station)
    if weekday not in RosterPattern.Weekday.values:
        raise _invalid(_("Choose a day of the week."), weekday=_("Choose a day of the week."))
    if end_time <= start_time:
        raise _invalid(
            _("A shift must end after it starts."), end_time=_("A shift must end after it starts.")
        )
    if quota < 1:
        raise _invalid(_("At least one volunteer is needed."), quota=_("At least 1."))
    return RosterPattern.objects.create(
        station=station, weekday=weekday, start_time=start_time, end_time=end_time, quota=quota
    )


@transaction.atomic
def pattern_delete(*, actor: User, pattern: RosterPattern) -> None:
    """Shifts already generated stay; the pattern makes no new ones."""
    access.require(actor, access.MANAGE, pattern)
    pattern.delete()


def station_duty(station: Station, actor: User | None = None) -> Activity:
    """The station's duty-roster activity, created (published) the first time it is needed."""
    duty = Activity.objects.filter(station=station).first()
    if duty is not None:
        return duty
    duty = Activity.objects.create(
        organisation=station.organisation,
        station=station,
        title=_duty_title(station),
        description=_("Duty at the %(kind)s %(station)s, hosted by %(host)s: %(services)s.")
        % {
            "kind": station.get_place_kind_display(),
            "station": station.name,
            "host": station.host_unit,
            "services": "、".join(station.service_labels()),
        },
        campaign_line=CampaignLine.PUBLIC_PLACES,
        national_category="civility",
        served_groups=["public"],  # type: ignore[misc]  # ChoiceSetField takes lists
        address=station.address,
        township_id=station.township_id,
        latitude=station.latitude,
        longitude=station.longitude,
        checkin_radius_m=station.checkin_radius_m,
        contact_phone=station.contact_phone,
        risk_notice=_(
            "Duty at a public place: mind traffic and crowds, keep to the station, and call "
            "the station's contact or 120 in an emergency."
        ),
        status=Activity.Status.PUBLISHED,
        published_at=timezone.now(),
        created_by=actor,
    )
    return duty


@transaction.atomic
def roster_generate(
    *, actor: User, station: Station, first_day: date, last_day: date
) -> list[Shift]:
    """Dated shifts from the station's weekly patterns for [first_day, last_day]. Shifts that
    already exist are kept as they are, so generating twice changes nothing."""
    access.require(actor, access.MANAGE, station)
    if last_day < first_day:
        raise _invalid(_("The range must end after it starts."), last_day=_("After the start."))
    if (last_day - first_day).days >= ROSTER_MAX_DAYS:
        raise _invalid(
            _("Generate at most %(days)s days at a time.") % {"days": ROSTER_MAX_DAYS},
            last_day=_("A shorter range."),
        )
    patterns = list(station.patterns.all())
    if not patterns:
        raise DomainError(_("Add the station's weekly shifts first."), code=INVALID)
    if not station.is_active:
        raise DomainError(_("This station is closed."), code=CONFLICT)
    duty = station_duty(station, actor)
    # Two people generating at once take turns, so the second sees the first one's shifts.
    list(Activity.objects.select_for_update().filter(pk=duty.pk).values_list("pk"))
    existing = set(duty.shifts.values_list("starts_at", "ends_at"))
    zone = timezone.get_default_timezone()  # the city's time, whoever generates
    created = []
    day = first_day
    while day <= last_day:
        for pattern in patterns:
            if pattern.weekday != day.weekday():
                continue
            starts_at = datetime.combine(day, pattern.start_time, tzinfo=zone)
            ends_at = datetime.combine(day, pattern.end_time, tzinfo=zone)
            if (starts_at, ends_at) in existing:
                continue
            created.append(
                Shift(activity=duty, starts_at=starts_at, ends_at=ends_at, quota=pattern.quota)
            )
        day += timedelta(days=1)
    Shift.objects.bulk_create(created)
    if not created:
        return created
    _refresh_span(duty)
    audit_record(
        actor=actor,
        organisation=station.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=station,
        after={"roster": f"{first_day}..{last_day}", "shifts": len(created)},
    )
    return created


# --- eligibility and sign-up ---------------------------------------------------------------


def signup_problem(
    volunteer: Volunteer,
    shift: Shift,
    *,
    invitation_code: str = "",
    now: datetime | None = None,
) -> DomainError | None:
    """Why this volunteer may not sign up for this shift (in Chinese), or None. Shown before
    they press the button and checked again when they do."""
    activity = shift.activity
    moment = _now(now)
    if volunteer.is_closed:
        return DomainError(_("Your volunteer record is closed."), code="forbidden")
    if activity.status not in (Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS):
        return DomainError(_("This activity is not open for sign-up."), code=CONFLICT)
    if shift.starts_at <= moment:
        return DomainError(_("This shift has already started."), code=CONFLICT)
    opens = activity.signup_opens_at
    if opens and moment < opens:
        return DomainError(_("Sign-up opens at %(time)s.") % {"time": _local(opens)}, code=CONFLICT)
    closes = activity.signup_closes_at
    if closes and moment >= closes:
        return DomainError(
            _("Sign-up closed at %(time)s.") % {"time": _local(closes)}, code=CONFLICT
        )
    if activity.join_rule == Activity.JoinRule.TEAMS:
        teams = list(activity.teams.all())
        if not TeamMembership.objects.filter(volunteer=volunteer, team__in=teams).exists():
            return DomainError(
                _("Only members of these teams may join: %(teams)s.")
                % {"teams": "、".join(team.name for team in teams)},
                code="forbidden",
            )
    if activity.join_rule == Activity.JoinRule.CODE and (
        invitation_code.strip().upper() != activity.invitation_code.upper()
    ):
        return _invalid(
            _("Enter the invitation code the organiser gave you."),
            invitation_code=_("The invitation code is not right."),
        )
    day = timezone.localdate(shift.starts_at)
    age = volunteer.age(day)
    if activity.risky and volunteer.is_minor(day):
        return DomainError(
            _("Minors cannot join an activity that may endanger personal safety."),
            code="forbidden",
        )
    if activity.min_age is not None or activity.max_age is not None:
        if age is None:
            return DomainError(
                _("This activity has an age limit and your date of birth is not recorded."),
                code="forbidden",
            )
        if activity.min_age is not None and age < activity.min_age:
            return DomainError(
                _("This activity is for volunteers aged %(age)s or older.")
                % {"age": activity.min_age},
                code="forbidden",
            )
        if activity.max_age is not None and age > activity.max_age:
            return DomainError(
                _("This activity is for volunteers aged %(age)s or younger.")
                % {"age": activity.max_age},
                code="forbidden",
            )
    required = {skill.pk: skill.name for skill in activity.skills.all()}
    if required:
        missing = set(required) - set(
            volunteer.skills.filter(pk__in=required).values_list("pk", flat=True)
        )
        if missing:
            return DomainError(
                _("This activity needs these skills: %(skills)s.")
                % {"skills": "、".join(required[pk] for pk in sorted(missing))},
                code="forbidden",
            )
    if activity.volunteer_kinds and not set(activity.volunteer_kinds) & set(volunteer.kinds):
        return DomainError(
            _("This activity is for these volunteers: %(kinds)s.")
            % {"kinds": "、".join(activity.volunteer_kind_labels())},
            code="forbidden",
        )
    return None


def _overlapping(volunteer: Volunteer, shift: Shift) -> list[Signup]:
    return list(
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=Signup.ACTIVE,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        ).select_related("shift__activity")
    )


@transaction.atomic
def signup_create(
    *,
    actor: User,
    volunteer: Volunteer,
    shift: Shift,
    risk_notice_read: bool,
    invitation_code: str = "",
    now: datetime | None = None,
) -> Signup:
    """Sign up: a place if one is left, else the waiting list. Art. 12: the volunteer
    confirms having read the risk notice; art. 25: only the volunteer signs themself up."""
    own_record(actor, volunteer)
    moment = _now(now)
    # One sign-up at a time per volunteer, so that two overlapping shifts cannot both pass.
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    # Lock the shift, then read its activity (a separate query, so a cancel that committed
    # while we waited is seen): no sign-up slips past activity_cancel.
    try:
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
    except Shift.DoesNotExist:
        raise DomainError(_("This shift no longer exists."), code="not_found") from None
    problem = signup_problem(volunteer, shift, invitation_code=invitation_code, now=moment)
    if problem:
        raise problem
    if not risk_notice_read:
        raise _invalid(
            _("Read the risk notice and confirm it before signing up."),
            risk_notice_read=_("Confirm that you have read the risk notice."),
        )
    for other in _overlapping(volunteer, shift):
        if other.shift_id == shift.pk:
            raise DomainError(_("You have already signed up for this shift."), code=CONFLICT)
        raise DomainError(
            _("You already hold a shift at that time: %(activity)s, %(time)s.")
            % {"activity": other.shift.activity.title, "time": _local(other.shift.starts_at)},
            code=CONFLICT,
        )
    took_place = Shift.objects.filter(pk=shift.pk, confirmed__lt=F("quota")).update(
        confirmed=F("confirmed") + 1
    )
    # No savepoint: the volunteer's lock makes the unique index a last guard only, and if it
    # ever fires the whole sign-up (place included) rolls back with this error.
    try:
        return Signup.objects.create(
            shift=shift,
            volunteer=volunteer,
            status=Signup.Status.CONFIRMED if took_place else Signup.Status.WAITLISTED,
            risk_notice_read_at=moment,
            confirmed_at=moment if took_place else None,
        )
    except IntegrityError:
        raise DomainError(_("You have already signed up for this shift."), code=CONFLICT) from None


def cancel_deadline(signup: Signup) -> datetime:
    """A volunteer may cancel a confirmed place until this moment (waiting: until the start)."""
    shift = signup.shift
    if signup.status == Signup.Status.WAITLISTED:
        return shift.starts_at
    return shift.starts_at - timedelta(hours=shift.activity.cancel_hours_before)


@transaction.atomic
def signup_cancel(
    *, actor: User, signup: Signup, reason: str, now: datetime | None = None
) -> Signup:
    """The volunteer cancels before the deadline (art. 22: with notice and a reason), or the
    organiser takes someone off the roster. The first person waiting gets the place."""
    moment = _now(now)
    reason = reason.strip()
    by_owner = signup.volunteer.user_id == actor.pk
    if not by_owner:
        access.require(actor, access.MANAGE, signup)
    if not reason:
        raise _invalid(_("Say why you cancel."), reason=_("Enter a reason."))
    # Only these rows: locking the joined activity or volunteer too would take locks in the
    # opposite order to signup_create (volunteer, then shift) and could deadlock.
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("activity")
        .get(pk=signup.shift_id)
    )
    signup = (
        Signup.objects.select_for_update(of=("self",)).select_related("volunteer").get(pk=signup.pk)
    )
    signup.shift = shift
    if not signup.is_active():
        raise DomainError(_("This sign-up has already been cancelled."), code=CONFLICT)
    if by_owner and moment >= cancel_deadline(signup):
        raise DomainError(
            _("Cancelling closed at %(time)s; please tell the organiser directly.")
            % {"time": _local(cancel_deadline(signup))},
            code=CONFLICT,
        )
    if Attendance.objects.filter(signup=signup, checked_in_at__isnull=False).exists():
        raise DomainError(_("This volunteer has already checked in."), code=CONFLICT)
    was_confirmed = signup.status == Signup.Status.CONFIRMED
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = moment
    signup.cancel_reason = reason[:200]
    signup.cancelled_by = actor
    signup.save(update_fields=["status", "cancelled_at", "cancel_reason", "cancelled_by"])
    if was_confirmed:
        Shift.objects.filter(pk=shift.pk).update(confirmed=F("confirmed") - 1)
        shift.confirmed -= 1
        _promote(shift, actor=actor, now=moment)
    if not by_owner and signup.volunteer.user_id:
        notify(
            recipients=[signup.volunteer.user] if signup.volunteer.user else [],
            kind=kinds.SIGNUP_REMOVED,
            context={
                "activity": shift.activity.title,
                "time": _local(shift.starts_at),
                "reason": reason,
            },
            event_key=f"activities.removed:{signup.pk}",
            url=reverse("activities:mine"),
        )
    return signup


def _promote(shift: Shift, *, actor: User | None, now: datetime) -> int:
    """Give free places to the people waiting, first come first served, and tell them.
    The caller holds the shift's row lock."""
    promoted = 0
    if shift.starts_at <= now:
        return 0
    waiting = (
        Signup.objects.select_for_update(of=("self",))  # not the (nullable) joined user
        .filter(shift=shift, status=Signup.Status.WAITLISTED)
        .select_related("volunteer__user")
        .order_by("created_at", "pk")
    )
    for signup in waiting:
        took = Shift.objects.filter(pk=shift.pk, confirmed__lt=F("quota")).update(
            confirmed=F("confirmed") + 1
        )
        if not took:
            break
        Signup.objects.filter(pk=signup.pk).update(status=Signup.Status.CONFIRMED, confirmed_at=now)
        promoted += 1
        if signup.volunteer.user_id:
            notify(
                recipients=[signup.volunteer.user] if signup.volunteer.user else [],
                kind=kinds.SIGNUP_PROMOTED,
                context={"activity": shift.activity.title, "time": _local(shift.starts_at)},
                event_key=f"activities.promoted:{signup.pk}",
                url=reverse("activities:mine"),
            )
    return promoted


# --- check-in and check-out ----------------------------------------------------------------


def qr_token(shift: Shift, now: datetime | None = None) -> str:
    """The code the organiser's screen shows now: signed, bound to the shift, short-lived."""
    step = int(_now(now).timestamp()) // QR_STEP_SECONDS
    return signing.Signer(salt=QR_SALT).sign(f"{shift.pk}.{step}")


def qr_seconds_left(now: datetime | None = None) -> int:
    """How long the code shown now is still accepted (between one and two steps)."""
    return 2 * QR_STEP_SECONDS - int(_now(now).timestamp()) % QR_STEP_SECONDS


def qr_shift(token: str, now: datetime | None = None) -> Shift:
    """The shift a scanned code belongs to, if the code is genuine and at most a minute old."""
    try:
        shift_id, step = (
            int(part) for part in signing.Signer(salt=QR_SALT).unsign(token).split(".")
        )
    except (signing.BadSignature, ValueError):
        raise DomainError(
            _("This is not a check-in code of this platform."), code=INVALID
        ) from None
    current = int(_now(now).timestamp()) // QR_STEP_SECONDS
    if not current - 1 <= step <= current:
        raise DomainError(
            _("This code has expired. Scan the code on the organiser's screen again."),
            code="expired",
        )
    try:
        return Shift.objects.select_related("activity").get(pk=shift_id)
    except Shift.DoesNotExist:
        raise DomainError(_("This shift no longer exists."), code="not_found") from None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _check_position(activity: Activity, latitude: float | None, longitude: float | None) -> None:
    """When the organiser asks for it, the phone's position must be inside the radius. The
    position is only compared here and never stored."""
    if not activity.require_location or activity.latitude is None or activity.longitude is None:
        return
    if latitude is None or longitude is None:
        raise DomainError(
            _("This activity checks your position: allow the browser to share your location."),
            code="location_required",
        )
    distance = distance_m(latitude, longitude, float(activity.latitude), float(activity.longitude))
    if distance > activity.checkin_radius_m:
        raise DomainError(
            _("You are %(distance)s m from the place; check in within %(radius)s m.")
            % {"distance": round(distance), "radius": activity.checkin_radius_m},
            code="too_far",
        )


@dataclass(frozen=True)
class CheckResult:
    attendance: Attendance
    changed: bool


def _signup_for(volunteer: Volunteer, shift: Shift) -> Signup:
    signup = Signup.objects.filter(
        volunteer=volunteer, shift=shift, status=Signup.Status.CONFIRMED
    ).first()
    if signup is None:
        raise DomainError(_("You have not signed up for this shift."), code="forbidden")
    return signup


def _attendance(signup: Signup) -> Attendance:
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        signup=signup, defaults={"shift_id": signup.shift_id, "volunteer_id": signup.volunteer_id}
    )
    return attendance


@transaction.atomic
def check_by_code(
    *,
    actor: User,
    volunteer: Volunteer,
    token: str,
    check_out: bool,
    latitude: float | None = None,
    longitude: float | None = None,
    now: datetime | None = None,
) -> CheckResult:
    """The volunteer scanned the organiser's code: check in, or out. Doing it twice changes
    nothing."""
    own_record(actor, volunteer)
    moment = _now(now)
    shift = qr_shift(token, moment)
    signup = _signup_for(volunteer, shift)
    _check_window(shift, moment, check_out=check_out)
    _check_position(shift.activity, latitude, longitude)
    return _check(signup, moment, Attendance.Method.QR, check_out=check_out)


def _check_window(shift: Shift, moment: datetime, *, check_out: bool) -> None:
    if moment < shift.starts_at - CHECK_IN_EARLY:
        raise DomainError(
            _("Check-in opens at %(time)s.") % {"time": _local(shift.starts_at - CHECK_IN_EARLY)},
            code=CONFLICT,
        )
    limit = shift.ends_at + CHECK_OUT_LATE if check_out else shift.ends_at
    if moment > limit:
        raise DomainError(_("This shift is over."), code=CONFLICT)


def _check(signup: Signup, moment: datetime, method: str, *, check_out: bool) -> CheckResult:
    attendance = _attendance(signup)
    if not check_out:
        if attendance.checked_in_at and attendance.status == Attendance.Status.PRESENT:
            return CheckResult(attendance, changed=False)
        attendance.status = Attendance.Status.PRESENT
        attendance.checked_in_at = moment
        attendance.check_in_method = method
        attendance.save()
        return CheckResult(attendance, changed=True)
    if not attendance.checked_in_at or attendance.status != Attendance.Status.PRESENT:
        raise DomainError(_("Check in first."), code=CONFLICT)
    if attendance.checked_out_at:
        return CheckResult(attendance, changed=False)
    attendance.checked_out_at = max(moment, attendance.checked_in_at)
    attendance.check_out_method = method
    attendance.save()
    return CheckResult(attendance, changed=True)


# --- one-person services (a resident's order) ---------------------------------------------


@transaction.atomic
def assignment_check_in(
    *,
    organisation: Organisation,
    volunteer: Volunteer,
    title: str,
    description: str,
    campaign_line: str,
    township: Region,
    address: str,
    planned: timedelta,
    now: datetime | None = None,
) -> Signup:
    """Start a service one volunteer does alone (a resident's order): a hidden activity of
    `organisation` with one shift from now, the volunteer confirmed on it and checked in. The
    check-out later (assignment_check_out) makes the attendance from which hours are claimed,
    as for any shift. The caller has checked who may do this."""
    moment = _now(now)
    activity = Activity.objects.create(
        organisation=organisation,
        title=title[:100],
        description=description,
        campaign_line=campaign_line,
        township=township,
        address=address[:200],
        join_rule=Activity.JoinRule.CODE,
        invitation_code=secrets.token_hex(8),
        status=Activity.Status.IN_PROGRESS,
        is_assignment=True,
        starts_at=moment,
        ends_at=moment + planned,
        published_at=moment,
    )
    shift = Shift.objects.create(
        activity=activity, starts_at=moment, ends_at=moment + planned, quota=1, confirmed=1
    )
    signup = Signup.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=Signup.Status.CONFIRMED,
        risk_notice_read_at=moment,
        confirmed_at=moment,
    )
    _check(signup, moment, Attendance.Method.ROSTER, check_out=False)
    return signup


@transaction.atomic
def assignment_check_out(*, signup: Signup, now: datetime | None = None) -> Attendance:
    """End a one-person service: checked out now, the activity finished."""
    moment = _now(now)
    result = _check(signup, moment, Attendance.Method.ROSTER, check_out=True)
    # A shift ends after it starts (a check constraint), even for a service of no minutes.
    ends_at = max(moment, signup.shift.starts_at + timedelta(minutes=1))
    Activity.objects.filter(pk=signup.shift.activity_id).update(
        status=Activity.Status.FINISHED, ends_at=ends_at, updated_at=moment
    )
    Shift.objects.filter(pk=signup.shift_id).update(ends_at=ends_at)
    return result.attendance


def _roster_signup(actor: User, signup: Signup) -> Signup:
    access.require(actor, access.MANAGE, signup)
    signup = Signup.objects.select_related("shift__activity").get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise DomainError(_("Only confirmed volunteers are on the roster."), code=CONFLICT)
    return signup


@transaction.atomic
def roster_check(
    *, actor: User, signup: Signup, check_out: bool, now: datetime | None = None
) -> CheckResult:
    """The organiser checks someone in or out from the roster."""
    signup = _roster_signup(actor, signup)
    moment = _now(now)
    _check_window(signup.shift, moment, check_out=check_out)
    return _check(signup, moment, Attendance.Method.ROSTER, check_out=check_out)


@transaction.atomic
def roster_no_show(*, actor: User, signup: Signup, now: datetime | None = None) -> Attendance:
    signup = _roster_signup(actor, signup)
    if _now(now) < signup.shift.starts_at:
        raise DomainError(_("The shift has not started yet."), code=CONFLICT)
    attendance = _attendance(signup)
    if attendance.checked_in_at:
        raise DomainError(_("This volunteer checked in; correct the times instead."), code=CONFLICT)
    attendance.status = Attendance.Status.NO_SHOW
    attendance.save()
    return attendance


@transaction.atomic
def attendance_correct(
    *,
    actor: User,
    signup: Signup,
    checked_in_at: datetime,
    checked_out_at: datetime,
    reason: str,
) -> Attendance:
    """Set the real times (a forgotten check-out, a late scan), with a reason; audited."""
    signup = _roster_signup(actor, signup)
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Enter a reason.")
    if checked_out_at < checked_in_at:
        errors["checked_out_at"] = _("Check-out must come after check-in.")
    shift = signup.shift
    if checked_in_at < shift.starts_at - CHECK_IN_EARLY or checked_out_at > shift.ends_at + (
        CHECK_OUT_LATE
    ):
        errors["checked_in_at"] = _("The times must lie around the shift (%(start)s–%(end)s).") % {
            "start": _local(shift.starts_at),
            "end": _local(shift.ends_at),
        }
    if errors:
        raise DomainError(_("Please correct the marked fields."), code=INVALID, fields=errors)
    attendance = _attendance(signup)
    before = _attendance_values(attendance)
    attendance.status = Attendance.Status.PRESENT
    attendance.checked_in_at = checked_in_at
    attendance.checked_out_at = checked_out_at
    attendance.check_in_method = attendance.check_in_method or Attendance.Method.ROSTER
    attendance.check_out_method = attendance.check_out_method or Attendance.Method.ROSTER
    attendance.needs_review = False
    attendance.correction_reason = reason[:200]
    attendance.corrected_by = actor
    attendance.save()
    audit_record(
        actor=actor,
        organisation=shift.activity.organisation,
        action=AuditEntry.Action.UPDATE,
        obj=attendance,
        before=before,
        after={**_attendance_values(attendance), "reason": reason},
    )
    return attendance


def _attendance_values(attendance: Attendance) -> dict[str, Any]:
    return {
        "status": attendance.status,
        "checked_in_at": _local(attendance.checked_in_at) if attendance.checked_in_at else None,
        "checked_out_at": _local(attendance.checked_out_at) if attendance.checked_out_at else None,
    }


def attendances_close_forgotten(now: datetime | None = None) -> int:
    """Whoever forgot to check out is checked out at the shift's end, flagged for review."""
    moment = _now(now)
    forgotten = Attendance.objects.filter(
        checked_in_at__isnull=False,
        checked_out_at__isnull=True,
        shift__ends_at__lte=moment,
        status=Attendance.Status.PRESENT,
    )
    closed = 0
    for attendance in forgotten.select_related("shift").iterator():
        closed += Attendance.objects.filter(pk=attendance.pk, checked_out_at__isnull=True).update(
            checked_out_at=max(
                attendance.shift.ends_at, attendance.checked_in_at or attendance.shift.ends_at
            ),
            check_out_method=Attendance.Method.AUTO,
            needs_review=True,
            updated_at=moment,
        )
    return closed
