"""A report picks the photos of its organisation's activities as well as the service photos:
those of activities of its subtree held (at least partly) within the period and not cancelled.
Service, page and API; 城区 (county_b) sees and picks none of 泽州's (county_a).

The clock stands at Saturday 25 July 2026, in the third period of 2026 (7/20–11/19); the
second period ran 3/20–7/19.
"""

import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from leifeng.activities import services as activity_services
from leifeng.activities.models import Activity, ActivityPhoto
from leifeng.core.errors import DomainError
from leifeng.core.tests.apitest import Api, assert_error, auth, ok
from leifeng.demands import services as demand_services
from leifeng.demands.models import Order, OrderPhoto
from leifeng.demands.tests.conftest import Orders
from leifeng.reports import services
from leifeng.reports.models import Attachment, Period, Report
from leifeng.reports.tests.conftest import at, publish

API = Api("/api/v1/reports")


def png(name: str = "活动.png", colour: tuple[int, int, int] = (30, 120, 200)):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def photographed(actor, activity: Activity, caption: str = "") -> ActivityPhoto:
    [photo] = activity_services.activity_photos_add(
        actor=actor, activity=activity, photos=[png()], caption=caption
    )
    return photo


@dataclass
class World:
    tree: object
    a_reporter: object
    second: Period
    third: Period
    held: ActivityPhoto  # 泽州, 21 July: the third period
    spanning: ActivityPhoto  # 泽州, the night of 19 to 20 July: both periods
    earlier: ActivityPhoto  # 泽州, 10 July: the second period only
    cancelled: ActivityPhoto  # 泽州, 22 July, photographed then cancelled
    theirs: ActivityPhoto  # 城区, 21 July

    def report(self, period: Period, organisation=None) -> Report:
        return Report.objects.get(period=period, organisation=organisation or self.tree.county_a)


