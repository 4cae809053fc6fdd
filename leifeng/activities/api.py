"""Activities and stations for apps: anyone finds activities, stations and their shifts; a
volunteer signs up, cancels, and checks in with the organiser's code; staff run activities
(and their photos), shifts, rosters, attendance and stations inside their scope.

Every rule lives in services.py; these routes parse, fetch through `access`, call one service
and answer. Public answers carry no personal data, and the roster masks names and numbers.
"""

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from leifeng.activities import selectors, services
from leifeng.activities.codes import NationalCategory, PlaceKind, ServedGroup, StationService
from leifeng.activities.models import (
    PUBLIC_STATUSES,
    Activity,
    ActivityPhoto,
    Attendance,
    RosterPattern,
    ServiceItem,
    Shift,
    Signup,
    Station,
)
from leifeng.core.api import ERRORS, Pagination
from leifeng.core.campaign import CampaignLine
from leifeng.core.errors import DomainError
from leifeng.core.files import stored_file
from leifeng.core.masking import mask_document, mask_name
from leifeng.orgs import access
from leifeng.orgs.models import Organisation
from leifeng.regions.models import Region
from leifeng.volunteers.codes import VolunteerKind
from leifeng.volunteers.models import Skill, Volunteer
from leifeng.volunteers.selectors import teams_for

router = Router()

LineCode = Literal[tuple(CampaignLine.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Activity.Status.values)]  # type: ignore[valid-type]
JoinRuleCode = Literal[tuple(Activity.JoinRule.values)]  # type: ignore[valid-type]
GroupCode = Literal[tuple(ServedGroup.values)]  # type: ignore[valid-type]
CategoryCode = Literal[tuple(NationalCategory.values)]  # type: ignore[valid-type]
KindCode = Literal[tuple(VolunteerKind.values)]  # type: ignore[valid-type]
PlaceCode = Literal[tuple(PlaceKind.values)]  # type: ignore[valid-type]
ServiceCode = Literal[tuple(StationService.values)]  # type: ignore[valid-type]
WeekdayCode = Literal[tuple(RosterPattern.Weekday.values)]  # type: ignore[valid-type]

# Row ids as the database keeps them (a 32-bit key), so that no look-up overflows.
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
# "lat,lng" in degrees, e.g. 35.49,112.85: the pattern keeps both inside their ranges.
NEAR = (
    r"^-?(?:90(?:\.0{1,8})?|[1-8]?\d(?:\.\d{1,8})?),"
    r"-?(?:180(?:\.0{1,8})?|(?:1[0-7]\d|[1-9]?\d)(?:\.\d{1,8})?)$"
)
NEAR_HELP = "Nearest first from this point: latitude,longitude (WGS-84), e.g. 35.49,112.85"
SHIFTS_SHOWN = 100  # shifts ahead in a public answer (a station's roster runs for months)
FIRST_YEAR, LAST_YEAR = 2000, 2100
ISO_DATE = r"^\d{4}-\d{2}-\d{2}"
ISO_TIME = r"^\d{2}:\d{2}"


def _written_out(pattern: str) -> Callable[[Any], Any]:
    """Dates and times only as ISO 8601 text (pydantic would also read 0 as 1970-01-01)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and re.match(pattern, value):
            return value
        if isinstance(value, date | time):
            return value
        raise ValueError("not ISO 8601")

    return check


def _sane_moment(value: datetime) -> datetime:
    """A time without an offset is Beijing time; far-off years are typing errors (and would
    overflow the arithmetic around shifts)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError("year out of range")
    return value


def _sane_day(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError("year out of range")
    return value


AnyDay = Annotated[date, BeforeValidator(_written_out(ISO_DATE + "$"))]
Moment = Annotated[
    datetime, BeforeValidator(_written_out(ISO_DATE + "[Tt ]")), AfterValidator(_sane_moment)
]
Day = Annotated[AnyDay, AfterValidator(_sane_day)]
TimeOfDay = Annotated[time, BeforeValidator(_written_out(ISO_TIME))]


def _coordinate(value: float | None) -> Decimal | None:
    """Degrees as the place columns keep them: six decimals (about 0.1 m)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def _near(near: str | None) -> tuple[float, float] | None:
    if not near:
        return None
    latitude, longitude = near.split(",")
    return float(latitude), float(longitude)


def _day_start(day: date) -> datetime:
    """Midnight in Beijing; days beyond what a database timestamp holds are brought in."""
    day = min(max(day, date(1900, 1, 1)), date(9999, 12, 30))
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _invalid(field: str) -> DomainError:
    return DomainError(
        _("Please correct the marked fields."),
        code="invalid",
        fields={field: _("Choose one of the allowed values.")},
    )


def _rows(qs: QuerySet[Any], ids: list[int], field: str) -> list[Any]:
    """The rows for `ids`, every one of them, or an error on `field`."""
    wanted = set(ids)
    rows = list(qs.filter(pk__in=wanted)) if wanted else []
    if len(rows) != len(wanted):
        raise _invalid(field)
    return rows


def _township(township_id: int | None) -> Region | None:
    if township_id is None:
        return None
    township = Region.objects.filter(pk=township_id, level=Region.Level.TOWNSHIP).first()
    if township is None:
        raise _invalid("township_id")
    return township


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _no_nul(value: Any) -> Any:
    """PostgreSQL cannot store a NUL character in text; no person types one."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL character")
    return value


