"""What the benchmarks share: printing, the child processes that run one measurement each,
the environment they run Django in, scratch PostgreSQL databases, timing, and the
organisation, people and activity every benchmark seeds.

A benchmark's main() starts with `if (args := child_args()) is not None: run_step(...)`, so
that the same module is both the parent (measuring, printing the tables) and its children.
"""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Container, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
KEEP = os.environ.get("BENCH_KEEP") == "1"
RESULT = "BENCH_RESULT "  # the start of the stdout line that carries a child's result

ORG_NAME = "晋城市文明办"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "志明华军伟芳娜敏静丽强磊洋勇艳杰涛超秀英霞平刚桂兰红梅建国文"


# --- printing ------------------------------------------------------------------------------


def say(text: str) -> None:
    """Print a line at once (the children's output and ours interleave)."""
    print(text, flush=True)


def load() -> str:
    """Other work on the machine slows every figure here: show how busy it is."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def print_table(rows: list[tuple[str, ...]]) -> None:
    """The rows as columns, the first one a heading; short rows are padded with blanks."""
    columns = max(len(row) for row in rows)
    rows = [row + ("",) * (columns - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    for index, row in enumerate(rows):
        say(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            say("-+-".join("-" * width for width in widths))


def short_sql(sql: str, width: int | None = None) -> str:
    """A query in one line: the column list elided, cut at `width` characters if given."""
    sql = re.sub(r"^SELECT .*? FROM", "SELECT … FROM", " ".join(sql.split()))
    return sql if width is None or len(sql) <= width else sql[:width] + " …"


def profile_text(profiler: Any, *orders: tuple[str, int]) -> str:
    """A cProfile profile's statistics, as pstats prints them: for each (sort key, number
    of lines) in `orders`."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    for key, lines in orders:
        stats.sort_stats(key).print_stats(lines)
    return out.getvalue()


# --- the parent: a work directory, the environment, the children ---------------------------


@contextmanager
def work_dir(prefix: str) -> Iterator[Path]:
    """A new temporary directory, removed at the end unless BENCH_KEEP=1."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        if not KEEP:
            shutil.rmtree(work, ignore_errors=True)


def django_env(work: Path, **extra: str) -> dict[str, str]:
    """The environment of the children: this one's, with Django's settings, fresh keys, its
    files under `work` and DEBUG off (no query log growing in memory); then `extra`."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "LEIFENG_VAR_DIR": str(work / "var"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "LEIFENG_DATA_KEYS": "k1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "LEIFENG_LOOKUP_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_child(module: str, env: dict[str, str], step: str, **args: Any) -> subprocess.Popen[str]:
    """Start `python -m module --child` in a new interpreter, its step and arguments given as
    JSON on stdin (command lines are too short for long lists of ids)."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--child"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(json.dumps({"step": step, **args}))
    process.stdin.close()
    return process


def finish_child(process: subprocess.Popen[str], what: str) -> dict[str, Any]:
    """Wait for a child; its last stdout line that starts with RESULT carries the result. If
    it failed, show its output and stop, saying `what` failed."""
    assert process.stdout is not None
    output = process.stdout.read()
    process.wait()
    lines = [line for line in output.splitlines() if line.startswith(RESULT)]
    if process.returncode or not lines:
        sys.stdout.write(output)
        raise SystemExit(f"{what} failed (exit status {process.returncode}).")
    return dict(json.loads(lines[-1][len(RESULT) :]))


def run_child(module: str, env: dict[str, str], step: str, **args: Any) -> dict[str, Any]:
    """Run one step in a new interpreter and return its result."""
    return finish_child(start_child(module, env, step, **args), f"The {step} step")


# --- the children --------------------------------------------------------------------------


def child_args() -> dict[str, Any] | None:
    """In a child (`--child`), the step and its arguments; None in the parent."""
    if sys.argv[1:2] != ["--child"]:
        return None
    return dict(json.loads(sys.stdin.read()))


def run_step(
    steps: Mapping[str, Callable[..., Any]],
    args: dict[str, Any],
    without_django: Container[str] = (),
) -> None:
    """Set Django up (unless the step is one of `without_django`), run the step `args` names
    with the rest of them, and print its result for the parent."""
    step = args.pop("step")
    if step not in without_django:
        import django

        django.setup()
    print(RESULT + json.dumps(steps[step](**args)), flush=True)


def rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def server_version() -> str:
    """The database Django is connected to, with its version."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("show server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def median_time(run: Callable[[], Any], times: int, warmup: int = 0) -> float:
    """The median wall time of one call of `run` in seconds, over `times` calls after
    `warmup` unmeasured ones."""
    for _ in range(warmup):
        run()
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent)


# --- PostgreSQL databases ------------------------------------------------------------------


def database_url(name: str) -> str:
    """PG_URL with the database `name` in it."""
    return urlsplit(PG_URL)._replace(path=f"/{name}").geturl()


def connect_admin(indent: str = "") -> Any:
    """An autocommit connection to PG_URL, for CREATE and DROP DATABASE; None, having said
    why, if there is none."""
    import psycopg

    try:
        return psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        say(f"{indent}Skipped: cannot connect to {PG_URL}: {exc}")
        return None


@contextmanager
def scratch_database(admin: Any, prefix: str) -> Iterator[str]:
    """A new database named `prefix` and this process's id, so that two runs do not meet;
    yields its URL, drops it at the end unless BENCH_KEEP=1 (then the next run does). Those
    of earlier runs that were killed are dropped first."""
    drop_leftovers(admin, prefix)
    name = f"{prefix}{os.getpid()}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        if not KEEP:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_leftovers(admin: Any, prefix: str) -> None:
    """Drop the databases of earlier runs that were killed: those whose process is gone."""
    rows = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
    ).fetchall()
    for (name,) in rows:
        pid = name[len(prefix) :]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # only ours


