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


def hidden_fields(page: str) -> dict[str, str]:
    """A wizard page's hidden form fields: the CSRF token, the wizard's id and, on Review,
    the fingerprint of the draft it shows."""
    fields = {"csrf": csrf_of(page)}
    for name in ("wizard", "shown"):
        match = re.search(rf'name="{name}" value="([^"]*)"', page)
        if match:
            fields[name] = html.unescape(match.group(1))
    return fields


def wizard_step(step: str) -> re.Pattern[str]:
    """The address of a wizard page (it carries the wizard's id), for `wait_for_url`."""
    return re.compile(rf".*/portal/customers/new/{step}\?wizard=[\w-]+(&.*)?$")


def start_wizard(http: httpx.Client) -> dict[str, str]:
    """Start a wizard; the hidden fields its forms post (CSRF token, wizard id)."""
    page = http.get("/portal/customers/new", follow_redirects=True)
    assert page.status_code == 200, page.text
    return hidden_fields(page.text)


def complete_wizard(
    http: httpx.Client, account: dict[str, str], offers: dict[str, int]
) -> httpx.Response:
    """Post the account and subscriptions steps; the review page."""
    fields = start_wizard(http)
    answer = http.post("/portal/customers/new/account", data={**fields, **account})
    assert answer.status_code == 303, answer.text
    form: dict[str, str | list[str]] = {**fields, "offer": list(offers)}
    form |= {f"qty-{offer_id}": str(quantity) for offer_id, quantity in offers.items()}
    answer = http.post("/portal/customers/new/subscriptions", data=form)
    assert answer.status_code == 303, answer.text
    return http.get(answer.headers["location"])


def submit_review(http: httpx.Client, review: httpx.Response) -> httpx.Response:
    """Submit the draft the review page shows; the confirmation page it leads to."""
    return http.post(
        "/portal/customers/new/submit", data=hidden_fields(review.text), follow_redirects=True
    )
