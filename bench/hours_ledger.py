"""Benchmark: the hours ledger at city scale: confirming claims, a volunteer's record page and
`leifeng hours verify`, each beside bare SQL doing the same work.

    .venv/bin/python -m bench.hours_ledger                  # also run by `make bench`
    BENCH_HOURS_VOLUNTEERS=20000 .venv/bin/python -m bench.hours_ledger      # a quick run

On PostgreSQL (a fresh database named leifeng_bench_hours_<pid>, dropped at the end; those of
killed runs are dropped at the start) it seeds BENCH_HOURS_VOLUNTEERS volunteers with
BENCH_HOURS_ENTRIES_PER_VOLUNTEER credits each (one a week, 0.5 to 4 hours, never
overlapping), in SQL (INSERT ... SELECT FROM generate_series, the tables' secondary indexes and
foreign keys dropped meanwhile and rebuilt after), their running totals as one INSERT ...
SELECT SUM ... GROUP BY, then VACUUM ANALYZE; and measures:

* confirming a batch of BENCH_HOURS_CLAIMS pending claims (from attendance, each of another
  volunteer, not overlapping their credits) with services.claims_confirm, as a staff member
  of the organiser, the claims loaded beforehand as the page's POST loads them; its queries
  per claim. The limit: the same work in bare SQL (psycopg, no Django) on a second batch, one
  transaction per claim as the service runs it: lock the claim (reading its activity), lock
  the volunteer, read the total, look for an overlapping credit not reversed, insert the
  entry, add to the total, mark the claim. For reference, a third batch as one set-based
  statement (no per-claim transaction: one refusal could not stand alone);
* a volunteer's record page (hours:me) for one with the typical number of entries and one
  with BENCH_HOURS_HEAVY_ENTRIES: services.record_of plus the paginated entries query the
  view runs (its count and first page), and the whole page through Django's test client
  (logged in, the whole middleware, the template rendered), page 1 and the heavy one's last
  page; with their numbers of queries. The limit: the same rows read by bare SQL by the
  volunteer's id (the page's: total, star level, entry count, a page of entries with their
  organisation, pending claims, training items, correction requests);
* services.hours_verify over everything (after the confirmations, so it must find nothing),
  its time and the growth of the peak resident memory (ru_maxrss) of the process that ran it;
  the limit: one query that returns only the mismatches (totals FULL OUTER JOIN the ledger's
  sums per volunteer);
* certificates (PDF): the typical volunteer prints one for all their records
  (certificates.certificate_issue, then certificate_document: the PDF with its embedded CJK
  font and QR code) in a loop, PDFs per second; beside it, the same certificate data rendered
  by pdf.render_certificate alone (no database), and the floor: reportlab writing one page
  with the same font and the same lines of text, no layout (drawString).

Figures are printed, never asserted: they are ratios to a baseline measured in the same run.
Each measurement runs in a new child process, so a peak RSS is that measurement's own. Times
are medians of BENCH_HOURS_REPEAT runs after a few unmeasured ones, except the batches and
hours_verify (run once: they change or scan everything). PostgreSQL shares this machine's
CPUs.

Settings (environment):
  BENCH_HOURS_VOLUNTEERS              volunteers (1000000)
  BENCH_HOURS_ENTRIES_PER_VOLUNTEER   credits per volunteer (10)
  BENCH_HOURS_HEAVY_ENTRIES           credits of the heavy volunteer's record page (1000)
  BENCH_HOURS_CLAIMS                  claims per confirmed batch (1000)
  BENCH_HOURS_REPEAT                  measured runs of each page and query (30)
  BENCH_POSTGRES_URL                  a database to connect to for CREATE/DROP DATABASE
                                      (postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_KEEP=1                        keep the temporary directory and the database (until
                                      the next run)
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from bench.common import (
    activity_data,
    child_args,
    connect_admin,
    django_env,
    insert_volunteers,
    load,
    median_time,
    print_table,
    rss_mb,
    run_child,
    run_step,
    say,
    scratch_database,
    seed_org,
    server_version,
    short_sql,
    without_indexes,
    work_dir,
)

MODULE = "bench.hours_ledger"
VOLUNTEERS = int(os.environ.get("BENCH_HOURS_VOLUNTEERS") or 1_000_000)
PER_VOLUNTEER = int(os.environ.get("BENCH_HOURS_ENTRIES_PER_VOLUNTEER") or 10)
HEAVY = int(os.environ.get("BENCH_HOURS_HEAVY_ENTRIES") or 1_000)
CLAIMS = int(os.environ.get("BENCH_HOURS_CLAIMS") or 1_000)
REPEAT = int(os.environ.get("BENCH_HOURS_REPEAT") or 30)
DB_PREFIX = "leifeng_bench_hours_"  # and the process id

WARMUP = 3
BATCHES = ("django", "bare", "set")  # one batch of claims each, of different volunteers
CONTENTS = ("文明交通劝导", "社区环境清洁", "关爱老人探访", "图书馆导读服务")


def main() -> None:
    if (args := child_args()) is not None:
        steps: dict[str, Callable[..., Any]] = {
            "seed": child_seed,
            "record": child_record,
            "confirm": child_confirm,
            "verify": child_verify,
            "certificates": child_certificates,
        }
        run_step(steps, args)
        return
    least = len(BATCHES) * CLAIMS + 2  # three batches of claims, two record pages
    if least > VOLUNTEERS:
        raise SystemExit(f"BENCH_HOURS_VOLUNTEERS must be at least {least}.")
    with work_dir("leifeng-bench-hours-") as work:
        say(
            f"Leifeng hours-ledger benchmark: {VOLUNTEERS:,} volunteers × {PER_VOLUNTEER} "
            f"entries, batches of {CLAIMS:,} claims; {os.cpu_count()} CPUs, Python "
            f"{sys.version.split()[0]}; work dir {work}; {load()}"
        )
        admin = connect_admin()
        if admin is None:
            return
        with admin, scratch_database(admin, DB_PREFIX) as url:
            env = django_env(work, DATABASE_URL=url)
            say("Seeding ...")
            results: dict[str, Any] = {"seed": run_child(MODULE, env, "seed")}
            seed = results["seed"]
            say(
                f"  {seed['server']}; {seed['volunteers']:,} volunteers, {seed['entries']:,} "
                f"entries in {sum(seed['times'].values()):.0f} s"
            )
            say("Record pages ...")
            results["record"] = run_child(MODULE, env, "record", seed=seed)
            say("Confirming claims ...")
            results["confirm"] = run_child(MODULE, env, "confirm", seed=seed)
            say("hours verify ...")
            results["verify"] = run_child(MODULE, env, "verify")
            say("Certificates ...")
            results["certificates"] = run_child(MODULE, env, "certificates")
            results["load"] = load()
            report(results)


# --- the report ----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(django: float, bare: float) -> str:
    return f"{django / bare:.1f}×" if bare > 0 else "–"


def report(results: dict[str, Any]) -> None:
    seed, record, confirm, verify = (results[k] for k in ("seed", "record", "confirm", "verify"))
    say("")
    say(
        f"=== Hours ledger: {seed['volunteers']:,} volunteers, {seed['entries']:,} ledger "
        f"entries ({seed['server']}; {results['load']}) ==="
    )
    say(
        "Seeding: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seed["times"].items())
        + f"; {seed['entries'] / seed['times']['entries']:,.0f} entries/s inserted"
        + f"; database {seed['db_mb']:,.0f} MB"
    )
    say("")
    table: list[tuple[str, ...]] = [("measure", "Django", "bare SQL", "Django ÷ bare", "queries")]
    batch = confirm["django"]
    per_claim = confirm["bare"]
    table.append(
        (
            f"confirm {CLAIMS:,} claims (claims_confirm)",
            f"{ms(batch['seconds'])} ({batch['confirmed'] / batch['seconds']:,.0f}/s)",
            f"{ms(per_claim['seconds'])} ({per_claim['confirmed'] / per_claim['seconds']:,.0f}/s)",
            ratio(batch["seconds"], per_claim["seconds"]),
            f"{batch['queries'] / CLAIMS:.1f} per claim (bare {per_claim['queries'] / CLAIMS:.0f})",
        )
    )
    setwise = confirm["set"]
    table.append(
        (
            "  for reference: one set-based statement",
            "",
            f"{ms(setwise['seconds'])} ({setwise['confirmed'] / setwise['seconds']:,.0f}/s)",
            ratio(batch["seconds"], setwise["seconds"]),
            "1",
        )
    )
    for row in record["rows"]:
        table.append(
            (
                row["what"],
                ms(row["django_s"]),
                ms(row["bare_s"]),
                ratio(row["django_s"], row["bare_s"]),
                f"{row['queries']} (bare {row['bare_queries']})",
            )
        )
    table.append(
        (
            "hours_verify() over everything",
            ms(verify["django_s"]),
            ms(verify["bare_s"]),
            ratio(verify["django_s"], verify["bare_s"]),
            f"{verify['queries']} (bare 1)",
        )
    )
    cert = results["certificates"]
    table.append(
        (
            f"certificate PDF, {cert['records']} records (issue + render)",
            f"{ms(cert['issue_s'])} ({1 / cert['issue_s']:,.1f}/s)",
            f"{ms(cert['floor_s'])} ({1 / cert['floor_s']:,.1f}/s)",
            ratio(cert["issue_s"], cert["floor_s"]),
            f"{cert['queries']}",
        )
    )
    table.append(
        (
            "  render_certificate alone (no database)",
            f"{ms(cert['render_s'])} ({1 / cert['render_s']:,.1f}/s)",
            "",
            ratio(cert["render_s"], cert["floor_s"]),
            "0",
        )
    )
    print_table(table)
    say("")
    say(
        "Certificates: 'bare' is reportlab drawing the same lines with the same embedded font on "
        f"one page, no layout; PDF size {cert['pdf_kb']:.0f} KB."
    )
    say(
        f"Confirmations: claims_confirm confirmed {batch['confirmed']:,}, refused "
        f"{batch['refused']}; bare per claim {per_claim['confirmed']:,}; set-based "
        f"{setwise['confirmed']:,}. The bare SQL checks no access."
    )
    if batch["refusals"]:
        say(f"  refusals: {batch['refusals']}")
    say(f"  claims_confirm's queries for the first claim ({len(batch['first_sql'])}):")
    show_queries(batch["first_sql"])
    say(
        f"hours_verify: {verify['mismatches']} mismatches (bare SQL: {verify['bare_mismatches']}); "
        f"peak RSS {verify['peak_mb']:,.0f} MB, +{verify['peak_mb'] - verify['start_mb']:,.0f} MB "
        f"while it ran over {verify['rows']:,} totals (both return only the mismatches)."
    )
    say(
        f"Record pages: {record['page_size']} entries a page; typical volunteer "
        f"{record['typical_entries']} entries, heavy one {record['heavy_entries']:,}. 'queries' "
        "counts every query of the request, session and user included."
    )
    say(f"  the page's queries for the heavy volunteer, page 1 ({record['heavy_queries']}):")
    show_queries(record["heavy_sql"])


def show_queries(queries: list[str]) -> None:
    runs: list[list[Any]] = []  # the same query again and again: shown once, counted
    for sql in queries:
        if runs and runs[-1][0] == sql:
            runs[-1][1] += 1
        else:
            runs.append([sql, 1])
    for sql, times in runs:
        say(f"    {sql}" + (f"   (× {times})" if times > 1 else ""))


# --- the children: one step each -----------------------------------------------------------


def bare_connection() -> Any:
    """A psycopg connection of its own to the benchmark database: no Django in the way."""
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"])


@contextmanager
def counting() -> Iterator[list[str]]:
    """Every query Django runs meanwhile (cheaper than CaptureQueriesContext: no timing)."""
    from django.db import connection

    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


# --- seeding -------------------------------------------------------------------------------


def child_seed() -> dict[str, Any]:
    """Migrate; the organisation, its staff and two volunteers with accounts through the ORM;
    the volunteers, their credits and totals in SQL; three batches of pending claims."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from leifeng.accounts.models import User
    from leifeng.orgs.models import Membership

    times: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    # Pages need the static manifest with DEBUG off.
    call_command("collectstatic", interactive=False, verbosity=0)
    times["migrate"] = time.perf_counter() - start
    server = server_version()
    org, actor = seed_org()
    staff = User.objects.create_user(username="staff", name="组织者")
    Membership.objects.create(user=staff, organisation=org, role=Membership.Role.STAFF)
    users = {
        name: User.objects.create_user(username=name, name="志愿者", password=make_password(None))
        for name in ("typical", "heavy")
    }
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    # The credits are weekly up to a week ago; the claims are of the last few days.
    first = today - timedelta(weeks=PER_VOLUNTEER + 1)

    conn = bare_connection()
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute("SET maintenance_work_mem = '1GB'")
    cur.execute("SET work_mem = '256MB'")
    cur.execute("SET synchronous_commit = off")

    start = time.perf_counter()
    with without_indexes(cur, "volunteers_volunteer"):
        insert_volunteers(cur, org, VOLUNTEERS)
    times["volunteers (with their indexes)"] = time.perf_counter() - start
    cur.execute("SELECT min(id), max(id) FROM volunteers_volunteer")
    low, high = cur.fetchone()
    typical, heavy = low + (high - low) // 2, low + (high - low) // 3
    for name, volunteer in (("typical", typical), ("heavy", heavy)):
        cur.execute(
            "UPDATE volunteers_volunteer SET user_id = %s WHERE id = %s",
            [users[name].pk, volunteer],
        )

    start = time.perf_counter()
    with without_indexes(cur, "hours_hoursentry"):
        insert_entries(cur, org.pk, first, heavy)
        times["entries"] = time.perf_counter() - start
        start = time.perf_counter()
    times["entry indexes and foreign keys"] = time.perf_counter() - start

    start = time.perf_counter()
    cur.execute(
        "INSERT INTO hours_volunteerhours (volunteer_id, total) "
        "SELECT volunteer_id, SUM(hours) FROM hours_hoursentry GROUP BY volunteer_id"
    )
    times["totals"] = time.perf_counter() - start

    start = time.perf_counter()
    shifts = insert_claims(cur, org, actor, today, exclude=[typical, heavy])
    times["claims"] = time.perf_counter() - start

    start = time.perf_counter()
    cur.execute("VACUUM ANALYZE")
    times["vacuum analyze"] = time.perf_counter() - start
    cur.execute("SELECT count(*) FROM hours_hoursentry")
    entries = cur.fetchone()[0]
    cur.execute("SELECT pg_database_size(current_database())")
    db_mb = cur.fetchone()[0] / 2**20
    conn.close()
    return {
        "server": server,
        "times": times,
        "volunteers": VOLUNTEERS,
        "entries": entries,
        "db_mb": db_mb,
        "typical": typical,
        "heavy": heavy,
        "shifts": shifts,
    }


