import threading
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from leifeng.core.errors import DomainError
from leifeng.jobs import services
from leifeng.jobs.models import Job, PeriodicRun
from leifeng.jobs.registry import BACKGROUND, PERIODIC, BackgroundJob, PeriodicJob
from leifeng.notify.models import Notification

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def export(client, user, **filters):
    client.force_login(user)
    return client.post(reverse("orgs:export"), filters)


def test_export_runs_as_a_job_and_offers_the_scoped_workbook(
    client, org_tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = export(client, org_tree.county_a_admin)
    job = Job.objects.get()
    assert response.url == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (2, 2, 100)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page
    download = client.get(reverse("jobs:download", args=[job.pk]))
    rows = list(load_workbook(BytesIO(b"".join(download.streaming_content))).active.values)
    assert rows[0][0] == "名称"
    assert [row[0] for row in rows[1:]] == ["泽州县文明办", "泽州县新时代文明实践中心"]
    assert Notification.objects.filter(
        recipient=org_tree.county_a_admin, kind="jobs.finished"
    ).exists()


def test_export_keeps_the_list_filters(client, org_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export(client, org_tree.city_admin, kind="center")
    assert Job.objects.get().progress_total == 2


@pytest.fixture
def failing_job():
    attempts = []

    def flaky(job, **params):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("disk full")

    BACKGROUND["test.flaky"] = BackgroundJob(name="test.flaky", label="flaky", func=flaky)
    yield attempts
    del BACKGROUND["test.flaky"]


def test_a_failed_job_is_recorded_and_can_be_retried(
    org_tree, failing_job, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(name="test.flaky", actor=org_tree.a1_staff)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "disk full" in job.error
    with django_capture_on_commit_callbacks(execute=True):
        services.job_retry(job=job, actor=org_tree.a1_staff)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)


def test_running_a_job_twice_runs_it_once(org_tree, failing_job):
    job = services.job_start(name="test.flaky", actor=org_tree.a1_staff)
    services.job_run(job.pk)
    services.job_run(job.pk)
    assert len(failing_job) == 1


def test_unknown_jobs_are_refused(org_tree):
    with pytest.raises(DomainError) as exc:
        services.job_start(name="nope", actor=org_tree.a1_staff)
    assert exc.value.code == "unknown_job"


# The worker closes database connections between jobs, as in production: a real transaction
# per test instead of the usual rolled-back one (and the shipped regions restored afterwards).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_queue_and_worker_run_jobs(client, org_tree, settings):
    settings.TASKS = DB_QUEUE
    export(client, org_tree.county_a_admin)
    job = Job.objects.get()
    assert job.status == Job.Status.QUEUED  # waiting in the database queue
    call_command("worker", batch=True)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


def test_the_redis_queue_runs_jobs(org_tree, settings, django_capture_on_commit_callbacks):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    redis.Redis.from_url(url).flushdb()
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    import django_rq
    from django_tasks_rq.backend import Job as TaskJob
    from rq import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(name="orgs.export", actor=org_tree.city_admin)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    queue = django_rq.get_queue("default")
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection, job_class=TaskJob).work(burst=True)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


@pytest.fixture
def counted_periodic():
    runs = []
    PERIODIC["test.tick"] = PeriodicJob(
        name="test.tick", every=timedelta(minutes=5), func=lambda: runs.append(1)
    )
    yield runs
    del PERIODIC["test.tick"]


def test_a_periodic_job_runs_once_per_slot(db, counted_periodic):
    at = datetime(2026, 11, 28, 12, 1, tzinfo=UTC)
    assert services.periodic_run("test.tick", now=at) is not None
    assert services.periodic_run("test.tick", now=at + timedelta(minutes=3)) is None  # same slot
    assert services.periodic_run("test.tick", now=at + timedelta(minutes=4)) is not None  # 12:05
    assert len(counted_periodic) == 2
    assert (
        PeriodicRun.objects.filter(name="test.tick", status=PeriodicRun.Status.SUCCEEDED).count()
        == 2
    )


def test_the_scheduler_starts_every_registered_periodic_job(db):
    ran = services.scheduler_tick()
    assert "notify.deliver_due" in ran
    assert services.scheduler_tick() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_periodic_job_started_twice_in_parallel_works_once(counted_periodic):
    from django.db import connections

    at = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        services.periodic_run("test.tick", now=at)
        connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(counted_periodic) == 1
    assert PeriodicRun.objects.filter(name="test.tick").count() == 1


def test_system_admins_see_periodic_runs_and_failed_messages(client, org_tree):
    services.scheduler_tick()
    client.force_login(org_tree.root)
    body = client.get(reverse("jobs:list")).content.decode()
    assert "notify.deliver_due" in body
    client.force_login(org_tree.city_admin)
    assert "notify.deliver_due" not in client.get(reverse("jobs:list")).content.decode()


def test_a_job_whose_worker_died_is_failed_for_retry(org_tree, failing_job):
    import time_machine
    from django.utils import timezone

    job = services.job_start(name="test.flaky", actor=org_tree.a1_staff)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    assert services.jobs_fail_stuck() == 0
    with time_machine.travel(timezone.now() + services.STUCK_AFTER + timedelta(minutes=1)):
        assert services.jobs_fail_stuck() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    services.job_retry(job=job, actor=org_tree.a1_staff)


def test_jobs_waiting_too_long_are_queued_again_and_still_run_once(org_tree, failing_job):
    import time_machine
    from django.utils import timezone

    job = services.job_start(name="test.flaky", actor=org_tree.a1_staff)  # queue message "lost"
    assert services.jobs_requeue_lost() == 0
    with time_machine.travel(timezone.now() + services.LOST_AFTER + timedelta(minutes=1)):
        assert services.jobs_requeue_lost() == 1  # the immediate test queue runs it now
        assert services.jobs_requeue_lost() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED  # the flaky job's first run
    assert len(failing_job) == 1


def test_a_job_failed_as_stuck_is_not_overwritten_by_its_late_finish(org_tree):
    from django.utils import timezone

    def slow(job):
        # While it runs, the sweep decides its worker is gone.
        Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=3))
        assert services.jobs_fail_stuck() == 1

    BACKGROUND["test.slow"] = BackgroundJob(name="test.slow", label="slow", func=slow)
    try:
        job = services.job_start(name="test.slow", actor=org_tree.a1_staff)
        services.job_run(job.pk)
    finally:
        del BACKGROUND["test.slow"]
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_periodic_run_whose_runner_died_is_taken_over(db, counted_periodic):
    import time_machine
    from django.utils import timezone

    at = timezone.now()
    run = services.periodic_claim("test.tick", now=at)  # claimed, then the runner dies
    assert services.periodic_claim("test.tick", now=at) is None
    with time_machine.travel(at + services.PERIODIC_LEASE + timedelta(minutes=1)):
        taken = services.periodic_claim("test.tick", now=at)
    assert taken is not None and taken.pk == run.pk


