"""A partner user signs in with a real browser, keyboard only, and the app gets its tokens."""

from __future__ import annotations

import httpx
import jwt
from playwright.sync_api import Browser, expect

from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tests.support.callback import CallbackServer
from tests.support.server import LiveServer
from tests.support.sign_in import Pkce, authorize_url


def _redeem(server: LiveServer, code: str, pkce: Pkce, redirect_uri: str) -> dict[str, str]:
    answer = httpx.post(
        f"{server.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "client_id": DEV_CLIENT_ID,
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pkce.verifier,
        },
    )
    assert answer.status_code == 200, answer.text
    tokens: dict[str, str] = answer.json()
    return tokens


def test_keyboard_sign_in_returns_a_code_the_app_redeems(
    server: LiveServer, browser: Browser
) -> None:
    pkce = Pkce()
    with CallbackServer() as app:
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.goto(
            authorize_url(
                server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce, redirect_uri=app.redirect_uri
            )
        )
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        expect(page.get_by_label("Email or user name")).to_be_focused()  # autofocus
        page.keyboard.type(DEV_USER_UPN)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password")).to_be_focused()
        page.keyboard.type(DEV_USER_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(app.redirect_uri + "*")
        expect(page.get_by_text("You can close this window.")).to_be_visible()
        context.close()
    (back,) = app.received
    assert back["state"] == "state-1"
    tokens = _redeem(server, back["code"], pkce, app.redirect_uri)
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    assert claims["upn"] == DEV_USER_UPN
    assert tokens["refresh_token"]


def test_chinese_page_announces_a_wrong_password_then_signs_in(
    server: LiveServer, browser: Browser
) -> None:
    pkce = Pkce()
    with CallbackServer() as app:
        context = browser.new_context(locale="zh-CN")  # Accept-Language: zh-CN
        page = context.new_page()
        page.goto(
            authorize_url(
                server.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, pkce, redirect_uri=app.redirect_uri
            )
        )
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
        page.get_by_label("电子邮件或用户名").fill(DEV_USER_UPN)
        page.get_by_label("密码").fill("not the password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
        expect(page.get_by_label("电子邮件或用户名")).to_have_value(DEV_USER_UPN)
        page.get_by_role("link", name="繁體中文").click()  # switch language mid-way
        expect(page.get_by_role("heading", name="登入")).to_be_visible()
        page.get_by_label("電子郵件或使用者名稱").fill(DEV_USER_UPN)
        page.get_by_label("密碼").fill(DEV_USER_PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.wait_for_url(app.redirect_uri + "*")
        context.close()
    assert len(app.received) == 1
    assert _redeem(server, app.received[0]["code"], pkce, app.redirect_uri)["access_token"]
