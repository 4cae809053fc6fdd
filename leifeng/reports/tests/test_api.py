"""The reports API at /api/v1/reports as apps use it.

The city office (city_admin) opens the year's three periods, each owed by the counties, a city
unit and the federation; 泽州 (county_a, its reporter) fills its report in, changes a figure,
uploads a photo and submits; the city returns it with a comment, 泽州 resubmits, the city
accepts. 城区 (county_b) sees none of 泽州's report. Errors are the one error body with a
Chinese message; the city's public totals need no token.
"""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import grant, make_user
from leifeng.core.tests.apitest import CHINESE, Api, assert_error, auth, ok
from leifeng.orgs.models import Membership
from leifeng.reports import rollups, services
from leifeng.reports.models import Attachment, Period, Report
from leifeng.reports.tests.conftest import NOW, at, credit, volunteer_in

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reports"
API = Api(BASE)
get, post, put = API.get, API.post, API.put


def png(name: str = "活动照片.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def upload(client, report_id: int, file, user, **data):
    return client.post(f"{BASE}/{report_id}/attachments", {"file": file, **data}, **auth(user))


@pytest.fixture
def world(offices, clock):
    """Late July 2026: three hours served in 泽州 in the third period (counted by the rollup
    job), and the city's 2026 periods with the default obligations."""
    tree = offices.tree
    volunteer = volunteer_in(1)
    credit(
        tree.a1_staff, tree.org_a1, volunteer, at(date(2026, 7, 21), 9), at(date(2026, 7, 21), 12)
    )
    rollups.refresh()
    services.year_create(actor=tree.city_admin, organisation=tree.city, year=2026)
    offices.volunteer = volunteer
    return offices


def third(world, organisation=None) -> Report:
    """The 2026 third-period report of `organisation` (泽州 by default)."""
    return Report.objects.get(
        period__organisation=world.tree.city,
        period__starts_on=date(2026, 7, 20),
        organisation=organisation or world.tree.county_a,
    )


def filled_in(world) -> Report:
    """泽州's third report with what a submission needs."""
    report = third(world)
    return services.report_save(
        actor=world.a_reporter,
        report=report,
        narrative="<p>开展助老服务。</p>",
        contact_name="王明",
        contact_phone="0356-1234567",
    )


def submitted(world) -> Report:
    return services.report_submit(actor=world.a_reporter, report=filled_in(world))


# --- the whole flow ------------------------------------------------------------------------


def test_a_county_report_goes_from_draft_to_accepted_through_the_api(client, world):
    tree, reporter, city = world.tree, auth(world.a_reporter), auth(world.tree.city_admin)

    mine = ok(get(client, "", {"period_id": third(world).period_id}, **reporter))
    assert mine["count"] == 1
    [listed] = mine["items"]
    assert listed["organisation_id"] == tree.county_a.pk and listed["status"] == "draft"
    assert listed["state"] == "pending" and listed["due_on"] == "2026-11-19"
    report_id = listed["id"]

    draft = ok(get(client, f"/{report_id}", **reporter))
    assert draft["may_write"] is True and draft["may_review"] is False
    figures = {(f["key"], f["line"]): f for f in draft["figures"]}
    assert figures[("hours", "")]["computed"] == "3.00" == figures[("hours", "")]["value"]
    assert figures[("volunteers", "")]["value"] == "1"
    assert figures[("volunteers", "")]["label"] and CHINESE.search(figures[("hours", "")]["unit"])
    assert draft["figures_at"] is not None
    assert [event["action"] for event in draft["events"]] == ["created"]

    saved = ok(
        put(
            client,
            f"/{report_id}",
            {
                "narrative": "<h3>概况</h3><p>开展助老服务<script>alert(1)</script>。</p>",
                "contact_name": "王明",
                "contact_phone": "0356-1234567",
            },
            **reporter,
        )
    )
    assert saved["narrative"] == "<h3>概况</h3><p>开展助老服务。</p>"
    assert saved["contact_name"] == "王明"

    changed = ok(
        put(
            client,
            f"/{report_id}/figures/volunteers",
            {"value": 5, "note": "另有4人在乡镇参加，台账未录入"},
            **reporter,
        )
    )
    assert changed == {
        **changed,
        "key": "volunteers",
        "line": "",
        "computed": "1",
        "value": "5",
        "manual": True,
        "note": "另有4人在乡镇参加，台账未录入",
    }

    photo = ok(upload(client, report_id, png(), world.a_reporter, title="敬老院慰问"), 201)
    assert photo["kind"] == "photo" and photo["title"] == "敬老院慰问"
    assert photo["original_name"] == "活动照片.png" and photo["size"] > 0
    downloaded = client.get(photo["url"], **reporter)
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content).startswith(b"\x89PNG")
    thumb = client.get(photo["thumbnail_url"], **reporter)
    assert thumb.status_code == 200
    assert b"".join(thumb.streaming_content).startswith(b"\xff\xd8")

    sent = ok(post(client, f"/{report_id}/submit", **reporter))
    assert sent["status"] == "submitted" and sent["late"] is False
    assert sent["state"] == "on_time" and sent["may_write"] is False
    assert {(f["key"], f["value"]) for f in sent["figures"]} >= {("volunteers", "5")}

    period = ok(get(client, f"/periods/{sent['period_id']}", **city))
    states = {item["organisation_id"]: item["state"] for item in period["obligations"]}
    assert states[tree.county_a.pk] == "on_time" and states[tree.county_b.pk] == "pending"

    response = post(client, f"/{report_id}/return", {"comment": "请补充服务照片说明。"}, **city)
    returned = ok(response)
    assert returned["status"] == "returned" and returned["comment"] == "请补充服务照片说明。"
    assert returned["decided_by_name"] == "city_admin"

    again = ok(get(client, f"/{report_id}", **reporter))
    assert again["may_write"] is True and again["state"] == "returned"
    resent = ok(post(client, f"/{report_id}/submit", **reporter))
    assert resent["status"] == "resubmitted"

    accepted = ok(post(client, f"/{report_id}/accept", {"comment": "很好"}, **city))
    assert accepted["status"] == "accepted" and accepted["state"] == "accepted"
    assert [event["action"] for event in accepted["events"]] == [
        "created",
        "figure_changed",
        "attachment_added",
        "submitted",
        "returned",
        "resubmitted",
        "accepted",
    ]
    assert ok(get(client, "", {"status": "accepted"}, **city))["count"] == 1