ENTRY_COLUMNS = (
    "kind, source, content, place, started_at, ended_at, hours, reason, recorded_at, "
    "activity_id, organisation_id, recorded_by_id, reverses_id, volunteer_id"
)


def insert_entries(cur: Any, org_id: int, first: datetime, heavy: int) -> None:
    """PER_VOLUNTEER weekly credits of every volunteer, one INSERT a week so that the table
    grows in time order, as it does; then the heavy volunteer's daily ones before those."""
    for week in range(PER_VOLUNTEER):
        # A day of the week and an hour from 8:00 to 17:00 by volunteer; 0.5 to 4 hours.
        cur.execute(
            f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
            "SELECT 'credit', 'import', (%(contents)s::text[])[1 + (id + %(week)s) %% 4], '',"
            " s, s + (h * 60)::int * interval '1 minute', h, '', now(), NULL, %(org)s, NULL,"
            " NULL, id "
            "FROM (SELECT id, %(first)s::timestamptz + make_interval("
            "days => %(week)s * 7 + (id %% 7)::int, hours => 8 + (id %% 10)::int) AS s,"
            " ((1 + (id * 7 + %(week)s * 13) %% 8) * 0.5)::numeric(8, 2) AS h"
            " FROM volunteers_volunteer) AS t",
            {"contents": list(CONTENTS), "week": week, "org": org_id, "first": first},
        )
    cur.execute(
        f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) "
        "SELECT 'credit', 'manual', %(content)s, '', s, s + interval '2 hours', 2, '', now(),"
        " NULL, %(org)s, NULL, NULL, %(heavy)s "
        "FROM (SELECT %(first)s::timestamptz - make_interval(days => d, hours => -9) AS s"
        " FROM generate_series(1, %(days)s) AS d) AS t",
        {
            "content": CONTENTS[0],
            "org": org_id,
            "heavy": heavy,
            "first": first,
            "days": max(HEAVY - PER_VOLUNTEER, 0),
        },
    )


