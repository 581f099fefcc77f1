"""The portal's integrity in a real browser: two tabs, Back, Forward and Reload around
Submit, the confirmation in another language and its warning before leaving, sessions
that end on the server, and a Helpdesk agent's pages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Cookie, Dialog, Page, expect

from tenantry.auth.development import DEV_TENANT_ID, DEV_USER_PASSWORD, DEV_USER_UPN
from tenantry.web.locale import Translator
from tenantry.web.portal.messages import MESSAGES
from tests.support import operator
from tests.support.portal import US_ACCOUNT, unique_prefix, wizard_step
from tests.support.process import tenantry
from tests.support.server import LiveServer

LOCALES = ("en-US", "zh-CN", "zh-TW")
CUSTOMER_PAGE = re.compile(r".*/portal/customers/[0-9a-f-]{36}$")
SIGN_IN = re.compile(r".*/portal/signin(\?.*)?$")


def _said(locale: str, key: str) -> str:
    return Translator(locale)(MESSAGES[key])


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 700})
    yield context
    context.close()


def _sign_in(
    page: Page, base_url: str, upn: str = DEV_USER_UPN, pw: str = DEV_USER_PASSWORD
) -> None:
    page.goto(f"{base_url}/portal/signin")
    page.locator("#username").fill(upn)
    page.locator("#password").fill(pw)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/portal/customers")


def _to_review(page: Page, base_url: str, company: str, prefix: str) -> None:
    page.goto(f"{base_url}/portal/customers/new")
    page.wait_for_url(wizard_step("account"))
    values = {**US_ACCOUNT, "company": company, "domain": prefix}
    for field in ("company", "domain", "first_name", "last_name", "email", "line1", "city"):
        page.locator(f"#{field}").fill(values[field])
    page.locator("#state").select_option(values["state"])
    page.locator("#postal_code").fill(values["postal_code"])
    page.locator("#wizard button[name=action][value=next]").last.click()
    page.wait_for_url(wizard_step("subscriptions"))
    page.locator("#offer-azure").check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(wizard_step("review"))
    expect(page.locator("main")).to_contain_text(company)


def _submit(page: Page) -> str:
    """Submits the review page shown; the admin's sign-in name on the confirmation."""
    page.locator("#submit").click()
    page.wait_for_url(wizard_step("done"))
    return page.locator("#admin-user").inner_text()


def test_two_tabs_of_one_session_each_create_their_own_customer(
    server: LiveServer, context: BrowserContext
) -> None:
    alpha, beta = unique_prefix("alpha"), unique_prefix("beta")
    tab_a = context.new_page()
    _sign_in(tab_a, server.base_url)
    tab_b = context.new_page()
    _to_review(tab_a, server.base_url, "Tab Alpha", alpha)
    _to_review(tab_b, server.base_url, "Tab Beta", beta)
    assert _submit(tab_a) == f"admin@{alpha}.onmicrosoft.com"
    assert _submit(tab_b) == f"admin@{beta}.onmicrosoft.com"
    for prefix, company in ((alpha, "Tab Alpha"), (beta, "Tab Beta")):
        tab_a.goto(f"{server.base_url}/portal/customers?q={prefix}&by=domain")
        tab_a.get_by_role("link", name=company).click()
        tab_a.wait_for_url(CUSTOMER_PAGE)
        expect(tab_a.locator("main")).to_contain_text(f"{prefix}.onmicrosoft.com")


