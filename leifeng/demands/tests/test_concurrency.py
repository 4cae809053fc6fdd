"""Many volunteers pressing "take" on one order at once (PostgreSQL only: SQLite runs one
writer at a time, so it cannot show a race). Each thread has its own connection and
transaction and a barrier lets them press together: exactly one wins, every other one is told
the order was taken (a conflict), never a deadlock or an IntegrityError.

These tests commit for real, so they use a transactional test database; the rows shipped by data
migrations (regions, skills, service items) are restored afterwards.
"""

import itertools

import pytest
from django.db import connection

from leifeng.activities.tests.conftest import make_volunteer
from leifeng.activities.tests.test_concurrency import CROWD_LOCK, at_once
from leifeng.core.errors import DomainError
from leifeng.demands import services
from leifeng.demands.models import Order, OrderEvent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def one_crowd_at_a_time(transactional_db):
    """Crowds in other xdist workers (other databases, same server) wait for this one, so the
    connections stay well below max_connections. The same lock as the activities' crowds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [CROWD_LOCK])
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [CROWD_LOCK])


@pytest.fixture
def crowd(orders):
    """Eight volunteers living in the order's township: every one may take it."""
    return [make_volunteer(n) for n in range(21, 29)]


def mine(order: Order) -> Order:
    """Each request loads its own copy of the order (the services refresh it in place)."""
    return Order.objects.get(pk=order.pk)


def taking(volunteer, order):
    return lambda: services.order_take(actor=volunteer.user, order=mine(order), volunteer=volunteer)


def test_eight_volunteers_press_take_at_once_and_one_wins(orders, crowd):
    order = orders.order_in(Order.Status.OPEN)
    assert all(services.may_take_as_volunteer(v, order) for v in crowd)
    results = at_once([taking(v, order) for v in crowd])
    won = [r for r in results if isinstance(r, Order)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 7
    assert {e.code for e in lost} == {"conflict"}
    order.refresh_from_db()
    assert order.status == Order.Status.ACCEPTED
    assert order.taker == won[0].taker and order.taker in crowd
    taken = OrderEvent.objects.filter(order=order, to_status=Order.Status.ACCEPTED)
    assert taken.count() == 1 and taken.get().actor == order.taker.user


def test_the_team_and_a_volunteer_nearby_take_at_once(orders, crowd):
    """The leader naming a member and volunteers for themselves: still one winner."""
    order = orders.order_in(Order.Status.OPEN)
    calls = [taking(v, order) for v in crowd[:5]]
    calls.append(
        lambda: services.order_take(
            actor=orders.tree.a1_staff, order=mine(order), volunteer=orders.member
        )
    )
    results = at_once(calls)
    assert sum(isinstance(r, Order) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"conflict"}
    assert OrderEvent.objects.filter(order=order, to_status=Order.Status.ACCEPTED).count() == 1


def test_giving_back_cancelling_and_taking_at_once_tell_one_story(orders, crowd):
    """The team gives a dispatched order back while the center cancels it and the leader
    takes it. Some may win one after the other (given back, then cancelled), but every move
    starts from where the one before ended: no move is lost or made from a stale state."""
    order = orders.order_in(Order.Status.DISPATCHED)
    results = at_once(
        [
            lambda: services.order_decline(
                actor=orders.leader, order=mine(order), reason="人手不够"
            ),
            lambda: services.order_cancel(
                actor=orders.tree.a1_staff, order=mine(order), reason="群众来电取消"
            ),
            lambda: services.order_take(
                actor=orders.leader, order=mine(order), volunteer=orders.member
            ),
        ]
    )
    won = sum(isinstance(r, Order) for r in results)
    assert won >= 1
    assert {r.code for r in results if isinstance(r, DomainError)} <= {"conflict"}
    order.refresh_from_db()
    chain = list(OrderEvent.objects.filter(order=order).order_by("pk"))
    assert len(chain) == 3 + won  # submitted, verified, dispatched, then the winners
    for before, after in itertools.pairwise(chain):
        assert after.from_status == before.to_status
    assert chain[-1].to_status == order.status
    if order.status == Order.Status.ACCEPTED:
        assert order.taker == orders.member
    if order.status == Order.Status.VERIFIED:
        assert order.taker is None and order.organisation == orders.center