def insert_claims(
    cur: Any, org: Any, actor: Any, today: datetime, exclude: list[int]
) -> dict[str, int]:
    """One activity with a shift per batch, each shift CLAIMS volunteers signed up, present
    and checked out, and their pending claims as services.claims_collect makes them."""
    from leifeng.activities import services as activities
    from leifeng.hours.services import RECORD_WITHIN_WORKING_DAYS, add_working_days, round_hours
    from leifeng.regions.models import Region

    township = Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("path").first()
    activity = activities.activity_save(
        actor=actor,
        organisation=org,
        data=activity_data(township),
    )
    # Volunteers spread over the table, none of them one whose page is measured.
    cur.execute(
        "SELECT id FROM volunteers_volunteer WHERE id <> ALL(%s) ORDER BY md5(id::text) LIMIT %s",
        [exclude, len(BATCHES) * CLAIMS],
    )
    chosen = [row[0] for row in cur.fetchall()]
    shifts = {}
    for index, batch in enumerate(BATCHES):
        starts = today - timedelta(days=len(BATCHES) - index, hours=-9)
        ends = starts + timedelta(hours=3)
        checked_in, checked_out = starts + timedelta(minutes=5), ends - timedelta(minutes=10)
        cur.execute(
            "INSERT INTO activities_shift (activity_id, starts_at, ends_at, quota, confirmed,"
            " note) VALUES (%s, %s, %s, %s, %s, '') RETURNING id",
            [activity.pk, starts, ends, CLAIMS, CLAIMS],
        )
        shift = cur.fetchone()[0]
        shifts[batch] = shift
        cur.execute(
            "INSERT INTO activities_signup (shift_id, volunteer_id, status, created_at,"
            " risk_notice_read_at, confirmed_at, cancel_reason) "
            "SELECT %s, v, 'confirmed', %s, %s, %s, '' FROM unnest(%s::bigint[]) AS v",
            [shift, starts, starts, starts, chosen[index * CLAIMS : (index + 1) * CLAIMS]],
        )
        cur.execute(
            "INSERT INTO activities_attendance (status, checked_in_at, checked_out_at,"
            " check_in_method, check_out_method, needs_review, correction_reason, updated_at,"
            " volunteer_id, shift_id, signup_id) "
            "SELECT 'present', %s, %s, 'qr', 'qr', false, '', %s, volunteer_id, shift_id, id"
            " FROM activities_signup WHERE shift_id = %s",
            [checked_in, checked_out, checked_out, shift],
        )
        # As claims_collect computes them (the same for everyone on the shift).
        minutes = int((checked_out - checked_in).total_seconds()) // 60
        due = add_working_days(ends.date(), RECORD_WITHIN_WORKING_DAYS)
        cur.execute(
            "INSERT INTO hours_hoursclaim (started_at, ended_at, break_minutes, proposed_hours,"
            " due_on, status, reason, created_at, attendance_id, organisation_id, volunteer_id) "
            "SELECT checked_in_at, checked_out_at, 0, %s, %s, 'pending', '', now(), id, %s,"
            " volunteer_id FROM activities_attendance WHERE shift_id = %s",
            [round_hours(minutes), due, org.pk, shift],
        )
    return shifts


