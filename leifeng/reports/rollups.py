"""The figure engine: incremental rollups per organisation, day and campaign line.

Sources (sources.py, or any later app's `@rollup_source`) say what each ledger row adds to
which organisation, day and line. The engine adds every contribution to the organisation and
to all its ancestors, so that one organisation's rows already hold its whole subtree: a county's
period or the city's year is read from a few hundred rows, whatever the size of the ledgers.

Sums add up across rows. Distinct counts (volunteers taking part, activities held, stations on
duty) are roaring bitmaps of ids, OR-ed across rows, so they stay exact: a volunteer active in
two counties counts once for the city, an activity spanning two periods counts in each.

Services mark the days they change (`mark_dirty`, in the same transaction); the periodic job
`reports.rollups` recomputes those days from the sources. `reports rebuild` recomputes every
day and proves the kept tables equal it.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone
from pyroaring import BitMap

from leifeng.orgs.models import Organisation
from leifeng.reports.models import DayFigures, DirtySpan, Figures, MonthFigures

SUM_FIELDS = (
    "hours",
    "services",
    "registrations",
    "orders_received",
    "orders_taken",
    "orders_served",
    "ratings",
    "rating_sum",
    "satisfied",
)
SET_FIELDS = ("volunteer_set", "activity_set", "station_set")

# A source yields (organisation id, local day, campaign line or "", field, value): for a sum
# field the amount to add, for a set field one id.
Contribution = tuple[int, date, str, str, Any]
Source = Callable[[datetime, datetime], Iterable[Contribution]]
SOURCES: list[Source] = []


def rollup_source(func: Source) -> Source:
    """Register a source of figures (called with the aware start and end of a span of days)."""
    SOURCES.append(func)
    return func


# --- marking what changed ------------------------------------------------------------------


def mark_dirty(first: date | datetime, last: date | datetime | None = None) -> None:
    """The figures of these days changed: call inside the transaction of the change."""
    first_day = _day(first)
    last_day = _day(last) if last is not None else first_day
    if last_day < first_day:
        first_day, last_day = last_day, first_day
    DirtySpan.objects.create(first_day=first_day, last_day=last_day)


def _day(value: date | datetime) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


# --- one cell of the rollup ----------------------------------------------------------------


@dataclass
class Totals:
    """The figures of one subtree over some time: sums and exact sets, added with `add`."""

    sums: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    sets: dict[str, BitMap] = field(default_factory=lambda: defaultdict(BitMap))

    def add_row(self, row: Figures) -> None:
        for name in SUM_FIELDS:
            self.sums[name] += Decimal(getattr(row, name) or 0)
        for name in SET_FIELDS:
            data = bytes(getattr(row, name) or b"")
            if data:
                self.sets[name] |= BitMap.deserialize(data)

    def add(self, other: Totals) -> None:
        for name, value in other.sums.items():
            self.sums[name] += value
        for name, ids in other.sets.items():
            self.sets[name] |= ids

    def count(self, set_name: str) -> int:
        return len(self.sets.get(set_name) or ())

    def is_empty(self) -> bool:
        return not any(self.sums.values()) and not any(self.sets.values())

    def row_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: self.sums.get(name, 0) for name in SUM_FIELDS}
        for name in SET_FIELDS:
            ids = self.sets.get(name)
            values[name] = ids.serialize() if ids else b""
        return values


Key = tuple[int, date, str]  # organisation, day or month, line


def _ancestry() -> dict[int, list[int]]:
    """Each organisation's id with the ids of all its ancestors."""
    return {
        pk: [int(part) for part in path.strip("/").split("/")]
        for pk, path in Organisation.objects.values_list("pk", "path")
        if not path.startswith("new-")
    }


