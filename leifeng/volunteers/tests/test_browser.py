"""A volunteer registers on a phone-sized screen, in a real browser.

Debian's Chromium driven by Playwright against the live server, as in core/tests/test_browser.py
(see the `browser` fixture in the root conftest): a transactional database, whose flush after
each test serialized_rollback=True undoes by putting back the Jincheng regions, and all data set
up before the browser starts.
"""

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM, PASSWORD
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.tests.conftest import id_number

TIMEOUT_MS = 5_000
PHONE = {  # about an iPhone 14 or a mid-range Android phone
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
DOCUMENT = id_number("19880808", seq="107")  # ends in X
MOBILE = "13912345678"
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
# Under mobile emulation (is_mobile) Chromium widens the layout viewport to fit wide content,
# and window.innerWidth with it: "scrollWidth <= innerWidth" then holds even on a page that
# scrolls sideways. So the screen's width is the root element's clientWidth (the viewport as
# configured), which the page cannot stretch.
SIZES = """
() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  screenWidth: document.documentElement.clientWidth,
})
"""
# What sticks out on the right, to name in the failure message.
WIDER_THAN_THE_SCREEN = """
() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      const classes = el.classList.length ? "." + [...el.classList].join(".") : "";
      wide.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${classes} `
        + `right=${Math.round(box.right)} width=${Math.round(box.width)}`);
    }
  }
  return wide;
}
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def console():
    return []


@pytest.fixture
def phone(org_tree, browser, live_server, console):
    """A page on a phone-sized touch screen. org_tree first: data before the browser starts."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    page.on("console", lambda message: console.append((message.type, message.text)))
    try:
        yield page
    finally:
        context.close()


def assert_fits_the_phone(page) -> None:
    """No sideways scrolling: the document is no wider than the phone's screen."""
    sizes = page.evaluate(SIZES)
    width = PHONE["viewport"]["width"]
    assert sizes["screenWidth"] == width, sizes
    fits = sizes["scrollWidth"] <= sizes["innerWidth"] and sizes["scrollWidth"] <= width
    assert fits, (
        f"{page.url} scrolls sideways on a {width}px phone: {sizes}; "
        f"wider than the screen: {page.evaluate(WIDER_THAN_THE_SCREEN)}"
    )


def assert_no_csp_violations(page, console) -> None:
    errors = [text for kind, text in console if kind == "error" and "Content Security" in text]
    assert errors == [], console
    assert page.evaluate("window.__cspViolations") == [], page.url


def open_register(page):
    from playwright.sync_api import expect

    response = page.goto("/volunteers/register/")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_have_text(re.compile("注册|Register"))
    return response


def tick(checkbox) -> None:
    """Tick a box with a finger, as on a phone; a ticked box stays ticked."""
    if not checkbox.is_checked():
        checkbox.tap()


def fill_form(page, document_number: str) -> None:
    """Everything a person fills in on the phone, by the labels they read."""
    from playwright.sync_api import expect

    page.locator("#id_name").fill("王小雷")
    document_type = page.locator("#id_document_type")
    expect(document_type).to_have_value("111")  # the default
    selected = document_type.evaluate("select => select.selectedOptions[0].textContent")
    assert selected.strip() in {"居民身份证", "Resident identity card"}, selected
    page.locator("#id_document_number").fill(document_number)
    page.locator("#id_mobile").fill(MOBILE)

    # One select for the whole city, its places grouped by county.
    residence = page.locator("#id_residence")
    residence.select_option(label="南村镇")
    group = residence.evaluate("select => select.selectedOptions[0].parentElement.label")
    assert group == "泽州县"

    tick(page.get_by_label("文明城市建设志愿服务"))
    tick(page.get_by_label("社区志愿者"))
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password_again").fill(PASSWORD)
    tick(page.locator("#id_privacy_consent"))

    expect(page.get_by_label("文明城市建设志愿服务")).to_be_checked()
    expect(page.get_by_label("社区志愿者")).to_be_checked()
    expect(page.locator("#id_privacy_consent")).to_be_checked()


def submit(page) -> None:
    page.locator("main form button[type=submit]").tap()


def test_a_volunteer_registers_on_a_phone(phone, console, live_server):
    from playwright.sync_api import expect

    open_register(phone)
    assert_fits_the_phone(phone)
    phone.locator("details.notice-details summary").tap()  # the privacy notice, opened
    expect(phone.locator("#privacy-notice")).to_be_visible()
    assert_fits_the_phone(phone)

    fill_form(phone, DOCUMENT.lower())  # typed as people do, with a small x
    assert_fits_the_phone(phone)
    submit(phone)

    phone.wait_for_url(live_server.url + "/volunteers/me/")
    number = phone.locator("main .volunteer-number")
    expect(number).to_have_text(re.compile(r"^JC140525\d{7}$"))
    main = phone.locator("main")
    expect(main).to_contain_text("139****5678")
    expect(main).to_contain_text("1405**********107X")
    expect(main).to_contain_text("1988-08-08")  # read from the number, never asked
    expect(main).to_contain_text("南村镇")
    text = phone.locator("body").inner_text()
    assert MOBILE not in text
    assert DOCUMENT not in text and DOCUMENT.lower() not in text
    expect(phone.locator("ul.messages")).to_contain_text(number.inner_text())  # the welcome
    assert_fits_the_phone(phone)
    assert_no_csp_violations(phone, console)

    volunteer = Volunteer.objects.get()
    assert volunteer.number == number.inner_text()
    assert volunteer.mobile_masked == "139****5678"
    assert volunteer.campaign_lines == ["city"] and volunteer.kinds == ["community"]


def test_a_wrong_check_character_is_shown_next_to_the_document_number(phone, console):
    from playwright.sync_api import expect

    open_register(phone)
    wrong = DOCUMENT[:-1] + "1"
    fill_form(phone, wrong)
    submit(phone)

    field = phone.locator(".field", has=phone.locator("#id_document_number"))
    expect(field).to_have_class(re.compile(r"\bhas-error\b"))
    error = field.locator(".error")
    expect(error).to_have_count(1)
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    # In Chinese once the catalogue has it; the wording may still change.
    assert re.search(r"校验|最后一位|check character", error.inner_text()), error.inner_text()

    # Still on the form, with what was typed, and only that field marked.
    assert phone.url.endswith("/volunteers/register/")
    expect(phone.locator("#id_document_number")).to_have_value(wrong)
    expect(phone.locator("#id_name")).to_have_value("王小雷")
    expect(phone.locator("#id_residence")).to_have_value(re.compile(r"^\d+$"))
    assert phone.locator(".field.has-error").count() == 1
    assert_fits_the_phone(phone)
    assert_no_csp_violations(phone, console)
    assert not Volunteer.objects.exists()


def test_the_consent_checkbox_sits_by_its_label(phone):
    open_register(phone)
    label = phone.locator("label[for=id_privacy_consent]").bounding_box()
    checkbox = phone.locator("#id_privacy_consent").bounding_box()
    assert label is not None and checkbox is not None
    assert checkbox["width"] <= 48, checkbox
    assert abs(checkbox["x"] - label["x"]) <= 48, (checkbox, label)