@pytest.fixture
def world(offices, clock, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    tree = offices.tree
    a, b = tree.a1_staff, tree.b1_staff
    second, third = services.year_create(actor=tree.city_admin, organisation=tree.city, year=2026)[
        1:
    ]

    def held(actor, organisation, start, end, title, caption=""):
        activity = publish(actor, organisation, [(start, end)], title=title)
        return photographed(actor, activity, caption)

    day = date(2026, 7, 21)
    made = {
        "held": held(a, tree.org_a1, at(day, 9), at(day, 11), "敬老院慰问", "为老人理发"),
        "spanning": held(
            a, tree.org_a1, at(date(2026, 7, 19), 20), at(date(2026, 7, 20), 2), "夜间巡逻"
        ),
        "earlier": held(a, tree.org_a1, at(date(2026, 7, 10)), at(date(2026, 7, 10), 11), "植树"),
        "cancelled": held(
            a, tree.org_a1, at(date(2026, 7, 27)), at(date(2026, 7, 27), 11), "取消的活动"
        ),
        "theirs": held(b, tree.org_b1, at(day, 9), at(day, 11), "城区文明交通劝导"),
    }
    activity_services.activity_cancel(
        actor=a, activity=made["cancelled"].activity, reason="天气原因"
    )
    return World(tree, offices.a_reporter, second, third, **made)


def served_with_photo(tree) -> OrderPhoto:
    """A service photo of 泽州 (org_a1), taken today."""
    orders = Orders(tree)
    order = orders.order_in(Order.Status.IN_SERVICE)
    demand_services.order_finish(
        actor=orders.member.user, order=order, note="已送到", photos=[png("送米.png")]
    )
    return OrderPhoto.objects.get(order=order)


# --- services --------------------------------------------------------------------------------


def test_the_subtrees_activities_held_in_the_period_are_pickable_and_no_others(world):
    third = world.report(world.third)
    # The latest activity first; cancelled, earlier and the other county's are left out.
    assert list(services.pickable_activity_photos(third)) == [world.held, world.spanning]
    second = world.report(world.second)
    assert list(services.pickable_activity_photos(second)) == [world.spanning, world.earlier]
    theirs = world.report(world.third, world.tree.county_b)
    assert list(services.pickable_activity_photos(theirs)) == [world.theirs]


def test_an_activity_photo_is_picked_as_the_reports_own_copy_with_its_caption(world):
    report = world.report(world.third)
    attachment = services.attachment_pick(actor=world.a_reporter, report=report, photo=world.held)
    assert attachment.kind == "photo" and attachment.thumbnail and attachment.size > 0
    assert attachment.title == "为老人理发"
    assert attachment.file.name != world.held.image.name
    untitled = services.attachment_pick(actor=world.a_reporter, report=report, photo=world.spanning)
    assert untitled.title == "夜间巡逻"  # no caption: the activity's title
    assert report.events.filter(action="attachment_added").count() == 2

    # Removing the original later leaves the report's copy whole.
    activity_services.activity_photo_remove(actor=world.tree.a1_staff, photo=world.held)
    attachment.refresh_from_db()
    with attachment.file.open("rb") as copy:
        assert copy.read(4) == b"\x89PNG"


@pytest.mark.parametrize(
    ("photo", "period", "county"),
    [
        ("theirs", "third", "county_a"),  # another county's activity
        ("held", "third", "county_b"),  # 泽州's, picked by 城区
        ("earlier", "third", "county_a"),  # before the period
        ("held", "second", "county_a"),  # after the period
        ("cancelled", "third", "county_a"),  # cancelled
    ],
)
def test_a_photo_outside_the_subtree_or_the_period_is_refused(world, photo, period, county):
    report = world.report(getattr(world, period), getattr(world.tree, county))
    writer = world.a_reporter if county == "county_a" else world.tree.county_b_admin
    with pytest.raises(DomainError) as exc:
        services.attachment_pick(actor=writer, report=report, photo=getattr(world, photo))
    assert exc.value.code == "forbidden"
    assert not Attachment.objects.exists()


def test_order_photos_are_picked_as_before(world):
    service_photo = served_with_photo(world.tree)
    report = world.report(world.third)
    assert list(services.pickable(report, "order")) == [service_photo]
    attachment = services.attachment_pick(
        actor=world.a_reporter, report=report, photo=service_photo
    )
    assert attachment.kind == "photo"


# --- pages -----------------------------------------------------------------------------------


def test_the_report_page_offers_the_activity_photos_first_and_picks_one(client, world):
    service_photo = served_with_photo(world.tree)
    report = world.report(world.third)
    client.force_login(world.a_reporter)
    text = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    held = reverse("reports:pickable_activity_photo", args=[report.pk, world.held.pk])
    service = reverse("reports:pickable_photo", args=[report.pk, service_photo.pk])
    assert held in text and service in text and text.index(held) < text.index(service)
    assert "敬老院慰问 · 2026-07-21" in text
    assert 'name="kind" value="activity"' in text
    assert reverse("reports:pickable_activity_photo", args=[report.pk, world.earlier.pk]) not in (
        text
    )
    shown = client.get(held)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"

    response = client.post(
        reverse("reports:attachment_pick", args=[report.pk]),
        {"kind": "activity", "photo": world.held.pk},
    )
    assert response.status_code == 302
    [attachment] = report.attachments.all()
    assert attachment.title == "为老人理发"


def test_a_page_pick_without_a_kind_is_a_service_photo(client, world):
    service_photo = served_with_photo(world.tree)
    report = world.report(world.third)
    client.force_login(world.a_reporter)
    pick = reverse("reports:attachment_pick", args=[report.pk])
    client.post(pick, {"photo": service_photo.pk})
    assert report.attachments.get().title != "为老人理发"
    client.post(pick, {"kind": "nonsense", "photo": world.held.pk})
    client.post(pick, {"kind": "activity", "photo": world.earlier.pk})
    assert report.attachments.count() == 1


def test_another_county_neither_sees_nor_picks_the_activity_photos(client, world):
    report = world.report(world.third)
    theirs = world.report(world.third, world.tree.county_b)
    client.force_login(world.tree.county_b_admin)
    shown = reverse("reports:pickable_activity_photo", args=[report.pk, world.held.pk])
    assert client.get(shown).status_code == 404
    own = reverse("reports:pickable_activity_photo", args=[theirs.pk, world.held.pk])
    assert client.get(own).status_code == 404
    client.post(
        reverse("reports:attachment_pick", args=[theirs.pk]),
        {"kind": "activity", "photo": world.held.pk},
    )
    assert client.post(
        reverse("reports:attachment_pick", args=[report.pk]),
        {"kind": "activity", "photo": world.held.pk},
    ).status_code in {403, 404}
    assert not Attachment.objects.exists()


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_activity_photos_first_and_picks_one_by_kind(client, world):
    service_photo = served_with_photo(world.tree)
    report = world.report(world.third)
    reporter = auth(world.a_reporter)
    listed = ok(API.get(client, f"/{report.pk}/photos", **reporter))
    assert listed["count"] == 3
    assert [(item["kind"], item["id"]) for item in listed["items"]] == [
        ("activity", world.held.pk),
        ("activity", world.spanning.pk),
        ("order", service_photo.pk),
    ]
    first, _second, order = listed["items"]
    assert first["activity_title"] == "敬老院慰问" and first["caption"] == "为老人理发"
    assert first["activity_id"] == world.held.activity_id and first["order_number"] is None
    assert order["order_number"] == service_photo.order.number and order["activity_id"] is None
    shown = client.get(first["url"], **reporter)
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content)[:4] == b"\x89PNG"

    # Pages split across the two kinds.
    pages = [
        ok(API.get(client, f"/{report.pk}/photos", {"page": n, "page_size": 2}, **reporter))
        for n in (1, 2)
    ]
    assert [len(page["items"]) for page in pages] == [2, 1]
    assert pages[1]["items"][0]["kind"] == "order"

    picked = ok(
        API.post(
            client,
            f"/{report.pk}/attachments/pick",
            {"kind": "activity", "photo_id": world.held.pk},
            **reporter,
        ),
        201,
    )
    assert picked["kind"] == "photo" and picked["title"] == "为老人理发"
    by_default = ok(
        API.post(
            client, f"/{report.pk}/attachments/pick", {"photo_id": service_photo.pk}, **reporter
        ),
        201,
    )
    assert by_default["title"] != "为老人理发"


def test_the_api_refuses_activity_photos_outside_the_subtree_or_period(client, world):
    report = world.report(world.third)
    reporter = auth(world.a_reporter)
    for photo in (world.earlier, world.theirs, world.cancelled):
        response = API.post(
            client,
            f"/{report.pk}/attachments/pick",
            {"kind": "activity", "photo_id": photo.pk},
            **reporter,
        )
        assert_error(response, 422, "invalid", "photo_id")
        file = f"/{report.pk}/activity-photos/{photo.pk}/file"
        assert_error(API.get(client, file, **reporter), 404, "not_found")
    theirs = auth(world.tree.county_b_admin)
    file = f"/{report.pk}/activity-photos/{world.held.pk}/file"
    assert_error(API.get(client, file, **theirs), 404, "not_found")
    assert_error(API.get(client, f"/{report.pk}/photos", **theirs), 404, "not_found")
    bad_kind = API.post(
        client, f"/{report.pk}/attachments/pick", {"kind": "x", "photo_id": 1}, **reporter
    )
    assert bad_kind.status_code == 422
    assert not Attachment.objects.exists()
