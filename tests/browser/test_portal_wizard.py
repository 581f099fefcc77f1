"""The Add customer wizard in a real browser, keyboard first, in English and Chinese.

Each run writes screenshots of every step to docs/screenshots/ (linked from the README).
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tenantry.auth.development import DEV_TENANT_ID, DEV_USER_PASSWORD, DEV_USER_UPN
from tenantry.domain.offers import find_offer
from tests.support import payloads
from tests.support.portal import unique_prefix, wizard_step
from tests.support.server import LiveServer

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1000, "height": 700}
# What each language calls the controls the test uses.
WORDS = {
    "en-US": {
        "next": "Next: Subscriptions",
        "review": "Next: Review",
        "submit": "Submit",
        "company": "Company name",
        "postal": "ZIP code",
        "taken": "already taken",
        "done": "Done",
        "created": "Customer created",
        "sign_in": "Sign in",
    },
    "zh-CN": {
        "next": "下一步：订阅",
        "review": "下一步：查看",
        "submit": "提交",
        "company": "公司名称",
        "postal": "邮政编码（ZIP）",
        "taken": "已被占用",
        "done": "完成",
        "created": "客户已创建",
        "sign_in": "登录",
    },
    "zh-TW": {
        "next": "下一步：訂閱",
        "review": "下一步：檢閱",
        "submit": "提交",
        "company": "公司名稱",
        "postal": "郵遞區號（ZIP）",
        "taken": "已被使用",
        "done": "完成",
        "created": "客戶已建立",
        "sign_in": "登入",
    },
}


def _shot(page: Page, locale: str, step: str) -> None:
    if locale != "zh-TW":  # English and (Simplified) Chinese are enough for the README
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"portal-{locale}-{step}.png"))


def _sign_in(page: Page, base_url: str, words: dict[str, str]) -> None:
    page.goto(f"{base_url}/portal/signin")
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type(DEV_USER_UPN)  # the user name field has focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEV_USER_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/portal/customers")


def _fill(page: Page, field: str, value: str) -> None:
    page.locator(f"#{field}").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def _taken_domain(server: LiveServer, token: str) -> str:
    prefix = unique_prefix("taken")
    body = payloads.minimal(prefix)
    answer = httpx.post(
        f"{server.base_url}/v1/customers",
        json=body,
        headers={"Authorization": f"Bearer {token}", "MS-RequestId": unique_prefix()},
    )
    assert answer.status_code == 201, answer.text
    return prefix


@pytest.mark.parametrize("locale", ["en-US", "zh-CN", "zh-TW"])
def test_the_whole_wizard(
    server: LiveServer,
    browser: Browser,
    user_token: str,
    token: str,
    locale: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    words = WORDS[locale]
    context = browser.new_context(locale=locale, viewport=VIEWPORT)
    context.set_extra_http_headers({"Accept-Language": locale})
    page = context.new_page()
    _sign_in(page, server.base_url, words)
    _shot(page, locale, "1-customers")
    page.get_by_role("link", name=re.compile(".+")).filter(
        has_text=re.compile("Add customer|添加客户|新增客戶")
    ).first.click()
    page.wait_for_url(wizard_step("account"))
    expect(page.locator("html")).to_have_attribute("lang", locale)

    taken = _taken_domain(server, token)
    prefix = unique_prefix("wiz")
    page.get_by_label(words["company"], exact=False).first.focus()
    for field, value in (
        ("company", f"Contoso {locale}"),
        ("domain", taken),
        ("registration", ""),
        ("first_name", "Mei"),
        ("last_name", "Lin"),
        ("email", "mei@contoso.example"),
        ("line1", "1 Main Street"),
        ("city", "Redmond"),
        ("postal_code", "9805"),
    ):
        if value and page.locator(f"#{field}").count():
            _fill(page, field, value)
    expect(page.locator("#domain-status")).to_contain_text(words["taken"])
    page.locator("#state").select_option("WA")
    page.locator("#postal_code").focus()
    page.keyboard.press("Enter")  # submits the form from the keyboard
    expect(page.locator("#postal_code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#domain")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#domain-error")).to_contain_text(words["taken"])
    expect(page.get_by_role("alert").first).to_be_visible()
    _shot(page, locale, "2-account-errors")
    # Fixed on the same page: both values kept, only the wrong ones changed.
    _fill(page, "postal_code", "98052")
    _fill(page, "domain", prefix)
    expect(page.locator("#domain-status")).to_have_class("ok")
    _shot(page, locale, "3-account")
    page.get_by_role("button", name=words["next"]).press("Enter")
    page.wait_for_url(wizard_step("subscriptions"))

    page.locator("#offer-azure").press("Space")
    page.locator("#offer-m365-business-basic").press("Space")
    _fill(page, "qty-m365-business-basic", "25")
    _shot(page, locale, "4-subscriptions")
    page.get_by_role("button", name=words["review"]).press("Enter")
    page.wait_for_url(wizard_step("review"))
    expect(page.get_by_text(f"{prefix}.onmicrosoft.com")).to_be_visible()
    _shot(page, locale, "5-review")

    submits: list[str] = []
    page.on("request", lambda r: submits.append(r.url) if r.url.endswith("/submit") else None)
    page.get_by_role("button", name=words["submit"]).dblclick()
    page.wait_for_url(wizard_step("done"))
    expect(page.get_by_role("heading", name=words["created"])).to_be_visible()
    password = page.locator("#admin-password").inner_text()
    assert len(password) >= 8
    expect(page.locator("#admin-user")).to_have_text(f"admin@{prefix}.onmicrosoft.com")
    _shot(page, locale, "6-confirmation")
    assert len(submits) >= 1

    page.once("dialog", lambda dialog: dialog.accept())  # "the password is not shown again"
    page.get_by_role("link", name=words["done"]).click()
    page.wait_for_url(re.compile(r".*/portal/customers/[0-9a-f-]{36}$"))
    customer_id = page.url.rsplit("/", 1)[1]
    basic = find_offer("m365-business-basic")
    assert basic is not None
    expect(page.get_by_text(basic.name_in(locale))).to_be_visible()  # in the page's language
    _shot(page, locale, "7-customer")
    assert password not in page.content()
    # Back to the confirmation: a no-store POST answer is not kept, so Chromium has nothing
    # to show (ERR_CACHE_MISS) rather than the password.
    with contextlib.suppress(PlaywrightError):
        page.go_back(wait_until="commit")
    page.wait_for_timeout(300)
    page.wait_for_load_state()
    assert password not in page.evaluate("document.documentElement.outerHTML")
    page.goto(f"{server.base_url}/portal/customers?by=domain&q={prefix}")
    assert page.locator(f'a[href="/portal/customers/{customer_id}"]').count() == 1
    assert page.locator('a[href^="/portal/customers/"][href*="-"]').count() == 1  # one, not two
    context.close()

    assert password not in caplog.text
    got = httpx.get(
        f"{server.base_url}/v1/customers/{customer_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert got.status_code == 200
    assert got.json()["companyProfile"]["domain"] == f"{prefix}.onmicrosoft.com"
    partner = server.call(server.runtime.partner(DEV_TENANT_ID))
    assert partner is not None
    subs = server.call(server.runtime.subscriptions.of_customer(partner, customer_id))
    assert sorted((s.offer_id, s.quantity) for s in subs) == [
        ("azure", 1),
        ("m365-business-basic", 25),
    ]
