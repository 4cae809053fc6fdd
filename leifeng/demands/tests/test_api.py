"""The residents' orders API at /api/v1/demands as apps use it.

A resident, without an account, asks for a code, orders with it and rates the service with
the token from the link; staff of 泽州 (org_a1, the receiving center) verify and dispatch; the
team's leader takes the order for a member, who serves and finishes it. Errors are the one
error body with a Chinese message. The resident's phone is shown only to the receiving
center's staff and to the volunteer serving the order; 城区 (county B) sees none of it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from leifeng.core.tests.apitest import CHINESE, Api, assert_error, auth, ok
from leifeng.demands import services
from leifeng.demands.models import Order
from leifeng.demands.tests.conftest import MOBILE, order_data, sent_code, township_of
from leifeng.hours import services as hours_services
from leifeng.hours.models import HoursClaim
from leifeng.notify.models import Delivery

pytestmark = pytest.mark.django_db

BASE = "/api/v1/demands"
API = Api(BASE)
MASKED = "139****5678"
get, post, put = API.get, API.post, API.put


def code_from_sms(mobile: str = MOBILE) -> str:
    body = Delivery.objects.filter(address=mobile).order_by("-pk").first().body
    return "".join(ch for ch in body if ch.isdigit())[:6]


def place_payload(orders, code: str, **overrides) -> dict:
    data = order_data(orders.center)
    data.pop("township")
    return {
        **data,
        "receiver_id": orders.center.pk,
        "township_id": township_of(orders.center).pk,
        "mobile": MOBILE,
        "code": code,
        **overrides,
    }


def opened(orders) -> Order:
    """An order verified by the center and opened for volunteers nearby to take."""
    order = orders.submitted()
    services.order_verify(actor=orders.tree.a1_staff, order=order)
    return services.order_open(actor=orders.tree.a1_staff, order=order)


# --- the whole loop ------------------------------------------------------------------------


def test_an_order_goes_round_the_loop_through_the_api(client, orders, time_machine):
    tree = orders.tree
    centers = ok(get(client, "/centers", {"page_size": 100}))["items"]
    assert orders.center.pk in {center["id"] for center in centers}

    assert post(client, "/code", {"mobile": MOBILE}).status_code == 204
    placed = ok(post(client, "/orders", place_payload(orders, code_from_sms())), 201)
    assert set(placed) == {"number", "status"} and placed["status"] == "submitted"
    order = Order.objects.get(number=placed["number"])

    staff = auth(tree.a1_staff)
    listed = ok(get(client, "/orders", **staff))["items"]
    assert [item["number"] for item in listed] == [order.number]
    assert listed[0]["contact"] == MASKED
    assert ok(get(client, f"/orders/{order.pk}", **staff))["contact"] == MOBILE

    assert ok(post(client, f"/orders/{order.pk}/verify", {}, **staff))["status"] == "verified"
    candidates = ok(get(client, f"/orders/{order.pk}/candidates", **staff))
    assert {orders.station.pk, orders.team.pk} <= {unit["id"] for unit in candidates}
    assert all(CHINESE.search(why) for unit in candidates for why in unit["why"])
    dispatched = ok(
        post(client, f"/orders/{order.pk}/dispatch", {"to_id": orders.team.pk}, **staff)
    )
    assert dispatched["status"] == "dispatched"
    assert dispatched["organisation_id"] == orders.team.pk

    leader = auth(orders.leader)
    taken = ok(
        post(client, f"/orders/{order.pk}/take", {"volunteer_id": orders.member.pk}, **leader)
    )
    assert taken["status"] == "accepted" and taken["taker_id"] == orders.member.pk
    assert taken["contact"] == MASKED  # the leader does not call; the member does

    member = auth(orders.member.user)
    assert ok(get(client, f"/orders/{order.pk}", **member))["contact"] == MOBILE
    assert [item["id"] for item in ok(get(client, "/me/taken", **member))["items"]] == [order.pk]
    assert ok(post(client, f"/orders/{order.pk}/start", **member))["status"] == "in_service"
    time_machine.move_to(timezone.now() + timedelta(hours=2, minutes=10))
    done = ok(post(client, f"/orders/{order.pk}/finish", {"note": "已送到，老人很满意"}, **member))
    assert done["status"] == "done" and done["done_note"] == "已送到，老人很满意"
    assert "rating_token" not in done and "contact_sealed" not in done

    assert hours_services.claims_collect() == 1
    assert HoursClaim.objects.get().volunteer == orders.member

    token = Order.objects.get(pk=order.pk).rating_token
    rated = ok(post(client, f"/orders/{order.number}/rate", {"token": token, "rating": 5}))
    assert rated == {"number": order.number, "status": "rated"}
    history = ok(get(client, f"/orders/{order.pk}", **staff))["events"]
    assert [event["to_status"] for event in history] == [
        "submitted",
        "verified",
        "dispatched",
        "accepted",
        "in_service",
        "done",
        "rated",
    ]


# --- errors --------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_with_422_and_no_order(client, orders):
    right = sent_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    assert_error(post(client, "/orders", place_payload(orders, wrong)), 422, "invalid", "code")
    assert not Order.objects.exists()


def test_an_order_needs_a_receiving_center_and_a_real_township(client, orders):
    code = sent_code()
    response = post(client, "/orders", place_payload(orders, code, receiver_id=orders.team.pk))
    assert_error(response, 422, "invalid", "receiver_id")
    response = post(client, "/orders", place_payload(orders, code, township_id=999_999))
    assert_error(response, 422, "invalid", "township_id")


def test_a_bad_mobile_gets_no_code(client, db):
    assert_error(post(client, "/code", {"mobile": "12345"}), 422, "invalid", "mobile")


def test_a_move_the_order_cannot_make_is_409(client, orders):
    order = orders.submitted()
    staff = auth(orders.tree.a1_staff)
    assert_error(post(client, f"/orders/{order.pk}/open", {}, **staff), 409, "conflict")
    ok(post(client, f"/orders/{order.pk}/verify", {}, **staff))
    assert_error(post(client, f"/orders/{order.pk}/verify", {}, **staff), 409, "conflict")


def test_a_reason_must_say_something(client, orders):
    order = orders.submitted()
    staff = auth(orders.tree.a1_staff)
    response = post(client, f"/orders/{order.pk}/reject", {"reason": "  "}, **staff)
    assert_error(response, 422, "invalid", "reason")
    assert_error(post(client, f"/orders/{order.pk}/reject", {}, **staff), 422, "invalid", "reason")


def test_another_county_finds_nothing(client, orders):
    order = orders.submitted()
    for user in (orders.tree.b1_staff, orders.tree.county_b_admin):
        theirs = auth(user)
        assert ok(get(client, "/orders", **theirs)) == {"items": [], "count": 0}
        assert_error(get(client, f"/orders/{order.pk}", **theirs), 404, "not_found")
        assert_error(post(client, f"/orders/{order.pk}/verify", {}, **theirs), 404, "not_found")
        assert_error(get(client, f"/orders/{order.pk}/candidates", **theirs), 404, "not_found")
        response = get(client, "/board", {"organisation_id": orders.center.pk}, **theirs)
        assert_error(response, 404, "not_found")
    order.refresh_from_db()
    assert order.status == Order.Status.SUBMITTED


def test_staff_may_record_only_for_a_center_they_manage(client, orders):
    payload = place_payload(orders, "")
    payload.pop("code")
    response = post(client, "/orders/record", payload, **auth(orders.tree.b1_staff))
    assert_error(response, 404, "not_found")
    recorded = ok(post(client, "/orders/record", payload, **auth(orders.tree.a1_staff)), 201)
    assert recorded["channel"] == "staff" and recorded["contact"] == MOBILE


def test_the_api_needs_a_log_in_except_for_residents(client, orders):
    assert_error(get(client, "/orders"), 401, "unauthenticated")
    assert_error(get(client, "/me/open"), 401, "unauthenticated")
    assert get(client, "/menu").status_code == 200
    assert get(client, "/centers").status_code == 200


def test_a_rating_needs_the_token_and_counts_once(client, orders, time_machine):
    order = orders.submitted()
    staff = orders.tree.a1_staff
    services.order_verify(actor=staff, order=order)
    services.order_dispatch(actor=staff, order=order, to=orders.team)
    services.order_take(actor=orders.leader, order=order, volunteer=orders.member)
    services.order_start(actor=orders.member.user, order=order)
    order = services.order_finish(actor=orders.member.user, order=order, note="已修好")
    url = f"/orders/{order.number}/rate"
    assert_error(post(client, url, {"token": "guess", "rating": 5}), 404, "not_found")
    assert_error(post(client, url, {"token": order.rating_token, "rating": 9}), 422, "invalid")

    low = ok(post(client, url, {"token": order.rating_token, "rating": 1, "comment": "没人来"}))
    assert low["status"] == "rated"
    assert_error(post(client, url, {"token": order.rating_token, "rating": 5}), 409, "conflict")

    center = auth(staff)
    follow_ups = ok(get(client, "/orders", {"follow_up": "true"}, **center))["items"]
    assert [item["id"] for item in follow_ups] == [order.pk]
    done = ok(post(client, f"/orders/{order.pk}/follow-up", {"note": "已回访致歉"}, **center))
    assert done["follow_up"] is False and done["follow_up_note"] == "已回访致歉"


# --- privacy -------------------------------------------------------------------------------


def test_answers_to_residents_carry_no_personal_data(client, orders):
    placed = post(client, "/orders", place_payload(orders, sent_code()))
    assert set(ok(placed, 201)) == {"number", "status"}
    for text in (MOBILE, MASKED, "张大爷", "幸福小区"):
        assert text not in placed.content.decode()
    menu = get(client, "/menu").content.decode()
    assert MOBILE not in menu and "contact" not in menu


def test_a_volunteer_nearby_sees_the_phone_masked_until_they_take_the_order(client, orders):
    order = opened(orders)
    near, far = auth(orders.near.user), auth(orders.far.user)

    assert [item["id"] for item in ok(get(client, "/me/open", **near))["items"]] == [order.pk]
    assert ok(get(client, "/me/open", **far))["items"] == []
    assert_error(get(client, f"/orders/{order.pk}", **far), 404, "not_found")
    seen = get(client, f"/orders/{order.pk}", **near)
    assert ok(seen)["contact"] == MASKED
    assert MOBILE not in seen.content.decode()

    taken = ok(post(client, f"/orders/{order.pk}/take", {}, **near))
    assert taken["taker_id"] == orders.near.pk and taken["contact"] == MOBILE
    assert ok(get(client, "/me/open", **near))["items"] == []
    # Taken: the others nearby no longer see it at all.
    assert_error(get(client, f"/orders/{order.pk}", **auth(orders.member.user)), 404, "not_found")


def test_lists_show_the_phone_masked_and_never_the_sealed_number_or_token(client, orders):
    orders.submitted()
    body = get(client, "/orders", **auth(orders.tree.a1_staff)).content.decode()
    assert MASKED in body and MOBILE not in body
    assert "contact_sealed" not in body and "rating_token" not in body


def test_a_volunteer_may_not_take_an_order_far_away(client, orders):
    order = opened(orders)
    assert_error(
        post(client, f"/orders/{order.pk}/take", {}, **auth(orders.far.user)), 404, "not_found"
    )


def test_staff_taking_an_order_must_name_the_member(client, orders):
    order = opened(orders)
    response = post(client, f"/orders/{order.pk}/take", {}, **auth(orders.tree.a1_staff))
    assert_error(response, 422, "invalid", "volunteer")


def test_staff_have_no_volunteer_lists(client, orders):
    assert_error(get(client, "/me/open", **auth(orders.tree.a1_staff)), 404, "not_found")
    assert_error(get(client, "/me/taken", **auth(orders.tree.a1_staff)), 404, "not_found")


# --- lists and the board -------------------------------------------------------------------


def test_overdue_orders_and_the_most_urgent_first(client, orders):
    first = orders.submitted()
    second = orders.submitted()
    Order.objects.filter(pk=first.pk).update(step_due_at=timezone.now() - timedelta(hours=1))
    staff = auth(orders.tree.a1_staff)

    newest = ok(get(client, "/orders", **staff))["items"]
    assert [item["id"] for item in newest] == [second.pk, first.pk]
    urgent = ok(get(client, "/orders", {"sort": "urgent"}, **staff))["items"]
    assert [item["id"] for item in urgent] == [first.pk, second.pk]
    assert urgent[0]["overdue"] is True and urgent[1]["overdue"] is False
    overdue = ok(get(client, "/orders", {"overdue": "true"}, **staff))["items"]
    assert [item["id"] for item in overdue] == [first.pk]
    submitted = ok(get(client, "/orders", {"status": "verified"}, **staff))
    assert submitted["count"] == 0


def test_the_board_counts_the_subtree(client, orders):
    order = orders.submitted()
    services.order_verify(actor=orders.tree.a1_staff, order=order)
    orders.submitted()
    figures = ok(
        get(client, "/board", {"organisation_id": orders.center.pk}, **auth(orders.tree.a1_staff))
    )
    assert figures["total"] == 2
    assert figures["by_state"]["submitted"] == 1 and figures["by_state"]["verified"] == 1


# --- the menu and the register -------------------------------------------------------------


def test_staff_publish_change_and_withdraw_a_menu_item(client, orders):
    staff = auth(orders.tree.a1_staff)
    item = {
        "organisation_id": orders.station.pk,
        "category": "repairs",
        "title": "家电维修",
        "description": "小家电上门维修",
        "area": "南村镇各村",
        "times": "周六 9:00–12:00",
    }
    made = ok(post(client, "/menu-items", item, **staff), 201)
    assert made["is_active"] is True and made["organisation_name"] == orders.station.name
    public = ok(get(client, "/menu", {"category": "repairs"}))["items"]
    assert [entry["id"] for entry in public] == [made["id"]]

    item.pop("organisation_id")
    response = put(client, f"/menu-items/{made['id']}", {**item, "is_active": False}, **staff)
    assert ok(response)["is_active"] is False
    assert ok(get(client, "/menu"))["items"] == []
    assert ok(get(client, "/menu-items", **staff))["count"] == 1

    theirs = auth(orders.tree.b1_staff)
    assert_error(put(client, f"/menu-items/{made['id']}", item, **theirs), 404, "not_found")
    assert ok(get(client, "/menu-items", **theirs))["count"] == 0


def test_a_menu_belongs_to_a_center_station_or_team(client, orders):
    response = post(
        client,
        "/menu-items",
        {
            "organisation_id": orders.tree.county_a.pk,
            "category": "repairs",
            "title": "家电维修",
            "area": "全县",
            "times": "预约",
        },
        **auth(orders.tree.county_a_admin),
    )
    assert_error(response, 422, "invalid", "organisation")


def test_an_order_from_the_register_calls_the_registered_number(client, orders):
    staff = auth(orders.tree.a1_staff)
    township = township_of(orders.center)
    person = {
        "organisation_id": orders.center.pk,
        "name": "李奶奶",
        "group": "elderly_alone",
        "mobile": "13987654321",
        "township_id": township.pk,
        "address": "南村镇东街5号",
        "needs": "每周代买药品",
        "consent_note": "本人口头同意，2026年5月",
    }
    kept = ok(post(client, "/beneficiaries", person, **staff), 201)
    assert kept["mobile"] == "139****4321"
    listed = ok(get(client, "/beneficiaries", **staff))["items"]
    assert [entry["id"] for entry in listed] == [kept["id"]]
    assert ok(get(client, "/beneficiaries", **auth(orders.tree.b1_staff)))["count"] == 0

    recorded = ok(
        post(
            client,
            "/orders/record",
            {
                "receiver_id": orders.center.pk,
                "beneficiary_id": kept["id"],
                "category": "errands",
                "description": "代买降压药",
                "township_id": township.pk,
                "address": "南村镇东街5号",
                "contact_name": "李奶奶",
            },
            **staff,
        ),
        201,
    )
    assert recorded["beneficiary_id"] == kept["id"]
    assert recorded["contact"] == "13987654321"