# --- the record page -----------------------------------------------------------------------

# What the page shows, read by the volunteer's id: the limit for the page and its queries.
BARE_RECORD = (
    "SELECT total FROM hours_volunteerhours WHERE volunteer_id = %(v)s",
    "SELECT level FROM hours_starcertification WHERE volunteer_id = %(v)s"
    " ORDER BY level DESC LIMIT 1",
    "SELECT count(*) FROM hours_hoursentry WHERE volunteer_id = %(v)s",
    "SELECT e.*, o.* FROM hours_hoursentry e JOIN orgs_organisation o"
    " ON o.id = e.organisation_id LEFT JOIN hours_hoursentry r ON r.reverses_id = e.id"
    " WHERE e.volunteer_id = %(v)s ORDER BY e.started_at DESC, e.id DESC"
    " LIMIT %(size)s OFFSET %(offset)s",
)
BARE_PAGE = (
    *BARE_RECORD,
    "SELECT c.*, a.title FROM hours_hoursclaim c"
    " JOIN activities_attendance at ON at.id = c.attendance_id"
    " JOIN activities_shift s ON s.id = at.shift_id"
    " JOIN activities_activity a ON a.id = s.activity_id"
    " WHERE c.volunteer_id = %(v)s AND c.status = 'pending' ORDER BY c.due_on, c.id",
    'SELECT * FROM hours_recorditem WHERE volunteer_id = %(v)s ORDER BY "on" DESC, id DESC',
    "SELECT q.*, o.name, e.content FROM hours_correctionrequest q"
    " JOIN orgs_organisation o ON o.id = q.organisation_id"
    " LEFT JOIN hours_hoursentry e ON e.id = q.entry_id"
    " WHERE q.volunteer_id = %(v)s ORDER BY q.created_at DESC, q.id DESC LIMIT 20",
)


