"""Benchmark: sign-up under load through a real server, and the public activity list.

    .venv/bin/python -m bench.activities_signup            # also run by `make bench`
    BENCH_SECONDS=5 BENCH_VOLUNTEERS=2000 BENCH_ACTIVITIES=10000 \
        .venv/bin/python -m bench.activities_signup        # a quick run

On PostgreSQL (a fresh database named leifeng_bench_signup_<pid>, dropped at the end; those
of killed runs are dropped at the start) it seeds volunteers, each with an account and an API
token, and published activities, then starts the production server as `leifeng serve` runs it
(gunicorn, sync workers, DEBUG off) and measures:

* sign-up under load: N concurrent clients (asyncio, one connection each) POST
  /api/v1/activities/shifts/{id}/signup for BENCH_SECONDS, each time as a random volunteer
  (Authorization: Bearer <token>) to one of a few "hot" five-place shifts, about
  BENCH_CLIENTS_PER_SHIFT clients per shift, so that the last places are fought over. A shift
  that answered "waitlisted" is full and makes way for the next, as people move on to another
  shift. Sign-ups per second (201: confirmed or waitlisted), refusals by code, p50/p99 latency;
* the limit: the same transaction as bare SQL (psycopg, no Django, no HTTP) from N
  connections on the same kind of hot shifts for the same time, in BENCH_BARE_PROCESSES
  processes, as services.signup_create runs it: lock the volunteer, lock the shift, read its
  activity and the skills it requires, look for an overlapping sign-up, `UPDATE ... SET
  confirmed = confirmed + 1 WHERE confirmed < quota`, insert the sign-up, commit (no token
  look-up: that is the API's). Printed as the ratio Django-over-HTTP ÷ bare SQL;
* for reference, GET /api/v1/me with a token (its look-up and the user's roles, no
  transaction): about the most any token-authenticated request reaches on the machine;
* one sign-up in-process (Django's test client, the whole middleware): its queries, listed,
  and its Python CPU time;
* afterwards, in SQL: no shift over its quota, every shift's `confirmed` equal to its
  confirmed sign-ups, nobody twice on a shift, nobody waitlisted on a shift with a free place;
* the list page /activities/ among BENCH_ACTIVITIES published activities: requests per
  second, one client and BENCH_LIST_CLIENTS at once, for page 1, page 50 and ?line=, beside a
  static file through the same server (the floor); and the number of queries per request,
  counted in-process (CaptureQueriesContext), for near and far pages and each filter.

Figures are printed, never asserted: they are ratios to a baseline measured in the same run.
The first BENCH_WARMUP seconds of every load phase are not counted. Everything (server,
clients, PostgreSQL) shares this machine's CPUs, as on a single-server deployment.

Settings (environment):
  BENCH_SECONDS             measured seconds per load phase (20)
  BENCH_CLIENTS             concurrent clients, comma-separated (16,64)
  BENCH_CLIENTS_PER_SHIFT   clients per hot shift (4)
  BENCH_WARMUP              seconds before each phase's measurement starts (2)
  BENCH_VOLUNTEERS          volunteers, each with an account and a token (20000)
  BENCH_ACTIVITIES          published activities for the list page (100000)
  BENCH_WORKERS             gunicorn workers (LEIFENG_WORKERS, else 3: leifeng serve's default)
  BENCH_BARE_PROCESSES      processes running the bare-SQL connections (number of CPUs)
  BENCH_LIST_SECONDS        seconds per list-page measurement (4)
  BENCH_LIST_CLIENTS        concurrent clients for the list page (16)
  BENCH_POSTGRES_URL        a database to connect to for CREATE/DROP DATABASE
                            (postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_BARE_LOCK_SHIFT=0   the bare SQL reads the shift without FOR UPDATE (the place is
                            still taken by the conditional UPDATE), to see what the lock costs
  BENCH_PROFILE=1           also run 300 sign-ups in one process under cProfile and print
                            where the time goes
  BENCH_KEEP=1              keep the temporary directory and the database (until the next run)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    activity_data,
    child_args,
    connect_admin,
    django_env,
    finish_child,
    load,
    median_time,
    print_table,
    profile_text,
    run_child,
    run_step,
    say,
    scratch_database,
    seed_org,
    server_version,
    short_sql,
    start_child,
    work_dir,
)

MODULE = "bench.activities_signup"
SECONDS = float(os.environ.get("BENCH_SECONDS") or 20)
CLIENTS = [int(n) for n in (os.environ.get("BENCH_CLIENTS") or "16,64").split(",")]
PER_SHIFT = int(os.environ.get("BENCH_CLIENTS_PER_SHIFT") or 4)
WARMUP = float(os.environ.get("BENCH_WARMUP") or 2)
VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS") or 20_000)
ACTIVITIES = int(os.environ.get("BENCH_ACTIVITIES") or 100_000)
CPUS = os.cpu_count() or 1
# As `leifeng serve` runs by default. On 2 CPUs shared with PostgreSQL, 3 did at least as
# well as gunicorn's 2 × CPUs + 1 (5) and better than 9 in this benchmark.
WORKERS = int(os.environ.get("BENCH_WORKERS") or os.environ.get("LEIFENG_WORKERS") or 3)
BARE_PROCESSES = int(os.environ.get("BENCH_BARE_PROCESSES") or CPUS)
LIST_SECONDS = float(os.environ.get("BENCH_LIST_SECONDS") or 4)
LIST_CLIENTS = int(os.environ.get("BENCH_LIST_CLIENTS") or 16)
DB_PREFIX = "leifeng_bench_signup_"  # and the process id
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
LOCK_SHIFT = os.environ.get("BENCH_BARE_LOCK_SHIFT", "1") == "1"

GOAL_SHARE = 1 / 3  # of the bare-SQL rate
GOAL_P99_MS = 100
QUOTA = 5
SIGNUP_ACTIVITIES = 100  # the activities whose shifts are signed up to
SHIFT_MINUTES = 10  # contended shifts follow one another, so only the same shift overlaps
# Enough shifts per phase for 8,000 confirmed sign-ups a second; then every try waits.
SHIFTS_PER_PHASE = int((SECONDS + WARMUP) * 8_000 / QUOTA)
PROBE_SHIFTS = 2_000  # for the in-process query count and profile
SIGNUP_PATH = "/api/v1/activities/shifts/{}/signup"
SIGNUP_BODY = b'{"risk_notice_read": true}'
STATIC_PATH = "/static/leifeng/site.css"


def main() -> None:
    if (args := child_args()) is not None:
        steps: dict[str, Callable[..., Any]] = {
            "setup": child_setup,
            "queries": child_queries,
            "bare": child_bare,
        }
        run_step(steps, args, without_django={"bare"})  # the limit runs without Django
        return
    with work_dir("leifeng-bench-signup-") as work:
        say(
            f"Leifeng sign-up and activity-list benchmark: {VOLUNTEERS:,} volunteers, "
            f"{ACTIVITIES:,} activities, {SECONDS:g} s per phase, clients {CLIENTS}; "
            f"{CPUS} CPUs, Python {sys.version.split()[0]}; work dir {work}; {load()}"
        )
        admin = connect_admin()
        if admin is None:
            return
        with admin, scratch_database(admin, DB_PREFIX) as url:
            run(django_env(work, DATABASE_URL=url), url, work)


def run(env: dict[str, str], url: str, work: Path) -> None:
    """Seed the database at `url`, start the server, measure, stop it, print the report."""
    say("Seeding ...")
    setup = run_child(MODULE, env, "setup", data=str(work / "data.json"))
    say(
        f"  {setup['server']}; migrated in {setup['migrate_s']:.1f} s; "
        f"{setup['volunteers']:,} volunteers with accounts and tokens in "
        f"{setup['volunteers_s']:.1f} s; {setup['activities']:,} published activities and "
        f"{setup['shifts']:,} shifts in {setup['activities_s']:.1f} s"
    )
    data = json.loads((work / "data.json").read_text())
    mounted = setup["mounted"]
    if not mounted:
        say(
            f"  The sign-up endpoint {SIGNUP_PATH.format('{id}')} is not mounted "
            "(leifeng/activities/api.py in config/api.py): its figures are skipped."
        )
    say("Counting queries in-process ...")
    queries = run_child(MODULE, env, "queries", data=str(work / "data.json"), mounted=mounted)
    port = free_port()
    say(f"Starting the server: leifeng serve, {WORKERS} gunicorn sync workers ...")
    server, server_line = start_server(env, port, work)
    try:
        results: dict[str, Any] = {"setup": setup, "queries": queries, "server_line": server_line}
        say(f"  {server_line}")
        results["list"] = measure_list(port, data)
        results["api_floor"] = measure_api_floor(port, data["tokens"])
        shift_ids = data["shifts"]
        phases = []
        for index, clients in enumerate(CLIENTS):
            first = PROBE_SHIFTS + 2 * index * SHIFTS_PER_PHASE
            django_ids = shift_ids[first : first + SHIFTS_PER_PHASE]
            bare_ids = shift_ids[first + SHIFTS_PER_PHASE : first + 2 * SHIFTS_PER_PHASE]
            phase: dict[str, Any] = {"clients": clients}
            if mounted:
                say(f"Sign-up through the server, {clients} clients ...")
                phase["django"] = run_http_signups(port, data["tokens"], django_ids, clients)
                phase["django"]["check"] = check_shifts(url, django_ids)
                say(f"  {fmt_phase(phase['django'])}")
            say(f"Sign-up as bare SQL, {clients} connections ...")
            phase["bare"] = run_bare(env, url, data["volunteer_ids"], bare_ids, clients)
            phase["bare"]["check"] = check_shifts(url, bare_ids)
            say(f"  {fmt_phase(phase['bare'])}")
            phases.append(phase)
        results["phases"] = phases
        results["check"] = check_shifts(url, None)
        results["load"] = load()
    finally:
        stop_server(server)
    report(results)


# --- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`leifeng serve` as production runs it (no migrations: done; no job worker: sign-ups
    enqueue nothing), its access log to a file; ready once it serves a static file."""
    import gunicorn

    log = (work / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "leifeng",
            "serve",
            "--no-migrate",
            "--no-worker",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the workers stop with it
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"The server stopped; see {work / 'server.log'}.")
        try:
            status, _body = asyncio.run(Http("127.0.0.1", port).request("GET", STATIC_PATH))
            if status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        stop_server(process)
        raise SystemExit("The server did not answer within 2 minutes.")
    line = (
        f"gunicorn {gunicorn.__version__}, {WORKERS} sync workers (one request at a time each, "
        f"the connection closed after it, as behind nginx), DEBUG off, CONN_MAX_AGE 60 with "
        "health checks"
    )
    return process, line


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group started above, nothing else
        process.wait()


