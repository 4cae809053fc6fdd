"""A county office writes its report in the formatting editor, corrects a figure, adds a photo
and submits it; the city office returns it with a comment; the county sees the comment and
can write again. Real Chromium against the live server (the `browser` fixture)."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from conftest import CHROMIUM, PASSWORD
from leifeng.reports import services
from leifeng.reports.models import Report
from leifeng.volunteers.tests.test_browser import (
    CSP_LISTENER,
    TIMEOUT_MS,
    assert_no_csp_violations,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}


def log_in(page, login: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def photo_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 60)).save(out, "PNG")
    return out.getvalue()


def test_a_county_submits_its_report_and_the_city_returns_it(org_tree, browser, live_server):
    from playwright.sync_api import expect

    today = timezone.localdate()
    period = services.period_save(
        actor=org_tree.root,
        organisation=org_tree.city,
        name="2026年第三期",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=10),
        due_on=today + timedelta(days=10),
    )
    services.obligations_set(actor=org_tree.root, period=period, organisations=[org_tree.county_a])
    report = Report.objects.get()
    console: list = []

    county = browser.new_context(base_url=live_server.url, **DESK)
    county.add_init_script(CSP_LISTENER)
    page = county.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda message: console.append((message.type, message.text)))
    log_in(page, "county_a_admin")
    page.goto("/reports/")
    expect(page.locator("main")).to_contain_text("2026年第三期")
    page.get_by_role("link", name="泽州县文明办").first.click()
    page.wait_for_url(re.compile(rf"/reports/{report.pk}/$"))
    expect(page.locator("main h1")).to_contain_text("泽州县文明办")

    # A figure the county knows better, changed with its reason (htmx swaps the table).
    figures = page.locator("#figures")
    figures.locator("summary", has_text="修改").first.click()
    form = figures.locator("form").first
    form.locator("input[name=value]").fill("12")
    form.locator("input[name=note]").fill("含线下登记的两场活动")
    form.get_by_role("button", name="修改数据").click()
    expect(page.locator("#figures")).to_contain_text("人工修改：含线下登记的两场活动")

    # The narrative in the formatting editor: a heading, then a bulleted list.
    editor = page.locator("[contenteditable=true]")
    expect(editor).to_be_visible()
    editor.click()
    page.get_by_role("button", name="标题").click()
    page.keyboard.type("一、总体情况")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="项目符号列表").click()
    page.keyboard.type("开展理论宣讲12场")
    page.locator("input[name=contact_name]").fill("吴报送")
    page.locator("input[name=contact_phone]").fill("0356-2566216")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("ul.messages")).to_be_visible()
    report.refresh_from_db()
    assert "<h3>一、总体情况</h3>" in report.narrative
    assert "<li>开展理论宣讲12场</li>" in report.narrative

    # A photo, thumbnailed.
    page.locator("input[name=file]").set_input_files(
        files=[{"name": "活动照片.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    page.locator("input[name=title]").first.fill("志愿者入户宣讲")
    page.get_by_role("button", name="上传").click()
    expect(page.locator("#attachments img")).to_have_count(1)

    page.get_by_role("button", name="保存并报送").click()
    expect(page.locator("main")).to_contain_text("已报送")
    report.refresh_from_db()
    assert (report.status, report.late) == ("submitted", False)
    assert report.figures.get(key="activities", line="").value == 12
    assert_no_csp_violations(page, console)

    # The city office reads it and returns it with a comment.
    city = browser.new_context(base_url=live_server.url, **DESK)
    desk = city.new_page()
    desk.set_default_timeout(TIMEOUT_MS)
    log_in(desk, "city_admin")
    desk.goto(f"/reports/periods/{period.pk}/")
    desk.get_by_role("link", name="泽州县文明办").first.click()
    expect(desk.locator(".narrative h3")).to_have_text("一、总体情况")
    desk.locator("textarea[name=comment]").last.fill("请补充各乡镇实践所的典型案例。")
    desk.get_by_role("button", name="退回修改").click()
    expect(desk.locator("main")).to_contain_text("已退回")
    report.refresh_from_db()
    assert report.status == "returned"

    # The county sees why and may write again.
    page.goto(f"/reports/{report.pk}/")
    expect(page.locator(".comment-box")).to_contain_text("请补充各乡镇实践所的典型案例。")
    expect(page.get_by_role("button", name="保存并重新报送")).to_be_visible()
    county.close()
    city.close()