def _search(q: str) -> str:
    return q.replace("\x00", "").strip()[:50]


class In(Schema):
    """A request body: text without NUL characters."""

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        for item in value if isinstance(value, list) else [value]:
            _no_nul(item)
        return value


# --- answers -------------------------------------------------------------------------------


class ShiftOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    quota: int
    confirmed: int
    places_left: int
    note: str


class PlaceOut(Schema):
    """Where an activity or a station is, and who runs it."""

    organisation_id: int
    organisation_name: str
    address: str
    township_id: int | None
    township_name: str
    latitude: float | None
    longitude: float | None

    @staticmethod
    def resolve_organisation_name(obj: Activity | Station) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_township_name(obj: Activity | Station) -> str:
        return obj.township.name if obj.township else ""

    @staticmethod
    def resolve_latitude(obj: Activity | Station) -> float | None:
        return _float(obj.latitude)

    @staticmethod
    def resolve_longitude(obj: Activity | Station) -> float | None:
        return _float(obj.longitude)


class ActivityOut(PlaceOut):
    """An activity as anyone may see it in a list."""

    id: int
    title: str
    status: str
    campaign_line: str
    national_category: str
    served_groups: list[str]
    service_items: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    station_id: int | None

    @staticmethod
    def resolve_service_items(obj: Activity) -> list[str]:
        return [item.name for item in obj.service_items.all()]


class ActivityDetailOut(ActivityOut):
    """One published activity: what a volunteer needs to decide, and its shifts ahead. The
    contact person, the invitation code and the policy number are for staff only."""

    description: str
    risk_notice: str
    risky: bool
    insurer: str
    insured_from: date | None
    insured_until: date | None
    join_rule: str
    team_names: list[str]
    min_age: int | None
    max_age: int | None
    skills: list[str]
    volunteer_kinds: list[str]
    require_location: bool
    checkin_radius_m: int
    signup_opens_at: datetime | None
    signup_closes_at: datetime | None
    cancel_hours_before: int
    shifts: list[ShiftOut]

    @staticmethod
    def resolve_team_names(obj: Activity) -> list[str]:
        return [team.name for team in obj.teams.all()]

    @staticmethod
    def resolve_skills(obj: Activity) -> list[str]:
        return [skill.name for skill in obj.skills.all()]

    @staticmethod
    def resolve_shifts(obj: Activity) -> list[Shift]:
        return list(selectors.upcoming_shifts(obj)[:SHIFTS_SHOWN])


class ManagedShiftOut(ShiftOut):
    waiting: int


class ActivityManageOut(ActivityDetailOut):
    """Everything staff may change, the ids of its lists, and every shift."""

    contact_name: str
    contact_phone: str
    invitation_code: str
    policy_number: str
    service_item_ids: list[int]
    team_ids: list[int]
    skill_ids: list[int]
    published_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    shifts: list[ManagedShiftOut]  # type: ignore[assignment]

    @staticmethod
    def resolve_service_item_ids(obj: Activity) -> list[int]:
        return [item.pk for item in obj.service_items.all()]

    @staticmethod
    def resolve_team_ids(obj: Activity) -> list[int]:
        return [team.pk for team in obj.teams.all()]

    @staticmethod
    def resolve_skill_ids(obj: Activity) -> list[int]:
        return [skill.pk for skill in obj.skills.all()]

    @staticmethod
    def resolve_shifts(obj: Activity) -> list[Shift]:
        waiting = Count("signups", filter=Q(signups__status=Signup.Status.WAITLISTED))
        return list(obj.shifts.annotate(waiting=waiting).order_by("starts_at", "pk"))


class ServiceItemOut(Schema):
    id: int
    campaign_line: str
    name: str


class PatternOut(Schema):
    id: int
    weekday: int
    start_time: time
    end_time: time
    quota: int


class StationOut(PlaceOut):
    id: int
    name: str
    place_kind: str
    host_unit: str
    opening_hours: str
    services: list[str]
    services_note: str
    contact_phone: str


