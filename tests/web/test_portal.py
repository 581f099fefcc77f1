"""The partner portal over HTTP: sessions, CSRF, isolation, wizard errors, idempotent submit."""

from __future__ import annotations

import html
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pyotp

from tenantry.auth.development import DEV_TENANT_ID, DEV_USER_PASSWORD, DEV_USER_UPN
from tenantry.domain.models import PartnerType
from tests.support import operator
from tests.support.partners import register_partner
from tests.support.portal import (
    US_ACCOUNT,
    complete_wizard,
    csrf_of,
    hidden_fields,
    signed_in,
    start_wizard,
    submit_review,
    unique_prefix,
)
from tests.support.server import LiveServer

AGENT = ("Admin agent",)


def _customer_ids(http: httpx.Client, prefix: str) -> list[str]:
    page = http.get("/portal/customers", params={"q": prefix, "by": "domain"})
    return re.findall(r'href="/portal/customers/([0-9a-f-]{36})"', page.text)


def test_pages_need_a_session(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        assert http.get("/portal/customers").headers["location"] == "/portal/signin"
        for path in ("/portal/customers/new", "/portal/customers/new/review"):
            answer = http.get(path)
            assert answer.status_code == 303
            # Sign-in returns to the page asked for.
            assert answer.headers["location"] == f"/portal/signin?next={quote(path, safe='')}"
        assert http.get("/portal/domains/check?prefix=abc").status_code == 401


def test_session_cookie_is_strict_and_http_only(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        form = http.get("/portal/signin")
        answer = http.post(
            "/portal/signin",
            data={
                "csrf": csrf_of(form.text),
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
            },
        )
        cookie = next(
            v for k, v in answer.headers.multi_items() if k == "set-cookie" and "portal=" in v
        )
        assert "HttpOnly" in cookie
        assert "SameSite=strict" in cookie
        assert "Path=/portal" in cookie
        assert "Max-Age=28800" in cookie


def test_wrong_password_and_missing_login_token_are_refused(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        form = http.get("/portal/signin")
        wrong = http.post(
            "/portal/signin",
            data={"csrf": csrf_of(form.text), "username": "x@example.com", "password": "nope"},
        )
        assert wrong.status_code == 400
        assert "The user name or password is incorrect." in wrong.text
        http.cookies.clear()
        forged = http.post("/portal/signin", data={"csrf": "x", "username": "a", "password": "b"})
        assert forged.status_code == 400
        assert "portal=" not in forged.headers.get("set-cookie", "")


def test_users_without_mfa_are_refused(server: LiveServer) -> None:
    upn = f"nomfa-{unique_prefix()}@example.com"
    server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, AGENT, "pw-no-mfa-123", "none")
    )
    with httpx.Client(base_url=server.base_url) as http:
        form = http.get("/portal/signin")
        answer = http.post(
            "/portal/signin",
            data={"csrf": csrf_of(form.text), "username": upn, "password": "pw-no-mfa-123"},
        )
        assert answer.status_code == 403
        assert "multi-factor authentication" in answer.text
        assert "tenantry_portal=" not in answer.headers.get("set-cookie", "")


def test_csrf_token_is_required_on_every_form(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        fields = start_wizard(http)
        account = {**US_ACCOUNT, "domain": unique_prefix()}
        refused = http.post("/portal/customers/new/account", data=account)
        assert refused.status_code == 403
        assert http.post("/portal/customers/new/submit", data={"csrf": "bad"}).status_code == 403
        assert http.post("/portal/signout", data={}).status_code == 403
        subscriptions = {"csrf": "bad", "offer": "azure"}
        assert (
            http.post("/portal/customers/new/subscriptions", data=subscriptions).status_code == 403
        )
        rename = f"/portal/customers/{uuid.uuid4()}/subscriptions/{uuid.uuid4()}"
        assert http.post(rename, data={"csrf": "bad", "name": "X"}).status_code == 403
        ok = http.post("/portal/customers/new/account", data={**fields, **account})
        assert ok.status_code == 303


def test_wizard_errors_are_the_api_rules_beside_each_field(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        fields = start_wizard(http)
        account = {**US_ACCOUNT, "postal_code": "ABCDE", "email": "", "domain": unique_prefix()}
        page = http.post("/portal/customers/new/account", data={**fields, **account})
        assert page.status_code == 400
        assert 'id="postal_code" name="postal_code"' in page.text
        assert re.search(r'id="postal_code"[^>]*aria-invalid="true"', page.text)
        assert 'id="postal_code-error"' in page.text
        assert 'id="email-error"' in page.text
        assert 'role="alert"' in page.text
        # The same page in Chinese: the API's own translated reasons.
        zh = http.post("/portal/customers/new/account?lang=zh-CN", data={**fields, **account})
        assert zh.status_code == 400
        assert 'lang="zh-CN"' in zh.text
        assert "必填" in zh.text or "必需" in zh.text or "需要" in zh.text


def test_a_taken_domain_is_refused_on_the_account_step(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        prefix = unique_prefix()
        review = complete_wizard(http, {**US_ACCOUNT, "domain": prefix}, {"azure": 1})
        submit_review(http, review)
        check = http.get("/portal/domains/check", params={"prefix": prefix}).json()
        assert check["available"] is False
        assert http.get("/portal/domains/check", params={"prefix": unique_prefix()}).json()[
            "available"
        ]
        fields = start_wizard(http)
        page = http.post(
            "/portal/customers/new/account", data={**fields, **US_ACCOUNT, "domain": prefix}
        )
        assert page.status_code == 400
        assert "is already taken" in page.text
        assert 'id="domain-error"' in page.text


def test_double_submit_creates_one_customer(server: LiveServer, token: str) -> None:
    with signed_in(server.base_url) as http:
        prefix = unique_prefix("twice")
        review = complete_wizard(
            http, {**US_ACCOUNT, "domain": prefix}, {"azure": 1, "m365-business-basic": 7}
        )
        fields = hidden_fields(review.text)

        def submit() -> httpx.Response:
            return http.post("/portal/customers/new/submit", data=fields)

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: submit(), range(2)))
        # Both lead to the confirmation of the one customer, with its password.
        assert [a.status_code for a in answers] == [303, 303]
        for answer in answers:
            done = http.get(answer.headers["location"])
            assert re.search(r'id="admin-password">([^<]+)<', done.text) is not None
        # A later resubmission meets an ended wizard: no second customer, no password.
        again = submit()
        assert again.status_code == 410
        assert "admin-password" not in again.text
        (customer_id,) = _customer_ids(http, prefix)
    answer = httpx.get(
        f"{server.base_url}/v1/customers/{customer_id}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200
    assert answer.json()["companyProfile"]["domain"] == f"{prefix}.onmicrosoft.com"


def test_subscriptions_are_stored_shown_and_renamed(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        prefix = unique_prefix("subs")
        review = complete_wizard(
            http, {**US_ACCOUNT, "domain": prefix}, {"azure": 1, "m365-business-premium": 12}
        )
        done = submit_review(http, review)
        finish = re.search(r'class="button" href="([^"]+)"', done.text)
        assert finish, done.text
        page = http.get(html.unescape(finish.group(1)), follow_redirects=True)
        customer_id = str(page.url).rsplit("/", 1)[1]
        assert "Microsoft Azure" in page.text
        assert "12 licenses" in page.text
        sub_id = re.search(
            rf"/portal/customers/{customer_id}/subscriptions/([0-9a-f-]{{36}})", page.text
        )
        assert sub_id
        path = f"/portal/customers/{customer_id}/subscriptions/{sub_id.group(1)}"
        renamed = http.post(path, data={"csrf": csrf_of(page.text), "name": "Production"})
        assert renamed.status_code == 303
        assert 'value="Production"' in http.get(f"/portal/customers/{customer_id}").text
        blank = http.post(path, data={"csrf": csrf_of(page.text), "name": " "})
        assert blank.status_code == 400
        assert 'role="alert"' in blank.text
        subs = server.call(
            server.runtime.subscriptions.of_customer(
                server.call(server.runtime.partner(DEV_TENANT_ID)),
                customer_id,
            )
        )
        assert sorted((s.offer_id, s.quantity) for s in subs) == [
            ("azure", 1),
            ("m365-business-premium", 12),
        ]


def test_another_partner_cannot_see_the_customer(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        prefix = unique_prefix("mine")
        review = complete_wizard(http, {**US_ACCOUNT, "domain": prefix}, {"azure": 1})
        submit_review(http, review)
        (customer_id,) = _customer_ids(http, prefix)
    other = register_partner(server, "US", PartnerType.DIRECT_BILL)
    upn = f"portal-{unique_prefix()}@example.com"
    server.call(operator.add_user(server.runtime, other.tenant_id, upn, AGENT, "pw-other-12345"))
    with signed_in(server.base_url, upn, "pw-other-12345") as http:
        assert http.get(f"/portal/customers/{customer_id}").status_code == 404
        assert _customer_ids(http, prefix) == []


def test_sign_out_ends_the_session(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        page = http.get("/portal/customers")
        answer = http.post("/portal/signout", data={"csrf": csrf_of(page.text)})
        assert answer.status_code == 303
        assert http.get("/portal/customers").status_code == 303


def test_totp_users_enter_a_code(server: LiveServer) -> None:
    upn = f"totp-{unique_prefix()}@example.com"
    issued = server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, AGENT, "pw-totp-12345", "totp")
    )
    assert issued.totp_uri is not None
    secret = pyotp.parse_uri(issued.totp_uri).secret
    with httpx.Client(base_url=server.base_url) as http:
        form = http.get("/portal/signin")
        step = http.post(
            "/portal/signin",
            data={"csrf": csrf_of(form.text), "username": upn, "password": "pw-totp-12345"},
        )
        assert 'name="otp"' in step.text
        pending = re.search(r'name="pending" value="([^"]+)"', step.text).group(1)
        answer = http.post(
            "/portal/signin",
            data={"csrf": csrf_of(step.text), "pending": pending, "otp": pyotp.TOTP(secret).now()},
        )
        assert answer.status_code == 303
