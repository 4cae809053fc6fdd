"""Benchmark: import 100,000 volunteers from one .xlsx, and find one among 1,000,000.

    make bench                                   # or: .venv/bin/python -m bench.volunteers_import
    BENCH_ROWS=5000 BENCH_SEARCH_ROWS=50000 make bench              # a quick run

For SQLite (a temporary file) and PostgreSQL (fresh databases named leifeng_bench*, dropped at the
end) it measures, each in a new child process on a fresh copy of the migrated database:

* the import as the background job runs it: importer.read_file, then imports.plan_rows and
  imports.write_plan in one transaction; rows per second and the child's peak resident memory;
* the baseline: a bare Volunteer.objects.bulk_create of the same rows, prepared beforehand (no
  reading, checking or encryption while timed), in chunks of 1,000 like write_plan;
* the look-up by exact document number (services.find_by_document) among BENCH_SEARCH_ROWS
  volunteers, with the query plan, and its time beside a look-up by primary key.

Figures are printed, never asserted: they are ratios to a baseline measured in the same run.
A child per measurement makes the peak RSS (getrusage ru_maxrss) that measurement's own.

Settings (environment):
  BENCH_ROWS                volunteers in the .xlsx (100000)
  BENCH_SEARCH_ROWS         volunteers for the look-up (1000000)
  BENCH_SQLITE_SEARCH_ROWS  the same for SQLite (BENCH_SEARCH_ROWS)
  BENCH_ENGINES             sqlite,postgresql
  BENCH_POSTGRES_URL        a database to connect to for CREATE/DROP DATABASE
                            (postgres://postgres@127.0.0.1:5432/postgres)
  BENCH_PROFILE=1           afterwards, run the import once more under cProfile (on the first
                            engine) and print where the time goes (cProfile slows it about 3×)
  BENCH_KEEP=1              keep the temporary directory and the PostgreSQL databases
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import common
from bench.common import (
    GIVEN,
    KEEP,
    ORG_NAME,
    PG_URL,
    SURNAMES,
    child_args,
    connect_admin,
    database_url,
    django_env,
    median_time,
    print_table,
    profile_text,
    rss_mb,
    run_step,
    say,
    seed_org,
    server_version,
    short_sql,
    work_dir,
)

MODULE = "bench.volunteers_import"
ROWS = int(os.environ.get("BENCH_ROWS") or 100_000)
SEARCH_ROWS = int(os.environ.get("BENCH_SEARCH_ROWS") or 1_000_000)
SQLITE_SEARCH_ROWS = int(os.environ.get("BENCH_SQLITE_SEARCH_ROWS") or SEARCH_ROWS)
ENGINES = [e.strip() for e in os.environ.get("BENCH_ENGINES", "sqlite,postgresql").split(",")]
PG_PREFIX = "leifeng_bench"
PROFILE = os.environ.get("BENCH_PROFILE") == "1"

GOAL_ROWS_PER_S = 5_000
GOAL_PEAK_MB = 500
CHUNK = 1000  # as imports.CHUNK
LOOKUPS = 200
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}

# --- the people: deterministic, valid and distinct ---------------------------------------

AREAS = ("140502", "140521", "140522", "140524", "140525", "140581")  # 晋城's counties
FIRST_BIRTH = date(1960, 1, 1)
BIRTH_DAYS = (date(2005, 12, 31) - FIRST_BIRTH).days + 1  # adults only: no guardian columns


def id_number(i: int) -> str:
    """The i-th valid 18-digit ID number: area, then birth day, then sequence vary, so numbers
    are distinct up to 6 × 16,802 × 1,000 people."""
    from leifeng.volunteers.identity import check_char

    rest, area = divmod(i, len(AREAS))
    seq, day = divmod(rest, BIRTH_DAYS)
    born = FIRST_BIRTH + timedelta(days=day)
    first17 = f"{AREAS[area]}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)


def person_name(i: int) -> str:
    n = len(GIVEN)
    return f"{SURNAMES[i % len(SURNAMES)]}{GIVEN[(i // 7) % n]}{GIVEN[(i // 11) % n]}"


def mobile(i: int) -> str:
    return f"13{i % 1_000_000_000:09d}"


def birth_and_sex(number: str) -> tuple[date, str]:
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return born, "1" if int(number[16]) % 2 else "2"


# --- the parent: databases, children, the table ------------------------------------------


def main() -> None:
    if (args := child_args()) is not None:
        steps: dict[str, Callable[..., Any]] = {
            "setup": child_setup,
            "baseline": child_baseline,
            "import": child_import,
            "search": child_search,
        }
        run_step(steps, args)
        return
    results: dict[str, dict[str, Any]] = {}
    with work_dir("leifeng-bench-") as work:
        env = django_env(work)
        say(
            f"Leifeng volunteer import benchmark: {ROWS:,} rows per import, "
            f"look-up among {SEARCH_ROWS:,} (PostgreSQL) / {SQLITE_SEARCH_ROWS:,} (SQLite); "
            f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}; work dir {work}"
        )
        xlsx = work / "volunteers.xlsx"
        for engine in ENGINES:
            if engine == "sqlite":
                results[engine] = run_sqlite(work, env, xlsx)
            elif engine == "postgresql":
                results[engine] = run_postgresql(env, xlsx)
            else:
                raise SystemExit(f"BENCH_ENGINES: unknown engine {engine!r}")
    report(results)


def run_child(env: dict[str, str], url: str, step: str, **args: Any) -> dict[str, Any]:
    """Run one measurement in a new interpreter, on the database at `url`."""
    return common.run_child(MODULE, {**env, "DATABASE_URL": url}, step, **args)


def measure(env: dict[str, str], fresh: Any, xlsx: Path) -> dict[str, Any]:
    """The measurements of one engine; `fresh(name)` gives the URL of a new database copied from
    the migrated template."""
    result: dict[str, Any] = {}
    say("  baseline: bare bulk_create of the prepared rows ...")
    result["baseline"] = run_child(env, fresh("baseline"), "baseline", rows=ROWS)
    say(f"    {fmt_rate(result['baseline'])}")
    say("  import: read_file → plan_rows → write_plan ...")
    result["import"] = run_child(env, fresh("import"), "import", rows=ROWS, xlsx=str(xlsx))
    say(f"    {fmt_rate(result['import'])}")
    return result


def run_sqlite(work: Path, env: dict[str, str], xlsx: Path) -> dict[str, Any]:
    say("SQLite")
    template = work / "template.sqlite3"
    url = f"sqlite:///{template}"
    setup = run_child(env, url, "setup", rows=ROWS, xlsx=str(xlsx))
    log_setup(setup, xlsx)
    copies: list[Path] = []

    def fresh(name: str) -> str:
        path = work / f"{name}.sqlite3"
        shutil.copyfile(template, path)
        copies.append(path)
        return f"sqlite:///{path}"

    result = measure(env, fresh, xlsx)
    say(f"  look-up: seeding {SQLITE_SEARCH_ROWS:,} volunteers ...")
    result["search"] = run_child(env, fresh("search"), "search", rows=SQLITE_SEARCH_ROWS)
    say(f"    seeded in {result['search']['seed_s']:.1f} s")
    result["server"] = setup["server"]
    if PROFILE and ENGINES[0] == "sqlite":
        run_child(env, fresh("profile"), "import", rows=ROWS, xlsx=str(xlsx), profile=True)
    for path in [] if KEEP else copies:  # the search database alone is a few hundred MB
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return result


def run_postgresql(env: dict[str, str], xlsx: Path) -> dict[str, Any]:
    say("PostgreSQL")
    admin = connect_admin(indent="  ")
    if admin is None:
        return {"skipped": f"cannot connect to {PG_URL}"}
    names = [PG_PREFIX] + [
        f"{PG_PREFIX}_{step}" for step in ("baseline", "import", "search", "profile")
    ]

    def drop_all() -> None:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')  # only the names above

    try:
        drop_all()
        admin.execute(f'CREATE DATABASE "{PG_PREFIX}"')
        setup = run_child(env, database_url(PG_PREFIX), "setup", rows=ROWS, xlsx=str(xlsx))
        log_setup(setup, xlsx)

        def fresh(step: str) -> str:
            name = f"{PG_PREFIX}_{step}"
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{PG_PREFIX}"')
            return database_url(name)

        result = measure(env, fresh, xlsx)
        say(f"  look-up: seeding {SEARCH_ROWS:,} volunteers ...")
        result["search"] = run_child(env, fresh("search"), "search", rows=SEARCH_ROWS)
        say(f"    seeded in {result['search']['seed_s']:.1f} s")
        result["server"] = setup["server"]
        if PROFILE and ENGINES[0] == "postgresql":
            run_child(env, fresh("profile"), "import", rows=ROWS, xlsx=str(xlsx), profile=True)
        return result
    finally:
        if not KEEP:
            drop_all()
        admin.close()


def log_setup(setup: dict[str, Any], xlsx: Path) -> None:
    say(f"  server: {setup['server']}; migrated in {setup['migrate_s']:.1f} s")
    if setup.get("xlsx_s"):
        say(
            f"  wrote {xlsx.name}: {ROWS:,} rows, {xlsx.stat().st_size / 2**20:.1f} MB, "
            f"in {setup['xlsx_s']:.1f} s (openpyxl write-only)"
        )


def fmt_rate(step: dict[str, Any]) -> str:
    return (
        f"{step['rows']:,} rows in {step['seconds']:.1f} s = {step['rows'] / step['seconds']:,.0f}"
        f" rows/s; peak RSS {step['peak_mb']:.0f} MB (+{step['peak_mb'] - step['start_mb']:.0f} MB"
        " during the measurement)"
    )


def report(results: dict[str, dict[str, Any]]) -> None:
    say("")
    say(f"=== Import of {ROWS:,} volunteers from one .xlsx ===")
    say(
        "Goal: at least 5,000 rows/s and under 500 MB peak memory. Peak memory is the peak "
        "resident set (ru_maxrss) of the child process that ran the measurement, Python and "
        "Django included; 'growth' is the part added during the measurement."
    )
    head = (
        "engine",
        "import rows/s",
        "bulk_create rows/s",
        "import ÷ bulk",
        "peak RSS",
        "growth",
        "≥5,000/s",
        "<500 MB",
    )
    table: list[tuple[str, ...]] = [head]
    phases = []
    for engine, result in results.items():
        if "skipped" in result:
            table.append((NAMES[engine], "skipped", "", "", "", "", "", ""))
            continue
        imp, base = result["import"], result["baseline"]
        rate = imp["rows"] / imp["seconds"]
        base_rate = base["rows"] / base["seconds"]
        table.append(
            (
                NAMES[engine],
                f"{rate:,.0f}",
                f"{base_rate:,.0f}",
                f"{rate / base_rate:.3f}× ({base_rate / rate:.1f}× slower)",
                f"{imp['peak_mb']:.0f} MB",
                f"+{imp['peak_mb'] - imp['start_mb']:.0f} MB",
                "yes" if rate >= GOAL_ROWS_PER_S else "no",
                "yes" if imp["peak_mb"] < GOAL_PEAK_MB else "no",
            )
        )
        total = imp["seconds"]
        phases.append(
            f"  {NAMES[engine]}: "
            + ", ".join(
                f"{name} {imp[key]:.1f} s ({imp[key] / total:.0%})"
                for name, key in (
                    ("read_file", "read_s"),
                    ("plan_rows", "plan_s"),
                    ("write_plan+commit", "write_s"),
                )
            )
            + f"; RSS after read_file {imp['after_read_mb']:.0f} MB"
            + f"; bulk_create peak RSS {base['peak_mb']:.0f} MB"
        )
    print_table(table)
    say(
        "The import writes more than the baseline: a ConsentRecord per person and the skill links"
        " (every third row has a skill) besides the Volunteer rows, into an empty registry (into a"
        " full one, plan_rows' look-ups add the time shown in the look-up section per 1,000 rows)."
    )
    say("Where the import's time goes:")
    for line in phases:
        say(line)

    say("")
    say("=== Look-up by exact document number (services.find_by_document, type 111) ===")
    table = [
        (
            "engine",
            "volunteers",
            "seeded rows/s",
            "uses an index",
            "look-up",
            "by pk",
            "look-up ÷ by pk",
            "plan_rows' 1,000-hash query",
        )
    ]
    plans = []
    for engine, result in results.items():
        if "skipped" in result:
            continue
        search = result["search"]
        batch = search["batch"]
        table.append(
            (
                NAMES[engine],
                f"{search['rows']:,}",
                f"{search['rows'] / search['seed_s']:,.0f}",
                "yes" if search["uses_index"] else "NO",
                f"{search['lookup_ms']:.3f} ms",
                f"{search['pk_ms']:.3f} ms",
                f"{search['lookup_ms'] / search['pk_ms']:.2f}×",
                f"{batch['ms']:.0f} ms, index: {'yes' if batch['uses_index'] else 'NO'}",
            )
        )
        plans.append((NAMES[engine], search))
    print_table(table)
    say(
        "(look-up and by pk: the median of "
        + " / ".join(f"{name} {search['lookups']}" for name, search in plans)
        + " calls, through the ORM, as model instances)"
    )
    for name, search in plans:
        say("")
        say(f"{name} ({search['server']}), {search['rows']:,} volunteers, after ANALYZE:")
        show_plan(search["sql"], search["explain_kind"], search["plan"])
        if search.get("alternative"):
            alt = search["alternative"]
            say(f"  for comparison, {alt['what']}:")
            show_plan(alt["sql"], search["explain_kind"], alt["plan"])
        say("  imports.plan_rows' look-up of 1,000 documents:")
        show_plan(search["batch"]["sql"], search["explain_kind"], search["batch"]["plan"])


def show_plan(sql: str, kind: str, plan: str) -> None:
    say(f"    {sql}")
    say(f"    {kind}:")
    for line in plan.splitlines():
        say(f"      {line if len(line) <= 150 else line[:150] + ' …'}")


# --- the children: one measurement each ----------------------------------------------------


def bench_org() -> tuple[Any, Any]:
    from leifeng.accounts.models import User
    from leifeng.orgs.models import Organisation

    return Organisation.objects.get(name=ORG_NAME, parent=None), User.objects.get(username="bench")


def child_setup(rows: int, xlsx: str) -> dict[str, Any]:
    """Migrate the template database, add the importing organisation, write the .xlsx once."""
    from django.core.management import call_command
    from django.db import connection

    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - start
    seed_org()
    result: dict[str, Any] = {"migrate_s": migrate_s, "server": server_version()}
    if not Path(xlsx).exists():
        start = time.perf_counter()
        write_xlsx(Path(xlsx), rows)
        result["xlsx_s"] = time.perf_counter() - start
    if connection.vendor == "sqlite":  # the copies are made from the main file alone
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return result


def write_xlsx(path: Path, rows: int) -> None:
    """The file an organisation would upload: the template's headers, then text cells."""
    from django.utils import translation
    from django.utils.translation import gettext
    from openpyxl import Workbook

    from leifeng.core.campaign import CampaignLine
    from leifeng.regions.models import Region
    from leifeng.volunteers import importer
    from leifeng.volunteers.codes import Availability, Education, PoliticalStatus, VolunteerKind
    from leifeng.volunteers.identity import DocumentType
    from leifeng.volunteers.models import Skill

    with translation.override(importer.LANGUAGE):
        townships = [
            (label, region.code)
            for label, region in importer._residence_options()
            if region.level == Region.Level.TOWNSHIP
        ]
        resident_id = str(DocumentType.RESIDENT_ID.label)
        kinds = [str(label) for label in VolunteerKind.labels]
        lines = [str(label) for label in CampaignLine.labels]
        times = [str(label) for label in Availability.labels]
        political = [str(label) for label in PoliticalStatus.labels]
        education = [str(label) for label in Education.labels]
        sheet_title = gettext("Volunteers")
    skills = list(Skill.objects.values_list("name", flat=True))
    keys = [column.key for column in importer.COLUMNS]

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    sheet.append(importer.headers())
    for i in range(rows):
        label, code = townships[i % len(townships)]
        values = {
            "name": person_name(i),
            "document_type": resident_id,
            "document_number": id_number(i),
            "mobile": mobile(i),
            "residence": code if i % 10 == 0 else label,  # people type codes too
            "kinds": "、".join(kinds[j % len(kinds)] for j in range(i, i + 1 + i % 2)),
            "campaign_lines": "、".join(lines[j % len(lines)] for j in range(i, i + 1 + i % 3)),
            "skills": skills[i % len(skills)] if skills and i % 3 == 0 else None,
            "availability": times[i % len(times)],
            "political_status": political[i % len(political)],
            "education": education[i % len(education)],
        }
        sheet.append([values.get(key) for key in keys])
    book.save(path)


