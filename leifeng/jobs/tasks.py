"""The one queue task (run a recorded job by id), and the jobs app's own periodic job."""

from datetime import timedelta

from django_tasks import task

from leifeng.jobs import services
from leifeng.jobs.registry import periodic_job


@task()
def run_job(job_id: int) -> None:
    services.job_run(job_id)


@periodic_job("jobs.fail_stuck", every=timedelta(minutes=10))
def fail_stuck() -> str:
    return f"failed {services.jobs_fail_stuck()}, queued again {services.jobs_requeue_lost()}"
