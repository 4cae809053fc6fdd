"""Starting, running, watching and retrying background jobs, and the periodic-job scheduler.

Claims are conditional UPDATEs, so a job queued twice, or picked up by two workers, runs once.
A running job shows signs of life (`heartbeat_at`, with every progress report); one silent for
STUCK_AFTER is taken to have lost its worker and is failed, so people can retry it.
"""

import logging
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from leifeng.accounts.models import User
from leifeng.core.errors import DomainError
from leifeng.jobs.models import Job, PeriodicRun
from leifeng.jobs.registry import BACKGROUND, PERIODIC
from leifeng.notify.kinds import JOB_FINISHED
from leifeng.notify.services import notify

logger = logging.getLogger(__name__)

STUCK_AFTER = timedelta(hours=2)  # no sign of life for this long: the worker is gone
LOST_AFTER = timedelta(hours=1)  # still queued after this long: queue it again
PERIODIC_LEASE = timedelta(minutes=30)  # a periodic run still "running" after this is taken over
KEEP_RECORDS = timedelta(days=7)  # periodic runs, queue results and job files are kept this long


def _enqueue_after_commit(job_id: int) -> None:
    def enqueue() -> None:
        from leifeng.jobs.tasks import run_job

        Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
        run_job.enqueue(job_id=job_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def job_start(*, name: str, actor: User | None, **params: Any) -> Job:
    """Record a job and queue it once the surrounding transaction commits."""
    if name not in BACKGROUND:
        raise DomainError(_("Unknown background job."), code="unknown_job")
    job = Job.objects.create(name=name, params=params, owner=actor)
    _enqueue_after_commit(job.pk)
    return job


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    """Report progress from inside a running job; pages polling the job show it at once."""
    fields: dict[str, Any] = {
        "progress_done": done,
        "progress_message": message[:200],
        "heartbeat_at": timezone.now(),
    }
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def row_progress(job: Job, *, total: int, every: int, message: str) -> Callable[[int], None]:
    """A callback for a job that writes `total` rows: reports every `every` rows and the last."""
    job_progress(job, done=0, total=total, message=message)

    def report(number: int) -> None:
        if number % every == 0 or number == total:
            job_progress(job, done=number, total=total, message=message)

    return report


def job_run(job_id: int) -> None:
    """Run a queued job once, however often its id was queued."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    # Only this run may finish the job: not a later retry, nor the stuck-job sweep's verdict.
    this_run = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
    try:
        output = BACKGROUND[job.name].func(job, **job.params)
        finished: dict[str, Any] = {"status": Job.Status.SUCCEEDED, "progress_message": ""}
        if output is not None:
            job.result_file.save(output.filename, ContentFile(output.content), save=False)
            finished.update(result_file=job.result_file.name, result_name=output.filename)
        job.refresh_from_db(fields=["progress_total"])
        if job.progress_total:
            finished["progress_done"] = job.progress_total
        outcome = _("done")
    except Exception:
        logger.exception("Background job %s #%s failed", job.name, job.pk)
        finished = {"status": Job.Status.FAILED, "error": traceback.format_exc()[-4000:]}
        outcome = _("it failed; you can try it again")
    if this_run.update(finished_at=timezone.now(), **finished):
        job.refresh_from_db()
        _tell_owner(job, outcome)


def _tell_owner(job: Job, outcome: str) -> None:
    if job.owner is None:
        return
    notify(
        recipients=[job.owner],
        kind=JOB_FINISHED,
        context={"job": job.label, "outcome": outcome},
        event_key=f"jobs.finished:{job.pk}:{job.attempts}",
        url=reverse("jobs:detail", args=[job.pk]),
    )


@transaction.atomic
def job_retry(*, job: Job, actor: User) -> Job:
    """Queue a failed job again (system administrators, or the person who started it)."""
    if not (actor.is_superuser or job.owner_id == actor.pk):
        raise DomainError(_("You cannot retry this job."), code="forbidden")
    retried = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.QUEUED, progress_done=0, progress_message="", finished_at=None
    )
    if not retried:
        raise DomainError(_("Only a failed job can be retried."), code="not_failed")
    _enqueue_after_commit(job.pk)
    job.refresh_from_db()
    return job


def jobs_fail_stuck() -> int:
    """Fail jobs whose worker died mid-way, so that people see it and can retry."""
    stuck = list(
        Job.objects.filter(
            status=Job.Status.RUNNING, heartbeat_at__lt=timezone.now() - STUCK_AFTER
        ).select_related("owner")
    )
    failed = 0
    for job in stuck:
        if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The job was interrupted (its worker stopped). Try it again."),
        ):
            failed += 1
            _tell_owner(job, _("it failed; you can try it again"))
    return failed


def jobs_requeue_lost() -> int:
    """Queue again jobs still waiting an hour after they were queued (the queue message may be
    lost, e.g. when Redis restarted). Running a job twice is harmless: job_run claims it."""
    cutoff = timezone.now() - LOST_AFTER
    # Never queued at all counts too (the process died between commit and queueing).
    lost = Q(enqueued_at__lt=cutoff) | Q(enqueued_at__isnull=True, created_at__lt=cutoff)
    requeued = 0
    for job_id in Job.objects.filter(lost, status=Job.Status.QUEUED).values_list("pk", flat=True)[
        :500
    ]:
        # Claim the re-queueing too, so two schedulers do not both add a message.
        if Job.objects.filter(lost, pk=job_id).update(enqueued_at=timezone.now()):
            from leifeng.jobs.tasks import run_job

            run_job.enqueue(job_id=job_id)
            requeued += 1
    return requeued


def records_prune() -> int:
    """Delete what is only kept for a while: periodic runs, queue results, job result files."""
    cutoff = timezone.now() - KEEP_RECORDS
    deleted, _counts = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    for job in Job.objects.filter(finished_at__lt=cutoff).exclude(result_file=""):
        job.result_file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result_file="", progress_message=_("Result deleted."))
        deleted += 1
    from django_tasks_db.models import DBTaskResult

    old_results, _counts = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted + old_results


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the period `now` falls in, counted in local time (a daily job's day starts
    at local midnight)."""
    local = timezone.localtime(now)
    offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
    stamp = int(now.timestamp()) + offset
    seconds = int(every.total_seconds())
    return datetime.fromtimestamp(stamp - stamp % seconds - offset, tz=local.tzinfo)


def periodic_claim(name: str, *, now: datetime | None = None) -> PeriodicRun | None:
    """Claim periodic job `name` for the current slot, unless some process already has.

    The unique (name, slot) row is the claim; a claim whose runner died (still running past
    the lease) can be taken over. The job itself must be idempotent all the same.
    """
    now = now or timezone.now()
    slot = slot_of(now, PERIODIC[name].every)
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(name=name, slot=slot)
    except IntegrityError:
        taken_over = PeriodicRun.objects.filter(
            name=name,
            slot=slot,
            status=PeriodicRun.Status.RUNNING,
            started_at__lt=timezone.now() - PERIODIC_LEASE,
        ).update(started_at=timezone.now())
        return PeriodicRun.objects.get(name=name, slot=slot) if taken_over else None


def periodic_execute(run_id: int) -> PeriodicRun:
    """Do the work of a claimed periodic run and record how it went."""
    run = PeriodicRun.objects.get(pk=run_id)
    try:
        result = PERIODIC[run.name].func()
    except Exception:
        logger.exception("Periodic job %s failed", run.name)
        run.status, run.error = PeriodicRun.Status.FAILED, traceback.format_exc()[-4000:]
    else:
        run.status, run.result = PeriodicRun.Status.SUCCEEDED, str(result or "")[:200]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "error", "finished_at"])
    return run


def periodic_run(name: str, *, now: datetime | None = None) -> PeriodicRun | None:
    """Claim and run `name` here and now (tests, and `leifeng worker --batch`)."""
    run = periodic_claim(name, now=now)
    return periodic_execute(run.pk) if run else None


def scheduler_tick(*, now: datetime | None = None) -> list[str]:
    """Claim every periodic job whose current slot is free and queue it for the workers, so a
    slow job never holds up the others. Returns the names it queued."""
    from leifeng.jobs.tasks import run_periodic

    queued = []
    for name in sorted(PERIODIC):
        run = periodic_claim(name, now=now)
        if run is not None:
            run_periodic.enqueue(run_id=run.pk)
            queued.append(name)
    return queued
