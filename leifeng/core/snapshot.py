"""JSON-safe pictures of model rows, for the audit log."""

from typing import Any

from django.db import models


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if getattr(field, "auto_now", False):  # a save time is not a change someone made
            continue
        value = getattr(obj, field.attname)
        if value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        data[field.name] = value
    return data