# --- periods -------------------------------------------------------------------------------


def test_the_city_opens_the_periods_of_a_year_with_their_obligations(client, offices):
    tree = offices.tree
    city = auth(tree.city_admin)
    made = ok(
        post(client, "/periods/year", {"organisation_id": tree.city.pk, "year": 2027}, **city), 201
    )
    assert [item["due_on"] for item in made] == ["2027-03-19", "2027-07-19", "2027-11-19"]
    assert all(CHINESE.search(item["name"]) and item["runs"] for item in made)
    owed = {item["organisation_id"] for item in made[0]["obligations"]}
    assert owed == {tree.county_a.pk, tree.county_b.pk, offices.unit.pk, offices.federation.pk}
    # Once more: the periods are there already, nothing is created.
    assert (
        ok(
            post(client, "/periods/year", {"organisation_id": tree.city.pk, "year": 2027}, **city),
            201,
        )
        == []
    )

    listed = ok(get(client, "/periods", **city))
    assert listed["count"] == 3 and listed["items"][0]["due_on"] == "2027-11-19"


def test_an_office_opens_and_changes_a_period_and_says_who_owes_it(client, offices):
    tree = offices.tree
    city = auth(tree.city_admin)
    dates = {"starts_on": "2026-05-01", "ends_on": "2026-05-31", "due_on": "2026-06-10"}
    made = ok(
        post(
            client,
            "/periods",
            {"organisation_id": tree.city.pk, "name": "五月专项", **dates},
            **city,
        ),
        201,
    )
    assert made["obligations"] == [] and made["organisation_name"] == tree.city.name

    url = f"/periods/{made['id']}"
    changed = ok(
        put(client, url, {"name": "五月专项报送", **dates, "due_on": "2026-06-15"}, **city)
    )
    assert changed["name"] == "五月专项报送" and changed["due_on"] == "2026-06-15"

    wanted = {"organisation_ids": [tree.county_a.pk, offices.unit.pk]}
    answer = ok(put(client, f"{url}/obligations", wanted, **city))
    assert answer["added"] == 2 and answer["removed"] == 0
    assert [item["organisation_id"] for item in answer["period"]["obligations"]] == [
        tree.county_a.pk,
        offices.unit.pk,
    ]
    answer = ok(put(client, f"{url}/obligations", {"organisation_ids": [tree.county_a.pk]}, **city))
    assert (answer["added"], answer["removed"]) == (0, 1)


