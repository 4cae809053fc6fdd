"""Starting, running, watching and retrying background jobs, and the periodic-job scheduler."""

import logging
import traceback
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
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


def _enqueue(job_id: int) -> None:
    from leifeng.jobs.tasks import run_job

    run_job.enqueue(job_id=job_id)


@transaction.atomic
def job_start(*, name: str, actor: User | None, **params: Any) -> Job:
    """Record a job and queue it once the surrounding transaction commits."""
    if name not in BACKGROUND:
        raise DomainError(_("Unknown background job."), code="unknown_job")
    job = Job.objects.create(name=name, params=params, owner=actor)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    """Report progress from inside a running job; pages polling the job show it at once."""
    fields: dict[str, Any] = {"progress_done": done, "progress_message": message[:200]}
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)


def job_run(job_id: int) -> None:
    """Run a queued job. Claiming it with a conditional UPDATE makes a repeated delivery of the
    same queue message (or two workers) run it only once."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    try:
        output = BACKGROUND[job.name].func(job, **job.params)
    except Exception:
        logger.exception("Background job %s #%s failed", job.name, job.pk)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=traceback.format_exc()[-4000:],
        )
        job.refresh_from_db()
        _tell_owner(job, _("it failed; you can try it again"))
        return
    job.refresh_from_db()
    if output is not None:
        job.result_name = output.filename
        job.result_file.save(output.filename, ContentFile(output.content), save=False)
    job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.progress_message = ""
    if job.progress_total:
        job.progress_done = job.progress_total
    job.save()
    _tell_owner(job, _("done"))


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
    transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


STUCK_AFTER = timedelta(hours=2)


def jobs_fail_stuck() -> int:
    """Mark jobs whose worker died mid-way as failed, so that people see it and can retry."""
    return Job.objects.filter(
        status=Job.Status.RUNNING, started_at__lt=timezone.now() - STUCK_AFTER
    ).update(
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The job was interrupted (its worker stopped). Try it again."),
    )


LOST_AFTER = timedelta(hours=1)


def jobs_requeue_lost() -> int:
    """Queue again jobs still waiting after an hour (their queue message may be lost, e.g. when
    Redis restarted). A job runs once however often it is queued: job_run claims it."""
    lost = list(
        Job.objects.filter(
            status=Job.Status.QUEUED, created_at__lt=timezone.now() - LOST_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    for job_id in lost:
        _enqueue(job_id)
    return len(lost)


def slot_of(now: datetime, every: timedelta) -> datetime:
    """The start of the period `now` falls in, counted from the Unix epoch."""
    seconds = int(every.total_seconds())
    stamp = int(now.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, tz=now.tzinfo)


def periodic_run(name: str, *, now: datetime | None = None) -> PeriodicRun | None:
    """Run periodic job `name` for the current slot, unless some process already has.

    The unique (name, slot) row is the claim: whoever inserts it runs the job, everyone else
    skips. The job itself must still be idempotent (it claims its own rows), so a slot run
    again after a crash does no harm.
    """
    periodic = PERIODIC[name]
    slot = slot_of(now or timezone.now(), periodic.every)
    try:
        with transaction.atomic():
            run = PeriodicRun.objects.create(name=name, slot=slot)
    except IntegrityError:
        return None
    try:
        result = periodic.func()
    except Exception:
        logger.exception("Periodic job %s failed", name)
        run.status, run.error = PeriodicRun.Status.FAILED, traceback.format_exc()[-4000:]
    else:
        run.status, run.result = PeriodicRun.Status.SUCCEEDED, str(result or "")[:200]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "result", "error", "finished_at"])
    return run


def scheduler_tick(*, now: datetime | None = None) -> list[str]:
    """Run every periodic job whose current slot has not run yet. Returns the names it ran."""
    ran = []
    for name in sorted(PERIODIC):
        if periodic_run(name, now=now) is not None:
            ran.append(name)
    return ran
