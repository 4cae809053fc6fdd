"""`leifeng hours verify`: prove that every volunteer's total equals the sum of their ledger.
It repairs nothing; it lists each difference and exits with status 1 if there is any."""

from django.core.management.base import BaseCommand, CommandError

from leifeng.hours import services


class Command(BaseCommand):
    help = "Service hours: 'verify' checks every total against the ledger (repairs nothing)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        mismatches = services.hours_verify()
        for mismatch in mismatches:
            self.stdout.write(
                f"volunteer {mismatch.volunteer_id}: total {mismatch.total}, "
                f"ledger {mismatch.ledger}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} totals differ from the ledger.")
        self.stdout.write(self.style.SUCCESS("Every total equals the sum of its ledger."))