def test_a_period_is_refused_with_the_field_to_correct(client, offices):
    tree = offices.tree
    city = auth(tree.city_admin)
    dates = {"starts_on": "2026-05-01", "ends_on": "2026-05-31", "due_on": "2026-06-10"}
    payload = {"organisation_id": tree.city.pk, "name": "五月专项", **dates}
    ok(post(client, "/periods", payload, **city), 201)
    assert_error(post(client, "/periods", payload, **city), 409, "conflict", "name")
    backwards = {**payload, "name": "六月专项", "ends_on": "2026-04-30"}
    assert_error(post(client, "/periods", backwards, **city), 422, "invalid", "ends_on")
    assert_error(
        post(client, "/periods", {**payload, "name": "x", "due_on": "1999-01-01"}, **city),
        422,
        "invalid",
        "due_on",
    )
    assert Period.objects.count() == 1


def test_obligations_name_organisations_below_the_office_and_keep_submitted_reports(client, world):
    tree = world.tree
    city = auth(tree.city_admin)
    submitted(world)
    url = f"/periods/{third(world).period_id}/obligations"
    response = put(client, url, {"organisation_ids": [tree.county_b.pk]}, **city)
    body = assert_error(response, 409, "conflict", "organisations")
    assert tree.county_a.name in body["message"]
    response = put(client, url, {"organisation_ids": [tree.county_a.pk, tree.city.pk]}, **city)
    assert_error(response, 422, "invalid", "organisations")
    response = put(client, url, {"organisation_ids": [tree.county_a.pk, 999_999]}, **city)
    assert_error(response, 422, "invalid", "organisation_ids")
    assert third(world).period.reports.count() == 4


def test_a_county_reads_the_citys_period_with_its_own_report_only_and_may_not_change_it(
    client, world
):
    tree = world.tree
    period_id = third(world).period_id
    for user in (tree.county_a_admin, world.a_reporter):
        county = auth(user)
        period = ok(get(client, f"/periods/{period_id}", **county))
        assert period["runs"] is False
        assert [item["organisation_id"] for item in period["obligations"]] == [tree.county_a.pk]
        assert ok(get(client, "/periods", **county))["count"] == 3
        dates = {"starts_on": "2026-07-20", "ends_on": "2026-11-19", "due_on": "2026-11-30"}
        response = put(client, f"/periods/{period_id}", {"name": "改名", **dates}, **county)
        assert_error(response, 403, "forbidden")
        response = put(
            client, f"/periods/{period_id}/obligations", {"organisation_ids": []}, **county
        )
        assert_error(response, 403, "forbidden")
    assert ok(get(client, "/periods", **auth(tree.outsider))) == {"items": [], "count": 0}
    assert_error(get(client, f"/periods/{period_id}", **auth(tree.outsider)), 404, "not_found")


def test_periods_are_opened_only_by_those_who_manage_the_office(client, offices):
    tree = offices.tree
    payload = {
        "organisation_id": tree.city.pk,
        "name": "五月专项",
        "starts_on": "2026-05-01",
        "ends_on": "2026-05-31",
        "due_on": "2026-06-10",
    }
    assert_error(post(client, "/periods", payload, **auth(tree.county_a_admin)), 404, "not_found")
    at_county = {**payload, "organisation_id": tree.county_a.pk}
    assert_error(post(client, "/periods", at_county, **auth(offices.a_reporter)), 403, "forbidden")
    year = {"organisation_id": tree.city.pk, "year": 2026}
    assert_error(post(client, "/periods/year", year, **auth(tree.county_b_admin)), 404, "not_found")
    made = ok(post(client, "/periods", at_county, **auth(tree.county_a_admin)), 201)
    assert made["organisation_id"] == tree.county_a.pk and made["runs"] is True
    assert_error(get(client, "/periods"), 401, "unauthenticated")


# --- reports: access -----------------------------------------------------------------------


