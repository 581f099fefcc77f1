"""After signing in from a deep link, the portal returns to that page, and only to a portal
page of this site."""

from __future__ import annotations

import httpx
import pytest

from tenantry.auth.development import DEV_USER_PASSWORD, DEV_USER_UPN
from tenantry.web.portal.next_page import HOME, safe_next
from tests.support.portal import csrf_of
from tests.support.server import LiveServer


@pytest.mark.parametrize(
    "candidate",
    [
        "//evil.example/portal/customers",
        "https://evil.example/portal/customers",
        "/\\evil.example",
        "/portal/customers\r\nSet-Cookie: x=y",
        "/v1/customers",
        "/portal/signin?next=/portal/customers",
        "",
        None,
    ],
)
def test_only_portal_paths_of_this_site_are_followed(candidate: str | None) -> None:
    assert safe_next(candidate) == HOME


def test_a_portal_path_is_followed() -> None:
    assert safe_next("/portal/customers?q=con&by=name") == "/portal/customers?q=con&by=name"


def test_sign_in_returns_to_the_deep_link(server: LiveServer) -> None:
    with httpx.Client(base_url=server.base_url) as http:
        wanted = "/portal/customers/new"
        redirect = http.get(wanted)
        sign_in = redirect.headers["location"]
        form = http.get(sign_in)
        answer = http.post(
            sign_in,
            data={
                "csrf": csrf_of(form.text),
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
            },
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == wanted
    with httpx.Client(base_url=server.base_url) as http:
        form = http.get("/portal/signin?next=//evil.example/")
        forged = http.post(
            "/portal/signin?next=//evil.example/",
            data={
                "csrf": csrf_of(form.text),
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
            },
        )
        assert forged.headers["location"] == HOME