def child_record(seed: dict[str, Any]) -> dict[str, Any]:
    """services.record_of with the view's entries query, and the whole page, beside the
    page's rows read by bare SQL."""
    from django.db.models import QuerySet
    from django.test import Client
    from django.urls import reverse

    from leifeng.accounts.models import User
    from leifeng.core.pagination import PAGE_SIZE
    from leifeng.hours import services
    from leifeng.hours.models import HoursEntry
    from leifeng.orgs import access

    conn = bare_connection()
    conn.autocommit = True
    url = reverse("hours:me")
    rows = []
    sizes = {}
    heavy_sql: list[str] = []
    for who in ("typical", "heavy"):
        user = User.objects.get(username=who)
        volunteer = user.volunteer
        count = HoursEntry.objects.filter(volunteer=volunteer).count()
        sizes[who] = count
        last = max((count - 1) // PAGE_SIZE, 0)

        def entries(user: Any = user) -> QuerySet[HoursEntry]:
            # As views.my_record builds it.
            return access.owned(
                HoursEntry.objects.select_related("organisation"), user, "volunteer__user"
            ).order_by("-started_at", "-pk")

        def service(volunteer: Any = volunteer, entries: Any = entries) -> None:
            from django.core.paginator import Paginator

            services.record_of(volunteer)
            list(Paginator(entries(), PAGE_SIZE).get_page(1))

        def bare(queries: tuple[str, ...], page: int, volunteer: Any = volunteer) -> None:
            with conn.cursor() as cur:
                for sql in queries:
                    cur.execute(
                        sql, {"v": volunteer.pk, "size": PAGE_SIZE, "offset": page * PAGE_SIZE}
                    )
                    cur.fetchall()

        with counting() as seen:
            service()
        rows.append(
            {
                "what": f"record_of + entries query, {who} ({count:,} entries)",
                "django_s": median_time(service, REPEAT, WARMUP),
                "bare_s": median_time(lambda: bare(BARE_RECORD, 0), REPEAT, WARMUP),
                "queries": len(seen),
                "bare_queries": len(BARE_RECORD),
            }
        )
        client = Client()
        client.force_login(user)
        for page in [0, last] if who == "heavy" and last else [0]:
            path = f"{url}?page={page + 1}" if page else url

            def get(client: Client = client, path: str = path) -> None:
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} answered {response.status_code}.")

            with counting() as seen:
                get()
            if who == "heavy" and page == 0:
                heavy_sql = [short_sql(sql, 160) for sql in seen]
            rows.append(
                {
                    "what": f"page {url}?page={page + 1}, {who}",
                    "django_s": median_time(get, REPEAT, WARMUP),
                    "bare_s": median_time(lambda page=page: bare(BARE_PAGE, page), REPEAT, WARMUP),
                    "queries": len(seen),
                    "bare_queries": len(BARE_PAGE),
                }
            )
    conn.close()
    return {
        "rows": rows,
        "page_size": PAGE_SIZE,
        "typical_entries": sizes["typical"],
        "heavy_entries": sizes["heavy"],
        "heavy_queries": len(heavy_sql),
        "heavy_sql": heavy_sql,
    }