def child_import(rows: int, xlsx: str, profile: bool = False) -> dict[str, Any]:
    """The import as imports.import_apply runs it, minus the ImportBatch bookkeeping."""
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from leifeng.volunteers.importer import read_file
    from leifeng.volunteers.imports import plan_rows, write_plan
    from leifeng.volunteers.models import Volunteer

    org, actor = bench_org()
    today = timezone.localdate()
    max_rows = max(settings.VOLUNTEER_IMPORT_MAX_ROWS, rows)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start_mb = rss_mb()
    start = time.perf_counter()
    with open(xlsx, "rb") as source:
        check = read_file(source, today=today, max_rows=max_rows)
    read_s = time.perf_counter() - start
    after_read_mb = rss_mb()
    if check.errors:
        for error in check.errors[:10]:
            print(error.as_dict(), file=sys.stderr)
        raise SystemExit(f"The benchmark file has {len(check.errors)} bad rows.")
    with transaction.atomic():
        plan = plan_rows(check.rows, actor=actor, organisation=org)
        plan_s = time.perf_counter() - start - read_s
        created = write_plan(plan, organisation=org, actor=actor, team=None, note="benchmark")
    seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
        print(profile_text(profiler, ("cumulative", 40), ("tottime", 30)), file=sys.stderr)
    if created != rows or Volunteer.objects.count() != rows:
        raise SystemExit(f"Expected {rows} new volunteers, got {created}.")
    return {
        "rows": rows,
        "seconds": seconds,
        "read_s": read_s,
        "plan_s": plan_s,
        "write_s": seconds - read_s - plan_s,
        "start_mb": start_mb,
        "after_read_mb": after_read_mb,
        "peak_mb": rss_mb(),
    }


