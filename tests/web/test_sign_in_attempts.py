"""Sign-in attempts over real HTTP: the limit holds under a burst, and a one-time code is
accepted once (RFC 6238, section 5.2)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pyotp

from tenantry.auth.development import DEV_TENANT_ID
from tenantry.auth.sign_in import FAILURES_PER_MINUTE
from tests.support import operator
from tests.support.portal import csrf_of, unique_prefix
from tests.support.server import LiveServer

AGENT = ("Admin agent",)
WRONG = "The user name or password is incorrect."
LIMITED = "Too many attempts."


async def _login_form(http: httpx.AsyncClient) -> str:
    return csrf_of((await http.get("/portal/signin")).text)


async def test_a_burst_of_sign_ins_checks_at_most_the_limit(server: LiveServer) -> None:
    upn = f"burst-{unique_prefix()}@example.com"
    password = "pw-burst-12345"
    server.call(operator.add_user(server.runtime, DEV_TENANT_ID, upn, AGENT, password))
    async with httpx.AsyncClient(base_url=server.base_url, timeout=120) as http:
        csrf = await _login_form(http)

        async def attempt(given: str) -> httpx.Response:
            form = {"csrf": csrf, "username": upn, "password": given}
            return await http.post("/portal/signin", data=form)

        # The limit is per minute: a burst that straddled two minutes would meet two limits.
        if time.time() % 60 > 45:
            await asyncio.sleep(61 - time.time() % 60)
        # 59 wrong passwords, then the right one, all at once.
        answers = await asyncio.gather(
            *(attempt(f"wrong-{n}") for n in range(59)), attempt(password)
        )
    checked = [a for a in answers if WRONG in a.text]
    assert 0 < len(checked) <= FAILURES_PER_MINUTE
    assert all(WRONG in a.text or LIMITED in a.text for a in answers[:59])
    right = answers[59]
    assert right.status_code != 303, "the right password got through the limit"
    assert LIMITED in right.text
    assert "tenantry_portal=" not in right.headers.get("set-cookie", "")


async def _password_step(http: httpx.AsyncClient, upn: str, password: str) -> str:
    """Posts the password; the pending code step's token."""
    form = {"csrf": await _login_form(http), "username": upn, "password": password}
    page = await http.post("/portal/signin", data=form)
    match = re.search(r'name="pending" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def _code_step(http: httpx.AsyncClient, pending: str, code: str) -> httpx.Response:
    csrf = http.cookies.get("tenantry_portal_login")
    assert csrf is not None
    return await http.post("/portal/signin", data={"csrf": csrf, "pending": pending, "otp": code})


async def test_a_one_time_code_signs_in_once(server: LiveServer) -> None:
    upn = f"replay-{unique_prefix()}@example.com"
    password = "pw-replay-12345"
    issued = server.call(
        operator.add_user(server.runtime, DEV_TENANT_ID, upn, AGENT, password, "totp")
    )
    totp = pyotp.TOTP(pyotp.parse_uri(str(issued.totp_uri)).secret)
    async with (
        httpx.AsyncClient(base_url=server.base_url, timeout=60) as first,
        httpx.AsyncClient(base_url=server.base_url, timeout=60) as second,
    ):
        pendings = [
            await _password_step(first, upn, password),
            await _password_step(second, upn, password),
        ]
        code = totp.now()
        # The same code, sent by two sign-ins at once: exactly one of them is signed in.
        answers = await asyncio.gather(
            _code_step(first, pendings[0], code), _code_step(second, pendings[1], code)
        )
        assert sorted(a.status_code for a in answers) == [303, 400]
        refused = next(a for a in answers if a.status_code == 400)
        assert "The verification code is not correct." in refused.text
        # Sent again later by the one that got in, it is refused too.
        again = await _code_step(first, await _password_step(first, upn, password), code)
        assert again.status_code == 400