# --- the HTTP clients ----------------------------------------------------------------------


class Http:
    """A minimal HTTP/1.1 client on asyncio streams (neither httpx nor aiohttp is installed,
    and threads would spend the CPUs the server needs): keeps the connection while the
    server does, reconnects when it closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> tuple[int, bytes]:
        try:
            return await self._request(method, path, headers or {}, body)
        except BaseException:
            self.close()
            raise

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip().lower()
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readexactly(2)
            await self.reader.readuntil(b"\r\n")
            data = b"".join(chunks)
        else:
            data = await self.reader.read()
            fields["connection"] = "close"
        if fields.get("connection") == "close" or lines[0].startswith("HTTP/1.0"):
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class HotSet:
    """The shifts clients sign up to, `size` at a time. A shift that answered 'waitlisted'
    is full and makes way for the next one."""

    def __init__(self, ids: list[int], size: int) -> None:
        self.ids = ids
        self.window = list(ids[:size])
        self.next = len(self.window)
        self.exhausted = False
        self.lock = threading.Lock()

    def pick(self) -> int:
        return random.choice(self.window)

    def full(self, shift_id: int) -> None:
        with self.lock:
            try:
                index = self.window.index(shift_id)
            except ValueError:
                return  # another client already moved on
            if self.next < len(self.ids):
                self.window[index] = self.ids[self.next]
                self.next += 1
            else:
                self.exhausted = True  # from here on every try is waitlisted


class Tally:
    """What a load phase counted inside its measured window."""

    def __init__(self, start: float) -> None:
        self.measure_from = start + WARMUP
        self.measure_to = self.measure_from + SECONDS
        self.latencies: list[float] = []
        self.outcomes: dict[str, int] = {}

    def add(self, started: float, finished: float, outcome: str) -> None:
        if started >= self.measure_from and finished <= self.measure_to:
            self.latencies.append((finished - started) * 1000)
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def result(self, hot: HotSet) -> dict[str, Any]:
        return {
            "seconds": SECONDS,
            "latencies": self.latencies,
            "outcomes": self.outcomes,
            "shifts_used": hot.next,
            "exhausted": hot.exhausted,
        }


def run_http_signups(
    port: int, tokens: list[str], shift_ids: list[int], clients: int
) -> dict[str, Any]:
    hot = HotSet(shift_ids, max(1, clients // PER_SHIFT))

    async def client(tally: Tally, stop: float) -> None:
        http = Http("127.0.0.1", port)
        while (started := time.perf_counter()) < stop:
            shift = hot.pick()
            token = random.choice(tokens)
            try:
                status, body = await http.request(
                    "POST",
                    SIGNUP_PATH.format(shift),
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                    SIGNUP_BODY,
                )
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                tally.add(started, time.perf_counter(), f"error: {type(exc).__name__}")
                continue
            finished = time.perf_counter()
            outcome = f"HTTP {status}"
            try:
                answer = json.loads(body)
                if status == 201:
                    outcome = str(answer["status"])
                elif status in (403, 409, 422):
                    outcome = f"refused: {answer['code']}"
            except (ValueError, KeyError, TypeError):
                pass
            if outcome == "waitlisted":
                hot.full(shift)
            tally.add(started, finished, outcome)

    async def run() -> dict[str, Any]:
        tally = Tally(time.perf_counter())
        await asyncio.gather(*(client(tally, tally.measure_to) for _ in range(clients)))
        return tally.result(hot)

    return asyncio.run(run())


def measure_list(port: int, data: dict[str, Any]) -> list[dict[str, Any]]:
    """GET requests per second: the floor (a static file), then the list page."""
    cases = [
        ("static file (the floor)", STATIC_PATH),
        ("/activities/", "/activities/"),
        ("/activities/?page=50", "/activities/?page=50"),
        ("/activities/?line=city", "/activities/?line=city"),
        ("/activities/?line=city&page=50", "/activities/?line=city&page=50"),
    ]
    rows = []
    for label, path in cases:
        for clients in (1, LIST_CLIENTS):
            say(f"GET {label}, {clients} client{'s' if clients > 1 else ''} ...")
            row = {"label": label, "clients": clients, **run_gets(port, path, clients)}
            say(
                f"  {row['rate']:,.0f} requests/s, p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms"
            )
            rows.append(row)
    return rows


def measure_api_floor(port: int, tokens: list[str]) -> dict[str, Any]:
    """The most a token-authenticated API request does here: GET /api/v1/me (the token's
    look-up and the user's roles, no transaction) as a random volunteer."""
    say(f"GET /api/v1/me with a token, {LIST_CLIENTS} clients ...")
    row = run_gets(port, "/api/v1/me", LIST_CLIENTS, tokens)
    say(f"  {row['rate']:,.0f} requests/s, p50 {row['p50']:.1f} ms, p99 {row['p99']:.1f} ms")
    return row


def run_gets(port: int, path: str, clients: int, tokens: list[str] | None = None) -> dict[str, Any]:
    async def client(latencies: list[float], statuses: set[int], start: float) -> None:
        http = Http("127.0.0.1", port)
        stop = start + LIST_SECONDS + 1
        while (started := time.perf_counter()) < stop:
            headers = {"Authorization": f"Bearer {random.choice(tokens)}"} if tokens else {}
            status, _body = await http.request("GET", path, headers)
            finished = time.perf_counter()
            statuses.add(status)
            if started >= start + 1 and finished <= stop:  # one second to warm up
                latencies.append((finished - started) * 1000)

    async def run() -> tuple[list[float], set[int]]:
        latencies: list[float] = []
        statuses: set[int] = set()
        start = time.perf_counter()
        await asyncio.gather(*(client(latencies, statuses, start) for _ in range(clients)))
        return latencies, statuses

    latencies, statuses = asyncio.run(run())
    if statuses != {200}:
        raise SystemExit(f"GET {path} answered {sorted(statuses)}, not only 200.")
    return {"rate": len(latencies) / LIST_SECONDS, **percentiles(latencies)}


def percentiles(latencies: list[float]) -> dict[str, float]:
    if len(latencies) < 2:
        return {"p50": float("nan"), "p99": float("nan")}
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"p50": cuts[49], "p99": cuts[98]}


