"""Portal sessions live on the server: sign-out, a password reset or a role change ends
them, and the database keeps only digests of their ids."""

from __future__ import annotations

import hashlib

import httpx
from sqlalchemy import select

from tenantry.auth.development import DEV_TENANT_ID
from tenantry.storage.tables import portal_sessions
from tenantry.web.portal.session import COOKIE
from tenantry.web.portal.session_ticket import SessionTicket
from tests.support import operator
from tests.support.portal import csrf_of, signed_in, unique_prefix
from tests.support.server import LiveServer

AGENT = ("Admin agent",)


def _session_cookie(http: httpx.Client) -> str:
    value = http.cookies.get(COOKIE)
    assert value, "no session cookie"
    return value


def _with_cookie(server: LiveServer, value: str) -> httpx.Response:
    """The customer list, asked for with nothing but that session cookie."""
    with httpx.Client(base_url=server.base_url, cookies={COOKIE: value}) as other:
        return other.get("/portal/customers")


def _new_user(server: LiveServer) -> tuple[str, str]:
    upn = f"session-{unique_prefix()}@example.com"
    password = "pw-session-12345"
    server.call(operator.add_user(server.runtime, DEV_TENANT_ID, upn, AGENT, password))
    return upn, password


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(server: LiveServer) -> None:
    upn, password = _new_user(server)
    with signed_in(server.base_url, upn, password) as http:
        cookie = _session_cookie(http)
        assert _with_cookie(server, cookie).status_code == 200
        page = http.get("/portal/customers")
        assert http.post("/portal/signout", data={"csrf": csrf_of(page.text)}).status_code == 303
    refused = _with_cookie(server, cookie)
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/portal/signin")


def test_a_password_reset_ends_every_session_of_that_user_only(server: LiveServer) -> None:
    upn, password = _new_user(server)
    with (
        signed_in(server.base_url, upn, password) as first,
        signed_in(server.base_url, upn, password) as second,
        signed_in(server.base_url) as bystander,
    ):
        cookies = [_session_cookie(first), _session_cookie(second)]
        server.call(operator.reset_user(server.runtime, upn, "pw-after-reset-1"))
        for cookie in cookies:
            assert _with_cookie(server, cookie).status_code == 303
        assert bystander.get("/portal/customers").status_code == 200


def test_the_database_keeps_a_digest_of_the_session_id_never_the_id(server: LiveServer) -> None:
    upn, password = _new_user(server)
    with signed_in(server.base_url, upn, password) as http:
        cookie = _session_cookie(http)
    ticket = SessionTicket.from_token(server.runtime.portal_session, cookie)
    assert ticket is not None

    async def stored() -> list[tuple[str, str]]:
        statement = select(portal_sessions.c.id_digest, portal_sessions.c.user_stamp)
        async with server.runtime.engine.connect() as conn:
            return [(row.id_digest, row.user_stamp) for row in await conn.execute(statement)]

    rows = server.call(stored())
    digests = {digest for digest, _ in rows}
    assert hashlib.sha256(ticket.session_id.encode()).hexdigest() in digests
    assert all(ticket.session_id not in value for row in rows for value in row)
    assert all(cookie not in value for row in rows for value in row)
