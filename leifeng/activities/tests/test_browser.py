"""A volunteer signs up on a phone; the organiser checks them in on the roster; the volunteer
scans the organiser's rotating code to check out. Real Chromium against the live server (see
the `browser` fixture in the root conftest); all data is set up before the browser starts."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import CHROMIUM
from conftest import PASSWORD as STAFF_PASSWORD
from leifeng.activities import services
from leifeng.activities.models import Attendance, Signup
from leifeng.activities.tests.conftest import activity_data, make_volunteer
from leifeng.volunteers.tests.conftest import PASSWORD as VOLUNTEER_PASSWORD
from leifeng.volunteers.tests.test_browser import (
    CSP_LISTENER,
    PHONE,
    TIMEOUT_MS,
    assert_fits_the_phone,
    assert_no_csp_violations,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def scene(org_tree):
    """A published activity whose shift starts in 20 minutes (check-in is open), and a
    registered volunteer."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=20)
    activity = services.activity_save(
        actor=org_tree.a1_staff, organisation=org_tree.org_a1, data=activity_data()
    )
    services.shift_add(
        actor=org_tree.a1_staff,
        activity=activity,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        quota=3,
    )
    services.activity_publish(actor=org_tree.a1_staff, activity=activity)
    return {"activity": activity, "volunteer": make_volunteer(7, name="赵志愿")}


def log_in(page, login: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def test_sign_up_on_a_phone_then_the_organiser_checks_in(scene, org_tree, browser, live_server):
    from playwright.sync_api import expect

    activity, volunteer = scene["activity"], scene["volunteer"]
    console: list = []
    phone_context = browser.new_context(base_url=live_server.url, **PHONE)
    phone_context.add_init_script(CSP_LISTENER)
    phone = phone_context.new_page()
    phone.set_default_timeout(TIMEOUT_MS)
    phone.on("console", lambda message: console.append((message.type, message.text)))

    log_in(phone, volunteer.number, VOLUNTEER_PASSWORD)
    phone.goto("/activities/")
    assert_fits_the_phone(phone)
    phone.get_by_role("link", name=activity.title).first.tap()
    expect(phone.locator("main h1")).to_have_text(activity.title)
    expect(phone.locator("#risk")).to_contain_text("反光背心")  # the risk notice, before the button
    expect(phone.locator("main")).to_contain_text("剩余 3 个名额")
    assert_fits_the_phone(phone)
    phone.get_by_label("我已阅读风险提示和安全措施。").tap()
    phone.get_by_role("button", name="报名").tap()
    phone.wait_for_url(re.compile(r"/activities/mine/$"))
    expect(phone.locator("ul.messages")).to_contain_text("报名成功")
    expect(phone.locator("main .cards")).to_contain_text(activity.title)
    expect(phone.locator("main .cards")).to_contain_text("已报名")
    assert_fits_the_phone(phone)
    assert_no_csp_violations(phone, console)
    assert Signup.objects.get().status == Signup.Status.CONFIRMED

    # The organiser, at a desk, checks the volunteer in from the roster.
    desk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(TIMEOUT_MS)
    log_in(desk, "a1_staff", STAFF_PASSWORD)
    shift = activity.shifts.get()
    desk.goto(f"/activities/manage/shifts/{shift.pk}/roster/")
    row = desk.locator("tr", has_text="赵志愿")
    row.get_by_role("button", name="签到").click()
    expect(desk.locator("tr", has_text="赵志愿")).to_contain_text("组织者操作")
    attendance = Attendance.objects.get()
    assert attendance.checked_in_at is not None and attendance.checked_out_at is None

    # The organiser shows the rotating code; the volunteer's phone opens it and checks out.
    desk.goto(f"/activities/manage/shifts/{shift.pk}/qr/")
    expect(desk.locator("figure.qr svg")).to_be_visible()
    code_url = desk.locator("figure.qr").get_attribute("data-url")
    assert code_url and "/activities/checkin/" in code_url
    phone.goto(code_url)
    expect(phone.locator("main")).to_contain_text(activity.title)
    phone.get_by_role("button", name="签退").tap()
    expect(phone.locator("ul.messages")).to_contain_text("签退成功")
    assert_fits_the_phone(phone)
    assert_no_csp_violations(phone, console)
    attendance.refresh_from_db()
    assert attendance.checked_out_at is not None
    assert attendance.check_out_method == Attendance.Method.QR
    desk_context.close()
    phone_context.close()