# --- the bare-SQL limit --------------------------------------------------------------------

LOCK_VOLUNTEER = "SELECT * FROM volunteers_volunteer WHERE id = %s FOR UPDATE"
# As services.signup_create: the shift locked, then its activity read on its own (so that a
# cancel committed while waiting for the lock is seen), and the skills the activity requires.
READ_SHIFT = "SELECT * FROM activities_shift WHERE id = %s" + (" FOR UPDATE" if LOCK_SHIFT else "")
READ_ACTIVITY = "SELECT * FROM activities_activity WHERE id = %s"
READ_SKILLS = (
    "SELECT k.id, k.name FROM volunteers_skill k"
    " JOIN activities_activity_skills a ON a.skill_id = k.id WHERE a.activity_id = %s"
)
OVERLAP = (
    "SELECT g.id, g.shift_id FROM activities_signup g"
    " JOIN activities_shift s ON s.id = g.shift_id"
    " WHERE g.volunteer_id = %s AND g.status IN ('confirmed', 'waitlisted')"
    " AND s.starts_at < %s AND s.ends_at > %s"
)
TAKE_PLACE = (
    "UPDATE activities_shift SET confirmed = confirmed + 1 WHERE id = %s AND confirmed < quota"
)
INSERT_SIGNUP = (
    "INSERT INTO activities_signup (shift_id, volunteer_id, status, created_at,"
    " risk_notice_read_at, confirmed_at, cancelled_at, cancel_reason, cancelled_by_id)"
    " VALUES (%s, %s, %s, now(), now(), CASE WHEN %s THEN now() END, NULL, '', NULL)"
    " RETURNING id"
)
BARE_SQL = (
    LOCK_VOLUNTEER,
    READ_SHIFT,
    READ_ACTIVITY,
    READ_SKILLS,
    OVERLAP,
    TAKE_PLACE,
    INSERT_SIGNUP,
)


