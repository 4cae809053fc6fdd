"""The rest of the record through the API: corrections asked and answered (办法 art. 13),
training, awards and evaluations (arts. 8–10), and star levels certified."""

from decimal import Decimal

import pytest

from leifeng.hours.models import CorrectionRequest, RecordItem, StarCertification
from leifeng.hours.tests.test_api import assert_error, auth, credit, get, ok, post
from leifeng.hours.tests.test_api import volunteer as volunteer

pytestmark = pytest.mark.django_db


def test_a_volunteer_asks_for_a_correction_and_follows_it(client, org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 3)
    mine = auth(volunteer.user)
    asked = ok(
        post(client, "/me/corrections", {"entry_id": entry.pk, "message": "少记了半小时"}, **mine),
        201,
    )
    assert (asked["organisation_id"], asked["status"]) == (org_tree.org_a1.pk, "open")
    missing = post(client, "/me/corrections", {"message": "3月5日的服务没有记录"}, **mine)
    assert_error(missing, 422, "invalid", "organisation")
    # Staff of another county neither see nor answer it.
    other_county = auth(org_tree.b1_staff)
    assert ok(get(client, "/corrections", **other_county))["items"] == []
    assert_error(
        post(
            client,
            f"/corrections/{asked['id']}/answer",
            {"corrected": True, "answer": "x"},
            **other_county,
        ),
        404,
        "not_found",
    )
    staff = auth(org_tree.a1_staff)
    assert [r["id"] for r in ok(get(client, "/corrections", **staff))["items"]] == [asked["id"]]
    answered = ok(
        post(
            client,
            f"/corrections/{asked['id']}/answer",
            {"corrected": False, "answer": "签到记录显示为3小时"},
            **staff,
        )
    )
    assert answered["status"] == "declined"
    followed = ok(get(client, "/me/corrections", **mine))["items"]
    assert followed[0]["answer"] == "签到记录显示为3小时"
    assert CorrectionRequest.objects.get().answered_by == org_tree.a1_staff


def test_staff_record_training_and_certify_stars(client, org_tree, volunteer):
    staff = auth(org_tree.a1_staff)
    training = {
        "organisation_id": org_tree.org_a1.pk,
        "kind": "training",
        "title": "应急救护培训",
        "issuer": "泽州县红十字会",
        "on": "2026-05-20",
        "hours": "4",
    }
    item = ok(post(client, f"/volunteers/{volunteer.pk}/items", training, **staff), 201)
    assert (item["kind"], item["hours"]) == ("training", "4.00")
    no_hours = {**training, "hours": None}
    assert_error(
        post(client, f"/volunteers/{volunteer.pk}/items", no_hours, **staff),
        422,
        "invalid",
        "hours",
    )
    outside = post(client, f"/volunteers/{volunteer.pk}/items", training, **auth(org_tree.b1_staff))
    assert_error(outside, 404, "not_found")
    assert RecordItem.objects.count() == 1

    star = {"organisation_id": org_tree.org_a1.pk, "level": 1}
    assert_error(post(client, f"/volunteers/{volunteer.pk}/stars", star, **staff), 422, "invalid")
    for day in range(30):  # 30 × 4 h = 120 h: the one-star standard
        credit(org_tree, volunteer, day * 5 - 200, 4)
    ok(post(client, f"/volunteers/{volunteer.pk}/stars", star, **staff), 201)
    assert StarCertification.objects.get().hours_at == Decimal("120")

    mine = auth(volunteer.user)
    assert [i["title"] for i in ok(get(client, "/me/items", **mine))["items"]] == ["应急救护培训"]
    assert [s["level"] for s in ok(get(client, "/me/stars", **mine))] == [1]
    assert ok(get(client, "/me", **mine))["stars_certified"] == 1
