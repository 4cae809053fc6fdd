"""No double credit under real concurrent transactions (PostgreSQL only): the same time
credited from many places at once is credited once, and the total equals the ledger."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from leifeng.activities.tests.conftest import make_volunteer
from leifeng.activities.tests.test_concurrency import at_once, one_crowd_at_a_time
from leifeng.core.errors import DomainError
from leifeng.hours import services
from leifeng.hours.models import HoursEntry, VolunteerHours

__all__ = ["one_crowd_at_a_time"]  # the autouse fixture: one crowd test at a time

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

START = datetime(2026, 6, 1, 9, tzinfo=timezone.get_current_timezone())


def test_overlapping_credits_at_once_are_credited_once(org_tree):
    volunteer = make_volunteer(1)

    def crediting(offset_minutes: int):
        begin = START + timedelta(minutes=offset_minutes)
        return lambda: services.manual_credit(
            actor=org_tree.root,
            organisation=org_tree.org_a1,
            volunteer=volunteer,
            content="同一次服务",
            started_at=begin,
            ended_at=begin + timedelta(hours=2),
            hours=Decimal("2"),
        )

    results = at_once([crediting(offset) for offset in range(0, 60, 3)])
    credited = [r for r in results if isinstance(r, HoursEntry)]
    assert len(credited) == 1
    assert all(isinstance(r, DomainError) for r in results if r not in credited)
    assert VolunteerHours.objects.get(volunteer=volunteer).total == Decimal("2")
    assert services.hours_verify() == []
