"""The hours API for late entries (补录), imports, certificates and their public verification.

Hours past the 10 working days, an overdue claim and every imported row wait for a second
person; the one who asked cannot approve. Certificates are issued by the volunteer or by the
organisation that keeps the records, and anyone may check a number without logging in.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import grant, make_user
from leifeng.activities.tests.conftest import make_volunteer
from leifeng.hours import certificates, services
from leifeng.hours.models import (
    Certificate,
    HoursClaim,
    HoursEntry,
    HoursImport,
    LateEntry,
    VolunteerHours,
)
from leifeng.hours.tests.test_api import (
    BASE,
    CHINESE,
    assert_error,
    auth,
    credit_payload,
    get,
    ok,
    post,
)
from leifeng.hours.tests.test_import import good_rows, xlsx
from leifeng.hours.tests.test_ledger import BASE as MONDAY
from leifeng.hours.tests.test_ledger import attended, credit
from leifeng.orgs.models import Membership

pytestmark = pytest.mark.django_db

# Due 2026-05-19; the clock stands at 2026-06-03.
LATE = {"started_at": "2026-05-06T09:00:00", "ended_at": "2026-05-06T12:00:00", "hours": "3"}


def total_of(volunteer) -> Decimal:
    row = VolunteerHours.objects.filter(volunteer=volunteer).first()
    return row.total if row else Decimal(0)


@pytest.fixture
def volunteer(org_tree):
    return make_volunteer(1, name="王小雷")


@pytest.fixture
def a1_second(org_tree):
    user = make_user("a1_second")
    grant(org_tree.root, user, org_tree.org_a1, Membership.Role.STAFF)
    return user


def late_payload(org_tree, volunteer, **overrides) -> dict:
    data = credit_payload(
        org_tree, volunteer, content="五四青年节志愿服务", reason="纸质签到表", **LATE
    )
    data.update(overrides)
    return data


def upload(client, org_tree, file, user, **overrides):
    data = {"organisation_id": org_tree.org_a1.pk, "reason": "2023年纸质台账", "file": file}
    data.update(overrides)
    return client.post(f"{BASE}/imports", data, **auth(user))


# --- late entries --------------------------------------------------------------------------


def test_a_late_entry_waits_for_a_second_person(client, org_tree, volunteer, a1_second):
    staff = auth(org_tree.a1_staff)
    without_reason = late_payload(org_tree, volunteer)
    del without_reason["reason"]
    assert_error(post(client, "/late", without_reason, **staff), 422, "invalid", "reason")
    assert_error(
        post(client, "/late", late_payload(org_tree, volunteer, reason=" "), **staff),
        422,
        "invalid",
        "reason",
    )

    late = ok(post(client, "/late", late_payload(org_tree, volunteer), **staff), 201)
    assert late["volunteer_name"] == "王**" and late["volunteer_id"] == volunteer.pk
    assert (late["status"], late["source"], late["hours"], late["reason"]) == (
        "pending",
        "manual",
        "3.00",
        "纸质签到表",
    )
    assert late["requested_by_id"] == org_tree.a1_staff.pk and late["entry_id"] is None
    assert total_of(volunteer) == 0 and not HoursEntry.objects.exists()
    # The same time cannot wait twice.
    assert_error(post(client, "/late", late_payload(org_tree, volunteer), **staff), 409, "conflict")

    listed = ok(get(client, "/late", **staff))
    assert listed["count"] == 1 and listed["items"][0]["volunteer_name"] == "王**"
    assert "王小雷" not in str(listed)
    assert ok(get(client, "/late", **auth(org_tree.b1_staff))) == {"items": [], "count": 0}
    assert ok(get(client, "/late", **auth(volunteer.user))) == {"items": [], "count": 0}

    url = f"/late/{late['id']}/approve"
    body = assert_error(post(client, url, **staff), 403, "forbidden")
    assert body["message"] == "补录须由第二人审核；这条是您提出的。"
    assert_error(post(client, url, **auth(org_tree.b1_staff)), 404, "not_found")
    assert LateEntry.objects.get().status == LateEntry.Status.PENDING

    entry = ok(post(client, url, **auth(a1_second)))
    assert (entry["hours"], entry["kind"], entry["source"], entry["content"]) == (
        "3.00",
        "credit",
        "manual",
        "五四青年节志愿服务",
    )
    assert entry["reason"] == "纸质签到表" and entry["organisation_id"] == org_tree.org_a1.pk
    assert total_of(volunteer) == Decimal("3")
    assert LateEntry.objects.get().entry_id == entry["id"]
    assert ok(get(client, "/late", **staff))["count"] == 0
    assert_error(post(client, url, **auth(org_tree.county_a_admin)), 409, "conflict")
    assert total_of(volunteer) == Decimal("3")


def test_a_late_entry_is_rejected_with_a_reason(client, org_tree, volunteer, a1_second):
    late = ok(
        post(client, "/late", late_payload(org_tree, volunteer), **auth(org_tree.a1_staff)), 201
    )
    url = f"/late/{late['id']}/reject"
    assert_error(post(client, url, {"reason": "越权"}, **auth(org_tree.b1_staff)), 404, "not_found")
    assert_error(post(client, url, {"reason": " "}, **auth(a1_second)), 422, "invalid", "reason")
    assert_error(post(client, url, {}, **auth(a1_second)), 422, "invalid", "reason")

    body = ok(post(client, url, {"reason": "签到表无负责人签字"}, **auth(a1_second)))
    assert (body["status"], body["answer"], body["entry_id"]) == (
        "rejected",
        "签到表无负责人签字",
        None,
    )
    assert not HoursEntry.objects.exists() and total_of(volunteer) == 0
    assert_error(post(client, f"/late/{late['id']}/approve", **auth(a1_second)), 409, "conflict")


def test_an_overdue_claim_is_confirmed_late(client, org_tree, volunteer, time_machine):
    attended(org_tree, volunteer, minutes=150)
    services.claims_collect()
    claim = HoursClaim.objects.get()
    time_machine.move_to(
        datetime.combine(claim.due_on, datetime.min.time(), MONDAY.tzinfo)
        + timedelta(days=1, hours=9)
    )
    staff = auth(org_tree.a1_staff)
    assert_error(post(client, f"/claims/{claim.pk}/confirm", {}, **staff), 409, "late")
    url = f"/claims/{claim.pk}/confirm-late"
    assert_error(post(client, url, {}, **staff), 422, "invalid", "reason")
    assert_error(post(client, url, {"reason": "出差"}, **auth(org_tree.b1_staff)), 404, "not_found")

    late = ok(post(client, url, {"reason": "负责人出差，未及时确认"}, **staff), 201)
    assert (late["claim_id"], late["source"], late["hours"], late["status"]) == (
        claim.pk,
        "attendance",
        "2.50",
        "pending",
    )
    assert late["volunteer_name"] == "王**"
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.LATE and total_of(volunteer) == 0
    assert ok(get(client, "/claims", **staff))["count"] == 0
    assert_error(post(client, url, {"reason": "再次"}, **staff), 409, "conflict")

    entry = ok(post(client, f"/late/{late['id']}/approve", **auth(org_tree.county_a_admin)))
    assert entry["source"] == "attendance" and entry["activity_id"] is not None
    claim.refresh_from_db()
    assert claim.status == HoursClaim.Status.CONFIRMED and claim.entry_id == entry["id"]
    assert total_of(volunteer) == Decimal("2.5")


# --- imports -------------------------------------------------------------------------------


@pytest.fixture
def people(org_tree):
    return make_volunteer(1, name="王小雷"), make_volunteer(2, name="李文明")


def test_an_import_adds_rows_once_for_a_second_person(client, org_tree, people, a1_second):
    wang, li = people
    body = ok(upload(client, org_tree, xlsx(good_rows(people)), org_tree.a1_staff), 201)
    batch = HoursImport.objects.get()
    assert body == {"rows": 3, "added": 3, "already": 0, "batch_id": batch.pk, "errors": []}
    assert total_of(wang) == 0

    again = ok(upload(client, org_tree, xlsx(good_rows(people)), org_tree.a1_staff))
    assert again == {"rows": 3, "added": 0, "already": 3, "batch_id": None, "errors": []}
    assert HoursImport.objects.count() == 1 and LateEntry.objects.count() == 3

    listed = ok(get(client, "/late", {"batch_id": batch.pk}, **auth(a1_second)))
    assert listed["count"] == 3
    assert {item["source"] for item in listed["items"]} == {"import"}
    assert {item["volunteer_name"] for item in listed["items"]} == {"王**", "李**"}
    assert {item["batch_id"] for item in listed["items"]} == {batch.pk}
    assert ok(get(client, "/late", {"batch_id": batch.pk + 1}, **auth(a1_second)))["count"] == 0

    for item in listed["items"]:
        assert_error(
            post(client, f"/late/{item['id']}/approve", **auth(org_tree.a1_staff)),
            403,
            "forbidden",
        )
        ok(post(client, f"/late/{item['id']}/approve", **auth(a1_second)))
    assert total_of(wang) == Decimal("4.5") and total_of(li) == Decimal("2")


def test_an_import_with_bad_rows_names_them_and_saves_nothing(client, org_tree, people):
    wang, li = people
    rows = [
        *good_rows(people),
        [li.number, "李武", "清扫", "", "2023-05-07 08:00", "2023-05-07 09:00", 1],
        [wang.number, "王小雷", "清扫", "", "2023-05-09 08:00", "2023-05-09 09:00", 3],
    ]
    body = ok(upload(client, org_tree, xlsx(rows), org_tree.a1_staff))
    assert (body["rows"], body["added"], body["already"], body["batch_id"]) == (5, 0, 0, None)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (5, "姓名"),
        (6, "服务时长（小时）"),
    ]
    assert body["errors"][0]["message"] == "姓名与志愿者编号不符。"
    assert all(CHINESE.search(e["message"]) for e in body["errors"])
    assert not HoursImport.objects.exists() and not LateEntry.objects.exists()


def test_an_import_that_cannot_be_read_or_is_not_mine(client, org_tree, people):
    csv = SimpleUploadedFile("hours.csv", b"a,b\n1,2\n")
    body = assert_error(upload(client, org_tree, csv, org_tree.a1_staff), 422, "invalid", "file")
    assert ".xlsx" in body["message"] and body["fields"]["file"] == body["message"]
    broken = SimpleUploadedFile("hours.xlsx", b"not a workbook")
    assert_error(upload(client, org_tree, broken, org_tree.a1_staff), 422, "invalid", "file")
    assert_error(
        upload(client, org_tree, xlsx(good_rows(people)), org_tree.a1_staff, reason=" "),
        422,
        "invalid",
        "reason",
    )
    assert_error(
        upload(client, org_tree, xlsx(good_rows(people)), org_tree.b1_staff), 404, "not_found"
    )
    assert_error(
        client.post(f"{BASE}/imports", {"organisation_id": org_tree.org_a1.pk, "reason": "x"}),
        401,
        "unauthenticated",
    )
    assert not HoursImport.objects.exists() and not LateEntry.objects.exists()


# --- certificates --------------------------------------------------------------------------


@pytest.fixture
def entries(org_tree, volunteer):
    return [credit(org_tree, volunteer, 0, 3), credit(org_tree, volunteer, 24, 2, "1.5")]


def test_a_volunteer_issues_and_lists_their_certificates(client, org_tree, volunteer, entries):
    mine = auth(volunteer.user)
    everything = ok(post(client, "/me/certificates", {}, **mine), 201)
    assert (everything["hours"], everything["records"], everything["organisation_id"]) == (
        "4.50",
        2,
        None,
    )
    assert everything["volunteer_id"] == volunteer.pk
    assert everything["issuer_name"] == "志爱晋城志愿服务信息系统"
    assert certificates.number_is_well_formed(everything["number"])
    assert everything["pdf_url"].endswith(f"/hours/certificates/{everything['number']}.pdf")
    assert everything["verify_url"].endswith(f"/hours/verify/{everything['number']}/")
    assert (everything["first_on"], everything["last_on"]) == ("2026-06-01", "2026-06-02")

    chosen = ok(post(client, "/me/certificates", {"entry_ids": [entries[1].pk]}, **mine), 201)
    assert (chosen["hours"], chosen["records"]) == ("1.50", 1)

    listed = ok(get(client, "/me/certificates", **mine))
    assert [c["number"] for c in listed["items"]] == [chosen["number"], everything["number"]]

    other = make_volunteer(2)
    theirs = auth(other.user)
    assert ok(get(client, "/me/certificates", **theirs)) == {"items": [], "count": 0}
    # Someone else's records are not "chosen" ones; nothing to certify is refused.
    assert_error(
        post(client, "/me/certificates", {"entry_ids": [entries[0].pk]}, **theirs),
        422,
        "invalid",
    )
    assert_error(post(client, "/me/certificates", {}, **theirs), 422, "invalid")
    assert_error(get(client, "/me/certificates", **auth(org_tree.a1_staff)), 404, "not_found")
    assert Certificate.objects.count() == 2


def test_staff_issue_a_certificate_for_the_records_they_keep(client, org_tree, volunteer, entries):
    url = f"/volunteers/{volunteer.pk}/certificates"
    issued = ok(
        post(
            client,
            url,
            {"organisation_id": org_tree.org_a1.pk, "person_in_charge": "张主任"},
            **auth(org_tree.a1_staff),
        ),
        201,
    )
    assert (issued["organisation_id"], issued["issuer_name"], issued["hours"]) == (
        org_tree.org_a1.pk,
        org_tree.org_a1.name,
        "4.50",
    )
    assert Certificate.objects.get().person_in_charge == "张主任"
    listed = ok(get(client, "/me/certificates", **auth(volunteer.user)))
    assert [c["number"] for c in listed["items"]] == [issued["number"]]

    for organisation in (org_tree.org_a1, org_tree.org_b1):
        payload = {"organisation_id": organisation.pk}
        assert_error(post(client, url, payload, **auth(org_tree.b1_staff)), 404, "not_found")
    assert_error(
        post(client, url, {"organisation_id": org_tree.org_a1.pk}, **auth(volunteer.user)),
        404,
        "not_found",
    )
    assert Certificate.objects.count() == 1


def test_anyone_verifies_a_number_and_learns_no_personal_data(client, org_tree, volunteer, entries):
    issued = certificates.certificate_issue(
        actor=org_tree.a1_staff, volunteer=volunteer, organisation=org_tree.org_a1
    )
    body = ok(get(client, "/certificates/verify", {"number": issued.number}))
    assert body == {
        "status": "genuine",
        "number": issued.number,
        "volunteer": "王**",
        "issuer_name": org_tree.org_a1.name,
        "issued_on": "2026-06-03",
        "hours": "4.50",
        "records": 2,
        "first_on": "2026-06-01",
        "last_on": "2026-06-02",
        "corrected_since": 0,
    }
    typed = issued.number.lower().replace("-", " ")
    assert ok(get(client, "/certificates/verify", {"number": typed}))["status"] == "genuine"

    plain = certificates.normalise_number(issued.number)
    changed = plain[:12] + ("A" if plain[12] != "A" else "B") + plain[13:]
    body_ = plain[:10] + ("000000" if plain[10:16] != "000000" else "111111")
    unknown = body_ + certificates._check_character(body_)
    for number, status in [(changed, "malformed"), (unknown, "unknown"), ("ZA-1", "malformed")]:
        assert ok(get(client, "/certificates/verify", {"number": number})) == {
            "status": status,
            "number": number,
            "volunteer": "",
            "issuer_name": "",
            "issued_on": None,
            "hours": None,
            "records": None,
            "first_on": None,
            "last_on": None,
            "corrected_since": 0,
        }

    services.entry_reverse(actor=org_tree.root, entry=entries[0], reason="重复记录")
    after = ok(get(client, "/certificates/verify", {"number": issued.number}))
    assert (after["status"], after["hours"], after["corrected_since"]) == ("genuine", "4.50", 1)
    assert_error(get(client, "/certificates/verify"), 422, "invalid", "number")


def test_a_certificate_over_records_kept_elsewhere_is_refused(client, org_tree, volunteer):
    start = MONDAY + timedelta(days=1)
    services.manual_credit(
        actor=org_tree.root,
        organisation=org_tree.org_b1,
        volunteer=volunteer,
        content="图书馆整理",
        started_at=start,
        ended_at=start + timedelta(hours=2),
        hours=Decimal("2"),
    )
    response = post(
        client,
        f"/volunteers/{volunteer.pk}/certificates",
        {"organisation_id": org_tree.org_a1.pk},
        **auth(org_tree.a1_staff),
    )
    body = assert_error(response, 422, "invalid")
    assert body["message"] == "没有可以证明的有效服务记录。"
    assert not Certificate.objects.exists()
