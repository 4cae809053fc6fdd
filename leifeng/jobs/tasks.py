"""The one queue task: run a recorded job by id."""

from django_tasks import task

from leifeng.jobs import services


@task()
def run_job(job_id: int) -> None:
    services.job_run(job_id)
