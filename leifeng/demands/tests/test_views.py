"""The pages of residents' orders, as residents, staff and volunteers use them."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from leifeng.demands import services
from leifeng.demands.models import Beneficiary, MenuItem, Order
from leifeng.demands.tests.conftest import MOBILE, TOWNSHIP, order_data, sent_code
from leifeng.regions.models import Region


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def form_data(orders, **overrides) -> dict:
    data = order_data(orders.center)
    return {
        **data,
        "township": data["township"].pk,
        "receiver": orders.center.pk,
        "mobile": MOBILE,
        **overrides,
    }


def test_a_resident_orders_from_the_menu_with_a_code(client, orders):
    item = services.menu_item_save(
        actor=orders.tree.root,
        data={
            "organisation": orders.center,
            "category": "repairs",
            "title": "家电上门维修",
            "description": "",
            "area": "泽州县城区",
            "times": "预约上门",
        },
    )
    assert "家电上门维修" in page(client.get(reverse("demands:menu")))
    url = reverse("demands:new") + f"?item={item.pk}"
    sent = page(client.post(url, {**form_data(orders, category="repairs"), "send_code": "1"}))
    assert "验证码" in sent and 'name="submit"' in sent
    wrong = page(client.post(url, {**form_data(orders, category="repairs"), "code": "000000"}))
    assert "验证码错误" in wrong or "过期" in wrong
    assert not Order.objects.exists()
    # A new code (the wrong guess counted against the old one).
    code = sent_code()
    response = client.post(url, {**form_data(orders, category="repairs"), "code": code})
    order = Order.objects.get()
    assert response.url == reverse("demands:sent", args=[order.number])
    assert (order.menu_item, order.category, order.channel) == (item, "repairs", "online")
    done = page(client.get(response.url))
    assert order.number in done and MOBILE not in done


def test_staff_verify_and_dispatch_and_see_the_board(client, orders):
    tree = orders.tree
    order = orders.submitted()
    client.force_login(tree.b1_staff)
    assert order.number not in page(client.get(reverse("demands:board")))
    assert client.get(reverse("demands:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("demands:act", args=[order.pk, "verify"])).status_code == 404

    client.force_login(tree.a1_staff)
    board = page(client.get(reverse("demands:board")))
    assert order.number in board and "待核实" in board
    detail = page(client.get(reverse("demands:order", args=[order.pk])))
    assert MOBILE in detail  # the receiving center's staff call the resident back
    client.post(reverse("demands:act", args=[order.pk, "verify"]))
    detail = page(client.get(reverse("demands:order", args=[order.pk])))
    assert "南村镇助老志愿服务队" in detail  # among the suggestions
    response = client.post(reverse("demands:act", args=[order.pk, "dispatch"]), follow=True)
    assert "请选择派给哪个单位" in response.content.decode()
    response = client.post(
        reverse("demands:act", args=[order.pk, "dispatch"]), {"to": orders.team.pk}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.organisation) == ("dispatched", orders.team)
    # An illegal step is refused with a message, nothing changes.
    response = client.post(reverse("demands:act", args=[order.pk, "verify"]), follow=True)
    assert "不能" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_a_volunteer_nearby_takes_an_open_order_and_serves_it(client, orders, time_machine):
    tree = orders.tree
    order = orders.submitted()
    services.order_verify(actor=tree.a1_staff, order=order)
    services.order_open(actor=tree.a1_staff, order=order)
    client.force_login(orders.far.user)
    assert order.description not in page(client.get(reverse("demands:mine")))
    assert client.get(reverse("demands:order", args=[order.pk])).status_code == 404

    client.force_login(orders.near.user)
    assert "代买" in page(client.get(reverse("demands:mine")))
    detail = page(client.get(reverse("demands:order", args=[order.pk])))
    assert MOBILE not in detail and "我来接单" in detail
    client.post(reverse("demands:act", args=[order.pk, "take"]))
    detail = page(client.get(reverse("demands:order", args=[order.pk])))
    assert MOBILE in detail  # the taker calls the resident
    client.post(reverse("demands:act", args=[order.pk, "start"]))
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    client.post(reverse("demands:act", args=[order.pk, "finish"]), {"note": "已送达"})
    order.refresh_from_db()
    assert order.status == "done" and order.taker == orders.near

    # The resident rates it with the link from the SMS; a wrong token finds nothing.
    client.logout()
    bad = reverse("demands:rate", args=[order.number, "x" * 10])
    assert client.get(bad).status_code == 404
    url = reverse("demands:rate", args=[order.number, order.rating_token])
    assert "非常满意" in page(client.get(url))
    assert "谢谢" in page(client.post(url, {"rating": "2", "comment": "来晚了"}))
    order.refresh_from_db()
    assert (order.status, order.rating, order.follow_up) == ("rated", 2, True)


def test_the_register_keeps_people_with_consent_and_masks_phones(client, orders):
    tree = orders.tree
    client.force_login(tree.a1_staff)
    response = client.post(
        reverse("demands:register"),
        {
            "organisation": orders.center.pk,
            "name": "李奶奶",
            "group": "elderly_alone",
            "township": Region.objects.get(code=TOWNSHIP).pk,
            "address": "南村镇南村3号",
            "needs": "每周代购",
            "consent_note": "本人口头同意，网格员见证",
            "mobile": "13700001111",
        },
    )
    assert response.status_code == 302
    person = Beneficiary.objects.get()
    assert "13700001111" not in person.mobile_sealed and person.mobile_masked == "137****1111"
    listing = page(client.get(reverse("demands:register")))
    assert "李奶奶" in listing and "137****1111" in listing and "13700001111" not in listing
    client.force_login(tree.b1_staff)
    assert "李奶奶" not in page(client.get(reverse("demands:register")))
    # Staff record an order for her: her number comes from the register.
    client.force_login(tree.a1_staff)
    data = order_data(orders.center)
    client.post(
        reverse("demands:record"),
        {
            **data,
            "township": data["township"].pk,
            "receiver": orders.center.pk,
            "beneficiary": person.pk,
            "mobile": "",
        },
    )
    order = Order.objects.get()
    assert (order.beneficiary, order.channel, order.contact_masked) == (
        person,
        "staff",
        "137****1111",
    )


def test_staff_publish_on_the_menu(client, orders):
    client.force_login(orders.tree.a1_staff)
    response = client.post(
        reverse("demands:menu-manage"),
        {
            "organisation": orders.station.pk,
            "category": "counselling",
            "title": "心理疏导热线",
            "description": "",
            "area": "南村镇",
            "times": "每周三下午",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert MenuItem.objects.get().organisation == orders.station
    client.force_login(orders.tree.outsider)
    assert client.get(reverse("demands:menu-manage")).status_code == 404


def png(name: str = "service.png"):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_the_taker_adds_photos_that_only_those_who_see_the_order_open(
    client, orders, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    order = orders.order_in(Order.Status.ACCEPTED)
    services.order_start(actor=orders.member.user, order=order)
    client.force_login(orders.member.user)
    finish = reverse("demands:act", args=[order.pk, "finish"])
    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(finish, {"note": "已送达", "photos": [fake]}, follow=True)
    assert "photo.jpg" in response.content.decode()  # named in the refusal
    order.refresh_from_db()
    assert order.status == Order.Status.IN_SERVICE and not order.photos.exists()

    client.post(finish, {"note": "已送达", "photos": [png(), png("two.png")]})
    order.refresh_from_db()
    assert order.status == Order.Status.DONE and order.photos.count() == 2
    photo = order.photos.first()
    url = reverse("demands:photo", args=[photo.pk])
    assert url in page(client.get(reverse("demands:order", args=[order.pk])))
    client.force_login(orders.tree.a1_staff)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"\x89PNG"
    for outsider in (orders.tree.b1_staff, orders.far.user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