def test_another_county_finds_nothing_of_the_report(client, world):
    report = filled_in(world)
    photo = services.attachment_add(actor=world.a_reporter, report=report, upload=png())
    for user in (world.tree.county_b_admin, world.tree.b1_staff):
        theirs = auth(user)
        listed = ok(get(client, "", {"organisation_id": world.tree.county_a.pk}, **theirs))
        assert listed == {"items": [], "count": 0}
        assert_error(get(client, f"/{report.pk}", **theirs), 404, "not_found")
        payload = {"narrative": "x", "contact_name": "x", "contact_phone": "x"}
        assert_error(put(client, f"/{report.pk}", payload, **theirs), 404, "not_found")
        figure = {"value": "1", "note": "x"}
        response = put(client, f"/{report.pk}/figures/hours", figure, **theirs)
        assert_error(response, 404, "not_found")
        assert_error(post(client, f"/{report.pk}/submit", **theirs), 404, "not_found")
        response = post(client, f"/{report.pk}/return", {"comment": "x"}, **theirs)
        assert_error(response, 404, "not_found")
        assert_error(post(client, f"/{report.pk}/accept", **theirs), 404, "not_found")
        assert_error(upload(client, report.pk, png(), user), 404, "not_found")
        assert_error(get(client, f"/{report.pk}/photos", **theirs), 404, "not_found")
        assert_error(get(client, f"/attachments/{photo.pk}/file", **theirs), 404, "not_found")
        response = put(
            client, f"/attachments/{photo.pk}", {"title": "x", "in_document": False}, **theirs
        )
        assert_error(response, 404, "not_found")
        response = client.delete(f"{BASE}/attachments/{photo.pk}", **theirs)
        assert_error(response, 404, "not_found")
    assert Attachment.objects.filter(pk=photo.pk).exists()
    assert third(world).status == Report.Status.DRAFT


def test_only_the_office_returns_or_accepts_and_only_reporters_write(client, world):
    report = submitted(world)
    reporter = auth(world.a_reporter)
    assert ok(get(client, f"/{report.pk}", **reporter))["may_review"] is False
    response = post(client, f"/{report.pk}/return", {"comment": "自己退回"}, **reporter)
    assert_error(response, 403, "forbidden")
    county_admin = auth(world.tree.county_a_admin)
    assert_error(post(client, f"/{report.pk}/accept", **county_admin), 403, "forbidden")

    judge = make_user("judge")
    grant(world.tree.root, judge, world.tree.county_a, Membership.Role.JUDGE)
    draft = third(world, world.tree.county_b)
    other = third(world)
    assert ok(get(client, f"/{other.pk}", **auth(judge)))["may_write"] is False
    payload = {"narrative": "x", "contact_name": "x", "contact_phone": "x"}
    assert_error(put(client, f"/{other.pk}", payload, **auth(judge)), 403, "forbidden")
    assert_error(post(client, f"/{other.pk}/submit", **auth(judge)), 403, "forbidden")
    assert_error(get(client, f"/{draft.pk}", **auth(judge)), 404, "not_found")
    assert third(world).status == Report.Status.SUBMITTED


def test_a_submitted_report_can_no_longer_be_changed(client, world):
    report = filled_in(world)
    photo = services.attachment_add(actor=world.a_reporter, report=report, upload=png())
    services.report_submit(actor=world.a_reporter, report=report)
    reporter = auth(world.a_reporter)
    payload = {"narrative": "<p>改</p>", "contact_name": "王明", "contact_phone": "1"}
    assert_error(put(client, f"/{report.pk}", payload, **reporter), 409, "conflict")
    response = put(client, f"/{report.pk}/figures/hours", {"value": 9, "note": "补"}, **reporter)
    assert_error(response, 409, "conflict")
    assert_error(upload(client, report.pk, png(), world.a_reporter), 409, "conflict")
    response = client.delete(f"{BASE}/attachments/{photo.pk}", **reporter)
    assert_error(response, 409, "conflict")
    assert_error(post(client, f"/{report.pk}/submit", **reporter), 409, "conflict")
    assert_error(post(client, f"/{report.pk}/accept", **reporter), 403, "forbidden")


def test_a_report_is_submitted_only_with_a_narrative_and_a_contact(client, world):
    report = third(world)
    reporter = auth(world.a_reporter)
    assert_error(post(client, f"/{report.pk}/submit", **reporter), 422, "invalid", "narrative")
    response = put(
        client,
        f"/{report.pk}",
        {"narrative": "<p>开展助老服务。</p>", "contact_name": "", "contact_phone": ""},
        **reporter,
    )
    ok(response)
    response = post(client, f"/{report.pk}/submit", **reporter)
    assert_error(response, 422, "invalid", "contact_name")