def prepared_volunteers(rows: int, org: Any) -> list[Any]:
    """The rows an import of the benchmark file creates, fully computed up front."""
    from django.utils import timezone

    from leifeng.core.crypto import seal
    from leifeng.core.masking import mask_document, mask_mobile
    from leifeng.regions.models import Region
    from leifeng.volunteers.models import Volunteer
    from leifeng.volunteers.notices import PRIVACY_NOTICE_VERSION
    from leifeng.volunteers.services import document_key, mobile_key

    townships = list(Region.objects.filter(level=Region.Level.TOWNSHIP).order_by("path"))
    now = timezone.now()
    volunteers = []
    for i in range(rows):
        number, phone = id_number(i), mobile(i)
        born, sex = birth_and_sex(number)
        volunteers.append(
            Volunteer(
                number=f"JC{number[:6]}{i + 1:07d}",
                organisation=org,
                privacy_notice_version=PRIVACY_NOTICE_VERSION,
                consented_at=now,
                name=person_name(i),
                document_type="111",
                document_sealed=seal(number),
                document_hash=document_key("111", number),
                document_masked=mask_document(number),
                mobile_sealed=seal(phone),
                mobile_hash=mobile_key(phone),
                mobile_masked=mask_mobile(phone),
                birth_date=born,
                sex=sex,
                residence=townships[i % len(townships)],
                availability=["weekend"],
                campaign_lines=["city", "care"][: 1 + i % 2],
                kinds=["community"],
                political_status="13",
                education="21",
            )
        )
    return volunteers