class StationDetailOut(StationOut):
    """A station as anyone sees it; `open_duty` is its duty roster while it takes sign-ups."""

    duty_activity_id: int | None
    patterns: list[PatternOut]
    shifts: list[ShiftOut]

    @staticmethod
    def resolve_duty_activity_id(obj: Station) -> int | None:
        return obj.open_duty.pk if obj.open_duty else None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_patterns(obj: Station) -> list[RosterPattern]:
        return list(obj.patterns.all())

    @staticmethod
    def resolve_shifts(obj: Station) -> list[Shift]:
        duty = obj.open_duty  # type: ignore[attr-defined]
        return list(selectors.upcoming_shifts(duty)[:SHIFTS_SHOWN]) if duty else []


class StationManageOut(StationOut):
    is_active: bool
    checkin_radius_m: int
    duty_activity_id: int | None
    patterns: list[PatternOut]

    @staticmethod
    def resolve_duty_activity_id(obj: Station) -> int | None:
        return Activity.objects.filter(station=obj).values_list("pk", flat=True).first()

    @staticmethod
    def resolve_patterns(obj: Station) -> list[RosterPattern]:
        return list(obj.patterns.all())


class SignupOut(Schema):
    id: int
    shift_id: int
    activity_id: int
    activity_title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str

    @staticmethod
    def resolve_activity_id(obj: Signup) -> int:
        return obj.shift.activity_id

    @staticmethod
    def resolve_activity_title(obj: Signup) -> str:
        return obj.shift.activity.title

    @staticmethod
    def resolve_starts_at(obj: Signup) -> datetime:
        return obj.shift.starts_at

    @staticmethod
    def resolve_ends_at(obj: Signup) -> datetime:
        return obj.shift.ends_at


class AttendanceOut(Schema):
    id: int
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    check_in_method: str
    check_out_method: str
    needs_review: bool
    correction_reason: str


class CheckOut(Schema):
    id: int
    signup_id: int
    status: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    changed: bool = Field(description="False when it was already recorded")


def _check_answer(attendance: Attendance, changed: bool) -> dict[str, Any]:
    return {
        "id": attendance.pk,
        "signup_id": attendance.signup_id,
        "status": attendance.status,
        "checked_in_at": attendance.checked_in_at,
        "checked_out_at": attendance.checked_out_at,
        "changed": changed,
    }


def _attendance_of(signup: Signup) -> Attendance | None:
    """The sign-up's attendance, loaded with select_related("attendance"), or None."""
    try:
        return signup.attendance
    except Attendance.DoesNotExist:
        return None


class MySignupOut(SignupOut):
    cancel_deadline: datetime
    attendance: AttendanceOut | None

    @staticmethod
    def resolve_cancel_deadline(obj: Signup) -> datetime:
        return services.cancel_deadline(obj)

    @staticmethod
    def resolve_attendance(obj: Signup) -> Attendance | None:
        return _attendance_of(obj)


class RosterOut(Schema):
    """One line of a shift's roster. Names and volunteer numbers are masked: organisers see
    who came, not the registry."""

    id: int
    status: str
    volunteer_id: int
    volunteer_name: str
    volunteer_number: str
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    attendance: AttendanceOut | None

    @staticmethod
    def resolve_volunteer_name(obj: Signup) -> str:
        return mask_name(obj.volunteer.name)

    @staticmethod
    def resolve_volunteer_number(obj: Signup) -> str:
        return mask_document(obj.volunteer.number)

    @staticmethod
    def resolve_attendance(obj: Signup) -> Attendance | None:
        return _attendance_of(obj)


class QrOut(Schema):
    token: str
    expires_in: int = Field(description="Seconds until this code is no longer accepted")
    url: str = Field(description="The check-in page to show as a QR code")


class CreatedOut(Schema):
    created: int


# --- anyone --------------------------------------------------------------------------------


@router.get(
    "",
    auth=None,
    response={200: list[ActivityOut], **ERRORS},
    summary="Find activities open to volunteers: soonest first, or nearest first",
)
@paginate(Pagination)
def activity_list(
    request: HttpRequest,
    line: LineCode | None = None,
    date_from: Annotated[
        AnyDay | None, Field(description="With a shift on or after this day")
    ] = None,
    date_to: Annotated[
        AnyDay | None, Field(description="With a shift on or before this day")
    ] = None,
    region_id: Annotated[Id | None, Field(description="A county or a township")] = None,
    station_id: Id | None = None,
    q: str = "",
    near: Annotated[str | None, Field(pattern=NEAR, description=NEAR_HELP)] = None,
):
    region = get_object_or_404(Region, pk=region_id) if region_id is not None else None
    station = get_object_or_404(Station, pk=station_id) if station_id is not None else None
    point = _near(near)
    qs = selectors.activity_find(
        q=_search(q),
        line=line or "",
        county=region,
        station=station,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
    ).prefetch_related("service_items")
    if date_from or date_to:
        shifts = Shift.objects.filter(activity=OuterRef("pk"))
        if date_from:
            shifts = shifts.filter(ends_at__gt=_day_start(date_from))
        if date_to:
            shifts = shifts.filter(starts_at__lt=_day_start(date_to) + timedelta(days=1))
        qs = qs.filter(Exists(shifts))
    return qs


