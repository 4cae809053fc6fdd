"""Where the figures come from: one rollup source per ledger.

Each source reads the rows of a span of days with a few grouped queries and says what they add
to which organisation, local day and campaign line. The hours, activities, volunteers and orders
services call `rollups.mark_dirty` for the days they change, so the rollup job knows what to
recompute. A later app plugs in the same way: a `@rollup_source` function and `mark_dirty` calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import Case, Count, IntegerField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from leifeng.activities.models import PUBLIC_STATUSES, Shift
from leifeng.demands.models import Order
from leifeng.hours.models import HoursEntry
from leifeng.reports.models import DayFigures, DirtySpan
from leifeng.reports.rollups import Contribution, rollup_source
from leifeng.volunteers.models import Volunteer

SATISFIED = 4  # 满意 and above


@rollup_source
def hours(start: datetime, end: datetime) -> Iterator[Contribution]:
    """Service hours and 服务人次 by the recording organisation and the activity's line (""
    for hours credited without an activity); volunteers taking part and stations on duty are
    those with a standing (not reversed) credit that day."""
    entries = HoursEntry.objects.filter(started_at__gte=start, started_at__lt=end).annotate(
        day=TruncDate("started_at"), line=Coalesce("activity__campaign_line", Value(""))
    )
    for row in entries.values("organisation_id", "day", "line").annotate(
        total=Sum("hours"),
        services=Sum(
            Case(
                When(kind=HoursEntry.Kind.CREDIT, then=1),
                default=-1,
                output_field=IntegerField(),
            )
        ),
    ):
        yield row["organisation_id"], row["day"], row["line"], "hours", row["total"]
        yield row["organisation_id"], row["day"], row["line"], "services", row["services"]
    standing = entries.filter(kind=HoursEntry.Kind.CREDIT, reversal__isnull=True)
    for org_id, day, volunteer_id in standing.values_list(
        "organisation_id", "day", "volunteer_id"
    ).distinct():
        yield org_id, day, "", "volunteer_set", volunteer_id
    for org_id, day, station_id in (
        standing.filter(activity__station__isnull=False)
        .values_list("activity__station__organisation_id", "day", "activity__station_id")
        .distinct()
    ):
        yield org_id, day, "", "station_set", station_id


@rollup_source
def activities(start: datetime, end: datetime) -> Iterator[Contribution]:
    """Activities held: published (not cancelled, not a draft) with a shift that day, by the
    organiser and the activity's line. A station's duty roster and a one-person service for
    a resident's order are not activities here (stations and orders are counted apart)."""
    shifts = Shift.objects.filter(
        starts_at__gte=start,
        starts_at__lt=end,
        activity__status__in=PUBLIC_STATUSES,
        activity__is_assignment=False,
        activity__station__isnull=True,
    ).annotate(day=TruncDate("starts_at"))
    for org_id, day, line, activity_id in shifts.values_list(
        "activity__organisation_id", "day", "activity__campaign_line", "activity_id"
    ).distinct():
        yield org_id, day, line, "activity_set", activity_id


@rollup_source
def registrations(start: datetime, end: datetime) -> Iterator[Contribution]:
    """New volunteers, by the organisation they registered with and the day."""
    rows = (
        Volunteer.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at"))
        .values("organisation_id", "day")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        yield row["organisation_id"], row["day"], "", "registrations", row["count"]


@rollup_source
def orders(start: datetime, end: datetime) -> Iterator[Contribution]:
    """Residents' orders by the unit that received them: received, taken and served on the
    day it happened; ratings (and 满意 or better) on the day they were given."""
    for field, name in (
        ("created_at", "orders_received"),
        ("accepted_at", "orders_taken"),
        ("done_at", "orders_served"),
    ):
        rows = (
            Order.objects.filter(**{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(day=TruncDate(field))
            .values("receiver_id", "day")
            .annotate(count=Count("pk"))
        )
        for row in rows:
            yield row["receiver_id"], row["day"], "", name, row["count"]
    rated = (
        Order.objects.filter(rated_at__gte=start, rated_at__lt=end, rating__isnull=False)
        .annotate(day=TruncDate("rated_at"))
        .values("receiver_id", "day")
        .annotate(
            count=Count("pk"),
            total=Sum("rating"),
            satisfied=Count("pk", filter=Q(rating__gte=SATISFIED)),
        )
    )
    for row in rated:
        yield row["receiver_id"], row["day"], "", "ratings", row["count"]
        yield row["receiver_id"], row["day"], "", "rating_sum", row["total"]
        yield row["receiver_id"], row["day"], "", "satisfied", row["satisfied"]


def data_span() -> tuple[date, date] | None:
    """The first and last local day that any source or kept rollup row has data for."""
    bounds: list[datetime | date] = []
    for aggregate in (
        HoursEntry.objects.aggregate(lo=Min("started_at"), hi=Max("started_at")),
        Shift.objects.aggregate(lo=Min("starts_at"), hi=Max("starts_at")),
        Volunteer.objects.aggregate(lo=Min("created_at"), hi=Max("created_at")),
        Order.objects.aggregate(lo=Min("created_at"), hi=Max("rated_at")),
        Order.objects.aggregate(lo=Min("created_at"), hi=Max("done_at")),
        DayFigures.objects.aggregate(lo=Min("day"), hi=Max("day")),
        DirtySpan.objects.aggregate(lo=Min("first_day"), hi=Max("last_day")),
    ):
        bounds += [value for value in aggregate.values() if value is not None]
    days = [timezone.localdate(b) if isinstance(b, datetime) else b for b in bounds]
    return (min(days), max(days)) if days else None
