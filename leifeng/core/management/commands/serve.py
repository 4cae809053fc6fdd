"""`leifeng serve`: run the site with a production server (gunicorn), DEBUG off, and a
background-job worker beside it (unless --no-worker)."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Leifeng with gunicorn (DEBUG off). Put nginx in front of it in production."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("LEIFENG_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, help="default: LEIFENG_WORKERS or 3")
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply migrations first."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start a background-job worker here (run `leifeng worker` elsewhere).",
        )

    def handle(self, *args, bind, workers, no_migrate, no_worker, **options):
        if workers is None:
            raw = os.environ.get("LEIFENG_WORKERS", "3")
            if not raw.isdigit() or int(raw) < 1:
                raise CommandError(f"LEIFENG_WORKERS={raw!r} must be a whole number of at least 1.")
            workers = int(raw)
        if settings.DEBUG:
            raise CommandError("leifeng serve runs with DEBUG off; unset DEBUG.")
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.base import BaseApplication

        from config.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", bind)
                self.cfg.set("workers", workers)
                self.cfg.set("accesslog", "-")
                self.cfg.set(
                    "forwarded_allow_ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
                )

            def load(self):
                return application

        # On one machine the background-job worker runs beside the web server, no cron needed.
        worker = None
        if not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "leifeng", "worker"])
        self.stdout.write(f"Leifeng serving on http://{bind} with {workers} workers (DEBUG off).")
        try:
            Server().run()
        finally:
            if worker is not None:
                worker.terminate()  # it finishes the job in hand, then stops
                try:
                    worker.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    worker.kill()