@router.get(
    "/service-items",
    auth=None,
    response={200: list[ServiceItemOut], **ERRORS},
    summary="Service items, per campaign line",
)
def service_items(request: HttpRequest, line: LineCode | None = None):
    items = ServiceItem.objects.all()
    return items.filter(campaign_line=line) if line else items


@router.get(
    "/stations",
    auth=None,
    response={200: list[StationOut], **ERRORS},
    summary="Service stations that are open",
)
@paginate(Pagination)
def station_list(
    request: HttpRequest,
    region_id: Annotated[Id | None, Field(description="A county or a township")] = None,
    q: str = "",
    near: Annotated[str | None, Field(pattern=NEAR, description=NEAR_HELP)] = None,
):
    region = get_object_or_404(Region, pk=region_id) if region_id is not None else None
    qs = selectors.stations_find(county=region, q=_search(q))
    point = _near(near)
    return selectors.near_first(qs, *point) if point else qs


@router.get(
    "/stations/{int:station_id}",
    auth=None,
    response={200: StationDetailOut, **ERRORS},
    summary="One station, its weekly duty and the duty shifts ahead",
)
def station_detail(request: HttpRequest, station_id: int):
    station = get_object_or_404(
        Station.objects.select_related("township", "organisation"), pk=station_id, is_active=True
    )
    station.open_duty = Activity.objects.filter(  # type: ignore[attr-defined]
        station=station, status__in=selectors.OPEN_STATUSES
    ).first()
    return station


@router.get(
    "/{int:activity_id}",
    auth=None,
    response={200: ActivityDetailOut, **ERRORS},
    summary="One published activity and its shifts ahead",
)
def activity_detail(request: HttpRequest, activity_id: int):
    return get_object_or_404(
        Activity.objects.select_related("organisation", "township").prefetch_related(
            "service_items", "teams", "skills"
        ),
        pk=activity_id,
        status__in=PUBLIC_STATUSES,
    )


# --- the volunteer -------------------------------------------------------------------------


def _volunteer(request: HttpRequest, message: str) -> Volunteer:
    """The logged-in user's own volunteer record (one query), else 403 with `message`."""
    volunteer = getattr(request.auth, "volunteer", None)
    if volunteer is None or volunteer.is_closed:
        raise DomainError(message, code="forbidden")
    return volunteer


class SignupIn(In):
    risk_notice_read: bool = Field(description="Read the activity's risk notice")
    invitation_code: str = Field("", max_length=20)


@router.post(
    "/shifts/{int:shift_id}/signup",
    response={201: SignupOut, **ERRORS},
    summary="Sign up for a shift (a place, or the waiting list when it is full)",
)
def signup(request: HttpRequest, shift_id: int, payload: SignupIn):
    volunteer = _volunteer(request, _("Register as a volunteer first, then sign up."))
    # The service loads and locks the shift itself (404 if there is none): no query here.
    created = services.signup_create(
        actor=request.auth,
        volunteer=volunteer,
        shift=Shift(pk=shift_id),
        risk_notice_read=payload.risk_notice_read,
        invitation_code=payload.invitation_code,
    )
    return Status(201, created)


@router.get(
    "/signups/mine",
    response={200: list[MySignupOut], **ERRORS},
    summary="My sign-ups: those ahead, soonest first, or with ?past=true the history",
)
@paginate(Pagination)
def my_signups(request: HttpRequest, past: bool = False):
    return selectors.my_signups(request.auth, past=past)


class ReasonIn(In):
    reason: str = Field(max_length=200)


@router.post(
    "/signups/{int:signup_id}/cancel",
    response={200: SignupOut, **ERRORS},
    summary="Cancel my sign-up, with a reason",
)
def my_signup_cancel(request: HttpRequest, signup_id: int, payload: ReasonIn):
    mine = access.get_owned(
        request.auth,
        Signup.objects.select_related("shift__activity", "volunteer"),
        "volunteer__user",
        pk=signup_id,
    )
    return services.signup_cancel(actor=request.auth, signup=mine, reason=payload.reason)


