"""core.bulk.insert_rows writes what bulk_create would, for every kind of field it meets."""

from datetime import date

import pytest
from django.utils import timezone

from leifeng.core.bulk import insert_rows
from leifeng.volunteers.models import ConsentRecord, Volunteer
from leifeng.volunteers.tests.conftest import register

pytestmark = pytest.mark.django_db


def test_rows_read_back_as_bulk_create_writes_them(org_tree):
    model = register()
    fields = [f.attname for f in Volunteer._meta.concrete_fields if f.attname != "id"]
    copies = []
    for n in (1, 2):
        copy = Volunteer(**{name: getattr(model, name) for name in fields})
        copy.number, copy.document_hash, copy.user_id = f"X{n}", f"hash{n}", None
        copies.append(copy)
    copies[0].birth_date, copies[0].kinds = date(2001, 2, 3), ["party", "youth"]
    copies[1].birth_date, copies[1].kinds = date(2001, 2, 3), ["party", "youth"]
    insert_rows(Volunteer, [copies[0]])
    Volunteer.objects.bulk_create([copies[1]])
    fast, slow = (Volunteer.objects.get(number=n) for n in ("X1", "X2"))
    for name in fields:
        if name in {"number", "document_hash", "created_at", "updated_at"}:
            continue
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.kinds == ["party", "youth"] and fast.birth_date == date(2001, 2, 3)
    assert fast.created_at is not None and fast.updated_at is not None
    when = timezone.now()
    insert_rows(
        ConsentRecord,
        [ConsentRecord(volunteer=fast, purpose="privacy", at=when, recorded_by=org_tree.root)],
    )
    record = ConsentRecord.objects.get(volunteer=fast)
    assert (record.at, record.recorded_by, record.granted) == (when, org_tree.root, True)