# --- what every benchmark seeds ------------------------------------------------------------


def seed_org() -> tuple[Any, Any]:
    """The city's civilisation office (ORG_NAME) and the superuser 'bench' who creates it."""
    from leifeng.accounts.models import User
    from leifeng.orgs.models import Organisation
    from leifeng.orgs.services import org_create
    from leifeng.regions.models import Region

    actor = User.objects.create_user(
        username="bench", name="基准测试", is_staff=True, is_superuser=True
    )
    org = org_create(
        actor=actor,
        parent=None,
        name=ORG_NAME,
        kind=Organisation.Kind.OFFICE,
        region=Region.objects.get(code="140500"),
    )
    return org, actor


def activity_data(township: Any) -> dict[str, Any]:
    """An activity's form, as its organiser fills it in (activities.services.activity_save)."""
    from leifeng.core.campaign import CampaignLine

    return {
        "title": "文明交通劝导",
        "description": "在路口劝导行人和非机动车文明出行。",
        "campaign_line": CampaignLine.CIVILIZED_CITY,
        "national_category": "traffic",
        "served_groups": ["public"],
        "address": "泽州路与凤台街交叉口",
        "township": township,
        "latitude": "35.490000",
        "longitude": "112.850000",
        "risk_notice": "路口车流较多，请穿反光背心，听从现场负责人安排。",
    }


# --- seeding in SQL ------------------------------------------------------------------------


@contextmanager
def without_indexes(cur: Any, table: str) -> Iterator[None]:
    """Drop the table's secondary indexes, unique and foreign-key constraints for a bulk
    insert, and build them again after it (the foreign keys are checked then, at once)."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
        [table],
    )
    constraints = cur.fetchall()  # unique ones first: a foreign key may need one
    cur.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND NOT indisprimary AND indexrelid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cur.fetchall()
    for name, _definition in reversed(constraints):
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX {name}")
    yield
    for _name, definition in indexes:
        cur.execute(definition)
    for name, definition in constraints:
        cur.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def insert_rows(
    cur: Any,
    sample: Any,
    per_row: Mapping[str, str],
    source: str,
    params: Mapping[str, Any] | None = None,
) -> None:
    """Many rows of `sample`'s table in one INSERT ... SELECT ... FROM `source`: every column
    takes `sample`'s value (prepared by the model's own field, so the row is one the model
    could have saved), except those in `per_row`, SQL expressions over `source`'s columns.
    `per_row` may name the primary key to insert explicit ids (then `reset_sequence`)."""
    from django.db import connection

    values: dict[str, Any] = dict(params or {})
    columns, expressions = [], []
    for field in type(sample)._meta.concrete_fields:
        if field.column in per_row:
            expressions.append(per_row[field.column])
        elif field.primary_key:
            continue
        else:
            values[f"_{field.column}"] = field.get_db_prep_save(
                getattr(sample, field.attname), connection
            )
            # Typed: a bare parameter in a SELECT list would be text.
            expressions.append(f"%(_{field.column})s::{field.cast_db_type(connection)}")
        columns.append(f'"{field.column}"')
    cur.execute(
        f"INSERT INTO {type(sample)._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM {source}",
        values,
    )


def reset_sequence(cur: Any, table: str) -> None:
    """After rows inserted with explicit ids: the next id the database gives is past them."""
    cur.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
    )


def insert_volunteers(
    cur: Any,
    org: Any,
    rows: int,
    per_row: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
) -> None:
    """`rows` volunteers of `org` in one INSERT ... SELECT FROM generate_series(1, rows) AS i:
    the columns that must differ per person are computed from i; `per_row` (SQL over i, with
    `params`) overrides or adds to them (another organisation, registration time, id)."""
    from django.utils import timezone

    from leifeng.regions.models import Region
    from leifeng.volunteers.models import Volunteer
    from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION

    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("pk", flat=True)
    )
    now = timezone.now()
    sample = Volunteer(
        number="",
        organisation=org,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        consented_at=now,
        name="",
        document_type="111",
        residence_id=townships[0],
        availability=["weekend"],
        campaign_lines=["city"],
        kinds=["community"],
        political_status="13",
        education="21",
    )
    sample.created_at = sample.updated_at = now
    columns = {
        "number": "'HB' || lpad(i::text, 9, '0')",
        "name": "substr(%(surnames)s, 1 + i %% 20, 1) || substr(%(given)s, 1 + (i / 7) %% 30, 1)"
        " || substr(%(given)s, 1 + (i / 11) %% 30, 1)",
        "document_hash": "encode(sha256(('d' || i)::bytea), 'hex')",
        "document_masked": "'1405**********' || lpad((i %% 10000)::text, 4, '0')",
        "mobile_hash": "encode(sha256(('m' || i)::bytea), 'hex')",
        "mobile_masked": "'138****' || lpad((i %% 10000)::text, 4, '0')",
        "sex": "CASE WHEN i %% 2 = 0 THEN '2' ELSE '1' END",
        "birth_date": "date '1960-01-01' + i %% 16000",
        "residence_id": "(%(townships)s::bigint[])[1 + i %% %(count)s]",
        **(per_row or {}),
    }
    insert_rows(
        cur,
        sample,
        columns,
        "generate_series(1, %(rows)s) AS i",
        {
            "surnames": SURNAMES,
            "given": GIVEN,
            "townships": townships,
            "count": len(townships),
            "rows": rows,
            **(params or {}),
        },
    )