def _bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def compute_days(first_day: date, last_day: date) -> dict[Key, Totals]:
    """The day cells of [first_day, last_day] recomputed from the sources."""
    ancestry = _ancestry()
    start, end = _bounds(first_day, last_day)
    sums: dict[Key, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    leaf_sets: dict[Key, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for source in SOURCES:
        for org_id, day, line, name, value in source(start, end):
            if name in SET_FIELDS:
                leaf_sets[(org_id, day, line)][name].append(value)
            else:
                sums[(org_id, day, line)][name] += Decimal(value)
    cells: dict[Key, Totals] = defaultdict(Totals)
    for (org_id, day, line), values in sums.items():
        for ancestor in ancestry.get(org_id, ()):
            cell = cells[(ancestor, day, line)]
            for name, value in values.items():
                cell.sums[name] += value
    for (org_id, day, line), sets in leaf_sets.items():
        bitmaps = {name: BitMap(ids) for name, ids in sets.items()}
        for ancestor in ancestry.get(org_id, ()):
            cell = cells[(ancestor, day, line)]
            for name, ids in bitmaps.items():
                cell.sets[name] |= ids
    return {key: cell for key, cell in cells.items() if not cell.is_empty()}


def _months(first_day: date, last_day: date) -> list[date]:
    months = []
    month = first_day.replace(day=1)
    while month <= last_day:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


F = TypeVar("F", bound=Figures)


def _rows(model: type[F], cells: dict[Key, Totals], date_field: str) -> list[F]:
    return [
        model(organisation_id=org_id, line=line, **{date_field: day}, **cell.row_values())
        for (org_id, day, line), cell in cells.items()
    ]


BATCH = 2000


def _write(model: type[F], cells: dict[Key, Totals], date_field: str) -> None:
    """Insert the cells as rows: COPY on PostgreSQL (building and splitting bulk_create's
    INSERT statements took about three quarters of a month's rebuild), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(_rows(model, cells, date_field), batch_size=BATCH)
        return
    names = ["organisation_id", date_field, "line", *SUM_FIELDS, *SET_FIELDS]
    table = model._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for (org_id, day, line), cell in cells.items():
            values = cell.row_values()
            copy.write_row([org_id, day, line, *(values[name] for name in names[3:])])


STORE_LOCK = 71_920_007  # a PostgreSQL advisory lock: one writer of the rollups at a time


def _one_writer() -> None:
    """Runs that overlap (the periodic job and `reports refresh`) store their days in turn. In
    READ COMMITTED the second one's DELETE would not see the rows the first one just inserted,
    and its INSERT would then break the unique constraint. SQLite has one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STORE_LOCK])


@transaction.atomic
def store_days(first_day: date, last_day: date) -> int:
    """Recompute the days [first_day, last_day] and the months they touch; returns the day
    cells written. The months are recomputed only for the organisations whose days changed."""
    _one_writer()  # before reading anything: the second run reads what the first one stored
    old_orgs = set(
        DayFigures.objects.filter(day__range=(first_day, last_day)).values_list(
            "organisation_id", flat=True
        )
    )
    cells = compute_days(first_day, last_day)
    DayFigures.objects.filter(day__range=(first_day, last_day)).delete()
    _write(DayFigures, cells, "day")
    touched = old_orgs | {org_id for org_id, _day, _line in cells}
    for month in _months(first_day, last_day):
        _store_month(month, touched)
    return len(cells)


def _store_month(month: date, organisations: set[int]) -> None:
    ids = sorted(organisations)
    for index in range(0, len(ids), BATCH):
        chunk = ids[index : index + BATCH]
        cells: dict[Key, Totals] = defaultdict(Totals)
        days = DayFigures.objects.filter(
            organisation_id__in=chunk, day__range=(month, _month_end(month))
        )
        for row in days.iterator(chunk_size=BATCH):
            cells[(row.organisation_id, month, row.line)].add_row(row)
        MonthFigures.objects.filter(organisation_id__in=chunk, month=month).delete()
        _write(MonthFigures, cells, "month")


