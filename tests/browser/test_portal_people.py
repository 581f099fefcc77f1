"""The portal for people, in a real browser: on a phone (390×844) every page fits the screen;
messages are sentences in the page's language that name the field; codes are shown as
names; the wizard says what it did instead of doing it silently; offer categories and the
GDAP choice. In English, Simplified and Traditional Chinese.

Each run writes phone-width screenshots to docs/screenshots/phone-*.png.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tenantry.auth.development import DEV_USER_PASSWORD, DEV_USER_UPN
from tests.support import payloads
from tests.support.portal import (
    US_ACCOUNT,
    complete_wizard,
    signed_in,
    submit_review,
    unique_prefix,
    wizard_step,
)
from tests.support.server import LiveServer

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
LOCALES = ["en-US", "zh-CN", "zh-TW"]
# Regular-expression syntax that must never reach a person.
REGEX_SYNTAX = re.compile(r"\^|\(\?:|\\d|\$\)|\[\^|\{\d+,?\d*\}")
# An English sentence: three Latin words in a row.
ENGLISH_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")

WORDS = {
    "en-US": {
        "next": "Next: Subscriptions",
        "review": "Next: Review",
        "submit": "Submit",
        "country": "Guam",
        "state": "Washington",
        "culture": "English (United States)",
        "language": "English",
        "united_states": "the United States",
        "us_name": "United States",
        "contact": "Mei Lin",
        "licenses": "25 licenses",
        "reseller": "Reseller",
        "active": "Active",
        "categories": ["Enterprise offers", "Small business offers", "Government offers"],
        "gdap_off": "No: no default GDAP relationship",
    },
    "zh-CN": {
        "next": "下一步：订阅",
        "review": "下一步：查看",
        "submit": "提交",
        "country": "关岛",
        "state": "华盛顿州",
        "culture": "英语 (美国)",
        "language": "英语",
        "united_states": "美国",
        "us_name": "美国",
        "contact": "林美",
        "licenses": "25 个许可证",
        "reseller": "经销商",
        "active": "活动",
        "categories": ["企业产品/服务", "小型企业产品/服务", "政府产品/服务"],
        "gdap_off": "否：不创建默认 GDAP 关系",
    },
    "zh-TW": {
        "next": "下一步：訂閱",
        "review": "下一步：檢閱",
        "submit": "提交",
        "country": "關島",
        "state": "加利福尼亞",
        "culture": "英文 (美國)",
        "language": "英文",
        "united_states": "美國",
        "us_name": "美國",
        "contact": "林美",
        "licenses": "25 個授權",
        "reseller": "經銷商",
        "active": "作用中",
        "categories": ["企業供應項目", "小型企業供應項目", "政府供應項目"],
        "gdap_off": "否：不建立預設 GDAP 關係",
    },
}
# zh-TW has a Traditional name for California, not for Washington: the page falls back to
# English where pycountry has no translation, so the Traditional test picks California.
STATE = {"en-US": ("WA", "98052"), "zh-CN": ("WA", "98052"), "zh-TW": ("CA", "94043")}


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    locale = request.node.callspec.params["locale"]
    context = browser.new_context(locale=locale, viewport=PHONE)
    context.set_extra_http_headers({"Accept-Language": locale})
    yield context
    context.close()


def _shot(page: Page, locale: str, name: str) -> None:
    if locale != "zh-TW":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"phone-{locale}-{name}.png"), full_page=True)


def _fits(page: Page) -> None:
    # Measured once the page's stylesheet is in: right after a link's click, the rows may
    # be there before it is.
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _sign_in(page: Page, base_url: str, path: str = "/portal/signin") -> None:
    page.goto(f"{base_url}{path}")
    page.locator("#username").fill(DEV_USER_UPN)
    page.locator("#password").fill(DEV_USER_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(re.compile(r".*/portal/customers.*"))


def _create(server: LiveServer, token: str, prefix: str, company: str) -> str:
    body = payloads.minimal(prefix)
    body["billingProfile"]["companyName"] = company
    answer = httpx.post(
        f"{server.base_url}/v1/customers",
        json=body,
        headers={"Authorization": f"Bearer {token}", "MS-RequestId": unique_prefix()},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _account(
    page: Page, locale: str, prefix: str, *, first: str = "Mei", last: str = "Lin"
) -> None:
    state, postal = STATE[locale]
    for field, value in (
        ("company", f"Contoso {prefix}"),
        ("domain", prefix),
        ("first_name", first),
        ("last_name", last),
        ("email", "mei@contoso.example"),
        ("line1", "1 Main Street"),
        ("city", "Springfield"),
        ("postal_code", postal),
    ):
        page.locator(f"#{field}").fill(value)
    page.locator("#state").select_option(state)


def _error_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".field-error").all_inner_texts() if text.strip()]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_fits_a_phone(
    server: LiveServer, phone: BrowserContext, token: str, locale: str
) -> None:
    words = WORDS[locale]
    page = phone.new_page()
    page.goto(f"{server.base_url}/portal/signin")
    assert page.locator("ol.steps").count() == 0  # the sign-in page is not a wizard step
    _fits(page)
    _shot(page, locale, "0-sign-in")
    _create(server, token, unique_prefix("phone"), "A company with a rather long name, Ltd")
    _sign_in(page, server.base_url)
    _fits(page)
    search = page.locator("#q").bounding_box()
    assert search is not None
    assert search["width"] >= 300
    _shot(page, locale, "1-customers")

    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    _fits(page)
    prefix = unique_prefix("phone")
    _account(page, locale, prefix, first="美", last="林")
    page.locator("#postal_code").fill("9805")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#postal_code")).to_have_attribute("aria-invalid", "true")
    _fits(page)
    _shot(page, locale, "2-account-errors")
    page.locator("#postal_code").fill(STATE[locale][1])
    page.get_by_role("button", name=words["next"]).click()
    page.wait_for_url(wizard_step("subscriptions"))
    _fits(page)
    page.locator("#offer-m365-e3").check()
    page.locator("#qty-m365-e3").fill("25")
    _shot(page, locale, "3-subscriptions")
    page.get_by_role("button", name=words["review"]).click()
    page.wait_for_url(wizard_step("review"))
    _fits(page)
    _shot(page, locale, "4-review")
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url(wizard_step("done"))
    _fits(page)
    box = page.locator("#admin-password").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    _shot(page, locale, "5-confirmation")
    page.once("dialog", lambda dialog: dialog.accept())  # "the password is not shown again"
    page.locator("a.button").last.click()
    page.wait_for_url(re.compile(r".*/portal/customers/[0-9a-f-]{36}$"))
    _fits(page)
    _shot(page, locale, "6-customer")


@pytest.mark.parametrize("locale", LOCALES)
def test_messages_are_sentences_in_the_pages_language(
    server: LiveServer, phone: BrowserContext, locale: str
) -> None:
    words = WORDS[locale]
    page = phone.new_page()
    _sign_in(page, server.base_url)
    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    _account(page, locale, unique_prefix("msg"))
    page.locator("#email").fill("mei@-contoso")
    page.locator("#postal_code").fill("9805")
    page.locator("#phone").fill("12")
    page.locator("#state").select_option("")
    page.locator("#first_name").fill("")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    errors = _error_texts(page)
    assert len(errors) == 5, errors
    labels = {
        "email": page.locator("label[for=email]").inner_text(),
        "postal_code": page.locator("label[for=postal_code]").inner_text(),
        "state": page.locator("label[for=state]").inner_text(),
        "first_name": page.locator("label[for=first_name]").inner_text(),
        "phone": page.locator("label[for=phone]").inner_text(),
    }
    for field, label in labels.items():
        text = page.locator(f"#{field}-error").inner_text()
        assert label.rstrip(" *") in text, (field, text)  # the field is named
        assert REGEX_SYNTAX.search(text) is None, text  # no pattern
        assert text.endswith((".", "。")), text  # a whole sentence
        if locale != "en-US":
            assert ENGLISH_RUN.search(text) is None, text  # no English inside Chinese
    state_error = page.locator("#state-error").inner_text()
    assert words["united_states"] in state_error  # a country name, not "US"
    assert " US" not in state_error
    assert "95014" in page.locator("#postal_code-error").inner_text()  # an example


@pytest.mark.parametrize("locale", LOCALES)
def test_names_not_codes_on_the_review_and_customer_pages(
    server: LiveServer, phone: BrowserContext, locale: str
) -> None:
    words = WORDS[locale]
    page = phone.new_page()
    _sign_in(page, server.base_url)
    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    assert words["state"] in page.locator("#state").inner_text()
    assert words["culture"] in page.locator("#culture").inner_text()
    first, last = ("美", "林") if locale != "en-US" else ("Mei", "Lin")
    prefix = unique_prefix("names")
    _account(page, locale, prefix, first=first, last=last)
    page.get_by_role("button", name=words["next"]).click()
    page.wait_for_url(wizard_step("subscriptions"))
    page.locator("#offer-m365-e3").check()
    page.locator("#qty-m365-e3").fill("25")
    page.get_by_role("button", name=words["review"]).click()
    page.wait_for_url(wizard_step("review"))
    summary = page.locator("dl.summary").inner_text()
    for name in (words["state"], words["culture"], words["language"], words["contact"]):
        assert name in summary, (name, summary)
    assert words["us_name"] in summary
    assert words["licenses"] in page.locator("main").inner_text()
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url(wizard_step("done"))
    page.once("dialog", lambda dialog: dialog.accept())  # "the password is not shown again"
    page.locator("a.button").last.click()
    page.wait_for_url(re.compile(r".*/portal/customers/[0-9a-f-]{36}$"))
    text = page.locator("main").inner_text()
    for name in (words["state"], words["culture"], words["contact"], words["reseller"]):
        assert name in text, (name, text)
    assert words["active"] in text
    assert words["licenses"] in text


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_wizard_says_what_it_did(
    server: LiveServer, phone: BrowserContext, token: str, locale: str
) -> None:
    words = WORDS[locale]
    page = phone.new_page()
    _sign_in(page, server.base_url)
    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    taken = unique_prefix("taken")
    _create(server, token, taken, "Taken Ltd")
    _account(page, locale, taken)
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#domain-error")).to_be_visible()
    # A free prefix, found by the live check, clears the stale "taken" error.
    page.locator("#domain").fill(unique_prefix("free"))
    # The check waits for typing to pause, then asks the server: on a machine busy with
    # the rest of the suite, that can take longer than the default five seconds.
    expect(page.locator("#domain-status")).to_have_class("ok", timeout=20_000)
    expect(page.locator("#domain-error")).to_have_count(0)
    # A new country redraws the form and says so; Washington means nothing on Guam.
    page.locator("#country").select_option("GU")
    page.get_by_role("button", name=words["next"]).click()
    expect(page.locator("#form-notice")).to_contain_text(words["country"])
    expect(page.locator("#form-notice")).to_contain_text("WA")
    expect(page.locator("#state")).to_have_value("")
    page.locator("#postal_code").fill("96910")
    page.get_by_role("button", name=words["next"]).click()
    page.wait_for_url(wizard_step("subscriptions"))
    # A number typed for an offer ticks it; a number left on an unticked offer is an error.
    page.locator("#qty-m365-e3").fill("7")
    expect(page.locator("#offer-m365-e3")).to_be_checked()
    page.locator("#offer-m365-e3").uncheck()
    page.locator("#offer-azure").check()
    page.get_by_role("button", name=words["review"]).click()
    expect(page.locator("#qty-m365-e3-error")).to_be_visible()
    expect(page.locator("#qty-m365-e3")).to_have_value("7")
    assert page.url.endswith("/subscriptions")


@pytest.mark.parametrize("locale", ["en-US", "zh-TW"])
def test_the_customer_pages_small_things(
    server: LiveServer, phone: BrowserContext, token: str, locale: str
) -> None:
    page = phone.new_page()
    # A deep link signs in first, then lands on the page it asked for.
    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url("**/portal/signin?next=*")
    page.locator("#username").fill(DEV_USER_UPN)
    page.locator("#password").fill(DEV_USER_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(wizard_step("account"))
    missing = page.goto(f"{server.base_url}/portal/no-such-page")
    assert missing is not None
    assert missing.status == 404
    assert "text/html" in missing.headers["content-type"]
    expect(page.locator("h1")).to_be_visible()
    _fits(page)
    # More than a page of customers: next, previous, which ones are shown, a time zone.
    tag = unique_prefix("pg")
    for n in range(21):
        _create(server, token, f"{tag}{n:02d}", f"Pager {tag} {n:02d}")
    page.goto(f"{server.base_url}/portal/customers?by=domain&q={tag}")
    # "Customers 1 to 20 of 21", in the page's language.
    assert re.findall(r"\d+", page.locator("#shown").inner_text()) == ["1", "20", "21"]
    assert "UTC" in page.locator("tbody tr").first.inner_text()
    page.locator("a[rel=next]").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert re.findall(r"\d+", page.locator("#shown").inner_text()) == ["21", "21", "21"]
    page.locator("a[rel=prev]").click()
    expect(page.locator("tbody tr")).to_have_count(20)
    _fits(page)
    # Renaming: a bad name stays in the field beside its error; a good one is confirmed.
    with signed_in(server.base_url) as http:
        review = complete_wizard(http, {**US_ACCOUNT, "domain": unique_prefix("ren")}, {"azure": 1})
        done = submit_review(http, review)
        finish = re.search(r'class="button" href="([^"]+)"', done.text)
        assert finish, done.text
        customer_page = http.get(html.unescape(finish.group(1)), follow_redirects=True)
    assert re.search(r"/portal/customers/[0-9a-f-]{36}$", customer_page.url.path)
    page.goto(f"{server.base_url}{customer_page.url.path}")
    name_field = page.locator("input[name=name]").first
    long_name = "N" * 256
    name_field.evaluate(
        "(input, value) => { input.removeAttribute('maxlength'); input.value = value; }", long_name
    )
    page.locator("form.subscription button").first.click()
    expect(page.locator("p.field-error")).to_be_visible()
    expect(page.locator("input[name=name]").first).to_have_value(long_name)
    page.locator("input[name=name]").first.fill("Production")
    page.locator("form.subscription button").first.click()
    expect(page.locator("#renamed")).to_contain_text("Production")


@pytest.mark.parametrize("locale", LOCALES)
def test_offer_categories_and_the_gdap_choice(
    server: LiveServer, phone: BrowserContext, token: str, locale: str
) -> None:
    words = WORDS[locale]
    page = phone.new_page()
    _sign_in(page, server.base_url)
    page.goto(f"{server.base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    expect(page.locator("#gdap")).to_be_checked()  # Partner Center's default
    prefix = unique_prefix("gdap")
    _account(page, locale, prefix)
    page.locator("#gdap").uncheck()
    page.get_by_role("button", name=words["next"]).click()
    page.wait_for_url(wizard_step("subscriptions"))
    legends = page.locator("fieldset.offers legend").all_inner_texts()
    assert legends == words["categories"]
    assert page.locator("#category-small-business #offer-m365-business-basic").count() == 1
    assert page.locator("#category-small-business #offer-m365-e3").count() == 0
    assert page.locator("#category-enterprise #offer-m365-e3").count() == 1
    assert page.locator("#category-government #offer-m365-g3").count() == 1
    page.locator("#offer-m365-business-basic").check()
    page.get_by_role("button", name=words["review"]).click()
    page.wait_for_url(wizard_step("review"))
    expect(page.locator("#gdap-choice")).to_have_text(words["gdap_off"])
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url(wizard_step("done"))
    page.once("dialog", lambda dialog: dialog.accept())  # "the password is not shown again"
    page.locator("a.button").last.click()
    page.wait_for_url(re.compile(r".*/portal/customers/[0-9a-f-]{36}$"))
    customer_id = page.url.rsplit("/", 1)[1]
    headers = {"Authorization": f"Bearer {token}"}
    customer = httpx.get(f"{server.base_url}/v1/customers/{customer_id}", headers=headers)
    assert customer.json()["enableGDAPByDefault"] is False
    relationships = httpx.get(
        f"{server.base_url}/v1/customers/{customer_id}/delegatedadminrelationships",
        headers=headers,
    )
    assert relationships.status_code == 200, relationships.text
    assert relationships.json()["items"] == []
