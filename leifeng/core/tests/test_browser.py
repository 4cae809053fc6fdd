"""The site in a real browser: Debian's Chromium driven by Playwright against the live server.

Never downloads a browser: it launches /usr/bin/chromium. The live server runs in a thread, so the
tests use a transactional database. serialized_rollback=True puts back the Jincheng regions (a data
migration) that the flush after each test removes; later tests need them.
"""

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM, PASSWORD

TIMEOUT_MS = 5_000
LOG_OUT = re.compile(r"^\s*(退出登录|Log out)")
GREETING = re.compile(r"(您好|Hello)")  # English only while the .mo is not compiled
# Records what the page itself reports, before any of its own scripts run.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


class Console:
    def __init__(self):
        self.messages = []

    def __call__(self, message):
        self.messages.append((message.type, message.text))

    def csp_errors(self):
        return [
            text
            for kind, text in self.messages
            if kind == "error" and ("Content Security Policy" in text or "Refused to" in text)
        ]


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def page(browser, console):
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.on("console", console)
    try:
        yield page
    finally:
        context.close()


def assert_strict_csp(response):
    policy = response.headers.get("content-security-policy")
    assert policy, "no Content-Security-Policy header"
    assert "default-src 'self'" in policy, policy
    assert "http://" not in policy, policy
    assert "https://" not in policy, policy


def assert_no_csp_violations(page, console):
    """Nothing blocked so far: no CSP console error on any page, none reported on this one."""
    assert console.csp_errors() == [], console.messages
    assert page.evaluate("window.__cspViolations") == [], page.url


def login_link(page):
    return page.locator("nav.site-nav").get_by_role("link", name="登录", exact=True)


def open_home_and_log_in(page, console, live_server, login: str):
    from playwright.sync_api import expect

    response = page.goto(live_server.url + "/")
    assert response is not None
    assert response.status == 200
    assert_strict_csp(response)
    expect(page.locator(".brand-mark")).to_have_text("志爱晋城")
    expect(login_link(page)).to_be_visible()
    assert_no_csp_violations(page, console)

    login_link(page).click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert_no_csp_violations(page, console)
    page.locator("input[name=username]").fill(login)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    assert_no_csp_violations(page, console)


def test_log_in_by_user_name_see_the_tree_and_log_out(
    transactional_db, org_tree, live_server, page, console
):
    from playwright.sync_api import expect

    open_home_and_log_in(page, console, live_server, "county_a_admin")

    expect(page.locator("main h1")).to_contain_text(org_tree.county_a_admin.display_name)
    expect(page.locator("main h1")).to_have_text(GREETING)
    tree = page.locator("ul.tree")
    expect(tree.get_by_role("link", name="泽州县文明办", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="泽州县新时代文明实践中心", exact=True)).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("城区文明办")
    expect(page.locator("body")).not_to_contain_text("城区新时代文明实践中心")

    response = page.reload()
    assert response is not None
    assert_strict_csp(response)
    assert_no_csp_violations(page, console)

    log_out = page.locator("header").get_by_role("button", name=LOG_OUT)
    expect(log_out).to_be_visible()
    log_out.click()
    page.wait_for_url(live_server.url + "/")
    expect(login_link(page)).to_be_visible()
    expect(page.locator("header").get_by_role("button", name=LOG_OUT)).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("泽州县文明办")

    assert_no_csp_violations(page, console)


@pytest.fixture
def mobile_person(org_tree):
    person = org_tree.a1_staff
    person.mobile = "13912345678"
    person.save(update_fields=["mobile"])
    return person


def test_log_in_by_mobile_number(transactional_db, mobile_person, live_server, page, console):
    from playwright.sync_api import expect

    person = mobile_person
    open_home_and_log_in(page, console, live_server, "13912345678")

    expect(page.locator("main h1")).to_contain_text(person.display_name)
    tree = page.locator("ul.tree")
    expect(tree.get_by_role("link", name="泽州县新时代文明实践中心", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="泽州县文明办", exact=True)).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("城区文明办")
    expect(page.locator("header").get_by_role("button", name=LOG_OUT)).to_be_visible()

    assert_no_csp_violations(page, console)


def test_a_long_job_shows_live_progress_then_the_download(
    transactional_db, org_tree, live_server, page, console, settings, tmp_path
):
    """The export waits in the database queue at 0 %; a worker runs it; the page, polling with
    htmx, turns to 100 % and offers the workbook without a reload."""
    import threading
    from io import BytesIO

    from django.core.management import call_command
    from django.db import connections
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    open_home_and_log_in(page, console, live_server, "county_a_admin")
    page.goto(live_server.url + "/orgs/")
    page.locator("form[action$='/orgs/export/'] button").click()
    page.wait_for_url(re.compile(r"/jobs/\d+/$"))
    bar = page.locator("#progress progress")
    expect(bar).to_have_attribute("value", "0")
    expect(page.locator("#progress")).to_have_attribute("hx-trigger", "every 1s")

    def run_worker():
        try:
            call_command("worker", batch=True)
        finally:
            connections.close_all()  # this thread's connection, or the test database stays busy

    worker = threading.Thread(target=run_worker)
    worker.start()
    worker.join(timeout=30)

    download_link = page.locator("#progress a[href$='/download/']")
    expect(download_link).to_be_visible()
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("#progress .percent")).to_have_text("100%")
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(workbook.active.values)
    assert [row[0] for row in rows[1:]] == ["泽州县文明办", "泽州县新时代文明实践中心"]
    assert_no_csp_violations(page, console)