class CheckinIn(In):
    token: str = Field(max_length=200, description="The code on the organiser's screen")
    action: Literal["in", "out"]
    latitude: float | None = Field(None, ge=-90, le=90, description="Only where asked for")
    longitude: float | None = Field(None, ge=-180, le=180)


@router.post(
    "/checkin",
    response={200: CheckOut, **ERRORS},
    summary="Check in or out with the organiser's code (twice changes nothing)",
)
def checkin(request: HttpRequest, payload: CheckinIn):
    volunteer = _volunteer(request, _("You have not signed up for this shift."))
    result = services.check_by_code(
        actor=request.auth,
        volunteer=volunteer,
        token=payload.token,
        check_out=payload.action == "out",
        latitude=payload.latitude,
        longitude=payload.longitude,
    )
    return _check_answer(result.attendance, result.changed)


# --- staff: activities ---------------------------------------------------------------------


def _managed() -> QuerySet[Activity]:
    return Activity.objects.select_related("organisation", "township").prefetch_related(
        "service_items", "teams", "skills"
    )


def _managed_one(request: HttpRequest, activity_id: int, action: str = access.VIEW) -> Activity:
    return access.get_for(request.auth, _managed(), action, pk=activity_id)


class ActivityIn(In):
    title: str = Field(max_length=100)
    description: str = Field(max_length=5000)
    campaign_line: LineCode
    national_category: CategoryCode
    served_groups: list[GroupCode] = Field(default_factory=list, max_length=len(ServedGroup))
    service_item_ids: list[Id] = Field(default_factory=list, max_length=50)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)
    address: str = Field(max_length=200)
    township_id: Id | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    checkin_radius_m: int = Field(300, ge=0, le=100_000)
    require_location: bool = False
    signup_opens_at: Moment | None = None
    signup_closes_at: Moment | None = None
    cancel_hours_before: int = Field(2, ge=0, le=720)
    join_rule: JoinRuleCode = "everyone"
    team_ids: list[Id] = Field(default_factory=list, max_length=100)
    invitation_code: str = Field("", max_length=20)
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    skill_ids: list[Id] = Field(default_factory=list, max_length=50)
    volunteer_kinds: list[KindCode] = Field(default_factory=list, max_length=len(VolunteerKind))
    risk_notice: str = Field(max_length=2000)
    risky: bool = False
    insurer: str = Field("", max_length=100)
    policy_number: str = Field("", max_length=50)
    insured_from: Day | None = None
    insured_until: Day | None = None


class ActivityCreateIn(ActivityIn):
    organisation_id: Id


def _activity_data(request: HttpRequest, payload: ActivityIn) -> dict[str, Any]:
    raw = payload.dict()
    data = {name: raw[name] for name in services.ACTIVITY_FIELDS if name in raw}
    data["served_groups"] = sorted(set(raw["served_groups"]))
    data["volunteer_kinds"] = sorted(set(raw["volunteer_kinds"]))
    data["latitude"] = _coordinate(raw["latitude"])
    data["longitude"] = _coordinate(raw["longitude"])
    data["township"] = _township(raw["township_id"])
    data["service_items"] = _rows(
        ServiceItem.objects.all(), raw["service_item_ids"], "service_item_ids"
    )
    data["teams"] = _rows(teams_for(request.auth), raw["team_ids"], "team_ids")
    data["skills"] = _rows(Skill.objects.all(), raw["skill_ids"], "skill_ids")
    return data


@router.get(
    "/manage",
    response={200: list[ActivityOut], **ERRORS},
    summary="Activities in my scope",
)
@paginate(Pagination)
def manage_list(
    request: HttpRequest,
    status: StatusCode | None = None,
    line: LineCode | None = None,
    organisation_id: Annotated[
        Id | None, Field(description="Organised by this organisation")
    ] = None,
    q: str = "",
):
    qs = selectors.activities_managed(
        request.auth, status=status or "", line=line or "", q=_search(q)
    ).prefetch_related("service_items")
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    return qs.select_related("township")


@router.post(
    "/manage",
    response={201: ActivityManageOut, **ERRORS},
    summary="Create an activity as a draft",
)
def activity_create(request: HttpRequest, payload: ActivityCreateIn):
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=payload.organisation_id,
    )
    activity = services.activity_save(
        actor=request.auth, organisation=organisation, data=_activity_data(request, payload)
    )
    return Status(201, _managed().get(pk=activity.pk))


@router.get(
    "/manage/{int:activity_id}",
    response={200: ActivityManageOut, **ERRORS},
    summary="One activity in my scope, with every shift",
)
def manage_detail(request: HttpRequest, activity_id: int):
    return _managed_one(request, activity_id)


