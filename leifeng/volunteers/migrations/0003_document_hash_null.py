"""Closed accounts keep NULL instead of "" in document_hash, so that a plain unique index
serves every look-up (SQLite ignores a partial index unless the query repeats its condition;
PostgreSQL stops using it for IN lists over 100 values)."""

from django.db import migrations, models


def empty_to_null(apps, schema_editor):
    apps.get_model("volunteers", "Volunteer").objects.filter(document_hash="").update(
        document_hash=None
    )


def null_to_empty(apps, schema_editor):
    apps.get_model("volunteers", "Volunteer").objects.filter(document_hash=None).update(
        document_hash=""
    )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_default_skills")]

    operations = [
        migrations.RemoveConstraint(model_name="volunteer", name="volunteers_document_unique"),
        migrations.AlterField(
            model_name="volunteer",
            name="document_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(empty_to_null, null_to_empty),
        migrations.AlterField(
            model_name="volunteer",
            name="document_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
    ]
