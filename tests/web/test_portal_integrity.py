"""The portal's integrity over HTTP: one draft per wizard, Submit only what Review showed,
the protective headers on every answer, links that never name the `Host` header's host,
and pages that follow the user's roles."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tenantry.auth.development import DEV_TENANT_ID
from tenantry.web.locale import Translator
from tenantry.web.portal.messages import MESSAGES
from tests.support import operator
from tests.support.portal import (
    US_ACCOUNT,
    complete_wizard,
    csrf_of,
    hidden_fields,
    signed_in,
    submit_review,
    unique_prefix,
)
from tests.support.server import LiveServer

LOCALES = ("en-US", "zh-CN", "zh-TW")


def _said(locale: str, key: str) -> str:
    """A portal message as a page in `locale` says it."""
    return Translator(locale)(MESSAGES[key])


def _customer_named(http: httpx.Client, prefix: str) -> str:
    page = http.get("/portal/customers", params={"q": prefix, "by": "domain"})
    (customer_id,) = re.findall(r'href="/portal/customers/([0-9a-f-]{36})"', page.text)
    return customer_id


def _company_of(http: httpx.Client, customer_id: str) -> str:
    return http.get(f"/portal/customers/{customer_id}").text


def test_two_wizards_of_one_session_each_create_their_own_customer(server: LiveServer) -> None:
    alpha, beta = unique_prefix("alpha"), unique_prefix("beta")
    with signed_in(server.base_url) as http:
        review_a = complete_wizard(
            http, {**US_ACCOUNT, "company": "Tab Alpha", "domain": alpha}, {"azure": 1}
        )
        review_b = complete_wizard(
            http, {**US_ACCOUNT, "company": "Tab Beta", "domain": beta}, {"azure": 1}
        )
        assert "Tab Alpha" in review_a.text
        assert "Tab Beta" in review_b.text
        done_a = submit_review(http, review_a)
        assert done_a.status_code == 200
        assert f"admin@{alpha}.onmicrosoft.com" in done_a.text
        done_b = submit_review(http, review_b)
        assert f"admin@{beta}.onmicrosoft.com" in done_b.text
        assert "Tab Alpha" in _company_of(http, _customer_named(http, alpha))
        assert "Tab Beta" in _company_of(http, _customer_named(http, beta))


@pytest.mark.parametrize("locale", LOCALES)
def test_submit_refuses_a_draft_changed_since_review_showed_it(
    server: LiveServer, locale: str
) -> None:
    prefix = unique_prefix("stale")
    with signed_in(server.base_url) as http:
        shown = complete_wizard(
            http, {**US_ACCOUNT, "company": "Shown Company", "domain": prefix}, {"azure": 1}
        )
        fields = hidden_fields(shown.text)
        # The same wizard changed elsewhere (a duplicated tab) after this Review was shown.
        changed = http.post(
            "/portal/customers/new/account",
            data={
                **fields,
                **US_ACCOUNT,
                "company": "Changed Elsewhere",
                "domain": prefix,
                "from": "review",
            },
        )
        assert changed.status_code == 303
        refused = http.post(f"/portal/customers/new/submit?lang={locale}", data=fields)
        assert refused.status_code == 409
        assert _said(locale, "draft_changed") in html.unescape(refused.text)
        review = f"/portal/customers/new/review?wizard={fields['wizard']}"
        assert f'href="{review}"' in refused.text
        assert http.get("/portal/domains/check", params={"prefix": prefix}).json()["available"]
        # Reviewed again, the change is what gets created.
        again = http.get(review)
        assert "Changed Elsewhere" in again.text
        done = submit_review(http, again)
        assert done.status_code == 200
        assert "Changed Elsewhere" in _company_of(http, _customer_named(http, prefix))


def test_submit_by_address_bar_goes_back_to_the_wizard(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        review = complete_wizard(http, {**US_ACCOUNT, "domain": unique_prefix()}, {"azure": 1})
        wizard = hidden_fields(review.text)["wizard"]
        back = http.get("/portal/customers/new/submit", params={"wizard": wizard})
        assert back.status_code == 303
        assert back.headers["location"] == f"/portal/customers/new/review?wizard={wizard}"
        bare = http.get("/portal/customers/new/submit")
        assert bare.status_code == 303
        assert bare.headers["location"] == "/portal/customers"


def test_the_confirmation_shows_again_in_another_language(server: LiveServer) -> None:
    with signed_in(server.base_url) as http:
        review = complete_wizard(http, {**US_ACCOUNT, "domain": unique_prefix()}, {"azure": 1})
        done = submit_review(http, review)
        password = re.search(r'id="admin-password">([^<]+)<', done.text)
        assert password
        links = re.findall(r'href="([^"]+)" hreflang="zh-CN"', done.text)
        assert links
        link = links[0].replace("&amp;", "&")
        assert "submit" not in link
        assert parse_qs(urlsplit(link).query)["lang"] == ["zh-CN"]
        chinese = http.get(link)
        assert chinese.status_code == 200
        assert 'lang="zh-CN"' in chinese.text
        assert f'id="admin-password">{password.group(1)}<' in chinese.text
        # Done forgets it: the confirmation shows no password any more.
        finish = re.search(r'href="([^"]+)">Done<', done.text)
        assert finish
        left = http.get(finish.group(1).replace("&amp;", "&"))
        assert left.status_code == 303
        assert re.fullmatch(r"/portal/customers/[0-9a-f-]{36}", left.headers["location"])
        assert password.group(1) not in http.get(link).text
        # Another browser (no confirmation cookie) sees no password.
        with signed_in(server.base_url) as other:
            elsewhere = other.get(link)
            assert elsewhere.status_code == 410
            assert password.group(1) not in elsewhere.text


def _headers_ok(answer: httpx.Response, *, stored: bool = False) -> None:
    headers = answer.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"], answer.url
    assert headers["x-frame-options"] == "DENY", answer.url
    assert headers["x-content-type-options"] == "nosniff", answer.url
    assert (headers["cache-control"] == "no-store") is not stored, answer.url


def test_every_portal_answer_carries_the_protective_headers(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        for path in ("/portal", "/portal/customers", "/portal/signin", "/portal/nowhere"):
            _headers_ok(anonymous.get(path))
        json_answer = anonymous.get("/portal/domains/check?prefix=abc")
        assert json_answer.status_code == 401
        _headers_ok(json_answer)
        _headers_ok(anonymous.post("/portal/signout"))
        style = anonymous.get("/static/tenantry.css")
        assert style.status_code == 200
        _headers_ok(style, stored=True)
        icon = anonymous.get("/static/favicon.svg")
        assert icon.status_code == 200
        assert icon.headers["content-type"].startswith("image/svg+xml")
        _headers_ok(icon, stored=True)
        assert "max-age=" in icon.headers["cache-control"]
        assert 'rel="icon" href="/static/favicon.svg"' in anonymous.get("/portal/signin").text
    with signed_in(server.base_url) as http:
        for path in ("/portal/customers/new", "/portal/customers/new/submit"):
            answer = http.get(path)
            assert answer.status_code == 303
            _headers_ok(answer)


def test_no_link_or_redirect_names_the_host_header_s_host(server: LiveServer) -> None:
    evil = {"Host": "evil.example"}
    with signed_in(server.base_url) as http:
        review = complete_wizard(http, {**US_ACCOUNT, "domain": unique_prefix()}, {"azure": 1})
        wizard = hidden_fields(review.text)["wizard"]
        for path in (
            "/portal",
            "/portal/customers",
            "/portal/customers?q=a&lang=zh-CN",
            "/portal/customers/new",
            f"/portal/customers/new/review?wizard={wizard}",
            "/portal/customers/new/submit",
            "/portal/nowhere",
        ):
            answer = http.get(path, headers=evil)
            assert "evil.example" not in answer.headers.get("location", ""), path
            assert "evil.example" not in answer.text, path
    with httpx.Client(base_url=server.base_url) as anonymous:
        deep = anonymous.get("/portal/customers/new/account?wizard=x", headers=evil)
        assert deep.headers["location"].startswith("/portal/signin?next=")
        form = anonymous.get("/portal/signin", headers=evil)
        assert "evil.example" not in form.text


def _helpdesk(server: LiveServer) -> tuple[str, str]:
    upn = f"helpdesk-{unique_prefix()}@example.com"
    password = "pw-helpdesk-12345"
    server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, ("Helpdesk agent",), password)
    )
    return upn, password


@pytest.mark.parametrize("locale", LOCALES)
def test_a_helpdesk_agent_is_refused_at_the_first_step_in_their_language(
    server: LiveServer, locale: str
) -> None:
    prefix = unique_prefix("desk")
    with signed_in(server.base_url) as admin:
        submit_review(admin, complete_wizard(admin, {**US_ACCOUNT, "domain": prefix}, {"azure": 1}))
        customer_id = _customer_named(admin, prefix)
    upn, password = _helpdesk(server)
    with signed_in(server.base_url, upn, password) as http:
        listing = http.get("/portal/customers", params={"lang": locale})
        assert listing.status_code == 200
        assert 'href="/portal/customers/new"' not in listing.text
        refused = http.get("/portal/customers/new")
        assert refused.status_code == 403
        assert _said(locale, "role") in refused.text
        assert "900150" not in refused.text  # a sentence for people, not an error code
        assert "tenantry_wizard_" not in refused.headers.get("set-cookie", "")
        assert (
            http.post(
                "/portal/customers/new/submit", data={"csrf": csrf_of(listing.text)}
            ).status_code
            == 403
        )
        page = http.get(f"/portal/customers/{customer_id}")
        assert page.status_code == 200
        assert "/subscriptions/" not in page.text  # no rename form
        sub_ids = server.call(
            server.runtime.subscriptions.of_customer(
                server.call(server.runtime.partner(DEV_TENANT_ID)), customer_id
            )
        )
        rename = f"/portal/customers/{customer_id}/subscriptions/{sub_ids[0].id}"
        answer = http.post(rename, data={"csrf": csrf_of(page.text), "name": "Mine"})
        assert answer.status_code == 403
        assert _said(locale, "role") in answer.text
