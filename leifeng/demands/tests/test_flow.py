"""The whole loop once: order on a phone, verify, dispatch, take, serve, hours, rate."""

from datetime import timedelta

from django.utils import timezone

from leifeng.demands import services
from leifeng.demands.models import Order, OrderEvent
from leifeng.hours import services as hours_services
from leifeng.hours.models import HoursClaim


def test_an_order_goes_round_the_loop_and_its_hours_reach_the_ledger(orders, time_machine):
    tree = orders.tree
    order = orders.submitted()
    assert order.status == Order.Status.SUBMITTED and order.step_due_at
    services.order_verify(actor=tree.a1_staff, order=order)
    ranked = services.dispatch_candidates(order, tree.a1_staff)
    assert ranked[0][0] in (orders.station, orders.team)
    services.order_dispatch(actor=tree.a1_staff, order=order, to=orders.team)
    assert services.contact_for(orders.member.user, order) != "13912345678"
    services.order_take(actor=orders.leader, order=order, volunteer=orders.member)
    order.refresh_from_db()
    assert order.status == Order.Status.ACCEPTED and order.taker == orders.member
    assert services.contact_for(orders.member.user, order) == "13912345678"
    assert services.contact_for(orders.near.user, order) != "13912345678"
    services.order_start(actor=orders.member.user, order=order)
    time_machine.move_to(timezone.now() + timedelta(hours=2, minutes=10))
    services.order_finish(actor=orders.member.user, order=order, note="已送到，老人很满意")
    order.refresh_from_db()
    assert order.status == Order.Status.DONE
    # The resident's SMS carries the full rating link.
    from leifeng.notify.models import Delivery

    sms = Delivery.objects.filter(kind="demands.resident_update").order_by("-pk").first()
    assert f"http://127.0.0.1:8000/demands/rate/{order.number}/{order.rating_token}/" in sms.body
    assert hours_services.claims_collect() == 1
    claim = HoursClaim.objects.get()
    assert claim.volunteer == orders.member and claim.proposed_hours == 2
    services.order_rate(order=order, token=order.rating_token, rating=5, comment="谢谢")
    order.refresh_from_db()
    assert order.status == Order.Status.RATED and not order.follow_up
    assert list(order.events.values_list("to_status", flat=True)) == [
        "submitted",
        "verified",
        "dispatched",
        "accepted",
        "in_service",
        "done",
        "rated",
    ]
    assert OrderEvent.objects.filter(order=order, actor=tree.a1_staff).count() == 2