def refresh() -> int:
    """Recompute the days marked dirty since the last run (the periodic job); returns how many
    days. Only the marks read here are removed: a change committed meanwhile stays marked."""
    spans = list(DirtySpan.objects.order_by("pk").values_list("pk", "first_day", "last_day"))
    if not spans:
        return 0
    days: set[date] = set()
    for _pk, first_day, last_day in spans:
        day = first_day
        while day <= last_day:
            days.add(day)
            day += timedelta(days=1)
    for first_day, last_day in _runs(sorted(days)):
        store_days(first_day, last_day)
    DirtySpan.objects.filter(pk__in=[pk for pk, _first, _last in spans]).delete()
    return len(days)


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) spans of at most a month each."""
    start = previous = None
    for day in days:
        if start is None:
            start = previous = day
        elif day == previous + timedelta(days=1) and (day - start).days < 31:  # type: ignore[operator]
            previous = day
        else:
            yield start, previous  # type: ignore[misc]
            start = previous = day
    if start is not None:
        yield start, previous  # type: ignore[misc]


# --- rebuilding and proving ----------------------------------------------------------------


def source_span() -> tuple[date, date] | None:
    """The first and last day any source has data for (from the kept rows and the marks)."""
    from leifeng.reports.sources import data_span

    return data_span()


def rebuild(progress: Callable[[date, date], None] | None = None) -> int:
    """Throw the rollups away and recompute every day from the sources, a month at a time."""
    span = source_span()
    with transaction.atomic():
        # Under the writers' lock, like every store: a refresh running meanwhile waits, then
        # recomputes its days; the months below recompute them again, to the same rows.
        _one_writer()
        DayFigures.objects.all().delete()
        MonthFigures.objects.all().delete()
        DirtySpan.objects.all().delete()
    if span is None:
        return 0
    written = 0
    for month in _months(*span):
        first_day, last_day = max(month, span[0]), min(_month_end(month), span[1])
        written += store_days(first_day, last_day)
        if progress:
            progress(first_day, last_day)
    return written


def differences(
    limit: int = 20, first_day: date | None = None, last_day: date | None = None
) -> list[str]:
    """Where the kept day and month rows differ from a fresh computation (empty = they agree),
    over every day with data or only [first_day, last_day] (whole months are compared).
    Reads a month at a time, so memory stays bounded."""
    if first_day is None or last_day is None:
        span = source_span()
        kept_span = _kept_span()
        if span is None and kept_span is None:
            return []
        first_day = first_day or min(s[0] for s in (span, kept_span) if s)
        last_day = last_day or max(s[1] for s in (span, kept_span) if s)
    problems: list[str] = []
    for month in _months(first_day, last_day):
        lo, hi = month, _month_end(month)  # whole months, so month rows compare too
        fresh = compute_days(lo, hi)
        kept = {
            (row.organisation_id, row.day, row.line): _totals(row)
            for row in DayFigures.objects.filter(day__range=(lo, hi))
        }
        problems += _compare("day", fresh, kept)
        fresh_month: dict[Key, Totals] = defaultdict(Totals)
        for (org_id, _day, line), cell in fresh.items():
            fresh_month[(org_id, month, line)].add(cell)
        kept_month = {
            (row.organisation_id, row.month, row.line): _totals(row)
            for row in MonthFigures.objects.filter(month=month)
        }
        problems += _compare("month", dict(fresh_month), kept_month)
        if len(problems) >= limit:
            break
    return problems[:limit]


def _kept_span() -> tuple[date, date] | None:
    days = DayFigures.objects.order_by("day").values_list("day", flat=True)
    first, last = days.first(), days.last()
    return (first, last) if first and last else None


def _totals(row: Figures) -> Totals:
    totals = Totals()
    totals.add_row(row)
    return totals


def _compare(grain: str, fresh: dict[Key, Totals], kept: dict[Key, Totals]) -> list[str]:
    problems = []
    for key in sorted(set(fresh) | set(kept), key=lambda k: (k[1], k[0], k[2])):
        a, b = fresh.get(key, Totals()), kept.get(key, Totals())
        for name in SUM_FIELDS:
            if a.sums.get(name, 0) != b.sums.get(name, 0):
                problems.append(
                    f"{grain} {key[1]} org {key[0]} line {key[2] or '-'} {name}: "
                    f"kept {b.sums.get(name, 0)}, recomputed {a.sums.get(name, 0)}"
                )
        for name in SET_FIELDS:
            if a.sets.get(name, BitMap()) != b.sets.get(name, BitMap()):
                problems.append(
                    f"{grain} {key[1]} org {key[0]} line {key[2] or '-'} {name}: "
                    f"kept {b.count(name)}, recomputed {a.count(name)}"
                )
    return problems


# --- reading -------------------------------------------------------------------------------


def _pieces(first_day: date, last_day: date) -> tuple[list[date], list[tuple[date, date]]]:
    """[first_day, last_day] as whole months (read from MonthFigures) and the day spans at
    its edges (read from DayFigures)."""
    months, edges = [], []
    for month in _months(first_day, last_day):
        lo, hi = max(month, first_day), min(_month_end(month), last_day)
        if lo == month and hi == _month_end(month):
            months.append(month)
        else:
            edges.append((lo, hi))
    return months, edges


def figures(
    organisations: Iterable[int], first_day: date, last_day: date
) -> dict[int, dict[str, Totals]]:
    """For each organisation (its whole subtree) and each campaign line ("" included), the
    totals over [first_day, last_day]. Reads whole months from MonthFigures and the edges
    from DayFigures: a year is twelve month rows per organisation and line."""
    ids = list(organisations)
    result: dict[int, dict[str, Totals]] = {pk: defaultdict(Totals) for pk in ids}
    months, edges = _pieces(first_day, last_day)
    rows: list[Figures] = []
    if months:
        rows += list(MonthFigures.objects.filter(organisation_id__in=ids, month__in=months))
    for lo, hi in edges:
        rows += list(DayFigures.objects.filter(organisation_id__in=ids, day__range=(lo, hi)))
    for row in rows:
        result[row.organisation_id][row.line].add_row(row)
    return result


def overall(by_line: dict[str, Totals]) -> Totals:
    """All lines together."""
    total = Totals()
    for cell in by_line.values():
        total.add(cell)
    return total


def pending() -> bool:
    """Whether some change still waits for the rollup job."""
    return DirtySpan.objects.exists()
