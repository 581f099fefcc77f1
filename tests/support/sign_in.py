"""Driving the sign-in page over plain HTTP, and the app's side of the code flow (PKCE)."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

LOOPBACK = "http://127.0.0.1:8400/callback"
SCOPE = "https://api.partnercenter.microsoft.com/user_impersonation offline_access openid"


@dataclass
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(
    base_url: str,
    tenant: str,
    client_id: str,
    pkce: Pkce,
    *,
    redirect_uri: str = LOOPBACK,
    state: str = "state-1",
    **extra: str,
) -> str:
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": state,
        "nonce": "nonce-1",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    } | extra
    return f"{base_url}/{tenant}/oauth2/v2.0/authorize?{urlencode(query)}"


def hidden_flow(page: str) -> str:
    match = re.search(r'name="flow" value="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def form_action(page: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', page)
    assert match, page
    return html.unescape(match.group(1))


def submit(http: httpx.Client, page: httpx.Response, **fields: str) -> httpx.Response:
    """Post the page's form with these fields, as the browser would (cookies included)."""
    action = str(page.url.join(form_action(page.text)))
    return http.post(action, data={"flow": hidden_flow(page.text), **fields})


def code_from(response: httpx.Response) -> dict[str, str]:
    """The parameters the sign-in page sent back to the app's redirect URI."""
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    return {k: v[0] for k, v in parse_qs(location.query or location.fragment).items()}