def run_bare(
    env: dict[str, str], url: str, volunteer_ids: list[int], shift_ids: list[int], clients: int
) -> dict[str, Any]:
    """`clients` connections spread over BARE_PROCESSES processes (one Python process would
    be held back by its GIL); each process has its own share of the hot shifts."""
    processes = max(1, min(BARE_PROCESSES, clients))
    start_at = time.time() + 3  # every connection open before anyone starts
    children = [
        start_child(
            MODULE,
            env,
            "bare",
            url=url,
            volunteer_ids=volunteer_ids,
            shift_ids=shift_ids[p::processes],
            connections=clients // processes + (p < clients % processes),
            hot=max(1, clients // PER_SHIFT // processes),
            start_at=start_at,
        )
        for p in range(processes)
    ]
    merged: dict[str, Any] = {"latencies": [], "outcomes": {}, "shifts_used": 0}
    merged.update(seconds=SECONDS, exhausted=False)
    for process in children:
        part = finish_child(process, "A bare-SQL process")
        merged["latencies"] += part["latencies"]
        merged["shifts_used"] += part["shifts_used"]
        merged["exhausted"] = merged["exhausted"] or part["exhausted"]
        for outcome, count in part["outcomes"].items():
            merged["outcomes"][outcome] = merged["outcomes"].get(outcome, 0) + count
    return merged


def child_bare(
    url: str,
    volunteer_ids: list[int],
    shift_ids: list[int],
    connections: int,
    hot: int,
    start_at: float,
) -> dict[str, Any]:
    """The sign-up transaction in psycopg, from `connections` threads."""
    import psycopg
    from psycopg import errors

    hot_set = HotSet(shift_ids, hot)
    wait = start_at - time.time()
    start = time.perf_counter() + max(wait, 0)
    tally = Tally(start)
    conns = [psycopg.connect(url) for _ in range(connections)]

    def sign_up(conn: psycopg.Connection, volunteer: int, shift: int) -> str:
        with conn.cursor() as cur:
            cur.execute(LOCK_VOLUNTEER, (volunteer,))
            cur.fetchone()
            cur.execute(READ_SHIFT, (shift,))
            row = cur.fetchone()
            assert row is not None and cur.description is not None
            names = [column.name for column in cur.description]
            starts_at, ends_at = row[names.index("starts_at")], row[names.index("ends_at")]
            cur.execute(READ_ACTIVITY, (row[names.index("activity_id")],))
            cur.fetchone()
            cur.execute(READ_SKILLS, (row[names.index("activity_id")],))
            if cur.fetchall():
                raise SystemExit("The benchmark's activities require no skills.")
            cur.execute(OVERLAP, (volunteer, ends_at, starts_at))
            if cur.fetchall():
                conn.rollback()
                return "refused: conflict"
            cur.execute(TAKE_PLACE, (shift,))
            took = cur.rowcount == 1
            status = "confirmed" if took else "waitlisted"
            try:
                cur.execute(INSERT_SIGNUP, (shift, volunteer, status, took))
                cur.fetchone()
            except errors.UniqueViolation:
                conn.rollback()
                return "refused: conflict"
        conn.commit()
        return status

    def worker(conn: psycopg.Connection) -> None:
        time.sleep(max(start - time.perf_counter(), 0))
        while (started := time.perf_counter()) < tally.measure_to:
            shift = hot_set.pick()
            outcome = sign_up(conn, random.choice(volunteer_ids), shift)
            if outcome == "waitlisted":
                hot_set.full(shift)
            tally.add(started, time.perf_counter(), outcome)

    threads = [threading.Thread(target=worker, args=(conn,)) for conn in conns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for conn in conns:
        conn.close()
    return tally.result(hot_set)


# --- checking the database afterwards ------------------------------------------------------


def check_shifts(url: str, shift_ids: list[int] | None) -> dict[str, int]:
    """Counts that must all be 0 but `contended` (shifts with someone waiting)."""
    import psycopg

    where = "WHERE s.id = ANY(%(ids)s)" if shift_ids is not None else ""
    sql = f"""
        WITH counts AS (
            SELECT s.id, s.quota, s.confirmed,
                   count(g.id) FILTER (WHERE g.status = 'confirmed') AS confirmed_rows,
                   count(g.id) FILTER (WHERE g.status = 'waitlisted') AS waiting_rows
            FROM activities_shift s LEFT JOIN activities_signup g ON g.shift_id = s.id
            {where}
            GROUP BY s.id
        )
        SELECT
            count(*) FILTER (WHERE confirmed > quota OR confirmed_rows > quota),
            count(*) FILTER (WHERE confirmed <> confirmed_rows),
            count(*) FILTER (WHERE waiting_rows > 0 AND confirmed < quota),
            count(*) FILTER (WHERE waiting_rows > 0),
            count(*) FILTER (WHERE confirmed = quota)
        FROM counts
    """
    twice = """
        SELECT count(*) FROM (
            SELECT 1 FROM activities_signup g
            WHERE g.status IN ('confirmed', 'waitlisted') {and_ids}
            GROUP BY g.shift_id, g.volunteer_id HAVING count(*) > 1
        ) t
    """.format(and_ids="AND g.shift_id = ANY(%(ids)s)" if shift_ids is not None else "")
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, {"ids": shift_ids}).fetchone()
        twice_row = conn.execute(twice, {"ids": shift_ids}).fetchone()
    assert row is not None and twice_row is not None
    return {
        "overbooked": row[0],
        "count_mismatch": row[1],
        "waiting_with_room": row[2],
        "contended": row[3],
        "full": row[4],
        "twice": twice_row[0],
    }


# --- the report ----------------------------------------------------------------------------


def signups(phase: dict[str, Any]) -> int:
    outcomes: dict[str, int] = phase["outcomes"]
    return outcomes.get("confirmed", 0) + outcomes.get("waitlisted", 0)


def fmt_phase(phase: dict[str, Any]) -> str:
    rate = signups(phase) / phase["seconds"]
    p = percentiles(phase["latencies"])
    outcomes = ", ".join(f"{name} {count:,}" for name, count in sorted(phase["outcomes"].items()))
    check = phase["check"]
    text = (
        f"{rate:,.0f} sign-ups/s, p50 {p['p50']:.1f} ms, p99 {p['p99']:.1f} ms ({outcomes}); "
        f"{phase['shifts_used']:,} shifts used, {check['full']:,} full, "
        f"{check['contended']:,} with someone waiting; overbooked shifts: {check['overbooked']}"
    )
    if phase["exhausted"]:
        text += " (ran out of shifts: every later try was waitlisted)"
    return text


def report(results: dict[str, Any]) -> None:
    setup, queries = results["setup"], results["queries"]
    say("")
    say(f"At the end: {results['load']} on {CPUS} CPUs (this benchmark's processes included).")
    say("=== Sign-up under load ===")
    say(f"Server: leifeng serve: {results['server_line']}. {setup['server']}.")
    say(
        f"Clients: asyncio, one connection each, a random volunteer of {setup['volunteers']:,} "
        f"each time, {PER_SHIFT} clients per hot {QUOTA}-place shift. Bare SQL: psycopg "
        f"{setup['psycopg']}, the same transaction from as many connections, in "
        f"{BARE_PROCESSES} processes."
    )
    say(
        f"Goal: at least {GOAL_SHARE:.0%} of the bare-SQL rate, p99 under {GOAL_P99_MS} ms, "
        "no overbooking. For scale, volunteer_planner: ~180 sign-ups/s, p99 ~200 ms, about "
        "half of its contended five-place shifts overbooked."
    )
    head = (
        "clients",
        "sign-ups/s",
        "p50",
        "p99",
        "bare SQL/s",
        "bare p99",
        "HTTP ÷ bare",
        f"≥{GOAL_SHARE:.0%}",
        f"p99<{GOAL_P99_MS}",
        "overbooked",
    )
    table: list[tuple[str, ...]] = [head]
    for phase in results["phases"]:
        bare = phase["bare"]
        bare_rate = signups(bare) / bare["seconds"]
        bare_p = percentiles(bare["latencies"])
        if "django" not in phase:
            bare_cells = (f"{bare_rate:,.0f}", f"{bare_p['p99']:.1f} ms")
            table.append((str(phase["clients"]), "not mounted", "", "", *bare_cells))
            continue
        django = phase["django"]
        rate = signups(django) / django["seconds"]
        p = percentiles(django["latencies"])
        share = rate / bare_rate if bare_rate else float("nan")
        table.append(
            (
                str(phase["clients"]),
                f"{rate:,.0f}",
                f"{p['p50']:.1f} ms",
                f"{p['p99']:.1f} ms",
                f"{bare_rate:,.0f}",
                f"{bare_p['p99']:.1f} ms",
                f"{share:.3f}× ({1 / share:.1f}× slower)" if share else "-",
                "yes" if share >= GOAL_SHARE else "no",
                "yes" if p["p99"] < GOAL_P99_MS else "no",
                str(django["check"]["overbooked"]),
            )
        )
    print_table(table)
    floor = results["api_floor"]
    say(
        f"For reference, GET /api/v1/me with a token (2 queries, no transaction) answers "
        f"{floor['rate']:,.0f} requests/s with {LIST_CLIENTS} clients (p50 {floor['p50']:.1f} ms, "
        f"p99 {floor['p99']:.1f} ms): about the most any token-authenticated request reaches here."
    )
    biggest = max(CLIENTS)
    say(
        "Each client waits for its answer before trying again, so the mean latency is about "
        f"clients ÷ rate: a p99 under {GOAL_P99_MS} ms with {biggest} clients needs more than "
        f"{biggest * 1000 // GOAL_P99_MS:,} sign-ups/s."
    )
    say("Outcomes in the measured windows:")
    for phase in results["phases"]:
        for kind in ("django", "bare"):
            if kind in phase:
                name = "HTTP" if kind == "django" else "bare SQL"
                outcomes = phase[kind]["outcomes"]
                say(
                    f"  {phase['clients']} clients, {name}: "
                    + ", ".join(f"{key} {count:,}" for key, count in sorted(outcomes.items()))
                )
    check = results["check"]
    say(
        f"Checked in SQL over every shift ({check['full']:,} full): "
        f"overbooked shifts: {check['overbooked']}; shifts whose count differs from their "
        f"confirmed sign-ups: {check['count_mismatch']}; volunteers twice on a shift: "
        f"{check['twice']}; shifts with someone waiting though a place is free: "
        f"{check['waiting_with_room']} ({check['contended']:,} shifts had someone waiting)."
    )
    if queries.get("signup"):
        signup = queries["signup"]
        say("")
        say(
            f"One sign-up in-process (Django test client, full middleware): "
            f"{signup['queries']} queries, {signup['cpu_ms']:.2f} ms of Python CPU and "
            f"{signup['wall_ms']:.2f} ms wall each (median of {signup['runs']} in a row); "
            f"the bare-SQL transaction sends {len(BARE_SQL) + 2} (BEGIN, {len(BARE_SQL)}, COMMIT)."
        )
        for sql in signup["sql"]:
            say(f"    {sql}")
    if queries.get("profile"):
        say("")
        say("Where a sign-up's time goes (cProfile, in-process, sorted by own time):")
        say(queries["profile"])

    say("")
    say(f"=== Activity list page among {setup['activities']:,} published activities ===")
    table = [("request", "clients", "requests/s", "p50", "p99", "÷ static file")]
    floor = {
        row["clients"]: row["rate"] for row in results["list"] if row["label"].startswith("static")
    }
    for row in results["list"]:
        table.append(
            (
                row["label"],
                str(row["clients"]),
                f"{row['rate']:,.0f}",
                f"{row['p50']:.1f} ms",
                f"{row['p99']:.1f} ms",
                f"{row['rate'] / floor[row['clients']]:.3f}×",
            )
        )
    print_table(table)
    say(
        "Queries per request, counted in-process (the page size is 20), and the request's "
        "time in-process (median of 3, one at a time):"
    )
    table = [("request", "anonymous", "", "logged-in volunteer", "")]
    for label, counts in queries["list"].items():
        table.append(
            (
                label,
                f"{counts['anonymous']} queries",
                f"{counts['anonymous_ms']:.1f} ms",
                f"{counts['volunteer']} queries",
                f"{counts['volunteer_ms']:.1f} ms",
            )
        )
    print_table(table)
    constant = all(len(set(group.values())) == 1 for group in queries["list_groups"].values())
    say(
        "The number of queries is the same on near and far pages of each filter: "
        + ("yes" if constant else "NO")
    )
    say("The page's queries (anonymous, page 50), with their time in-process:")
    for sql, ms in queries["list_sql"]:
        say(f"    {ms:6.2f} ms  {sql}")
    for sql, plan in queries["list_plans"]:
        say(f"  EXPLAIN ANALYZE {sql}")
        for line in plan:
            say(f"      {line}")


# --- the children: seeding, counting queries, bare SQL -------------------------------------


def child_setup(data: str) -> dict[str, Any]:
    """Migrate; an organisation, its volunteers with accounts and tokens, and published
    activities: one through the services, the rest copies of it written with COPY."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection
    from django.urls import Resolver404, resolve

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - start
    # Pages need the manifest with DEBUG off (leifeng serve collects again, finding it done).
    call_command("collectstatic", interactive=False, verbosity=0)
    server = server_version()
    start = time.perf_counter()
    org, actor = seed_org()
    volunteer_ids, tokens = seed_volunteers(org)
    volunteers_s = time.perf_counter() - start
    start = time.perf_counter()
    shift_count, shift_ids = seed_activities(org, actor)
    activities_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    try:
        resolve(SIGNUP_PATH.format(shift_ids[0]))
        mounted = True
    except Resolver404:
        mounted = False
    Path(data).write_text(
        json.dumps({"volunteer_ids": volunteer_ids, "tokens": tokens, "shifts": shift_ids})
    )
    connection.close()
    return {
        "server": server,
        "psycopg": psycopg.__version__,
        "migrate_s": migrate_s,
        "volunteers": len(volunteer_ids),
        "volunteers_s": volunteers_s,
        "activities": ACTIVITIES,
        "shifts": shift_count,
        "activities_s": activities_s,
        "mounted": mounted,
    }


def seed_volunteers(org: Any) -> tuple[list[int], list[str]]:
    """Volunteers as the import writes them (bench.volunteers_import's people), each with an
    account and a personal API token; returns their ids and tokens, in the same order."""
    from django.db import transaction
    from django.utils import timezone

    from bench.volunteers_import import prepared_volunteers
    from leifeng.accounts.models import AccessToken, User
    from leifeng.accounts.services import TOKEN_PREFIX, hash_token
    from leifeng.core.bulk import insert_rows
    from leifeng.volunteers.models import Volunteer

    now = timezone.now()
    with transaction.atomic():
        insert_rows(
            User,
            [User(username=f"v{i:06d}", password="!", date_joined=now) for i in range(VOLUNTEERS)],
        )
        users = dict(User.objects.filter(username__startswith="v").values_list("username", "pk"))
        volunteers = prepared_volunteers(VOLUNTEERS, org)
        for i, volunteer in enumerate(volunteers):
            volunteer.user_id = users[f"v{i:06d}"]
        insert_rows(Volunteer, volunteers)
        tokens = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in range(VOLUNTEERS)]
        insert_rows(
            AccessToken,
            [
                AccessToken(
                    user_id=users[f"v{i:06d}"],
                    name="benchmark",
                    prefix=token[:10],
                    token_hash=hash_token(token),
                )
                for i, token in enumerate(tokens)
            ],
        )
    by_user = dict(Volunteer.objects.values_list("user_id", "pk"))
    return [by_user[users[f"v{i:06d}"]] for i in range(VOLUNTEERS)], tokens


def seed_activities(org: Any, actor: Any) -> tuple[int, list[int]]:
    """ACTIVITIES published activities. The first SIGNUP_ACTIVITIES copies share the shifts
    that are signed up to, one every SHIFT_MINUTES; every other activity has one shift over
    the coming year. Returns the number of shifts and the signed-up-to shift ids in time
    order."""
    from datetime import datetime, timedelta

    from django.db import transaction
    from django.utils import timezone

    from leifeng.activities import services
    from leifeng.activities.models import Activity, Shift
    from leifeng.core.bulk import insert_rows
    from leifeng.core.campaign import CampaignLine
    from leifeng.regions.models import Region

    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    morning = datetime(today.year, today.month, today.day, 8, tzinfo=zone)
    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("path"))
    template = services.activity_save(
        actor=actor,
        organisation=org,
        data=activity_data(townships[0]),
    )
    services.shift_add(
        actor=actor,
        activity=template,
        starts_at=morning + timedelta(days=1),
        ends_at=morning + timedelta(days=1, hours=2),
        quota=QUOTA,
    )
    services.activity_publish(actor=actor, activity=template)
    template.refresh_from_db()
    copied = [
        f
        for f in Activity._meta.concrete_fields
        if not f.primary_key and f.name not in ("created_at", "updated_at")
    ]
    values = {f.attname: getattr(template, f.attname) for f in copied}
    lines = [line for line, _label in CampaignLine.choices]
    signup_shifts = PROBE_SHIFTS + 2 * len(CLIENTS) * SHIFTS_PER_PHASE
    first_signup = morning + timedelta(days=2)

    def signup_start(i: int) -> datetime:
        return first_signup + timedelta(minutes=SHIFT_MINUTES * i)

    def own_shift(i: int) -> tuple[datetime, datetime]:
        starts = morning + timedelta(days=1 + i % 365, hours=i % 10)
        return starts, starts + timedelta(hours=2)

    chunk = 10_000
    with transaction.atomic():
        for first in range(1, ACTIVITIES, chunk):
            rows = []
            for i in range(first, min(first + chunk, ACTIVITIES)):
                activity = Activity(**values)
                activity.title = f"{template.title}（第{i}场）"
                activity.campaign_line = lines[i % len(lines)]
                activity.township_id = townships[i % len(townships)].pk
                if i <= SIGNUP_ACTIVITIES:
                    last = signup_shifts - 1 - (signup_shifts - i) % SIGNUP_ACTIVITIES
                    activity.starts_at = signup_start(i - 1)
                    activity.ends_at = signup_start(last) + timedelta(minutes=SHIFT_MINUTES)
                else:
                    activity.starts_at, activity.ends_at = own_shift(i)
                rows.append(activity)
            insert_rows(Activity, rows)
        ids = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
        for first in range(1, len(ids), chunk):
            shifts = []
            for i in range(first, min(first + chunk, len(ids))):
                if i > SIGNUP_ACTIVITIES:
                    starts, ends = own_shift(i)
                    shifts.append(
                        Shift(activity_id=ids[i], starts_at=starts, ends_at=ends, quota=QUOTA)
                    )
            insert_rows(Shift, shifts)
        for first in range(0, signup_shifts, chunk):
            shifts = []
            for i in range(first, min(first + chunk, signup_shifts)):
                starts = signup_start(i)
                shifts.append(
                    Shift(
                        activity_id=ids[1 + i % SIGNUP_ACTIVITIES],
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=SHIFT_MINUTES),
                        quota=QUOTA,
                    )
                )
            insert_rows(Shift, shifts)
    signup_ids = list(
        Shift.objects.filter(activity_id__in=ids[1 : 1 + SIGNUP_ACTIVITIES])
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    return Shift.objects.count(), signup_ids


def child_queries(data: str, mounted: bool) -> dict[str, Any]:
    """Queries per request of the list page (anonymous and as a volunteer); with the
    endpoint mounted, one sign-up's queries and CPU time, and its profile if asked."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from leifeng.accounts.models import User
    from leifeng.activities.models import Activity
    from leifeng.regions.models import Region

    seeded = json.loads(Path(data).read_text())
    last_page = max(1, (ACTIVITIES + 19) // 20)
    day = timezone.localdate(Activity.objects.order_by("-pk")[0].starts_at)
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")[0]
    pages = {
        "page 1": "",
        "page 50": "page=50",
        "page 500": "page=500",
        "last page": f"page={last_page}",
    }
    filters = {
        "no filter": "",
        "line=city": "line=city",
        f"date={day}": f"date={day}",
        f"county={county.code}": f"county={county.pk}",
        "q=交通": "q=%E4%BA%A4%E9%80%9A",
    }
    anonymous = Client()
    volunteer = Client()
    volunteer.force_login(User.objects.get(username="v000000"))
    counts: dict[str, dict[str, float]] = {}
    groups: dict[str, dict[str, float]] = {}
    list_sql: list[tuple[str, float]] = []
    timings: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - start) * 1000)

    page_queries: list[str] = []
    for filter_label, filter_query in filters.items():
        for page_label, page_query in pages.items():
            if filter_label != "no filter" and page_label in ("page 500", "last page"):
                page_query = "page=9999"  # past the end: the last page of the filtered list
                page_label = "last page"
            query = "&".join(part for part in (filter_query, page_query) if part)
            path = "/activities/" + (f"?{query}" if query else "")
            label = f"{filter_label}, {page_label}"
            row: dict[str, float] = {}
            for who, client in (("anonymous", anonymous), ("volunteer", volunteer)):
                # The first of 3 also warms caches, as in a running server.
                row[f"{who}_ms"] = 1000 * median_time(partial(client.get, path), 3)
                timings.clear()
                with (
                    CaptureQueriesContext(connection) as captured,
                    connection.execute_wrapper(timed),
                ):
                    response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} as {who} answered {response.status_code}.")
                row[who] = len(captured)
                if who == "anonymous" and label == "no filter, page 50":
                    page_queries = [q["sql"] for q in captured.captured_queries]
                    list_sql = [
                        (short_sql(q["sql"], 150), ms)
                        for q, ms in zip(captured.captured_queries, timings, strict=True)
                    ]
            counts[label] = row
            groups.setdefault(f"{filter_label} anonymous", {})[page_label] = row["anonymous"]
            groups.setdefault(f"{filter_label} volunteer", {})[page_label] = row["volunteer"]
    plans = []
    with connection.cursor() as cursor:
        for sql in page_queries:
            if sql.startswith("SELECT") and "activities_activity" in sql:
                cursor.execute("EXPLAIN ANALYZE " + sql.replace("%", "%%"))
                plans.append((short_sql(sql, 150), [row[0] for row in cursor.fetchall()]))
    result: dict[str, Any] = {
        "list": counts,
        "list_groups": groups,
        "list_sql": list_sql,
        "list_plans": plans,
    }
    if mounted:
        result.update(signup_in_process(seeded))
    return result