def child_baseline(rows: int) -> dict[str, Any]:
    from django.db import transaction

    from leifeng.volunteers.models import Volunteer

    org, _actor = bench_org()
    volunteers = prepared_volunteers(rows, org)
    start_mb = rss_mb()
    start = time.perf_counter()
    with transaction.atomic():
        for first in range(0, rows, CHUNK):
            Volunteer.objects.bulk_create(volunteers[first : first + CHUNK])
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "start_mb": start_mb, "peak_mb": rss_mb()}


def seed_rows(rows: int, org: Any) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Columns and values for `rows` volunteers straight into the table: a template row
    prepared by the model's own fields, with the columns that differ per person replaced."""
    from django.db import connection
    from django.utils import timezone

    from leifeng.core.crypto import seal
    from leifeng.core.masking import mask_document, mask_mobile
    from leifeng.regions.models import Region
    from leifeng.volunteers.models import Volunteer
    from leifeng.volunteers.services import document_key, mobile_key

    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP).values_list("pk", flat=True)
    )
    now = timezone.now()
    sample = prepared_volunteers(1, org)[0]
    sample.created_at = sample.updated_at = now
    fields = [f for f in Volunteer._meta.concrete_fields if not f.primary_key]
    template = {
        f.column: f.get_db_prep_save(getattr(sample, f.attname), connection) for f in fields
    }
    columns = list(template)
    at = {column: index for index, column in enumerate(columns)}
    sealed = seal("140525199001011234")  # the same length as a real one; never read here
    adapt_date = connection.ops.adapt_datefield_value

    def values() -> Iterator[tuple[Any, ...]]:
        row = [template[column] for column in columns]
        row[at["document_sealed"]] = row[at["mobile_sealed"]] = sealed
        for i in range(rows):
            number, phone = id_number(i), mobile(i)
            born, sex = birth_and_sex(number)
            row[at["number"]] = f"JC{number[:6]}{i + 1:07d}"
            row[at["name"]] = person_name(i)
            row[at["document_hash"]] = document_key("111", number)
            row[at["document_masked"]] = mask_document(number)
            row[at["mobile_hash"]] = mobile_key(phone)
            row[at["mobile_masked"]] = mask_mobile(phone)
            row[at["birth_date"]] = adapt_date(born)
            row[at["sex"]] = sex
            row[at["residence_id"]] = townships[i % len(townships)]
            yield tuple(row)

    return columns, values()


