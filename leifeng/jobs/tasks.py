"""The queue tasks (run a recorded job, run a claimed periodic run) and the jobs app's own
periodic housekeeping."""

from datetime import timedelta

from django_tasks import task

from leifeng.jobs import services
from leifeng.jobs.registry import periodic_job


@task()
def run_job(job_id: int) -> None:
    services.job_run(job_id)


@task()
def run_periodic(run_id: int) -> str:
    return services.periodic_execute(run_id).status


@periodic_job("jobs.fail_stuck", every=timedelta(minutes=10))
def fail_stuck() -> str:
    return f"failed {services.jobs_fail_stuck()}, queued again {services.jobs_requeue_lost()}"


@periodic_job("jobs.prune", every=timedelta(days=1))
def prune() -> str:
    return f"deleted {services.records_prune()}"