def test_daily_slots_start_at_local_midnight():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    slot = services.slot_of(datetime(2026, 11, 28, 7, 30, tzinfo=shanghai), timedelta(days=1))
    assert slot == datetime(2026, 11, 28, 0, 0, tzinfo=shanghai)


def test_old_records_and_result_files_are_pruned(org_tree, settings):
    import time_machine
    from django.core.files.base import ContentFile
    from django.utils import timezone

    job = Job.objects.create(name="orgs.export", owner=org_tree.a1_staff, status="succeeded")
    job.result_file.save("old.xlsx", ContentFile(b"x"))
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now())
    services.scheduler_tick()
    with time_machine.travel(timezone.now() + services.KEEP_RECORDS + timedelta(days=1)):
        assert services.records_prune() >= 2
    job.refresh_from_db()
    assert not job.result_file
    assert not PeriodicRun.objects.exists()


def test_exported_text_never_becomes_a_formula(
    client, org_tree, django_capture_on_commit_callbacks
):
    from conftest import make_org

    make_org(
        org_tree.root, org_tree.org_a1, '=HYPERLINK("http://evil","点我")', "station", "140525"
    )
    with django_capture_on_commit_callbacks(execute=True):
        export(client, org_tree.county_a_admin)
    job = Job.objects.get()
    sheet = load_workbook(job.result_file.open("rb")).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert cells[-1].value.startswith("=HYPERLINK")
    assert all(cell.data_type == "s" for cell in cells)
