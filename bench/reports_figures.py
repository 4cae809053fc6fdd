"""Benchmark: reporting to the city at city scale: the dashboard of a year, a county's period
figures and the Word report, read from the rollups, beside the same figures computed from the
raw rows in PostgreSQL and in DuckDB.

    .venv/bin/python -m bench.reports_figures              # also run by `make bench`
    BENCH_SCALE=0.01 .venv/bin/python -m bench.reports_figures        # a quick run

On PostgreSQL (a fresh database named leifeng_bench_reports_<pid>, dropped at the end; those of
killed runs are dropped at the start) it seeds, in SQL (INSERT ... SELECT FROM
generate_series, the big tables' secondary indexes and foreign keys dropped meanwhile and
rebuilt after), after the migrations:

* the organisation tree of Jincheng: the city office; 13 organisations below it (6 county
  offices, the development zone's office, 4 units, the volunteer federation, the city's
  practice center); each county's and the zone's practice center with an institute a township
  (80) and 22 village stations each, and a few teams; 40 teams a unit; the federation's 10
  corps of 10 branch teams: 2,155 organisations, 2,044 of them leaves (stations and teams)
  where the ledgers' rows are recorded;
* 1,000,000 volunteers, each registered with a leaf, over two years (2024-11-29..2026-11-28);
* 200,000 activities over a year (2025-12-01..2026-11-28), by the leaves, across the 6
  campaign lines (94% finished, 4% cancelled, 2% drafts), each with 1 to 3 daily shifts; 600
  service stations, each with its duty-roster activity;
* 10,000,000 hours entries over the same year, in time order as a ledger grows: 90% credits for
  the shifts of finished activities (5 to 45 volunteers a shift, mostly of the organiser's own
  leaf), 7% without an activity, 3% station duty, and 0.5% of the credits reversed;
* 100,000 residents' orders received by leaves: 92% taken, 85% served, 60% rated.

Then it builds the rollups with rollups.rebuild() (timed: the one-off full rebuild), proves
them for one month (the kept rows equal a fresh computation, as `differences()` does), and
measures, warm, each the median of several runs:

* the city dashboard of the year 2026 (services.board: the city, its 13 children and the top
  10 units), the city's figures alone (services.organisation_figures) and a county's period
  figures (2026-03-20..2026-07-19: whole months and day edges);
* reference A: the same figures from the raw rows in PostgreSQL, one query set (hours and
  times served; volunteers and stations with a standing credit; activities held by line;
  registrations; orders taken, served, rated), restricted to the subtree by path prefix;
* reference B: the same queries in DuckDB (a thread a CPU) on a copy of the raw rows made once,
  not timed (COPY TO STDOUT as CSV, loaded into a DuckDB database file; no extension is
  downloaded);
* the city's summary Word document for a period (reports.documents.summary_docx), seconds per
  document, if that module exists.

The three computations must agree on every figure: the run says so, or shows where not.
Figures are printed, never asserted: ratios to baselines measured in the same run.

Settings (environment):
  BENCH_SCALE                  rows as a fraction of the sizes above (1; at least 20,000
                               volunteers); the tree and the 600 stations stay whole
  BENCH_REPORTS_REPEAT         measured runs of each Leifeng read (10; raw queries: a third)
  BENCH_REPORTS_PROFILE=1      also profile store_days() for one month (cProfile), and print it
  BENCH_POSTGRES_URL           a database to connect to for CREATE/DROP DATABASE
                               (postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_KEEP=1                 keep the temporary directory and the database (until the next run)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import (
    activity_data,
    child_args,
    connect_admin,
    django_env,
    insert_rows,
    insert_volunteers,
    load,
    median_time,
    print_table,
    profile_text,
    reset_sequence,
    rss_mb,
    run_child,
    run_step,
    say,
    scratch_database,
    seed_org,
    server_version,
    without_indexes,
    work_dir,
)

MODULE = "bench.reports_figures"
SCALE = float(os.environ.get("BENCH_SCALE") or 1)
VOLUNTEERS = max(round(1_000_000 * SCALE), 20_000)
ENTRIES = round(10_000_000 * SCALE)
ACTIVITIES = round(200_000 * SCALE)
ORDERS = round(100_000 * SCALE)
STATIONS = 600
REPEAT = int(os.environ.get("BENCH_REPORTS_REPEAT") or 10)
RAW_REPEAT = max(REPEAT // 3, 3)
PROFILE = os.environ.get("BENCH_REPORTS_PROFILE") == "1"  # profile one month's store_days
WARMUP = 2
DB_PREFIX = "leifeng_bench_reports_"  # and the process id

ZONE = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2025, 12, 1)  # the ledgers' year: 2025-12-01 .. 2026-11-28
DAYS = 363
REGISTERED_FROM = date(2024, 11, 29)  # two years of registrations up to 2026-11-28
REGISTERED_DAYS = 730
YEAR = (date(2026, 1, 1), date(2026, 12, 31))  # the city dashboard
PERIOD = (date(2026, 3, 20), date(2026, 7, 19))  # the second report of 2026: cuts months
PROVED_MONTH = date(2026, 6, 1)

LINES = ("practice", "city", "epidemic", "public_places", "care", "nature")
CONTENTS = ("文明交通劝导", "社区环境清洁", "关爱老人探访", "图书馆导读服务")


def main() -> None:
    if (args := child_args()) is not None:
        steps: dict[str, Callable[..., Any]] = {
            "seed": child_seed,
            "rebuild": child_rebuild,
            "leifeng": child_leifeng,
            "postgres": child_postgres,
            "duckdb": child_duckdb,
            "document": child_document,
        }
        run_step(steps, args, without_django={"postgres", "duckdb"})
        return
    with work_dir("leifeng-bench-reports-") as work:
        say(
            f"Leifeng reports benchmark: {VOLUNTEERS:,} volunteers, {ENTRIES:,} ledger entries, "
            f"{ACTIVITIES:,} activities, {ORDERS:,} orders (BENCH_SCALE={SCALE:g}); "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; work dir {work}; {load()}"
        )
        try:
            import duckdb
        except ImportError:
            raise SystemExit(
                "DuckDB is missing: pip install -e '.[bench]' (make bench does)."
            ) from None
        admin = connect_admin()
        if admin is None:
            return
        with admin, scratch_database(admin, DB_PREFIX) as url:
            env = django_env(work, DATABASE_URL=url)
            results: dict[str, Any] = {"duckdb_version": duckdb.__version__}
            say("Seeding ...")
            seed = results["seed"] = run_child(MODULE, env, "seed")
            say(
                f"  {seed['server']}; {seed['counts']['hours_hoursentry']:,} entries in "
                f"{sum(seed['times'].values()):.0f} s"
            )
            say("Building the rollups (rollups.rebuild) ...")
            results["rebuild"] = run_child(MODULE, env, "rebuild")
            say(f"  {results['rebuild']['seconds']:.0f} s")
            say("Reading them (Leifeng) ...")
            results["leifeng"] = run_child(MODULE, env, "leifeng", seed=seed)
            say("The same from the raw rows in PostgreSQL ...")
            results["postgres"] = run_child(MODULE, env, "postgres", seed=seed)
            say("The same in DuckDB ...")
            results["duckdb"] = run_child(
                MODULE, env, "duckdb", seed=seed, work=str(work / "duckdb")
            )
            say("The Word report ...")
            results["document"] = run_child(MODULE, env, "document", seed=seed)
            results["load"] = load()
            report(results)


# --- the report ----------------------------------------------------------------------------


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.3f}×" if ours and theirs else "–"


def report(results: dict[str, Any]) -> None:
    seed, rebuild, ours = results["seed"], results["rebuild"], results["leifeng"]
    pg, duck, document = results["postgres"], results["duckdb"], results["document"]
    counts = seed["counts"]
    say("")
    say(
        f"=== Reports: {counts['hours_hoursentry']:,} ledger entries, "
        f"{counts['volunteers_volunteer']:,} volunteers, {counts['activities_activity']:,} "
        f"activities, {counts['activities_shift']:,} shifts, {counts['demands_order']:,} orders, "
        f"{counts['orgs_organisation']:,} organisations ({seed['server']}; DuckDB "
        f"{results['duckdb_version']}; {results['load']}) ==="
    )
    say(
        "Seeding: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seed["times"].items())
        + f"; database {seed['db_mb']:,.0f} MB"
    )
    say(
        f"Rollups: rebuild() {rebuild['seconds']:.0f} s for {rebuild['months']} months "
        f"({rebuild['day_rows']:,} DayFigures rows, {rebuild['day_mb']:,.0f} MB; "
        f"{rebuild['month_rows']:,} MonthFigures rows, {rebuild['month_mb']:,.0f} MB; the "
        f"ledger {rebuild['entries_mb']:,.0f} MB with its indexes); peak RSS "
        f"{rebuild['peak_mb']:,.0f} MB; slowest month {rebuild['slowest']}"
    )
    proved = rebuild["proved"]
    say(
        f"Proof for {proved['month']}: {proved['problems']} differences between the kept rows "
        f"and a fresh computation ({proved['seconds']:.0f} s)"
        + ("" if not proved["first"] else "; first: " + "; ".join(proved["first"]))
    )
    say("")
    table: list[tuple[str, ...]] = [
        ("figure", "Leifeng", "PG raw", "DuckDB", "Leifeng ÷ PG", "Leifeng ÷ DuckDB", "queries")
    ]
    city_pg, city_duck = pg["city"]["seconds"], duck["city"]["seconds"]
    county_pg, county_duck = pg["county"]["seconds"], duck["county"]["seconds"]
    rows = [
        ("city year 2026: board() (city, 13 children, top 10)", "board", city_pg, city_duck),
        ("  its rollups.figures() for 14 organisations", "board_figures", city_pg, city_duck),
        ("  its top_units()", "top_units", None, None),
        ("city year 2026: organisation_figures(city)", "city", city_pg, city_duck),
        ("  its rollups.figures() (city only)", "city_figures", city_pg, city_duck),
        (
            f"county period {PERIOD[0]:%m-%d}..{PERIOD[1]:%m-%d}: organisation_figures",
            "county",
            county_pg,
            county_duck,
        ),
    ]
    for label, key, pg_s, duck_s in rows:
        mine = ours["times"][key]
        table.append(
            (
                label,
                ms(mine),
                ms(pg_s),
                ms(duck_s),
                ratio(mine, pg_s),
                ratio(mine, duck_s),
                str(ours["queries"][key]),
            )
        )
    if document.get("seconds") is not None:
        table.append(
            (
                f"Word report of a period (summary_docx), {document['kb']:.0f} KB",
                f"{document['seconds']:.2f} s/doc",
                "",
                "",
                "",
                "",
                str(document["queries"]),
            )
        )
    print_table(table)
    say("")
    say(
        "PG raw and DuckDB compute the subtree's totals only (the figures of "
        "organisation_figures), not board()'s 13 children and top 10; each is one query set "
        f"of {pg['queries']} queries. PostgreSQL: the median of {RAW_REPEAT} warm runs; DuckDB "
        f"the same, {duck['threads']} threads, its database {duck['db_mb']:,.0f} MB (copied in "
        f"{duck['export_s']:.0f} s, loaded in {duck['load_s']:.0f} s, not timed). Leifeng: the "
        f"median of {REPEAT} warm runs."
    )
    if document.get("seconds") is None:
        say(f"Word report: {document.get('skipped')}")
    say("")
    for what in ("city", "county"):
        agree = compare(ours["values"][what], pg["values"][what], duck["values"][what])
        say(f"Figures of the {what} ({'agree' if not agree else 'DIFFER'}):")
        if agree:
            for line in agree:
                say(f"  {line}")
        else:
            say("  " + ", ".join(f"{k} {v}" for k, v in ours["values"][what].items() if v != "0"))
    say("")
    if rebuild.get("profile"):
        say(f"Profile of store_days() for {proved['month']} (cProfile):")
        say(rebuild["profile"])
    say(f"Profile of board() for the city year (cProfile, {ms(ours['times']['board'])} warm):")
    say(ours["profile"])


def compare(ours: dict[str, str], pg: dict[str, str], duck: dict[str, str]) -> list[str]:
    """Where the three computations differ (empty: they agree)."""
    problems = []
    for key in sorted(set(ours) | set(pg) | set(duck)):
        values = (ours.get(key), pg.get(key), duck.get(key))
        if len({Decimal(v or 0) for v in values}) > 1:
            problems.append(f"{key}: Leifeng {values[0]}, PG {values[1]}, DuckDB {values[2]}")
    return problems


# --- seeding -------------------------------------------------------------------------------


def bare_connection() -> Any:
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"])


def local_start(day: date) -> datetime:
    return datetime.combine(day, clock.min, tzinfo=ZONE)


def build_tree(city: Any, next_id: int) -> list[dict[str, Any]]:
    """The organisations below the city office, as rows with their ids and paths."""
    from leifeng.orgs.models import Organisation
    from leifeng.regions.models import Region

    kind = Organisation.Kind
    nodes: list[dict[str, Any]] = []
    ids = iter(range(next_id, next_id + 100_000))

    def add(parent: dict[str, Any] | None, name: str, k: str, region: int) -> dict[str, Any]:
        pk = next(ids)
        path = f"{parent['path'] if parent else city.path}{pk}/"
        node = {
            "id": pk,
            "name": name,
            "kind": k,
            "parent_id": parent["id"] if parent else city.pk,
            "path": path,
            "region_id": region,
        }
        nodes.append(node)
        return node

    counties = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    for county in counties:
        office = add(None, f"{county.name}文明办", kind.OFFICE, county.pk)
        center = add(office, f"{county.name}新时代文明实践中心", kind.CENTER, county.pk)
        townships = Region.objects.filter(
            level=Region.Level.TOWNSHIP, path__startswith=county.path
        ).order_by("code")
        for township in townships:
            institute = add(center, f"{township.name}新时代文明实践所", kind.INSTITUTE, township.pk)
            for village in range(1, 23):
                add(
                    institute,
                    f"{township.name}第{village}村新时代文明实践站",
                    kind.STATION,
                    township.pk,
                )
        for team in range(1, 6):
            add(center, f"{county.name}志愿服务队{team}", kind.TEAM, county.pk)
    zone_region = Region.objects.get(code="140502009")
    office = add(None, "晋城经济技术开发区文明办", kind.OFFICE, zone_region.pk)
    center = add(office, "开发区新时代文明实践中心", kind.CENTER, zone_region.pk)
    for number in range(1, 4):
        institute = add(center, f"开发区第{number}新时代文明实践所", kind.INSTITUTE, zone_region.pk)
        for village in range(1, 21):
            add(institute, f"开发区第{number}所第{village}社区实践站", kind.STATION, zone_region.pk)
    city_region = city.region_id
    for unit in ("市直工委", "市教育工委", "市国资委党委", "驻晋单位联络办"):
        parent = add(None, unit, kind.UNIT, city_region)
        for team in range(1, 41):
            add(parent, f"{unit}志愿服务队{team}", kind.TEAM, city_region)
    federation = add(None, "晋城市志愿服务联合会", kind.FEDERATION, city_region)
    for corps in range(1, 11):
        parent = add(federation, f"志愿服务总队{corps}", kind.TEAM_CORPS, city_region)
        for branch in range(1, 11):
            add(parent, f"志愿服务总队{corps}第{branch}支队", kind.TEAM_BRANCH, city_region)
    add(None, "晋城市新时代文明实践中心", kind.CENTER, city_region)
    return nodes


def child_seed() -> dict[str, Any]:
    """Migrate; the city office through the ORM; everything else in SQL."""
    from django.core.management import call_command
    from django.utils import timezone

    from leifeng.activities.models import Activity, Station
    from leifeng.orgs.models import Organisation
    from leifeng.regions.models import Region

    times: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    times["migrate"] = time.perf_counter() - start
    server = server_version()
    city, _actor = seed_org()

    conn = bare_connection()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET work_mem = '256MB'")
    cur.execute("SET synchronous_commit = off")

    start = time.perf_counter()
    nodes = build_tree(city, city.pk + 1)
    now = timezone.now()
    with cur.copy(
        "COPY orgs_organisation (id, created_at, updated_at, name, kind, credit_code,"
        " contact_name, contact_phone, address, is_active, path, parent_id, region_id)"
        " FROM STDIN"
    ) as copy:
        for n in nodes:
            row = [n["id"], now, now, n["name"], n["kind"], "", "", "", "", True]
            copy.write_row([*row, n["path"], n["parent_id"], n["region_id"]])
    reset_sequence(cur, "orgs_organisation")
    leaf_kinds = {Organisation.Kind.STATION, Organisation.Kind.TEAM, Organisation.Kind.TEAM_BRANCH}
    leaves = [n["id"] for n in nodes if n["kind"] in leaf_kinds]
    stations = [n["id"] for n in nodes if n["kind"] == Organisation.Kind.STATION]
    # The service stations: spread over the village stations.
    station_orgs = stations[:: max(len(stations) // STATIONS, 1)][:STATIONS]
    leaf_index = {pk: index for index, pk in enumerate(leaves)}
    times["organisations"] = time.perf_counter() - start

    per_leaf = VOLUNTEERS // len(leaves)  # volunteers i = 1 + leaf + L * m, m < per_leaf
    common = {"leaves": leaves, "nleaves": len(leaves), "per_leaf": per_leaf}
    start = time.perf_counter()
    registered = local_start(REGISTERED_FROM)
    with without_indexes(cur, "volunteers_volunteer"):
        moment = "%(registered)s::timestamptz + (i - 1) * %(step)s * interval '1 second'"
        insert_volunteers(
            cur,
            city,
            VOLUNTEERS,
            per_row={
                "id": "i",
                "organisation_id": "(%(leaves)s::bigint[])[1 + (i - 1) %% %(nleaves)s]",
                "created_at": moment,
                "updated_at": moment,
                "consented_at": moment,
            },
            params={
                **common,
                "registered": registered,
                "step": REGISTERED_DAYS * 86400 / VOLUNTEERS,
            },
        )
    reset_sequence(cur, "volunteers_volunteer")
    times["volunteers"] = time.perf_counter() - start

    start = time.perf_counter()
    township = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("code").first()
    first = local_start(FIRST_DAY)
    sample = Activity(organisation=city, **activity_data(township))
    sample.created_at = sample.updated_at = now
    sample.status = Activity.Status.FINISHED
    starts = (
        "(%(first)s::timestamptz + ((i - 1) * %(days)s / %(rows)s) * interval '1 day'"
        " + (8 + i %% 10) * interval '1 hour')"
    )
    shifts = "(1 + abs(hashint4(i * 7 + 3)) %% 3)"  # 1 to 3 daily shifts
    pick = "abs(hashint4(i * 3 + 1)) %% 100"
    lines = " ".join(
        f"WHEN {pick} < {bound} THEN '{line}'"
        for line, bound in zip(LINES, (30, 55, 60, 70, 90, 100), strict=True)
    )
    status = "abs(hashint4(i * 5 + 2)) %% 100"
    with without_indexes(cur, "activities_activity"):
        insert_rows(
            cur,
            sample,
            {
                "id": "i",
                "organisation_id": "(%(leaves)s::bigint[])[1 + abs(hashint4(i)) %% %(nleaves)s]",
                "campaign_line": f"CASE {lines} END",
                "title": "(%(contents)s::text[])[1 + i %% 4]",
                "status": f"CASE WHEN {status} < 4 THEN 'cancelled' WHEN {status} < 6 THEN"
                " 'draft' ELSE 'finished' END",
                "starts_at": starts,
                "ends_at": f"{starts} + ({shifts} - 1) * interval '1 day' + interval '3 hours'",
                "published_at": f"{starts} - interval '5 days'",
                "created_at": f"{starts} - interval '6 days'",
                "updated_at": f"{starts} + interval '1 day'",
            },
            "generate_series(1, %(rows)s) AS i",
            {
                **common,
                "rows": ACTIVITIES,
                "first": first,
                "days": DAYS,
                "contents": list(CONTENTS),
            },
        )
        station_sample = Station(
            organisation=city,
            name="",
            place_kind="hall",
            host_unit="社区党群服务中心",
            opening_hours="9:00-17:00",
            services=["consultation", "guidance", "water"],
            address="社区党群服务中心一楼",
            township=township,
        )
        station_sample.created_at = station_sample.updated_at = now
        insert_rows(
            cur,
            station_sample,
            {
                "id": "i",
                "organisation_id": "(%(stations)s::bigint[])[i]",
                "name": "'学雷锋志愿服务站' || i",
            },
            "generate_series(1, %(rows)s) AS i",
            {"stations": station_orgs, "rows": len(station_orgs)},
        )
        reset_sequence(cur, "activities_station")
        duty = Activity(organisation=city, **activity_data(township))
        duty.created_at = duty.updated_at = duty.published_at = first
        duty.status = Activity.Status.PUBLISHED
        duty.campaign_line = "public_places"
        duty.title = "学雷锋志愿服务站值守"
        insert_rows(
            cur,
            duty,
            {
                "id": "%(activities)s + s.id",
                "organisation_id": "s.organisation_id",
                "station_id": "s.id",
            },
            "activities_station s",
            {"activities": ACTIVITIES},
        )
    reset_sequence(cur, "activities_activity")
    times["activities"] = time.perf_counter() - start

    start = time.perf_counter()
    with without_indexes(cur, "activities_shift"):
        cur.execute(
            "INSERT INTO activities_shift (activity_id, starts_at, ends_at, quota, confirmed,"
            " note) SELECT a.id, a.starts_at + j * interval '1 day', a.starts_at + j * interval"
            " '1 day' + (2 + a.id % 3) * interval '1 hour', 50, 0, '' FROM activities_activity a"
            " CROSS JOIN LATERAL generate_series(0, date_part('day', a.ends_at - a.starts_at)"
            "::int) AS j WHERE a.station_id IS NULL ORDER BY a.id, j"
        )
    times["shifts"] = time.perf_counter() - start

    start = time.perf_counter()
    insert_entries(cur, leaves, leaf_index, station_orgs, per_leaf)
    times["entries"] = time.perf_counter() - start

    start = time.perf_counter()
    insert_orders(cur, city, leaves, township)
    times["orders"] = time.perf_counter() - start

    start = time.perf_counter()
    cur.execute("VACUUM ANALYZE")
    times["vacuum analyze"] = time.perf_counter() - start
    counts = {}
    for table in (
        "orgs_organisation",
        "volunteers_volunteer",
        "activities_activity",
        "activities_shift",
        "activities_station",
        "hours_hoursentry",
        "demands_order",
    ):
        cur.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cur.fetchone()[0]
    cur.execute("SELECT pg_database_size(current_database())")
    db_mb = cur.fetchone()[0] / 2**20
    conn.close()
    county = Organisation.objects.filter(parent=city, kind=Organisation.Kind.OFFICE).order_by(
        "path"
    )[0]
    return {
        "server": server,
        "times": times,
        "counts": counts,
        "db_mb": db_mb,
        "city": city.pk,
        "city_path": city.path,
        "county": county.pk,
        "county_path": county.path,
        "county_name": county.name,
    }


ENTRY_COLUMNS = (
    "kind, source, content, place, started_at, ended_at, hours, reason, recorded_at, "
    "activity_id, organisation_id, recorded_by_id, reverses_id, volunteer_id"
)


def insert_entries(
    cur: Any, leaves: list[int], leaf_index: dict[int, int], station_orgs: list[int], per_leaf: int
) -> None:
    """The ledger, in time order within each kind of entry: credits for the shifts of finished
    activities (5 to 45 a shift, 9 in 10 of the organiser's leaf), credits without an activity,
    station duty; then the reversals of 1 credit in 200."""
    credits = round(ENTRIES / 1.005)
    without_activity = round(credits * 0.07)
    duty = round(credits * 0.03)
    shifts_share = credits - without_activity - duty
    leaves_count = len(leaves)
    cur.execute("CREATE TEMP TABLE bench_leaf (org_id bigint PRIMARY KEY, idx int)")
    with cur.copy("COPY bench_leaf FROM STDIN") as copy:
        for org, index in leaf_index.items():
            copy.write_row((org, index))
    # Each shift's weight and the running total: shift s gets floor(cum*T/W) - floor(prev*T/W)
    # credits, which add up to T exactly.
    cur.execute(
        "CREATE TEMP TABLE bench_shift AS SELECT s.id, s.activity_id, s.starts_at, s.ends_at,"
        " a.organisation_id, l.idx AS leaf, a.title,"
        " CASE WHEN a.status = 'finished' THEN 5 + abs(hashint8(s.id)) % 41 ELSE 0 END AS w"
        " FROM activities_shift s JOIN activities_activity a ON a.id = s.activity_id"
        " JOIN bench_leaf l ON l.org_id = a.organisation_id ORDER BY s.id"
    )
    cur.execute(
        "CREATE TEMP TABLE bench_n AS SELECT *, sum(w) OVER (ORDER BY id) AS cum"
        " FROM bench_shift ORDER BY id"
    )
    cur.execute("SELECT sum(w) FROM bench_shift")
    weight = int(cur.fetchone()[0])
    hours = "(extract(epoch FROM ends_at - starts_at) / 3600)::numeric(8, 2)"
    volunteer = (
        "CASE WHEN abs(hashint8(b.id * 64 + k)) %% 10 = 0"
        " THEN 1 + abs(hashint8(b.id * 64 + k + 1)) %% %(volunteers)s"
        " ELSE 1 + b.leaf + %(nleaves)s * ((abs(hashint8(b.id)) + k) %% %(per_leaf)s) END"
    )
    params = {
        "volunteers": VOLUNTEERS,
        "nleaves": leaves_count,
        "per_leaf": per_leaf,
        "total": shifts_share,
        "weight": weight,
        "leaves": leaves,
        "first": local_start(FIRST_DAY),
        "days": DAYS,
        "stations": station_orgs,
        "station_leaves": [leaf_index[org] for org in station_orgs],
        "nstations": len(station_orgs),
        "activities": ACTIVITIES,
    }
    with without_indexes(cur, "hours_hoursentry"):
        cur.execute(
            f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
            f"SELECT 'credit', 'attendance', b.title, '', b.starts_at, b.ends_at, {hours}, '',"
            f" b.ends_at, b.activity_id, b.organisation_id, NULL, NULL, {volunteer} "
            "FROM bench_n b CROSS JOIN LATERAL generate_series(1,"
            " (b.cum * %(total)s) / %(weight)s - ((b.cum - b.w) * %(total)s) / %(weight)s) AS k",
            params,
        )
        day = (
            "%(first)s::timestamptz + ((i - 1)::bigint * %(days)s / %(rows)s) * interval '1 day'"
            " + (8 + i %% 10) * interval '1 hour'"
        )
        cur.execute(
            f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
            "SELECT 'credit', 'manual', '社区环境清洁', '', s, s + interval '2 hours', 2, '',"
            " s + interval '1 day', NULL, (%(leaves)s::bigint[])[1 + l], NULL, NULL,"
            " 1 + l + %(nleaves)s * (abs(hashint4(i * 5 + 1)) %% %(per_leaf)s) "
            f"FROM (SELECT i, {day} AS s, abs(hashint4(i)) %% %(nleaves)s AS l"
            " FROM generate_series(1, %(rows)s) AS i) AS t",
            {**params, "rows": without_activity},
        )
        cur.execute(
            f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
            "SELECT 'credit', 'attendance', '学雷锋志愿服务站值守', '', s, s + interval '3 hours',"
            " 3, '', s + interval '1 day', %(activities)s + st, (%(stations)s::bigint[])[st],"
            " NULL, NULL, 1 + (%(station_leaves)s::int[])[st] + %(nleaves)s"
            " * (abs(hashint4(i * 3 + 2)) %% %(per_leaf)s) "
            f"FROM (SELECT i, {day} AS s, 1 + abs(hashint4(i)) %% %(nstations)s AS st"
            " FROM generate_series(1, %(rows)s) AS i) AS t",
            {**params, "rows": duty},
        )
        cur.execute(
            f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
            "SELECT 'reversal', 'manual', content, place, started_at, ended_at, -hours,"
            " '录入有误', recorded_at + interval '3 days', activity_id, organisation_id, NULL,"
            " id, volunteer_id FROM hours_hoursentry WHERE abs(hashint8(id)) % 200 = 0"
            " ORDER BY id"
        )


def insert_orders(cur: Any, city: Any, leaves: list[int], township: Any) -> None:
    """Residents' orders received by the leaves over the year: 92% taken, 85% served, 60%
    rated (mostly satisfied)."""
    from django.utils import timezone

    from leifeng.demands.models import Order

    now = timezone.now()
    sample = Order(
        number="",
        receiver=city,
        organisation=city,
        channel=Order.Channel.ONLINE,
        category="errands",
        description="老人腿脚不便，需要代买一周的生活用品。",
        township=township,
        address="北石店镇某社区3号楼",
        contact_name="王女士",
        contact_sealed="sealed",
        contact_hash="0" * 64,
        contact_masked="138****0000",
        status=Order.Status.RATED,
    )
    sample.created_at = sample.updated_at = now
    h = "abs(hashint4(i * 11 + 5)) %% 100"
    created = (
        "(%(first)s::timestamptz + ((i - 1)::bigint * %(days)s * 86400 / %(rows)s)"
        " * interval '1 second')"
    )
    with without_indexes(cur, "demands_order"):
        insert_rows(
            cur,
            sample,
            {
                "number": "'GD' || lpad(i::text, 10, '0')",
                "receiver_id": "(%(leaves)s::bigint[])[1 + abs(hashint4(i)) %% %(nleaves)s]",
                "organisation_id": "(%(leaves)s::bigint[])[1 + abs(hashint4(i)) %% %(nleaves)s]",
                "created_at": created,
                "updated_at": created,
                "status": f"CASE WHEN {h} < 60 THEN 'rated' WHEN {h} < 85 THEN 'unrated'"
                f" WHEN {h} < 92 THEN 'in_service' ELSE 'cancelled' END",
                "accepted_at": f"CASE WHEN {h} < 92 THEN {created} + interval '2 hours' END",
                "done_at": f"CASE WHEN {h} < 85 THEN {created} + interval '1 day' END",
                "rated_at": f"CASE WHEN {h} < 60 THEN {created} + interval '2 days' END",
                "rating": f"CASE WHEN {h} < 60 THEN CASE WHEN {h} < 36 THEN 5 WHEN {h} < 51"
                f" THEN 4 WHEN {h} < 57 THEN 3 ELSE 1 + {h} %% 2 END END",
            },
            "generate_series(1, %(rows)s) AS i",
            {
                "leaves": leaves,
                "nleaves": len(leaves),
                "rows": ORDERS,
                "first": local_start(FIRST_DAY),
                "days": DAYS,
            },
        )


# --- the rollups ---------------------------------------------------------------------------


def child_rebuild() -> dict[str, Any]:
    """rollups.rebuild(), timed month by month; then one month proved against a fresh
    computation, as rollups.differences() does for every month."""
    from django.db import connection

    from leifeng.reports import rollups
    from leifeng.reports.models import DayFigures, MonthFigures

    months: list[tuple[float, str]] = []
    last = [time.perf_counter()]

    def progress(first_day: date, last_day: date) -> None:
        now = time.perf_counter()
        months.append((now - last[0], f"{first_day:%Y-%m}"))
        print(f"    {first_day:%Y-%m} {now - last[0]:.1f} s", file=sys.stderr, flush=True)
        last[0] = now

    start = time.perf_counter()
    rollups.rebuild(progress)
    seconds = time.perf_counter() - start
    peak = rss_mb()

    start = time.perf_counter()
    problems = month_differences(PROVED_MONTH)
    proved = {
        "month": f"{PROVED_MONTH:%Y-%m}",
        "problems": len(problems),
        "first": problems[:3],
        "seconds": time.perf_counter() - start,
    }
    profile = ""
    if PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        rollups.store_days(PROVED_MONTH, rollups._month_end(PROVED_MONTH))
        profiler.disable()
        profile = profile_text(profiler, ("cumulative", 25), ("tottime", 15))
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE reports_dayfigures")
        cur.execute("VACUUM ANALYZE reports_monthfigures")
        sizes = {}
        for table in ("reports_dayfigures", "reports_monthfigures", "hours_hoursentry"):
            cur.execute("SELECT pg_total_relation_size(%s)", [table])
            sizes[table] = cur.fetchone()[0] / 2**20
    slowest = max(months) if months else (0.0, "–")
    return {
        "seconds": seconds,
        "months": len(months),
        "slowest": f"{slowest[1]} ({slowest[0]:.0f} s)",
        "peak_mb": peak,
        "day_rows": DayFigures.objects.count(),
        "month_rows": MonthFigures.objects.count(),
        "day_mb": sizes["reports_dayfigures"],
        "month_mb": sizes["reports_monthfigures"],
        "entries_mb": sizes["hours_hoursentry"],
        "proved": proved,
        "profile": profile,
    }


def month_differences(month: date) -> list[str]:
    """rollups.differences() for one month only (the whole one reads every month)."""
    from leifeng.reports import rollups

    return rollups.differences(limit=1000, first_day=month, last_day=month)


# --- reading: Leifeng ----------------------------------------------------------------------


def child_leifeng(seed: dict[str, Any]) -> dict[str, Any]:
    """The dashboard, its parts and the period figures, each the median of REPEAT warm runs,
    with their numbers of queries; and a profile of board()."""
    import cProfile

    from django.db import connection

    from leifeng.orgs.models import Organisation
    from leifeng.reports import rollups, services

    city = Organisation.objects.get(pk=seed["city"])
    county = Organisation.objects.get(pk=seed["county"])
    children = [city.pk, *city.children.filter(is_active=True).values_list("pk", flat=True)]
    runs: dict[str, Callable[[], Any]] = {
        "board": lambda: services.board(city, *YEAR),
        "board_figures": lambda: rollups.figures(children, *YEAR),
        "top_units": lambda: services.top_units(city, *YEAR, 10),
        "city": lambda: services.organisation_figures(city, *YEAR),
        "city_figures": lambda: rollups.figures([city.pk], *YEAR),
        "county": lambda: services.organisation_figures(county, *PERIOD),
    }
    times, queries = {}, {}
    for name, run in runs.items():
        seen: list[str] = []

        def wrapper(execute: Any, sql: str, *args: Any, seen: list[str] = seen) -> Any:
            seen.append(sql)
            return execute(sql, *args)

        run()
        with connection.execute_wrapper(wrapper):
            run()
        queries[name] = len(seen)
        times[name] = median_time(run, REPEAT, WARMUP)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        services.board(city, *YEAR)
    profiler.disable()
    return {
        "times": times,
        "queries": queries,
        "values": {
            "city": figure_strings(services.organisation_figures(city, *YEAR)),
            "county": figure_strings(services.organisation_figures(county, *PERIOD)),
        },
        "profile": profile_text(profiler, ("tottime", 14)),
    }


def figure_strings(values: dict[tuple[str, str], Decimal]) -> dict[str, str]:
    return {
        f"{key}{'/' + line if line else ''}": str(value) for (key, line), value in values.items()
    }


# --- reading: the raw rows, in PostgreSQL and DuckDB ---------------------------------------

# One query set over the raw rows, for the subtree whose paths start with {prefix}, over the
# local days [start, end): the same definitions as reports/sources.py.
STANDING = (
    "e.kind = 'credit' AND NOT EXISTS (SELECT 1 FROM hours_hoursentry r WHERE r.reverses_id = e.id)"
)
RAW_QUERIES = {
    "hours": """
        SELECT coalesce(sum(e.hours), 0), coalesce(sum(CASE WHEN e.kind = 'credit' THEN 1
               ELSE -1 END), 0)
        FROM hours_hoursentry e JOIN orgs_organisation o ON o.id = e.organisation_id
        WHERE e.started_at >= {start} AND e.started_at < {end} AND o.path LIKE {prefix}""",
    "volunteers": f"""
        SELECT count(DISTINCT e.volunteer_id)
        FROM hours_hoursentry e JOIN orgs_organisation o ON o.id = e.organisation_id
        WHERE e.started_at >= {{start}} AND e.started_at < {{end}} AND o.path LIKE {{prefix}}
          AND {STANDING}""",
    "stations": f"""
        SELECT count(DISTINCT a.station_id)
        FROM hours_hoursentry e JOIN activities_activity a ON a.id = e.activity_id
        JOIN activities_station st ON st.id = a.station_id
        JOIN orgs_organisation o ON o.id = st.organisation_id
        WHERE e.started_at >= {{start}} AND e.started_at < {{end}} AND o.path LIKE {{prefix}}
          AND {STANDING}""",
    "activities": """
        SELECT a.campaign_line, count(DISTINCT a.id)
        FROM activities_shift s JOIN activities_activity a ON a.id = s.activity_id
        JOIN orgs_organisation o ON o.id = a.organisation_id
        WHERE s.starts_at >= {start} AND s.starts_at < {end} AND o.path LIKE {prefix}
          AND a.status IN ('published', 'in_progress', 'finished') AND NOT a.is_assignment
          AND a.station_id IS NULL
        GROUP BY a.campaign_line""",
    "registrations": """
        SELECT count(*) FROM volunteers_volunteer v
        JOIN orgs_organisation o ON o.id = v.organisation_id
        WHERE v.created_at >= {start} AND v.created_at < {end} AND o.path LIKE {prefix}""",
    "orders": """
        SELECT count(*) FILTER (WHERE d.accepted_at >= {start} AND d.accepted_at < {end}),
               count(*) FILTER (WHERE d.done_at >= {start} AND d.done_at < {end}),
               count(*) FILTER (WHERE d.rated_at >= {start} AND d.rated_at < {end}
                                AND d.rating IS NOT NULL),
               count(*) FILTER (WHERE d.rated_at >= {start} AND d.rated_at < {end}
                                AND d.rating >= 4)
        FROM demands_order d JOIN orgs_organisation o ON o.id = d.receiver_id
        WHERE o.path LIKE {prefix}""",
}


def raw_values(rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, str]:
    """The query set's rows as the figures of services.figure_values."""
    ((hours, services),) = rows["hours"]
    taken, served, ratings, satisfied = rows["orders"][0]
    by_line = dict(rows["activities"])
    satisfaction = (
        (Decimal(satisfied) * 100 / ratings).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if ratings
        else Decimal(0)
    )
    values = {
        "activities": sum(by_line.values()),
        "volunteers": rows["volunteers"][0][0],
        "services": services,
        "hours": Decimal(hours).quantize(Decimal("0.01")),
        "registrations": rows["registrations"][0][0],
        "people_served": served,
        "orders_taken": taken,
        "satisfaction": satisfaction,
        "stations": rows["stations"][0][0],
        **{f"activities/{line}": by_line.get(line, 0) for line in LINES},
    }
    return {key: str(value) for key, value in values.items()}


def spans(seed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The city's year and the county's period: aware bounds and path prefixes."""
    return {
        "city": {
            "start": local_start(YEAR[0]),
            "end": local_start(YEAR[1] + timedelta(days=1)),
            "prefix": seed["city_path"] + "%",
        },
        "county": {
            "start": local_start(PERIOD[0]),
            "end": local_start(PERIOD[1] + timedelta(days=1)),
            "prefix": seed["county_path"] + "%",
        },
    }


def run_query_set(
    execute: Callable[[str, dict[str, Any]], list[tuple[Any, ...]]],
    style: str,
    params: dict[str, Any],
) -> dict[str, list[tuple[Any, ...]]]:
    marks = {name: style.format(name=name) for name in ("start", "end", "prefix")}
    return {name: execute(sql.format(**marks), params) for name, sql in RAW_QUERIES.items()}


def child_postgres(seed: dict[str, Any]) -> dict[str, Any]:
    """The query set in PostgreSQL (psycopg, no Django), for the city's year and the county's
    period, each the median of RAW_REPEAT warm runs."""
    conn = bare_connection()
    conn.autocommit = True
    cur = conn.cursor()

    def execute(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        cur.execute(sql, params)
        return cur.fetchall()

    result: dict[str, Any] = {"values": {}, "queries": len(RAW_QUERIES)}
    for what, params in spans(seed).items():

        def run(params: dict[str, Any] = params) -> dict[str, list[tuple[Any, ...]]]:
            return run_query_set(execute, "%({name})s", params)

        result["values"][what] = raw_values(run())
        result[what] = {"seconds": median_time(run, RAW_REPEAT, 1)}
    conn.close()
    return result


DUCK_TABLES = {
    "orgs_organisation": ("id BIGINT, path VARCHAR", "id, path"),
    "hours_hoursentry": (
        "id BIGINT, kind VARCHAR, hours DECIMAL(8, 2), started_at TIMESTAMP, activity_id BIGINT,"
        " organisation_id BIGINT, volunteer_id BIGINT, reverses_id BIGINT",
        "id, kind, hours, started_at AT TIME ZONE 'UTC', activity_id, organisation_id,"
        " volunteer_id, reverses_id",
    ),
    "activities_activity": (
        "id BIGINT, organisation_id BIGINT, campaign_line VARCHAR, status VARCHAR,"
        " is_assignment BOOLEAN, station_id BIGINT",
        "id, organisation_id, campaign_line, status, is_assignment, station_id",
    ),
    "activities_shift": (
        "activity_id BIGINT, starts_at TIMESTAMP",
        "activity_id, starts_at AT TIME ZONE 'UTC'",
    ),
    "activities_station": ("id BIGINT, organisation_id BIGINT", "id, organisation_id"),
    "volunteers_volunteer": (
        "id BIGINT, organisation_id BIGINT, created_at TIMESTAMP",
        "id, organisation_id, created_at AT TIME ZONE 'UTC'",
    ),
    "demands_order": (
        "receiver_id BIGINT, accepted_at TIMESTAMP, done_at TIMESTAMP, rated_at TIMESTAMP,"
        " rating SMALLINT",
        "receiver_id, accepted_at AT TIME ZONE 'UTC', done_at AT TIME ZONE 'UTC',"
        " rated_at AT TIME ZONE 'UTC', rating",
    ),
}


def child_duckdb(seed: dict[str, Any], work: str) -> dict[str, Any]:
    """Copy the raw rows the query set reads from PostgreSQL into a DuckDB database file (once,
    not timed: CSV through COPY TO STDOUT, timestamps in UTC), then the same query set in
    DuckDB, the median of RAW_REPEAT warm runs."""
    import duckdb

    folder = Path(work)
    folder.mkdir(parents=True, exist_ok=True)
    conn = bare_connection()
    start = time.perf_counter()
    with conn.cursor() as cur:
        for table, (_columns, select) in DUCK_TABLES.items():
            with (
                (folder / f"{table}.csv").open("wb") as out,
                cur.copy(f"COPY (SELECT {select} FROM {table}) TO STDOUT (FORMAT csv)") as copy,
            ):
                for data in copy:
                    out.write(data)
    conn.close()
    export_s = time.perf_counter() - start
    threads = os.cpu_count() or 1
    database = folder / "raw.duckdb"
    # No extension may be fetched at run time: refuse to install or autoload one.
    duck = duckdb.connect(
        str(database),
        config={
            "threads": threads,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    start = time.perf_counter()
    for table, (columns, _select) in DUCK_TABLES.items():
        duck.execute(f"CREATE TABLE {table} ({columns})")
        duck.execute(f"COPY {table} FROM '{folder / table}.csv' (FORMAT csv, HEADER false)")
        (folder / f"{table}.csv").unlink()
    duck.execute("CHECKPOINT")
    load_s = time.perf_counter() - start

    def execute(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        return duck.execute(sql, params).fetchall()

    result: dict[str, Any] = {
        "values": {},
        "threads": threads,
        "export_s": export_s,
        "load_s": load_s,
        "db_mb": database.stat().st_size / 2**20,
    }
    for what, params in spans(seed).items():
        utc = {
            "start": params["start"].astimezone(UTC).replace(tzinfo=None),
            "end": params["end"].astimezone(UTC).replace(tzinfo=None),
            "prefix": params["prefix"],
        }

        def run(utc: dict[str, Any] = utc) -> dict[str, list[tuple[Any, ...]]]:
            return run_query_set(execute, "${name}", utc)

        result["values"][what] = raw_values(run())
        result[what] = {"seconds": median_time(run, RAW_REPEAT, 1)}
    duck.close()
    return result


# --- the Word report -----------------------------------------------------------------------


def child_document(seed: dict[str, Any]) -> dict[str, Any]:
    """The city's summary Word document of the second period of 2026, every obliged
    organisation's report filled in: seconds per document (reports.documents.summary_docx)."""
    from django.db import connection

    from leifeng.accounts.models import User
    from leifeng.orgs.models import Organisation
    from leifeng.reports import services
    from leifeng.reports.models import Report

    try:
        from leifeng.reports.documents import summary_docx
    except ImportError as exc:
        return {"seconds": None, "skipped": f"not measured: {exc}"}
    city = Organisation.objects.get(pk=seed["city"])
    actor = User.objects.get(username="bench")
    periods = services.year_create(actor=actor, organisation=city, year=2026)
    period = next(p for p in periods if p.starts_on == PERIOD[0])
    for report in Report.objects.filter(period=period).select_related("organisation", "period"):
        services.report_save(
            actor=actor,
            report=report,
            narrative=f"<h3>{report.organisation.name}</h3><p>"
            + "本期组织志愿者开展文明交通劝导、关爱老人探访和社区环境清洁等活动。" * 20
            + "</p><ul><li>学雷锋志愿服务站常态值守</li><li>“我为群众办实事”点单服务</li></ul>",
            contact_name="联系人",
            contact_phone="0356-1234567",
        )
        services.figures_fill(report)
    seen: list[str] = []

    def wrapper(execute: Any, sql: str, *args: Any) -> Any:
        seen.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        document = summary_docx(period, city)
    data = document if isinstance(document, bytes) else getattr(document, "getvalue", bytes)()
    few = max(REPEAT // 3, 3)
    return {
        "seconds": median_time(lambda: summary_docx(period, city), few, 1),
        "kb": len(data) / 1024,
        "queries": len(seen),
        "reports": Report.objects.filter(period=period).count(),
    }


if __name__ == "__main__":
    main()
