"""Many people pressing at once (PostgreSQL only: SQLite runs one writer at a time, so it cannot
show a race). Each thread has its own connection and transaction, a barrier lets them all press
together, and every thread must end in a sign-up or a DomainError: never a deadlock, an
IntegrityError or an overbooked shift.

These tests commit for real, so they use a transactional test database; the rows shipped by data
migrations (regions, skills, service items) are restored afterwards.
"""

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from leifeng.activities import services
from leifeng.activities.models import Activity, Attendance, Shift, Signup
from leifeng.activities.tests.conftest import make_activity, make_volunteer
from leifeng.core.errors import DomainError

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# Any number taken by no other test: a lock on the whole server, not one database.
CROWD_LOCK = 71_920_001


@pytest.fixture(autouse=True)
def one_crowd_at_a_time(transactional_db):
    """A crowd test in another xdist worker (another database on the same server) waits for
    this one, so the crowds' connections stay well below max_connections (100 by default)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [CROWD_LOCK])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [CROWD_LOCK])


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result is a value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (a lock never freed?)"
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert not unexpected, unexpected  # deadlocks, IntegrityErrors, unsupported locks …
    return results


def signing_up(volunteer, shift, now):
    return lambda: services.signup_create(
        actor=volunteer.user, volunteer=volunteer, shift=shift, risk_notice_read=True, now=now
    )


def assert_consistent(shift: Shift) -> int:
    """The counter equals the confirmed rows and never passes the quota."""
    shift.refresh_from_db()
    confirmed = Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).count()
    assert shift.confirmed == confirmed <= shift.quota
    return confirmed


@pytest.fixture
def crowd(db):
    return [make_volunteer(n) for n in range(1, 41)]


@pytest.fixture
def busy_shift(org_tree) -> Shift:
    activity = make_activity(org_tree.a1_staff, org_tree.org_a1, quota=5)
    return activity.shifts.get()


def test_forty_people_for_five_places(busy_shift, crowd):
    now = busy_shift.starts_at - timedelta(days=1)
    results = at_once([signing_up(v, busy_shift, now) for v in crowd])
    assert not [r for r in results if isinstance(r, Exception)]
    statuses = [r.status for r in results]
    assert statuses.count("confirmed") == 5 and statuses.count("waitlisted") == 35
    assert assert_consistent(busy_shift) == 5
    assert Signup.objects.filter(status="waitlisted").count() == 35
    # Everyone once.
    assert Signup.objects.values("volunteer").distinct().count() == 40


def test_one_person_pressing_many_times_signs_up_once(busy_shift, crowd):
    now = busy_shift.starts_at - timedelta(days=1)
    volunteer = crowd[0]
    results = at_once([signing_up(volunteer, busy_shift, now) for _ in range(12)])
    made = [r for r in results if isinstance(r, Signup)]
    assert len(made) == 1 and made[0].status == "confirmed"
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 11 and {e.code for e in errors} == {"conflict"}
    assert Signup.objects.filter(volunteer=volunteer).count() == 1
    assert assert_consistent(busy_shift) == 1


def test_cancelling_and_signing_up_at_once_keeps_the_count(busy_shift, crowd):
    now = busy_shift.starts_at - timedelta(days=1)
    early, waiting, newcomers = crowd[:5], crowd[5:15], crowd[15:40]
    held = [signing_up(v, busy_shift, now)() for v in early + waiting]
    assert [s.status for s in held].count("confirmed") == 5
    leaving = held[:5] + held[5:8]  # every place holder and three of those waiting
    calls = [
        (
            lambda s=s: services.signup_cancel(
                actor=s.volunteer.user, signup=s, reason="有事", now=now
            )
        )
        for s in leaving
    ]
    calls += [signing_up(v, busy_shift, now) for v in newcomers]
    # Those still waiting press again: refused, while their places may be given to them.
    calls += [signing_up(v, busy_shift, now) for v in waiting[3:]]
    results = at_once(calls)
    assert sum(isinstance(r, DomainError) for r in results) == 7
    # The freed places went to people waiting or arriving: still full, never more.
    assert assert_consistent(busy_shift) == 5
    assert Signup.objects.filter(status="cancelled").count() == 8
    assert Signup.objects.filter(status__in=Signup.ACTIVE).count() == 15 - 8 + 25


def test_the_organiser_raising_the_quota_while_people_cancel_and_sign_up(
    org_tree, busy_shift, crowd
):
    now = busy_shift.starts_at - timedelta(days=1)
    held = [signing_up(v, busy_shift, now)() for v in crowd[:12]]
    calls = [
        lambda: services.shift_update(actor=org_tree.a1_staff, shift=busy_shift, quota=8),
        *[
            (lambda s=s: services.signup_cancel(actor=s.volunteer.user, signup=s, reason="有事"))
            for s in held[:3]
        ],
        *[signing_up(v, busy_shift, now) for v in crowd[12:30]],
    ]
    at_once(calls)
    busy_shift.refresh_from_db()
    assert busy_shift.quota == 8
    assert assert_consistent(busy_shift) == 8


def test_two_overlapping_shifts_at_once_give_one_place(org_tree, crowd):
    first = make_activity(org_tree.a1_staff, org_tree.org_a1, quota=5).shifts.get()
    second = make_activity(
        org_tree.a1_staff, org_tree.org_a1, title="同一时间的另一场"
    ).shifts.get()
    now = first.starts_at - timedelta(days=1)
    volunteers = crowd[:8]
    calls = []
    for volunteer in volunteers:
        calls += [signing_up(volunteer, first, now), signing_up(volunteer, second, now)] * 2
    at_once(calls)
    for volunteer in volunteers:
        assert Signup.objects.filter(volunteer=volunteer, status__in=Signup.ACTIVE).count() == 1
    assert_consistent(first)
    assert_consistent(second)


def test_an_activity_cancelled_while_people_sign_up_keeps_nobody(org_tree, busy_shift, crowd):
    now = busy_shift.starts_at - timedelta(days=1)
    for volunteer in crowd[:3]:
        signing_up(volunteer, busy_shift, now)()
    activity = busy_shift.activity
    calls = [
        lambda: services.activity_cancel(
            actor=org_tree.a1_staff, activity=activity, reason="暴雨预警", now=now
        ),
        *[signing_up(v, busy_shift, now) for v in crowd[3:20]],
    ]
    results = at_once(calls)
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.CANCELLED
    # Whoever got in before the cancel was cancelled with it; whoever came after was refused.
    assert not Signup.objects.filter(status__in=Signup.ACTIVE).exists()
    assert assert_consistent(busy_shift) == 0
    refused = [r for r in results if isinstance(r, DomainError)]
    assert all(e.code == "conflict" for e in refused)


def test_scanning_many_times_at_once_checks_in_once(busy_shift, crowd):
    volunteer = crowd[0]
    signing_up(volunteer, busy_shift, busy_shift.starts_at - timedelta(days=1))()
    at = busy_shift.starts_at

    def scan():
        return services.check_by_code(
            actor=volunteer.user,
            volunteer=volunteer,
            token=services.qr_token(busy_shift, now=at),
            check_out=False,
            now=at,
        )

    results = at_once([scan] * 8)
    assert [r.changed for r in results].count(True) == 1
    assert Attendance.objects.filter(volunteer=volunteer).count() == 1
