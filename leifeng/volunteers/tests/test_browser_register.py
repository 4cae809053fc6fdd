"""A volunteer registers on a phone-sized screen, in Debian's Chromium (see conftest.browser)."""

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM
from leifeng.volunteers.models import Volunteer
from leifeng.volunteers.tests.conftest import PASSWORD, id_number

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "zh-CN",
}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs Chromium at {CHROMIUM}"),
]


@pytest.fixture
def phone(browser, live_server, org_tree):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.set_default_timeout(5_000)
    yield page
    context.close()


def fill_registration(page, number: str) -> None:
    page.goto("/volunteers/register/")
    page.get_by_role("textbox", name="真实姓名", exact=True).fill("王小雷")
    page.get_by_role("textbox", name="证件号码", exact=True).fill(number)
    page.get_by_role("textbox", name="手机号", exact=True).fill("13700002222")
    page.get_by_label("居住地").select_option(label="南村镇")
    page.get_by_label("文明城市建设志愿服务").check()
    page.get_by_label("社区志愿者").check()
    page.get_by_label(re.compile(r"^密码")).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意隐私政策").check()


def test_a_volunteer_registers_on_a_phone(phone):
    phone.goto("/volunteers/register/")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the form scrolls sideways on a phone"
    number = id_number("19950505", seq="231")
    fill_registration(phone, number)
    phone.get_by_role("button", name="注册").click()
    phone.wait_for_url("**/volunteers/me/")
    volunteer = Volunteer.objects.get()
    body = phone.locator("main").inner_text()
    assert volunteer.number in body
    assert "137****2222" in body and "13700002222" not in body
    assert number not in body
    assert "1995-05-05" in body  # from the ID number, never asked
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)


def test_a_wrong_check_character_is_explained_next_to_the_field(phone):
    number = id_number("19950505", seq="231")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    fill_registration(phone, wrong)
    phone.get_by_role("button", name="注册").click()
    field = phone.locator(
        ".field.has-error", has=phone.get_by_role("textbox", name="证件号码", exact=True)
    )
    assert "校验" in field.inner_text() or "最后一位" in field.inner_text()
    assert phone.url.endswith("/volunteers/register/")
    assert not Volunteer.objects.exists()