@router.put(
    "/manage/{int:activity_id}",
    response={200: ActivityManageOut, **ERRORS},
    summary="Change an activity (send every field, as when creating it)",
)
def activity_update(request: HttpRequest, activity_id: int, payload: ActivityIn):
    activity = _managed_one(request, activity_id, access.MANAGE)
    services.activity_save(
        actor=request.auth,
        organisation=activity.organisation,
        data=_activity_data(request, payload),
        activity=activity,
    )
    return _managed().get(pk=activity.pk)


@router.post(
    "/manage/{int:activity_id}/publish",
    response={200: ActivityManageOut, **ERRORS},
    summary="Publish a draft: volunteers can sign up",
)
def activity_publish(request: HttpRequest, activity_id: int):
    activity = _managed_one(request, activity_id, access.MANAGE)
    services.activity_publish(actor=request.auth, activity=activity)
    return _managed().get(pk=activity.pk)


@router.post(
    "/manage/{int:activity_id}/cancel",
    response={200: ActivityManageOut, **ERRORS},
    summary="Cancel an activity: every sign-up ends and everyone is told",
)
def activity_cancel(request: HttpRequest, activity_id: int, payload: ReasonIn):
    activity = _managed_one(request, activity_id, access.MANAGE)
    services.activity_cancel(actor=request.auth, activity=activity, reason=payload.reason)
    return _managed().get(pk=activity.pk)


@router.post(
    "/manage/{int:activity_id}/finish",
    response={200: ActivityManageOut, **ERRORS},
    summary="Finish a running activity",
)
def activity_finish(request: HttpRequest, activity_id: int):
    activity = _managed_one(request, activity_id, access.MANAGE)
    services.activity_finish(actor=request.auth, activity=activity)
    return _managed().get(pk=activity.pk)


# --- staff: photos -------------------------------------------------------------------------


class ActivityPhotoOut(Schema):
    """A photo of an activity; the file is downloaded through the API (with the same token),
    never from /media/."""

    id: int
    activity_id: int
    caption: str
    uploaded_at: datetime
    url: str = Field(description="The photo (with the same token)")

    @staticmethod
    def resolve_url(obj: ActivityPhoto, context: Any) -> str:
        return context["request"].build_absolute_uri(
            reverse("api:activity_photo_file", args=[obj.pk])
        )


