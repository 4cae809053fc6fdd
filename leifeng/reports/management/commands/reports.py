"""`leifeng reports refresh | rebuild | verify`: the reports' rollups.

refresh  recompute the days marked as changed (what the periodic job does);
verify   recompute every day from the ledgers and list where the kept rollups differ
         (exit status 1 if they do); repairs nothing;
rebuild  throw the rollups away and recompute them all, then verify.
"""

from django.core.management.base import BaseCommand, CommandError

from leifeng.reports import rollups


class Command(BaseCommand):
    help = "Reports' rollups: 'refresh' the changed days, 'verify' them, or 'rebuild' all."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh", "verify", "rebuild"])

    def handle(self, *args, action, **options):
        if action == "refresh":
            self.stdout.write(f"Recomputed {rollups.refresh()} days.")
            return
        if action == "rebuild":
            cells = rollups.rebuild(
                progress=lambda first, last: self.stdout.write(f"  {first} – {last}")
            )
            self.stdout.write(f"Rebuilt {cells} day cells.")
        problems = rollups.differences()
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(
                "The kept rollups differ from the ledgers (first differences above)."
            )
        self.stdout.write(self.style.SUCCESS("The rollups equal a fresh count of the ledgers."))
