"""Finding activities, shifts and sign-ups, for the pages and the API alike."""

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from leifeng.activities.models import Activity, Shift, Signup, Station
from leifeng.orgs import access
from leifeng.regions.models import Region

OPEN_STATUSES = (Activity.Status.PUBLISHED, Activity.Status.IN_PROGRESS)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def near_first(qs: QuerySet[Any], latitude: float, longitude: float) -> QuerySet[Any]:
    """Nearest first (an equirectangular approximation: exact enough within a city, and it
    needs no trigonometry in the database)."""
    scale = Decimal(str(round(math.cos(math.radians(latitude)), 6)))
    d_lat = F("latitude") - Decimal(str(latitude))
    d_lon = (F("longitude") - Decimal(str(longitude))) * scale
    return (
        qs.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(distance2=d_lat * d_lat + d_lon * d_lon)
        .order_by("distance2", "pk")
    )


def activity_find(
    *,
    q: str = "",
    line: str = "",
    on: date | None = None,
    county: Region | None = None,
    station: Station | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    upcoming: bool = True,
) -> QuerySet[Activity]:
    """Published activities anyone may see: recruiting or running (or, with upcoming=False,
    finished ones too), soonest first, or nearest first when a position is given."""
    statuses = OPEN_STATUSES if upcoming else (*OPEN_STATUSES, Activity.Status.FINISHED)
    qs = Activity.objects.filter(status__in=statuses).select_related(
        "organisation", "township", "station"
    )
    if q:
        qs = qs.filter(title__icontains=q.strip())
    if line:
        qs = qs.filter(campaign_line=line)
    if on:
        start, end = _day_bounds(on)
        # A shift is never longer than Shift.MAX_LENGTH, so its start bounds the search from
        # both sides and the index on the start serves it.
        qs = qs.filter(
            shifts__starts_at__lt=end,
            shifts__starts_at__gt=start - Shift.MAX_LENGTH,
            shifts__ends_at__gt=start,
        ).distinct()
    elif upcoming:
        qs = qs.filter(ends_at__gt=timezone.now())
    if county:
        qs = qs.filter(township__path__startswith=county.path)
    # A station's standing duty roster is found through its station, not among the events.
    qs = qs.filter(station=station) if station else qs.filter(station__isnull=True)
    qs = qs.filter(is_assignment=False)
    if latitude is not None and longitude is not None:
        return near_first(qs, latitude, longitude)
    return qs.order_by("starts_at", "pk")


def upcoming_shifts(activity: Activity, now: datetime | None = None) -> QuerySet[Shift]:
    return activity.shifts.filter(ends_at__gt=now or timezone.now()).order_by("starts_at")


def stations_find(*, county: Region | None = None, q: str = "") -> QuerySet[Station]:
    qs = Station.objects.filter(is_active=True).select_related("township", "organisation")
    if county:
        qs = qs.filter(township__path__startswith=county.path)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.order_by("name", "pk")


def my_signups(user: Any, *, past: bool = False) -> QuerySet[Signup]:
    """A volunteer's own sign-ups: upcoming first, or the past ones latest first."""
    now = timezone.now()
    qs = access.owned(Signup.objects.all(), user, "volunteer__user").select_related(
        "shift__activity", "attendance"
    )
    if past:
        return qs.filter(shift__ends_at__lte=now).order_by("-shift__starts_at")
    return qs.filter(shift__ends_at__gt=now, status__in=Signup.ACTIVE).order_by("shift__starts_at")


def activities_managed(user: Any, *, status: str = "", line: str = "", q: str = "") -> Any:
    qs = access.scoped(Activity.objects.all(), user).select_related("organisation", "station")
    if status:
        qs = qs.filter(status=status)
    if line:
        qs = qs.filter(campaign_line=line)
    if q:
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("-starts_at", "-pk")


def roster(shift: Shift) -> QuerySet[Signup]:
    """Who is on a shift: confirmed first, then the waiting list in order, then cancelled."""
    return shift.signups.select_related("volunteer", "attendance").order_by(
        "status", "created_at", "pk"
    )
