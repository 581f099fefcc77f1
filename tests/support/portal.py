"""Driving the partner portal over plain HTTP, as a browser would (cookies, CSRF tokens)."""

from __future__ import annotations

import contextlib
import html
import re
import uuid
from collections.abc import Iterator

import httpx

from tenantry.auth.development import DEV_USER_PASSWORD, DEV_USER_UPN

US_ACCOUNT = {
    "company": "Fourth Coffee",
    "first_name": "Marshall",
    "last_name": "Levi",
    "email": "marshall@fourthcoffee.com",
    "phone": "",
    "culture": "en-US",
    "language": "en",
    "country": "US",
    "line1": "One Microsoft Way",
    "line2": "",
    "city": "Redmond",
    "state": "WA",
    "postal_code": "98052",
    "registration": "",
}


def unique_prefix(tag: str = "portal") -> str:
    return f"{tag}{uuid.uuid4().hex[:12]}"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]*)"', page)
    assert match, page
    return html.unescape(match.group(1))


@contextlib.contextmanager
def signed_in(
    base_url: str, upn: str = DEV_USER_UPN, password: str = DEV_USER_PASSWORD
) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=60) as http:
        form = http.get("/portal/signin")
        answer = http.post(
            "/portal/signin",
            data={"csrf": csrf_of(form.text), "username": upn, "password": password},
        )
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/portal/customers"
        yield http


def start_wizard(http: httpx.Client) -> str:
    """Start the wizard; the CSRF token of the session."""
    page = http.get("/portal/customers/new", follow_redirects=True)
    assert page.status_code == 200, page.text
    return csrf_of(page.text)


def complete_wizard(
    http: httpx.Client, account: dict[str, str], offers: dict[str, int]
) -> httpx.Response:
    """Post the account and subscriptions steps; the review page."""
    csrf = start_wizard(http)
    answer = http.post("/portal/customers/new/account", data={"csrf": csrf, **account})
    assert answer.status_code == 303, answer.text
    form: dict[str, str | list[str]] = {"csrf": csrf, "offer": list(offers)}
    form |= {f"qty-{offer_id}": str(quantity) for offer_id, quantity in offers.items()}
    answer = http.post("/portal/customers/new/subscriptions", data=form)
    assert answer.status_code == 303, answer.text
    return http.get("/portal/customers/new/review")