# --- confirming claims ---------------------------------------------------------------------


def claim_ids(cur: Any, shift: int) -> list[int]:
    cur.execute(
        "SELECT c.id FROM hours_hoursclaim c JOIN activities_attendance a"
        " ON a.id = c.attendance_id WHERE a.shift_id = %s ORDER BY c.id",
        [shift],
    )
    return [row[0] for row in cur.fetchall()]


def child_confirm(seed: dict[str, Any]) -> dict[str, Any]:
    """One batch through services.claims_confirm, one in bare SQL a transaction per claim,
    one as a single set-based statement."""
    from leifeng.accounts.models import User
    from leifeng.hours import services
    from leifeng.hours.models import HoursClaim

    conn = bare_connection()
    shifts = seed["shifts"]
    staff = User.objects.get(username="staff")
    with conn.cursor() as cur:
        ids = {batch: claim_ids(cur, shifts[batch]) for batch in BATCHES}
    conn.commit()

    # As views.claims_confirm loads them, before the service runs.
    claims = list(HoursClaim.objects.filter(pk__in=ids["django"]).order_by("pk"))
    with counting() as seen:
        start = time.perf_counter()
        result = services.claims_confirm(actor=staff, claims=claims)
        seconds = time.perf_counter() - start
    refusals = sorted({reason for _claim, reason in result.refused})[:5]
    first = next(
        (i for i, sql in enumerate(seen) if sql.startswith('UPDATE "hours_hoursclaim"')),
        len(seen) - 1,
    )
    django = {
        "seconds": seconds,
        "confirmed": len(result.confirmed),
        "refused": len(result.refused),
        "refusals": refusals,
        "queries": len(seen),
        "first_sql": [short_sql(sql, 160) for sql in seen[: first + 1]],
    }
    bare = confirm_bare(conn, ids["bare"], staff.pk)
    setwise = confirm_set(conn, ids["set"], staff.pk)
    conn.close()
    return {"django": django, "bare": bare, "set": setwise}


