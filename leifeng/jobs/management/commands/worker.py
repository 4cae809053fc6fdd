"""`leifeng worker`: run background jobs and the periodic-job scheduler.

One process does both: a scheduler thread starts each periodic job once per time slot (safe
with workers on several machines), and the main thread runs queued jobs, from the database
by default or from Redis (RQ) when REDIS_URL is set.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from leifeng.jobs.services import scheduler_tick

logger = logging.getLogger(__name__)


def run_scheduler(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            scheduler_tick()
        except Exception:
            logger.exception("Periodic-job scheduler tick failed")
        stop.wait(interval)


class Command(BaseCommand):
    help = "Run background jobs and periodic jobs (one process; run several on several machines)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is queued now, then stop."
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Do not start periodic jobs here."
        )

    def handle(self, *args, interval, batch, no_scheduler, **options):
        stop = threading.Event()
        if batch:
            scheduler_tick()
        elif not no_scheduler:
            threading.Thread(target=run_scheduler, args=(stop, 10.0), daemon=True).start()
        try:
            if "RQBackend" in settings.TASKS["default"]["BACKEND"]:
                call_command(
                    "rqworker",
                    "default",
                    burst=batch,
                    with_scheduler=True,
                    job_class="django_tasks_rq.backend.Job",
                )
            else:
                from django_tasks_db.management.commands.db_worker import Worker

                worker = Worker(
                    queue_names=["default"],
                    interval=interval,
                    batch=batch,
                    backend_name="default",
                    startup_delay=not batch,
                    max_tasks=None,
                    worker_id=f"leifeng-{time.time_ns()}",
                    excluded_queue_names=[],
                )
                if not batch:
                    worker.configure_signals()
                worker.run()
        finally:
            stop.set()
