"""A resident asks for help on a phone (no account: a code by SMS); the center's staff, at a
desk, verify the order and dispatch it to the team the platform suggests. Real Chromium
against the live server (the `browser` fixture in the root conftest)."""

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM
from conftest import PASSWORD as STAFF_PASSWORD
from leifeng.demands import services
from leifeng.demands.models import Order
from leifeng.demands.tests.conftest import MOBILE
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
def menu_item(orders):
    return services.menu_item_save(
        actor=orders.tree.root,
        data={
            "organisation": orders.center,
            "category": "shopping",
            "title": "代购生活物资",
            "description": "为独居老人代买米面油等生活物资",
            "area": "泽州县各乡镇",
            "times": "工作日 9:00–17:00",
        },
    )


def test_order_on_a_phone_then_the_center_dispatches(
    orders, menu_item, browser, live_server, caplog
):
    from playwright.sync_api import expect

    console: list = []
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.add_init_script(CSP_LISTENER)
    phone = context.new_page()
    phone.set_default_timeout(TIMEOUT_MS)
    phone.on("console", lambda message: console.append((message.type, message.text)))

    phone.goto("/demands/")
    assert_fits_the_phone(phone)
    phone.get_by_role("link", name="点这一项").first.tap()
    expect(phone.locator("main")).to_contain_text("代购生活物资")
    phone.locator("[name=description]").fill("老伴住院，家里缺米面油，请帮忙代买")
    phone.locator("[name=township]").select_option(label="南村镇")
    phone.locator("[name=address]").fill("南村镇南村3号")
    phone.locator("[name=preferred_time]").fill("明天上午")
    phone.locator("[name=contact_name]").fill("王奶奶")
    phone.locator("[name=mobile]").fill(MOBILE)
    phone.get_by_role("button", name="获取验证码").tap()
    expect(phone.locator("ul.messages")).to_contain_text("验证码已发送")
    # The console sender (the default) logs the SMS; the delivery forgets a code once sent.
    sms = [r.getMessage() for r in caplog.records if "[sms → 139****5678]" in r.getMessage()]
    code = re.search(r"\d{6}", sms[-1]).group(0)
    phone.locator("[name=code]").fill(code)
    phone.get_by_role("button", name="提交需求").tap()
    phone.wait_for_url(re.compile(r"/demands/order/D\d+/sent/$"))
    expect(phone.locator("main h1")).to_have_text("需求已提交")
    assert_fits_the_phone(phone)
    assert_no_csp_violations(phone, console)
    order = Order.objects.get()
    assert (order.status, order.menu_item, order.contact_name) == ("submitted", menu_item, "王奶奶")

    desk_context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(TIMEOUT_MS)
    desk.goto("/accounts/login/")
    desk.locator("input[name=username]").fill("a1_staff")
    desk.locator("input[name=password]").fill(STAFF_PASSWORD)
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/$"))
    desk.goto("/demands/board/")
    desk.get_by_role("link", name=order.number).click()
    expect(desk.locator("main")).to_contain_text(MOBILE)  # the center calls back
    desk.get_by_role("button", name="需求属实：核实通过").click()
    expect(desk.locator("main h1")).to_contain_text("已核实，待派单")
    expect(desk.locator("main")).to_contain_text("南村镇助老志愿服务队")
    desk.locator("[name=to]").select_option(label="南村镇助老志愿服务队")
    desk.get_by_role("button", name="派单", exact=True).click()
    expect(desk.locator("main h1")).to_contain_text("已派单，待接单")
    order.refresh_from_db()
    assert (order.status, order.organisation) == ("dispatched", orders.team)
    desk_context.close()
    context.close()
