"""`leifeng reseal`: after putting a new key first in LEIFENG_DATA_KEYS, re-encrypt the
personal data sealed with older keys; then the old key can be removed."""

from django.core.management.base import BaseCommand

from leifeng.volunteers.services import personal_data_reseal


class Command(BaseCommand):
    help = "Re-encrypt personal data sealed with an older key in LEIFENG_DATA_KEYS."

    def handle(self, *args, **options):
        changed = personal_data_reseal()
        self.stdout.write(f"{changed} rows re-encrypted with the current key.")
