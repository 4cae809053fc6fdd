"""Activity fixtures: a published activity with one shift three days ahead, volunteers."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from leifeng.activities import services
from leifeng.activities.models import Activity, Shift
from leifeng.volunteers.tests.conftest import id_number, register

__all__ = ["activity_data", "make_activity", "make_volunteer"]


def soon(days: int = 3, hour: int = 9) -> datetime:
    """A whole hour some days ahead, in local time, so that sign-ups are still open."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def activity_data(**overrides) -> dict:
    data = {
        "title": "文明交通劝导",
        "description": "在泽州路口劝导行人和非机动车文明出行。",
        "campaign_line": "city",
        "national_category": "traffic",
        "served_groups": ["public"],
        "address": "泽州县南村镇泽州路与凤台街交叉口",
        "latitude": "35.490000",
        "longitude": "112.850000",
        "risk_notice": "路口车流较多，请穿反光背心，听从现场负责人安排。",
    }
    data.update(overrides)
    return data


def make_activity(actor, organisation, *, quota: int = 2, publish: bool = True, **overrides):
    activity = services.activity_save(
        actor=actor, organisation=organisation, data=activity_data(**overrides)
    )
    services.shift_add(
        actor=actor, activity=activity, starts_at=soon(), ends_at=soon(hour=11), quota=quota
    )
    if publish:
        services.activity_publish(actor=actor, activity=activity)
    activity.refresh_from_db()
    return activity


def make_volunteer(n: int, **overrides):
    """The n-th distinct volunteer (born 1990, different sequence numbers and mobiles)."""
    return register(
        name=overrides.pop("name", f"志愿者{n}"),
        document_number=id_number(seq=f"{n:03d}"),
        mobile=f"139{n:08d}",
        **overrides,
    )


@pytest.fixture
def activity(org_tree) -> Activity:
    return make_activity(org_tree.a1_staff, org_tree.org_a1)


@pytest.fixture
def shift(activity) -> Shift:
    return activity.shifts.get()


@pytest.fixture
def volunteers(db):
    return [make_volunteer(n) for n in range(1, 6)]