PHOTO_ANSWER = {
    "responses": {
        "200": {
            "description": "The photo as it was uploaded (JPEG, PNG or WebP)",
            "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _managed_photo(request: HttpRequest, photo_id: int, action: str) -> ActivityPhoto:
    return access.get_for(
        request.auth, ActivityPhoto.objects.select_related("activity"), action, pk=photo_id
    )


@router.get(
    "/manage/{int:activity_id}/photos",
    response={200: list[ActivityPhotoOut], **ERRORS},
    summary=f"An activity's photos, oldest first (at most {services.PHOTOS_MAX})",
)
def photo_list(request: HttpRequest, activity_id: int):
    activity = access.get_for(request.auth, Activity.objects.all(), pk=activity_id)
    return activity.photos.all()


@router.post(
    "/manage/{int:activity_id}/photos",
    response={201: list[ActivityPhotoOut], **ERRORS},
    summary=f"Upload photos (multipart, field photos, JPEG, PNG or WebP up to "
    f"{services.PHOTO_MAX_MB} MB each) of a published, running or finished activity",
)
def photo_add(
    request: HttpRequest,
    activity_id: int,
    photos: Annotated[list[UploadedFile], File(..., min_length=1, max_length=services.PHOTOS_MAX)],
    caption: str = Form("", max_length=100),
):
    activity = access.get_for(request.auth, Activity.objects.all(), access.MANAGE, pk=activity_id)
    added = services.activity_photos_add(
        actor=request.auth, activity=activity, photos=photos, caption=caption
    )
    return Status(201, added)


@router.delete(
    "/manage/photos/{int:photo_id}",
    response={204: None, **ERRORS},
    summary="Remove a photo of an activity",
)
def photo_remove(request: HttpRequest, photo_id: int):
    photo = _managed_photo(request, photo_id, access.MANAGE)
    services.activity_photo_remove(actor=request.auth, photo=photo)
    return Status(204, None)


@router.get(
    "/manage/photos/{int:photo_id}/file",
    response={200: None, **ERRORS},
    openapi_extra=PHOTO_ANSWER,
    url_name="activity_photo_file",
    summary="Download a photo of an activity",
)
def photo_file(request: HttpRequest, photo_id: int):
    photo = _managed_photo(request, photo_id, access.VIEW)
    return stored_file(photo.image)


# --- staff: shifts, roster, attendance -----------------------------------------------------


class ShiftIn(In):
    starts_at: Moment
    ends_at: Moment
    quota: int = Field(ge=1, le=10_000)
    note: str = Field("", max_length=100)


class QuotaIn(In):
    quota: int = Field(ge=1, le=10_000)
    note: str = Field("", max_length=100)


def _managed_shift(request: HttpRequest, shift_id: int, action: str = access.MANAGE) -> Shift:
    return access.get_for(
        request.auth, Shift.objects.select_related("activity"), action, pk=shift_id
    )


@router.post(
    "/manage/{int:activity_id}/shifts",
    response={201: ShiftOut, **ERRORS},
    summary="Add a shift",
)
def shift_add(request: HttpRequest, activity_id: int, payload: ShiftIn):
    activity = access.get_for(request.auth, Activity.objects.all(), access.MANAGE, pk=activity_id)
    shift = services.shift_add(actor=request.auth, activity=activity, **payload.dict())
    return Status(201, shift)


@router.put(
    "/manage/shifts/{int:shift_id}",
    response={200: ShiftOut, **ERRORS},
    summary="Change a shift's quota (a larger one takes people from the waiting list)",
)
def shift_update(request: HttpRequest, shift_id: int, payload: QuotaIn):
    shift = _managed_shift(request, shift_id)
    services.shift_update(actor=request.auth, shift=shift, **payload.dict())
    # Read it again: people taken from the waiting list are counted in the database only.
    return Shift.objects.get(pk=shift.pk)


@router.delete(
    "/manage/shifts/{int:shift_id}",
    response={204: None, **ERRORS},
    summary="Remove a shift nobody has signed up for",
)
def shift_delete(request: HttpRequest, shift_id: int):
    services.shift_delete(actor=request.auth, shift=_managed_shift(request, shift_id))
    return Status(204, None)


ROSTER_ORDER = {Signup.Status.CONFIRMED: 0, Signup.Status.WAITLISTED: 1, Signup.Status.CANCELLED: 2}


@router.get(
    "/manage/shifts/{int:shift_id}/roster",
    response={200: list[RosterOut], **ERRORS},
    summary="Who signed up for a shift: confirmed, then waiting in order, then cancelled",
)
def shift_roster(request: HttpRequest, shift_id: int):
    shift = _managed_shift(request, shift_id, access.VIEW)
    return sorted(selectors.roster(shift), key=lambda signup: ROSTER_ORDER[signup.status])


@router.get(
    "/manage/shifts/{int:shift_id}/qr",
    response={200: QrOut, **ERRORS},
    summary="The check-in code to show now (it changes every 30 seconds)",
)
def shift_qr(request: HttpRequest, shift_id: int):
    shift = _managed_shift(request, shift_id)
    now = timezone.now()
    token = services.qr_token(shift, now)
    # A code is accepted during its own step and the next one.
    expires_in = services.qr_seconds_left(now)
    url = request.build_absolute_uri(reverse("activities:scan", args=[token]))
    return {"token": token, "expires_in": expires_in, "url": url}


def _roster_signup(request: HttpRequest, signup_id: int) -> Signup:
    return access.get_for(
        request.auth,
        Signup.objects.select_related("shift__activity", "volunteer"),
        access.MANAGE,
        pk=signup_id,
    )


class RosterCheckIn(In):
    action: Literal["in", "out", "no_show"]


@router.post(
    "/manage/signups/{int:signup_id}/check",
    response={200: CheckOut, **ERRORS},
    summary="Check a volunteer in or out, or record that they did not come",
)
def roster_check(request: HttpRequest, signup_id: int, payload: RosterCheckIn):
    signup = _roster_signup(request, signup_id)
    if payload.action == "no_show":
        attendance = services.roster_no_show(actor=request.auth, signup=signup)
        return _check_answer(attendance, True)
    result = services.roster_check(
        actor=request.auth, signup=signup, check_out=payload.action == "out"
    )
    return _check_answer(result.attendance, result.changed)


class AttendanceCorrectIn(In):
    checked_in_at: Moment
    checked_out_at: Moment
    reason: str = Field(max_length=200)


@router.post(
    "/manage/signups/{int:signup_id}/correct",
    response={200: CheckOut, **ERRORS},
    summary="Set the real check-in and check-out times, with a reason (audited)",
)
def attendance_correct(request: HttpRequest, signup_id: int, payload: AttendanceCorrectIn):
    signup = _roster_signup(request, signup_id)
    attendance = services.attendance_correct(actor=request.auth, signup=signup, **payload.dict())
    return _check_answer(attendance, True)


@router.post(
    "/manage/signups/{int:signup_id}/cancel",
    response={200: SignupOut, **ERRORS},
    summary="Take a volunteer off a shift, with a reason (they are told)",
)
def roster_remove(request: HttpRequest, signup_id: int, payload: ReasonIn):
    signup = _roster_signup(request, signup_id)
    return services.signup_cancel(actor=request.auth, signup=signup, reason=payload.reason)


# --- staff: stations -----------------------------------------------------------------------


class StationIn(In):
    name: str = Field(max_length=100)
    place_kind: PlaceCode
    host_unit: str = Field(max_length=100)
    address: str = Field(max_length=200)
    township_id: Id | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    checkin_radius_m: int = Field(300, ge=0, le=100_000)
    opening_hours: str = Field(max_length=100)
    services: list[ServiceCode] = Field(max_length=len(StationService))
    services_note: str = Field("", max_length=200)
    contact_phone: str = Field("", max_length=20)
    is_active: bool = True


class StationCreateIn(StationIn):
    organisation_id: Id


def _station_data(payload: StationIn) -> dict[str, Any]:
    raw = payload.dict()
    data = {name: raw[name] for name in services.STATION_FIELDS if name in raw}
    data["services"] = sorted(set(raw["services"]))
    data["latitude"] = _coordinate(raw["latitude"])
    data["longitude"] = _coordinate(raw["longitude"])
    data["township"] = _township(raw["township_id"])
    return data


def _stations() -> QuerySet[Station]:
    return Station.objects.select_related("organisation", "township")


@router.get(
    "/manage/stations",
    response={200: list[StationManageOut], **ERRORS},
    summary="Stations in my scope",
)
@paginate(Pagination)
def station_manage_list(request: HttpRequest, q: str = ""):
    qs = access.scoped(_stations(), request.auth).prefetch_related("patterns")
    if _search(q):
        qs = qs.filter(name__icontains=_search(q))
    return qs.order_by("organisation__path", "name", "pk")


@router.post(
    "/manage/stations",
    response={201: StationManageOut, **ERRORS},
    summary="Add a station",
)
def station_create(request: HttpRequest, payload: StationCreateIn):
    organisation = access.get_for(
        request.auth,
        Organisation.objects.filter(is_active=True),
        access.MANAGE,
        pk=payload.organisation_id,
    )
    station = services.station_save(
        actor=request.auth, organisation=organisation, data=_station_data(payload)
    )
    return Status(201, _stations().get(pk=station.pk))


@router.get(
    "/manage/stations/{int:station_id}",
    response={200: StationManageOut, **ERRORS},
    summary="One station in my scope",
)
def station_manage_detail(request: HttpRequest, station_id: int):
    return access.get_for(request.auth, _stations(), pk=station_id)


@router.put(
    "/manage/stations/{int:station_id}",
    response={200: StationManageOut, **ERRORS},
    summary="Change a station, every field (its duty roster moves with it)",
)
def station_update(request: HttpRequest, station_id: int, payload: StationIn):
    station = access.get_for(request.auth, _stations(), access.MANAGE, pk=station_id)
    services.station_save(
        actor=request.auth,
        organisation=station.organisation,
        data=_station_data(payload),
        station=station,
    )
    return _stations().get(pk=station.pk)


class PatternIn(In):
    weekday: WeekdayCode = Field(description="0 Monday … 6 Sunday")
    start_time: TimeOfDay
    end_time: TimeOfDay
    quota: int = Field(ge=1, le=10_000)


@router.post(
    "/manage/stations/{int:station_id}/patterns",
    response={201: PatternOut, **ERRORS},
    summary="Add a weekly duty shift",
)
def pattern_add(request: HttpRequest, station_id: int, payload: PatternIn):
    station = access.get_for(request.auth, Station.objects.all(), access.MANAGE, pk=station_id)
    pattern = services.pattern_add(actor=request.auth, station=station, **payload.dict())
    return Status(201, pattern)


@router.delete(
    "/manage/patterns/{int:pattern_id}",
    response={204: None, **ERRORS},
    summary="Remove a weekly duty shift (shifts already on the roster stay)",
)
def pattern_delete(request: HttpRequest, pattern_id: int):
    pattern = access.get_for(
        request.auth, RosterPattern.objects.all(), access.MANAGE, pk=pattern_id
    )
    services.pattern_delete(actor=request.auth, pattern=pattern)
    return Status(204, None)


class RosterIn(In):
    first_day: Day
    last_day: Day


@router.post(
    "/manage/stations/{int:station_id}/roster",
    response={200: CreatedOut, **ERRORS},
    summary="Put the weekly duty on the roster for these days (twice adds nothing)",
)
def roster_generate(request: HttpRequest, station_id: int, payload: RosterIn):
    station = access.get_for(request.auth, Station.objects.all(), access.MANAGE, pk=station_id)
    created = services.roster_generate(actor=request.auth, station=station, **payload.dict())
    return {"created": len(created)}