def child_search(rows: int) -> dict[str, Any]:
    from django.db import connection, transaction

    from leifeng.volunteers.models import Volunteer
    from leifeng.volunteers.services import document_key, find_by_document

    org, _actor = bench_org()
    table = Volunteer._meta.db_table
    columns, values = seed_rows(rows, org)
    names = ", ".join(f'"{column}"' for column in columns)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.execute("PRAGMA cache_size=-262144")  # 256 MB: index building while seeding
            marks = ", ".join("?" * len(columns))
            connection.connection.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})', values
            )
    seed_s = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"' if connection.vendor == "postgresql" else "ANALYZE")

    number = id_number(rows // 2)
    query = find_by_document(Volunteer.objects.all(), "111", number)
    kind, plan, uses_index = explain(query, table)
    found = list(query)
    if len(found) != 1:
        raise SystemExit(f"The look-up found {len(found)} volunteers, not 1.")

    count = LOOKUPS if uses_index else LOOKUPS // 10  # a full scan is slow: fewer suffice
    step = max(rows // count, 1)
    numbers = [id_number(i) for i in range(step // 2, rows, step)][:count]
    pks = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True)[::step])[:count]
    next_number, next_pk = iter(numbers).__next__, iter(pks).__next__  # each one once
    lookup_ms = 1000 * median_time(
        lambda: list(find_by_document(Volunteer.objects.all(), "111", next_number())),
        len(numbers),
    )
    pk_ms = 1000 * median_time(lambda: list(Volunteer.objects.filter(pk=next_pk())), len(pks))

    # The import's own look-up: imports.plan_rows asks for 1,000 document hashes at a time.
    step = max(rows // CHUNK, 1)
    hashes = [document_key("111", id_number(i)) for i in range(0, rows, step)][:CHUNK]
    batch = Volunteer.objects.filter(document_hash__in=hashes)
    _kind, batch_plan, batch_index = explain(batch, table)
    start = time.perf_counter()
    batch_found = len(list(batch))
    batch_ms = (time.perf_counter() - start) * 1000

    result: dict[str, Any] = {
        "rows": rows,
        "seed_s": seed_s,
        "server": server_version(),
        "sql": sql_of(query),
        "explain_kind": kind,
        "plan": plan,
        "uses_index": uses_index,
        "lookups": len(numbers),
        "lookup_ms": lookup_ms,
        "pk_ms": pk_ms,
        "batch": {
            "sql": sql_of(batch),
            "plan": batch_plan,
            "uses_index": batch_index,
            "ms": batch_ms,
            "found": batch_found,
        },
    }
    if not uses_index:  # what the partial unique index would need to be chosen
        alternative = query.exclude(document_hash="")
        result["alternative"] = {
            "what": "the same query with .exclude(document_hash='') (the index's condition)",
            "sql": sql_of(alternative),
            "plan": explain(alternative, table)[1],
        }
    return result


def explain(query: Any, table: str) -> tuple[str, str, bool]:
    """The plan, and whether the volunteers table is reached through an index."""
    from django.db import connection

    if connection.vendor == "postgresql":
        plan = query.explain(analyze=True)
        return "EXPLAIN (ANALYZE)", plan, "Index Scan" in plan or "Index Only Scan" in plan
    plan = query.explain()
    uses_index = any(
        "SEARCH" in line and "INDEX" in line for line in plan.splitlines() if table in line
    )
    return "EXPLAIN QUERY PLAN", plan, uses_index


def sql_of(query: Any) -> str:
    """The query's SQL, short: the column list elided, hashes cut, long IN lists collapsed."""
    sql, params = query.query.sql_with_params()
    shown = tuple(f"'{p[:12]}…'" if len(str(p)) > 20 else f"'{p}'" for p in params)
    return re.sub(
        r"IN \(('[^']*'), ('[^']*'), ('[^']*', )+('[^']*')\)",
        lambda m: f"IN ({m[1]}, {m[2]}, … {len(params)} values)",
        short_sql(sql % shown),
    )


if __name__ == "__main__":
    main()