CLAIM_FOR_UPDATE = (
    "SELECT c.status, c.volunteer_id, c.organisation_id, c.started_at, c.ended_at,"
    " c.proposed_hours, a.id, a.title, a.address FROM hours_hoursclaim c"
    " JOIN activities_attendance at ON at.id = c.attendance_id"
    " JOIN activities_shift s ON s.id = at.shift_id"
    " JOIN activities_activity a ON a.id = s.activity_id"
    " WHERE c.id = %s FOR UPDATE OF c"
)
OVERLAPS = (
    "SELECT e.id FROM hours_hoursentry e LEFT JOIN hours_hoursentry r ON r.reverses_id = e.id"
    " WHERE e.volunteer_id = %s AND e.kind = 'credit' AND r.id IS NULL"
    " AND e.started_at < %s AND e.ended_at > %s ORDER BY e.started_at"
)


def confirm_bare(conn: Any, ids: list[int], actor: int) -> dict[str, Any]:
    """claim_confirm's work in psycopg, one transaction per claim."""
    confirmed = queries = 0
    start = time.perf_counter()
    with conn.cursor() as cur:
        for claim in ids:
            with conn.transaction():
                cur.execute(CLAIM_FOR_UPDATE, [claim])
                status, volunteer, org, starts, ends, hours, activity, title, address = (
                    cur.fetchone()
                )
                queries += 1
                if status != "pending":
                    continue
                cur.execute(
                    "SELECT id FROM volunteers_volunteer WHERE id = %s FOR UPDATE", [volunteer]
                )
                cur.execute(
                    "SELECT total FROM hours_volunteerhours WHERE volunteer_id = %s", [volunteer]
                )
                cur.fetchone()
                cur.execute(OVERLAPS, [volunteer, ends, starts])
                queries += 3
                if cur.fetchall():
                    continue
                cur.execute(
                    f"INSERT INTO hours_hoursentry ({ENTRY_COLUMNS}) VALUES (%s, %s, %s, %s, %s,"
                    " %s, %s, '', now(), %s, %s, %s, NULL, %s) RETURNING id",
                    [
                        "credit",
                        "attendance",
                        title,
                        address,
                        starts,
                        ends,
                        hours,
                        activity,
                        org,
                        actor,
                        volunteer,
                    ],
                )
                entry = cur.fetchone()[0]
                cur.execute(
                    "UPDATE hours_volunteerhours SET total = total + %s WHERE volunteer_id = %s",
                    [hours, volunteer],
                )
                cur.execute(
                    "UPDATE hours_hoursclaim SET status = 'confirmed', entry_id = %s, reason = '',"
                    " decided_by_id = %s, decided_at = now() WHERE id = %s",
                    [entry, actor, claim],
                )
                queries += 3
                confirmed += 1
    return {"seconds": time.perf_counter() - start, "confirmed": confirmed, "queries": queries}


CONFIRM_SET = f"""
WITH c AS (
    SELECT c.id, c.volunteer_id, c.organisation_id, c.started_at, c.ended_at,
           c.proposed_hours, a.id AS activity_id, a.title, a.address
    FROM hours_hoursclaim c
    JOIN activities_attendance at ON at.id = c.attendance_id
    JOIN activities_shift s ON s.id = at.shift_id
    JOIN activities_activity a ON a.id = s.activity_id
    WHERE c.id = ANY(%(ids)s) AND c.status = 'pending'
    ORDER BY c.id FOR UPDATE OF c
), v AS (
    SELECT id FROM volunteers_volunteer WHERE id IN (SELECT volunteer_id FROM c)
    ORDER BY id FOR UPDATE
), ok AS (
    SELECT c.*, nextval(pg_get_serial_sequence('hours_hoursentry', 'id')) AS entry_id
    FROM c JOIN v ON v.id = c.volunteer_id
    WHERE NOT EXISTS (
        SELECT FROM hours_hoursentry e
        WHERE e.volunteer_id = c.volunteer_id AND e.kind = 'credit'
          AND e.started_at < c.ended_at AND e.ended_at > c.started_at
          AND NOT EXISTS (SELECT FROM hours_hoursentry r WHERE r.reverses_id = e.id))
), entries AS (
    INSERT INTO hours_hoursentry (id, {ENTRY_COLUMNS})
    SELECT entry_id, 'credit', 'attendance', title, address, started_at, ended_at,
           proposed_hours, '', now(), activity_id, organisation_id, %(actor)s, NULL,
           volunteer_id
    FROM ok
), totals AS (
    INSERT INTO hours_volunteerhours (volunteer_id, total)
    SELECT volunteer_id, SUM(proposed_hours) FROM ok GROUP BY volunteer_id
    ON CONFLICT (volunteer_id)
    DO UPDATE SET total = hours_volunteerhours.total + EXCLUDED.total
)
UPDATE hours_hoursclaim SET status = 'confirmed', entry_id = ok.entry_id, reason = '',
       decided_by_id = %(actor)s, decided_at = now()
FROM ok WHERE hours_hoursclaim.id = ok.id
"""


