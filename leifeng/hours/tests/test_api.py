"""The hours API at /api/v1/hours as an app uses it.

A volunteer reads their own total, entries and pending claims, and nobody else's; staff
confirm (one, other hours with a reason, or many at once) and reject claims, credit hours
served outside the platform, and reverse or correct a credit, all inside their subtree. Time
is never credited twice; hours travel as exact decimal text. Errors are the one error body.

The fixtures' volunteers live in 泽州 (org_a1); 城区 (county B) sees none of it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from leifeng.activities.tests.conftest import make_volunteer
from leifeng.core.tests.apitest import CHINESE, Api, assert_error, auth, ok
from leifeng.hours import services
from leifeng.hours.models import HoursClaim, HoursEntry, VolunteerHours
from leifeng.hours.tests.test_ledger import attended, credit

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hours"
API = Api(BASE)
get, post = API.get, API.post


def total_of(volunteer) -> Decimal:
    return VolunteerHours.objects.get(volunteer=volunteer).total


@pytest.fixture
def volunteer(db):
    return make_volunteer(1)


@pytest.fixture
def other(db):
    return make_volunteer(2)


@pytest.fixture
def claim(org_tree, volunteer) -> HoursClaim:
    attended(org_tree, volunteer, minutes=150)
    services.claims_collect()
    return HoursClaim.objects.get(volunteer=volunteer)


def credit_payload(org_tree, volunteer, **overrides) -> dict:
    data = {
        "organisation_id": org_tree.org_a1.pk,
        "volunteer_id": volunteer.pk,
        "content": "敬老院陪护",
        "place": "巴公镇敬老院",
        "started_at": "2026-05-29T09:00:00",
        "ended_at": "2026-05-29T12:00:00",
        "hours": "2.75",
        "reason": "线下服务补录",
    }
    data.update(overrides)
    return data


# --- the volunteer -------------------------------------------------------------------------


def test_a_volunteer_sees_their_own_record_and_nothing_of_others(
    client, org_tree, volunteer, other, claim
):
    credit(org_tree, volunteer, 0, 3, "2.5")
    credit(org_tree, other, 0, 3, "3")
    mine = auth(volunteer.user)

    assert ok(get(client, "/me", **mine)) == {
        "total": "2.50",
        "stars_reached": 0,
        "stars_certified": 0,
    }
    entries = ok(get(client, "/me/entries", **mine))
    assert entries["count"] == 1
    assert entries["items"][0]["hours"] == "2.50"
    assert {item["volunteer_id"] for item in entries["items"]} == {volunteer.pk}
    claims = ok(get(client, "/me/claims", **mine))
    assert [item["id"] for item in claims] == [claim.pk]
    assert claims[0]["proposed_hours"] == "2.50"

    theirs = auth(other.user)
    assert ok(get(client, "/me", **theirs))["total"] == "3.00"
    assert [e["volunteer_id"] for e in ok(get(client, "/me/entries", **theirs))["items"]] == [
        other.pk
    ]
    assert ok(get(client, "/me/claims", **theirs)) == []


def test_newest_entries_come_first(client, org_tree, volunteer):
    early = credit(org_tree, volunteer, 0, 2)
    late = credit(org_tree, volunteer, 24, 2)
    items = ok(get(client, "/me/entries", **auth(volunteer.user)))["items"]
    assert [item["id"] for item in items] == [late.pk, early.pk]


def test_a_volunteer_reaches_no_staff_route(client, org_tree, volunteer, claim):
    mine = auth(volunteer.user)
    assert ok(get(client, "/claims", **mine)) == {"items": [], "count": 0}
    assert ok(get(client, "/entries", **mine)) == {"items": [], "count": 0}
    assert_error(post(client, f"/claims/{claim.pk}/confirm", {}, **mine), 404, "not_found")
    response = post(client, "/claims/confirm", {"claim_ids": [claim.pk]}, **mine)
    assert ok(response)["confirmed"] == []


def test_staff_without_a_volunteer_record_have_no_me(client, org_tree):
    assert_error(get(client, "/me", **auth(org_tree.a1_staff)), 404, "not_found")
    assert_error(get(client, "/me/entries", **auth(org_tree.a1_staff)), 404, "not_found")


def test_hours_need_a_log_in(client, db):
    assert_error(get(client, "/me"), 401, "unauthenticated")
    assert_error(get(client, "/claims"), 401, "unauthenticated")


# --- staff: claims -------------------------------------------------------------------------


def test_staff_list_claims_most_urgent_first_and_overdue_ones(client, org_tree, volunteer, other):
    attended(org_tree, volunteer)
    attended(org_tree, other)
    services.claims_collect()
    first, second = HoursClaim.objects.order_by("pk")
    HoursClaim.objects.filter(pk=second.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    staff = auth(org_tree.a1_staff)

    listed = ok(get(client, "/claims", **staff))
    assert [item["id"] for item in listed["items"]] == [second.pk, first.pk]
    assert listed["items"][0]["overdue"] is True
    assert listed["items"][0]["volunteer_name"] == "志愿**"  # masked, as on the roster
    overdue = ok(get(client, "/claims", {"overdue": "true"}, **staff))
    assert [item["id"] for item in overdue["items"]] == [second.pk]


def test_staff_confirm_a_claim_with_other_hours_only_with_a_reason(
    client, org_tree, volunteer, claim
):
    staff = auth(org_tree.a1_staff)
    url = f"/claims/{claim.pk}/confirm"
    assert_error(post(client, url, {"hours": "2"}, **staff), 422, "invalid", "reason")

    entry = ok(post(client, url, {"hours": 2, "reason": "中途离开半小时"}, **staff))
    assert entry["hours"] == "2.00"
    assert entry["source"] == "attendance"
    assert entry["activity_id"] == claim.attendance.shift.activity_id
    assert total_of(volunteer) == Decimal("2")
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.CONFIRMED and claim.entry_id == entry["id"]

    assert_error(post(client, url, {}, **staff), 409, "conflict")


def test_staff_confirm_the_proposed_hours(client, org_tree, volunteer, claim):
    entry = ok(post(client, f"/claims/{claim.pk}/confirm", {}, **auth(org_tree.a1_staff)))
    assert entry["hours"] == "2.50"
    assert total_of(volunteer) == Decimal("2.5")


def test_staff_reject_a_claim_with_a_reason(client, org_tree, volunteer, claim):
    staff = auth(org_tree.a1_staff)
    url = f"/claims/{claim.pk}/reject"
    assert_error(post(client, url, {"reason": "  "}, **staff), 422, "invalid", "reason")
    assert_error(post(client, url, {}, **staff), 422, "invalid", "reason")
    body = ok(post(client, url, {"reason": "未实际到岗"}, **staff))
    assert body["status"] == "rejected" and body["reason"] == "未实际到岗"
    assert not HoursEntry.objects.exists()
    assert ok(get(client, "/claims", **staff))["count"] == 0
    assert_error(post(client, url, {"reason": "再次"}, **staff), 409, "conflict")


def test_bulk_confirm_answers_each_refused_claim(client, org_tree, volunteer, other):
    shift = attended(org_tree, volunteer)
    attended(org_tree, other)
    services.claims_collect()
    mine = HoursClaim.objects.get(volunteer=volunteer)
    theirs = HoursClaim.objects.get(volunteer=other)
    # The volunteer's time was already credited by hand: their claim cannot be.
    services.manual_credit(
        actor=org_tree.a1_staff,
        organisation=org_tree.org_a1,
        volunteer=volunteer,
        content="手工补录",
        started_at=shift.starts_at,
        ended_at=shift.ends_at,
        hours=Decimal("2"),
    )
    missing = theirs.pk + 1000

    body = ok(
        post(
            client,
            "/claims/confirm",
            {"claim_ids": [theirs.pk, mine.pk, missing, theirs.pk]},
            **auth(org_tree.a1_staff),
        )
    )
    assert body["confirmed"] == [HoursClaim.objects.get(pk=theirs.pk).entry_id]
    refused = {item["claim_id"]: item["message"] for item in body["refused"]}
    assert set(refused) == {mine.pk, missing}
    assert "手工补录" in refused[mine.pk]
    assert CHINESE.search(refused[missing])
    assert total_of(other) == Decimal("2.5")


def test_bulk_confirm_takes_at_most_200_claims(client, org_tree):
    response = post(
        client, "/claims/confirm", {"claim_ids": list(range(1, 202))}, **auth(org_tree.a1_staff)
    )
    assert_error(response, 422, "invalid", "claim_ids")


# --- staff: the ledger ---------------------------------------------------------------------


def test_manual_credit_takes_beijing_time_and_refuses_credited_time(client, org_tree, volunteer):
    staff = auth(org_tree.a1_staff)
    entry = ok(post(client, "/entries", credit_payload(org_tree, volunteer), **staff), 201)
    assert entry["hours"] == "2.75"
    assert parse_datetime(entry["started_at"]) == parse_datetime("2026-05-29T01:00:00Z")
    assert entry["source"] == "manual" and entry["organisation_id"] == org_tree.org_a1.pk

    again = credit_payload(
        org_tree,
        volunteer,
        content="另一项服务",
        started_at="2026-05-29T11:00:00+08:00",
        ended_at="2026-05-29T14:00:00+08:00",
    )
    body = assert_error(post(client, "/entries", again, **staff), 409, "conflict")
    assert "重叠" in body["message"]
    assert "敬老院陪护 2026-05-29 09:00–2026-05-29 12:00" in body["message"]
    assert HoursEntry.objects.count() == 1 and total_of(volunteer) == Decimal("2.75")


@pytest.mark.parametrize(
    ("sent", "answered"),
    [("2.25", "2.25"), (2.25, "2.25"), (1.1, "1.10"), ("0.5", "0.50"), (3, "3.00")],
)
def test_decimal_hours_round_trip_exactly(client, org_tree, volunteer, sent, answered):
    payload = credit_payload(org_tree, volunteer, hours=sent)
    entry = ok(post(client, "/entries", payload, **auth(org_tree.a1_staff)), 201)
    assert entry["hours"] == answered
    assert HoursEntry.objects.get(pk=entry["id"]).hours == Decimal(answered)
    assert ok(get(client, "/me", **auth(volunteer.user)))["total"] == answered


@pytest.mark.parametrize("hours", ["2.255", "0.4", "abc", "NaN", True, "1e9"])
def test_hours_that_are_not_a_plain_amount_are_refused(client, org_tree, volunteer, hours):
    payload = credit_payload(org_tree, volunteer, hours=hours)
    assert_error(post(client, "/entries", payload, **auth(org_tree.a1_staff)), 422, "invalid")
    assert not HoursEntry.objects.exists()


def test_more_hours_than_the_period_are_refused(client, org_tree, volunteer):
    payload = credit_payload(org_tree, volunteer, hours="3.5")
    response = post(client, "/entries", payload, **auth(org_tree.a1_staff))
    assert_error(response, 422, "invalid", "hours")


def test_staff_list_entries_of_one_volunteer(client, org_tree, volunteer, other):
    mine = credit(org_tree, volunteer, 0, 2)
    credit(org_tree, other, 0, 2)
    staff = auth(org_tree.a1_staff)
    assert ok(get(client, "/entries", **staff))["count"] == 2
    listed = ok(get(client, "/entries", {"volunteer_id": volunteer.pk}, **staff))
    assert [item["id"] for item in listed["items"]] == [mine.pk]


def test_reverse_and_correct_keep_the_total_equal_to_the_ledger(client, org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 3)
    staff = auth(org_tree.a1_staff)
    correct = {
        "hours": "2.5",
        "started_at": "2026-06-01T08:30:00",
        "ended_at": "2026-06-01T11:00:00",
    }
    url = f"/entries/{entry.pk}/correct"
    assert_error(post(client, url, {**correct, "reason": ""}, **staff), 422, "invalid", "reason")

    corrected = ok(post(client, url, {**correct, "reason": "签到时间有误"}, **staff))
    assert corrected["hours"] == "2.50"
    assert parse_datetime(corrected["started_at"]) == parse_datetime("2026-06-01T08:30+08:00")
    assert total_of(volunteer) == Decimal("2.5")
    listed = {item["id"]: item for item in ok(get(client, "/entries", **staff))["items"]}
    assert listed[entry.pk]["reversed"] is True
    reversal = next(item for item in listed.values() if item["reverses_id"] == entry.pk)
    assert reversal["hours"] == "-3.00" and reversal["kind"] == "reversal"

    assert_error(
        post(client, f"/entries/{entry.pk}/reverse", {"reason": "重复"}, **staff), 409, "conflict"
    )
    assert_error(
        post(client, f"/entries/{reversal['id']}/reverse", {"reason": "x"}, **staff),
        404,
        "not_found",
    )
    taken_back = ok(
        post(client, f"/entries/{corrected['id']}/reverse", {"reason": "重复记录"}, **staff)
    )
    assert taken_back["hours"] == "-2.50" and taken_back["reverses_id"] == corrected["id"]
    assert total_of(volunteer) == Decimal("0")
    assert ok(get(client, "/me", **auth(volunteer.user)))["total"] == "0.00"
    assert sum(HoursEntry.objects.values_list("hours", flat=True)) == total_of(volunteer)


def test_a_correction_into_credited_time_changes_nothing(client, org_tree, volunteer):
    entry = credit(org_tree, volunteer, 0, 3)
    credit(org_tree, volunteer, 5, 2)
    body = {
        "hours": "2",
        "started_at": "2026-06-01T12:00:00+08:00",
        "ended_at": "2026-06-01T14:00:00+08:00",
        "reason": "时间有误",
    }
    response = post(client, f"/entries/{entry.pk}/correct", body, **auth(org_tree.a1_staff))
    assert_error(response, 409, "conflict")
    assert total_of(volunteer) == Decimal("5")
    assert HoursEntry.objects.count() == 2


# --- another county ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["b1_staff", "county_b_admin"])
def test_another_county_sees_nothing_and_gets_404(client, org_tree, volunteer, claim, username):
    entry = credit(org_tree, volunteer, -48, 2)
    theirs = auth(getattr(org_tree, username))
    assert ok(get(client, "/claims", **theirs))["count"] == 0
    assert ok(get(client, "/entries", **theirs))["count"] == 0
    for url, body in [
        (f"/claims/{claim.pk}/confirm", {}),
        (f"/claims/{claim.pk}/reject", {"reason": "不认可"}),
        (f"/entries/{entry.pk}/reverse", {"reason": "撤销"}),
        (
            f"/entries/{entry.pk}/correct",
            {
                "hours": "1",
                "started_at": "2026-05-30T08:00:00",
                "ended_at": "2026-05-30T09:00:00",
                "reason": "更正",
            },
        ),
        ("/entries", credit_payload(org_tree, volunteer)),
    ]:
        assert_error(post(client, url, body, **theirs), 404, "not_found")
    body = ok(post(client, "/claims/confirm", {"claim_ids": [claim.pk]}, **theirs))
    assert body["confirmed"] == [] and [r["claim_id"] for r in body["refused"]] == [claim.pk]
    assert HoursClaim.objects.get(pk=claim.pk).status == HoursClaim.Status.PENDING
    assert total_of(volunteer) == Decimal("2")


def test_county_b_may_not_credit_a_county_a_volunteer(client, org_tree, volunteer):
    payload = credit_payload(org_tree, volunteer, organisation_id=org_tree.org_b1.pk)
    response = post(client, "/entries", payload, **auth(org_tree.b1_staff))
    assert_error(response, 404, "not_found")
    assert not HoursEntry.objects.exists()