def signup_in_process(seeded: dict[str, Any]) -> dict[str, Any]:
    """Sign-ups through Django's test client, one after another, on the probe shifts: the
    queries of one, its CPU time, and (BENCH_PROFILE=1) a profile."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    tokens, shifts = seeded["tokens"], seeded["shifts"][:PROBE_SHIFTS]
    turn = iter(range(10**9))

    def one() -> int:
        i = next(turn)
        response = client.post(
            SIGNUP_PATH.format(shifts[i // QUOTA % len(shifts)]),
            SIGNUP_BODY,
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"},
        )
        return response.status_code

    for _ in range(20):
        one()
    with CaptureQueriesContext(connection) as captured:
        status = one()
    # Read now: the log is a window that the next request empties.
    statements = [short_sql(q["sql"], 150) for q in captured.captured_queries]
    if status != 201:
        raise SystemExit(f"An in-process sign-up answered {status}, not 201.")
    runs = 200
    cpu, wall = [], []
    for _ in range(runs):
        start_cpu, start = time.process_time(), time.perf_counter()
        one()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    result: dict[str, Any] = {
        "signup": {
            "queries": len(statements),
            "sql": statements,
            "cpu_ms": statistics.median(cpu) * 1000,
            "wall_ms": statistics.median(wall) * 1000,
            "runs": runs,
        }
    }
    if PROFILE:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(300):
            one()
        profiler.disable()
        result["profile"] = profile_text(profiler, ("tottime", 25), ("cumulative", 40))
    return result


if __name__ == "__main__":
    main()