def test_returning_needs_a_comment(client, world):
    report = submitted(world)
    city = auth(world.tree.city_admin)
    response = post(client, f"/{report.pk}/return", {"comment": "  "}, **city)
    assert_error(response, 422, "invalid", "comment")
    assert_error(post(client, f"/{report.pk}/return", {}, **city), 422, "invalid", "comment")


def test_a_late_first_submission_is_marked_late(client, world, clock):
    report = filled_in(world)
    clock.move_to(NOW.replace(month=11, day=25))
    sent = ok(post(client, f"/{report.pk}/submit", **auth(world.a_reporter)))
    assert sent["late"] is True and sent["state"] == "late"


# --- figures of a report -------------------------------------------------------------------


def test_a_figure_is_changed_with_a_reason_and_reset(client, world):
    report = third(world)
    reporter = auth(world.a_reporter)
    ok(get(client, f"/{report.pk}", **reporter))  # counts the figures
    url = f"/{report.pk}/figures/hours"
    assert_error(
        put(client, url, {"value": "4.5", "note": " "}, **reporter), 422, "invalid", "note"
    )
    assert_error(
        put(client, url, {"value": "-1", "note": "x"}, **reporter), 422, "invalid", "value"
    )
    assert_error(
        put(client, url, {"value": "abc", "note": "x"}, **reporter), 422, "invalid", "value"
    )
    changed = ok(put(client, url, {"value": "4.5", "note": "补录纸质台账"}, **reporter))
    assert changed["value"] == "4.50" and changed["computed"] == "3.00" and changed["manual"]
    line = ok(
        put(
            client,
            f"/{report.pk}/figures/activities",
            {"line": "care", "value": 2, "note": "两场慰问"},
            **reporter,
        )
    )
    assert line["line"] == "care" and line["value"] == "2" and CHINESE.search(line["line_label"])

    reset = ok(post(client, f"{url}/reset", {}, **reporter))
    assert reset["value"] == "3.00" and reset["manual"] is False and reset["note"] == ""
    response = put(client, f"/{report.pk}/figures/unknown", {"value": 1, "note": "x"}, **reporter)
    assert_error(response, 422, "invalid", "key")


# --- attachments ---------------------------------------------------------------------------


def test_a_file_that_is_not_a_photo_video_or_document_is_refused_in_chinese(client, world):
    report = third(world)
    fake = SimpleUploadedFile("notes.png", b"this is not an image", content_type="image/png")
    body = assert_error(upload(client, report.pk, fake, world.a_reporter), 422, "invalid", "file")
    assert "notes.png" in body["message"]
    response = client.post(f"{BASE}/{report.pk}/attachments", {}, **auth(world.a_reporter))
    assert_error(response, 422, "invalid")
    assert not Attachment.objects.exists()