def confirm_set(conn: Any, ids: list[int], actor: int) -> dict[str, Any]:
    """The whole batch in one statement: for reference only (it does not check claims of the
    same volunteer in one batch against each other, and one refusal has no message)."""
    start = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(CONFIRM_SET, {"ids": ids, "actor": actor})
        confirmed = cur.rowcount
    return {"seconds": time.perf_counter() - start, "confirmed": confirmed}


# --- hours verify --------------------------------------------------------------------------

VERIFY_BARE = """
SELECT coalesce(t.volunteer_id, l.volunteer_id), coalesce(t.total, 0), coalesce(l.ledger, 0)
FROM hours_volunteerhours t
FULL OUTER JOIN (SELECT volunteer_id, SUM(hours) AS ledger FROM hours_hoursentry
                 GROUP BY volunteer_id) l ON l.volunteer_id = t.volunteer_id
WHERE coalesce(t.total, 0) <> coalesce(l.ledger, 0)
ORDER BY 1
"""


def child_verify() -> dict[str, Any]:
    """services.hours_verify first (this process's peak RSS is then its own), then the bare
    query."""
    from leifeng.hours import services
    from leifeng.hours.models import VolunteerHours

    rows = VolunteerHours.objects.count()
    start_mb = rss_mb()
    with counting() as seen:
        start = time.perf_counter()
        mismatches = services.hours_verify()
        django_s = time.perf_counter() - start
    peak_mb = rss_mb()
    conn = bare_connection()
    with conn.cursor() as cur:
        start = time.perf_counter()
        cur.execute(VERIFY_BARE)
        bare_rows = cur.fetchall()
        bare_s = time.perf_counter() - start
    conn.close()
    return {
        "rows": rows,
        "django_s": django_s,
        "queries": len(seen),
        "mismatches": len(mismatches),
        "start_mb": start_mb,
        "peak_mb": peak_mb,
        "bare_s": bare_s,
        "bare_mismatches": len(bare_rows),
    }


def child_certificates() -> dict[str, Any]:
    """PDFs per second: issue and render for the typical volunteer, render alone, and bare
    reportlab with the same font as the floor."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from leifeng.accounts.models import User
    from leifeng.hours import certificates, pdf

    user = User.objects.get(username="typical")
    volunteer = user.volunteer
    url = "https://example.org/hours/verify/ZA-20261129-000000-0/"

    def issue_and_render() -> bytes:
        issued = certificates.certificate_issue(actor=user, volunteer=volunteer)
        return certificates.certificate_document(issued, url)

    with counting() as seen:
        document = issue_and_render()
    issued = volunteer.certificates.first()
    data = certificates.certificate_data(issued, url)
    lines = [
        f"{r.started_at:%Y-%m-%d %H:%M} {r.content} {r.place} {r.hours} {r.recorded_by}"
        for r in data.records
    ] + [data.volunteer_name, data.number, data.issuer, data.verify_url]

    def floor() -> bytes:
        pdf._register_font()
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        canvas.setFont(pdf.FONT, 10)
        for index, line in enumerate(lines):
            canvas.drawString(40, 800 - 14 * index, line)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    few = max(REPEAT // 3, 5)
    return {
        "records": len(data.records),
        "queries": len(seen),
        "pdf_kb": len(document) / 1024,
        "issue_s": median_time(issue_and_render, few, WARMUP),
        "render_s": median_time(lambda: pdf.render_certificate(data), few, WARMUP),
        "floor_s": median_time(floor, few, WARMUP),
    }


if __name__ == "__main__":
    main()