def test_back_forward_and_reload_around_submit_never_post_again(
    server: LiveServer, context: BrowserContext
) -> None:
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    _sign_in(page, server.base_url)
    prefix = unique_prefix("back")
    _to_review(page, server.base_url, "Back And Forth", prefix)
    posts.clear()
    _submit(page)
    password = page.locator("#admin-password").inner_text()
    done_url = page.url

    page.reload()  # a GET: no "confirm form resubmission"
    expect(page.locator("#admin-password")).to_have_text(password)
    page.go_back()  # to the review of a submitted wizard: a page that says so, no loop
    expect(page.locator("main")).to_contain_text(_said("en-US", "wizard_gone"))
    assert "/portal/customers/new/review" in page.url
    page.go_forward()
    assert page.url == done_url
    expect(page.locator("#admin-password")).to_have_text(password)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Done").click()
    page.wait_for_url(CUSTOMER_PAGE)
    page.go_back()  # fetched again by GET; Done forgot the password
    assert page.url == done_url
    expect(page.locator("main")).to_contain_text(_said("en-US", "wizard_gone"))
    assert password not in page.content()
    assert [url for url in posts if url.endswith("/submit")] == [
        f"{server.base_url}/portal/customers/new/submit"
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_confirmation_switches_language_and_warns_before_it_is_left(
    server: LiveServer, browser: Browser, locale: str
) -> None:
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        _sign_in(page, server.base_url)
        _to_review(page, server.base_url, f"Languages {locale}", unique_prefix("lang"))
        _submit(page)
        password = page.locator("#admin-password").inner_text()
        other = next(code for code in LOCALES if code != locale)
        page.locator(f'nav.languages a[hreflang="{other}"]').click()  # no warning: shown again
        expect(page.locator("html")).to_have_attribute("lang", other)
        expect(page.locator("#admin-password")).to_have_text(password)
        page.locator(f'nav.languages a[hreflang="{locale}"]').click()
        expect(page.locator("html")).to_have_attribute("lang", locale)

        messages: list[str] = []

        def refuse(dialog: Dialog) -> None:
            messages.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", refuse)
        page.locator("nav[aria-label] a").first.click()  # "Customers", in the header
        expect(page.locator("#admin-password")).to_have_text(password)
        assert messages == [_said(locale, "leave_warning")]
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".signout button").click()
        page.wait_for_url(SIGN_IN)
    finally:
        context.close()


def _session_refused(browser: Browser, base_url: str, cookies: list[Cookie]) -> None:
    """A fresh browser holding only the old cookies is sent to sign in."""
    stranger = browser.new_context()
    try:
        stranger.add_cookies(cookies)  # type: ignore[arg-type]
        page = stranger.new_page()
        page.goto(f"{base_url}/portal/customers")
        page.wait_for_url(SIGN_IN)
        expect(page.locator("#username")).to_be_visible()
    finally:
        stranger.close()


def test_an_old_cookie_is_refused_after_sign_out(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    page = context.new_page()
    _sign_in(page, server.base_url)
    cookies = context.cookies()
    page.locator(".signout button").click()
    page.wait_for_url(SIGN_IN)
    _session_refused(browser, server.base_url, cookies)


def test_an_old_cookie_is_refused_after_reset_user(
    server: LiveServer, browser: Browser, context: BrowserContext
) -> None:
    upn = f"reset-{unique_prefix()}@example.com"
    server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Admin agent",), "pw-reset-12345")
    )
    page = context.new_page()
    _sign_in(page, server.base_url, upn, "pw-reset-12345")
    cookies = context.cookies()
    settings = server.runtime.settings
    where = ["--data-dir", str(settings.data_dir)]
    if settings.database_url is not None:
        where += ["--database-url", settings.database_url]
    reset = tenantry("partners", "reset-user", upn, *where)  # a process of its own
    assert reset.returncode == 0, reset.stderr
    page.goto(f"{server.base_url}/portal/customers")
    page.wait_for_url(SIGN_IN)
    _session_refused(browser, server.base_url, cookies)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_helpdesk_agent_sees_only_what_the_role_allows(
    server: LiveServer, browser: Browser, locale: str
) -> None:
    admin = browser.new_context(locale=locale)
    desk = browser.new_context(locale=locale)
    try:
        page = admin.new_page()
        _sign_in(page, server.base_url)
        prefix = unique_prefix("desk")
        _to_review(page, server.base_url, f"Helpdesk {locale}", prefix)
        _submit(page)
        customer = page.locator("#created a.button").get_attribute("href")
        assert customer is not None
        upn = f"helpdesk-{unique_prefix()}@example.com"
        server.call(
            operator.add_user(
                server.runtime, DEV_TENANT_ID, upn, ("Helpdesk agent",), "pw-desk-12345"
            )
        )
        page = desk.new_page()
        _sign_in(page, server.base_url, upn, "pw-desk-12345")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator('a[href="/portal/customers/new"]')).to_have_count(0)
        page.goto(f"{server.base_url}/portal/customers/new")  # typed by hand
        expect(page.get_by_role("alert")).to_have_text(_said(locale, "role"))
        assert "/portal/customers/new/account" not in page.url  # refused at the first step
        page.goto(f"{server.base_url}{customer}")
        expect(page.locator("main")).to_contain_text(f"{prefix}.onmicrosoft.com")
        expect(page.locator("form.subscription")).to_have_count(0)
        expect(page.locator("main input[name=name]")).to_have_count(0)
    finally:
        admin.close()
        desk.close()
