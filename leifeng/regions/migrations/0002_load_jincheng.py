"""Load the shipped divisions (leifeng/regions/data/*.csv): Jincheng's city, counties and townships.

Idempotent: a division already present (by code) is left as it is.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    for data_file in sorted(DATA_DIR.glob("*.csv")):
        lines = [line for line in data_file.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
        for row in csv.DictReader(lines):
            if Region.objects.filter(code=row["code"]).exists():
                continue
            parent = Region.objects.get(code=row["parent_code"]) if row["parent_code"] else None
            region = Region.objects.create(
                code=row["code"], name=row["name"], level=row["level"], parent=parent,
                path=f"tmp-{row['code']}",
            )
            region.path = f"{parent.path if parent else '/'}{region.pk}/"
            region.save(update_fields=["path"])


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