def test_a_pdf_is_a_document_and_attachments_are_captioned_and_removed(client, world):
    report = third(world)
    reporter = auth(world.a_reporter)
    pdf = SimpleUploadedFile("总结.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    document = ok(upload(client, report.pk, pdf, world.a_reporter), 201)
    assert document["kind"] == "document" and document["thumbnail_url"] is None
    assert document["in_document"] is False and document["title"] == ""

    url = f"/attachments/{document['id']}"
    changed = ok(put(client, url, {"title": "工作总结", "in_document": True}, **reporter))
    assert changed["title"] == "工作总结" and changed["in_document"] is False  # photos only
    assert_error(get(client, f"{url}/file", {"thumbnail": "true"}, **reporter), 404, "not_found")
    city = client.get(f"{BASE}{url}/file", **auth(world.tree.city_admin))
    assert city.status_code == 200 and city["Content-Type"] == "application/pdf"

    assert client.delete(f"{BASE}{url}", **reporter).status_code == 204
    assert not Attachment.objects.exists()
    events = ok(get(client, f"/{report.pk}", **reporter))["events"]
    assert [event["action"] for event in events][-2:] == ["attachment_added", "attachment_removed"]


def test_a_service_photo_of_the_county_is_picked_into_the_report(client, world, clock):

    from leifeng.demands import services as demands
    from leifeng.demands.tests.conftest import Orders

    orders = Orders(world.tree)
    order = orders.submitted()
    staff = world.tree.a1_staff
    demands.order_verify(actor=staff, order=order)
    demands.order_dispatch(actor=staff, order=order, to=orders.team)
    demands.order_take(actor=orders.leader, order=order, volunteer=orders.member)
    demands.order_start(actor=orders.member.user, order=order)
    clock.move_to(NOW + timedelta(hours=2))
    demands.order_finish(actor=orders.member.user, order=order, note="已送到", photos=[png()])

    report = third(world)
    reporter = auth(world.a_reporter)
    [photo] = ok(get(client, f"/{report.pk}/photos", **reporter))["items"]
    assert photo["order_number"] == order.number
    shown = client.get(photo["url"], **reporter)
    assert shown.status_code == 200
    picked = ok(
        post(client, f"/{report.pk}/attachments/pick", {"photo_id": photo["id"]}, **reporter), 201
    )
    assert picked["kind"] == "photo" and picked["thumbnail_url"]

    county_b = third(world, world.tree.county_b)
    response = post(
        client,
        f"/{county_b.pk}/attachments/pick",
        {"photo_id": photo["id"]},
        **auth(world.tree.county_b_admin),
    )
    assert_error(response, 422, "invalid", "photo_id")
    assert (
        ok(get(client, f"/{county_b.pk}/photos", **auth(world.tree.county_b_admin)))["count"] == 0
    )


# --- the dashboard and the public figures --------------------------------------------------


def test_the_dashboard_reads_the_subtree_each_county_and_each_line(client, world):
    tree = world.tree
    span = {"organisation_id": tree.city.pk, "first_day": "2026-07-01", "last_day": "2026-07-31"}
    board = ok(get(client, "/figures", span, **auth(tree.city_admin)))
    total = {(f["key"], f["line"]): f["value"] for f in board["total"]}
    assert total[("hours", "")] == "3.00" and total[("volunteers", "")] == "1"
    children = {child["organisation_id"]: child for child in board["by_child"]}
    hours = {k: {f["key"]: f["value"] for f in c["figures"]}["hours"] for k, c in children.items()}
    assert hours[tree.county_a.pk] == "3.00" and hours[tree.county_b.pk] == "0.00"
    assert {line["line"] for line in board["by_line"]} >= {"practice", "care"}
    assert (
        ok(get(client, "/figures", {"organisation_id": tree.city.pk}, **auth(tree.city_admin)))[
            "first_day"
        ]
        == "2026-01-01"
    )

    response = get(client, "/figures", {**span, "last_day": "2026-06-01"}, **auth(tree.city_admin))
    assert_error(response, 422, "invalid", "last_day")
    theirs = {**span, "organisation_id": tree.county_a.pk}
    assert_error(get(client, "/figures", theirs, **auth(tree.county_b_admin)), 404, "not_found")
    assert_error(get(client, "/figures", span, **auth(tree.county_a_admin)), 404, "not_found")


def test_the_trend_shows_the_periods_of_the_county_oldest_first(client, world):
    tree = world.tree
    trend = ok(
        get(
            client,
            "/figures/trend",
            {"organisation_id": tree.county_a.pk},
            **auth(world.a_reporter),
        )
    )
    assert [item["starts_on"] for item in trend] == ["2025-11-20", "2026-03-20", "2026-07-20"]
    hours = [{f["key"]: f["value"] for f in item["figures"]}["hours"] for item in trend]
    assert hours == ["0.00", "0.00", "3.00"]
    response = get(
        client, "/figures/trend", {"organisation_id": tree.county_a.pk}, **auth(tree.county_b_admin)
    )
    assert_error(response, 404, "not_found")


def test_the_citys_public_totals_need_no_token_and_carry_no_personal_data(client, world):
    response = get(client, "/public")
    public = ok(response)
    assert public["organisation_name"] == world.tree.city.name and public["year"] == 2026
    this_year = {(f["key"], f["line"]): f["value"] for f in public["this_year"]}
    assert this_year[("hours", "")] == "3.00"
    assert all(CHINESE.search(f["label"]) for f in public["all_time"])
    body = response.content.decode()
    assert world.volunteer.name not in body and "13900000001" not in body


def test_the_schema_lists_the_reports_routes(client, db):
    paths = ok(client.get("/api/v1/openapi.json"))["paths"]
    assert {
        "/api/v1/reports",
        "/api/v1/reports/periods",
        "/api/v1/reports/{report_id}/submit",
        "/api/v1/reports/{report_id}/attachments",
        "/api/v1/reports/figures",
        "/api/v1/reports/public",
    } <= set(paths)
    assert "security" not in paths["/api/v1/reports/public"]["get"]
