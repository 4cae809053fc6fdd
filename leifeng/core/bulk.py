"""Writing many new rows fast, for imports.

`bulk_create` prepares every value through the query compiler, which is most of the time an
import of 100,000 people takes. `insert_rows` hands plain values of plain fields straight to
the driver (COPY on PostgreSQL, executemany on SQLite) and lets Django prepare only the rest
(dates, times, custom fields).
It neither sets primary keys on the objects nor sends signals.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router

# Fields whose Python value is already what the database takes (exact types: a subclass may
# prepare its values, e.g. ChoiceSetField).
PLAIN = {
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.BigIntegerField,
    models.PositiveBigIntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.OneToOneField,
}


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT unsaved `objs` of `model` with one executemany (auto primary keys left out)."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, True)
    prepare = [_preparer(field, connection) for field in fields]
    attnames = [field.attname for field in fields]
    rows = [
        tuple(
            value if convert is None else convert(value)
            for value, convert in zip(
                [getattr(obj, name) for name in attnames], prepare, strict=True
            )
        )
        for obj in objs
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream instead of a round trip per row.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _preparer(field: models.Field, connection: Any) -> Any:
    if type(field) in PLAIN:
        return None
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)
