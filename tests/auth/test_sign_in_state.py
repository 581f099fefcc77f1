"""The sign-in flows' typed state: round trips, refused tokens, and the format of old forms."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from tenantry.auth.sign_in_state import AuthorizeFlow, PendingCode
from tenantry.security.tamper import TamperProof
from tests.support.fakes_sign_in import CLIENT_ID, PARTNER_ID, signer

FLOW = AuthorizeFlow(
    tenant=PARTNER_ID,
    client_id=CLIENT_ID,
    app_name="Contoso portal",
    redirect_uri="http://127.0.0.1:8400/callback",
    response_mode="query",
    state="state-1",
    nonce="nonce-1",
    code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    v1=False,
    scope="https://api.partnercenter.microsoft.com/user_impersonation openid",
    audience="https://api.partnercenter.microsoft.com",
    expires=1_800_000_000,
    csrf_digest="0123456789abcdef0123456789abcdef",
)

# A flow as the sign-in page wrote it before the state was typed: the code step's.
OLD_FLOW = {
    "t": PARTNER_ID,
    "c": CLIENT_ID,
    "an": "Contoso portal",
    "r": "http://127.0.0.1:8400/callback",
    "m": "form_post",
    "st": "",
    "n": None,
    "ch": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "v1": True,
    "s": "",
    "a": "https://api.partnercenter.microsoft.com",
    "x": 1_800_000_000,
    "k": "0123456789abcdef0123456789abcdef",
    "u": "user-1",
}


def _tampered(token: str) -> str:
    payload, _, tag = token.partition(".")
    return f"{payload}.{'A' if tag[0] != 'A' else 'B'}{tag[1:]}"


@pytest.mark.parametrize(
    "flow",
    [FLOW, dataclasses.replace(FLOW, nonce=None, v1=True, user_id="user-1", state="")],
)
def test_a_flow_comes_back_as_it_went(flow: AuthorizeFlow) -> None:
    sign = signer()
    assert AuthorizeFlow.from_token(sign, flow.to_token(sign)) == flow


def test_the_token_keeps_the_short_keys_of_old_forms() -> None:
    sign = signer()
    old = sign.wrap(orjson.dumps(OLD_FLOW))
    flow = AuthorizeFlow.from_token(sign, old)
    assert flow is not None
    assert flow.user_id == "user-1"
    assert flow.v1 is True
    assert flow.nonce is None
    assert flow.response_mode == "form_post"
    assert flow.csrf_digest == OLD_FLOW["k"]
    assert orjson.loads(sign.unwrap(flow.to_token(sign)) or b"") == OLD_FLOW
    # The password step's flow has no "u": that is how the page tells the steps apart.
    password_step = dict(OLD_FLOW)
    del password_step["u"]
    assert AuthorizeFlow.from_token(sign, sign.wrap(orjson.dumps(password_step))) == (
        dataclasses.replace(flow, user_id=None)
    )
    assert b'"u"' not in (sign.unwrap(FLOW.to_token(sign)) or b"")


def test_a_changed_or_foreign_flow_is_refused() -> None:
    sign = signer()
    token = FLOW.to_token(sign)
    assert AuthorizeFlow.from_token(sign, _tampered(token)) is None
    assert AuthorizeFlow.from_token(signer(), token) is None  # another key
    assert AuthorizeFlow.from_token(sign, "") is None
    assert AuthorizeFlow.from_token(sign, "not a token") is None


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[]",
        orjson.dumps({k: v for k, v in OLD_FLOW.items() if k != "r"}),
        orjson.dumps(OLD_FLOW | {"x": "soon"}),
        orjson.dumps(OLD_FLOW | {"v1": "yes"}),
        orjson.dumps(OLD_FLOW | {"u": 7}),
    ],
)
def test_a_signed_but_malformed_flow_is_refused(payload: bytes) -> None:
    sign = signer()
    assert AuthorizeFlow.from_token(sign, sign.wrap(payload)) is None


def test_a_flow_lives_until_its_expiry() -> None:
    assert FLOW.live(FLOW.expires)
    assert not FLOW.live(FLOW.expires + 0.5)


def test_a_pending_code_step_comes_back_as_it_went() -> None:
    sign = signer()
    pending = PendingCode("user-1", 1_800_000_000, "login-cookie")
    token = pending.to_token(sign)
    assert PendingCode.from_token(sign, token) == pending
    assert PendingCode.from_token(sign, _tampered(token)) is None
    assert PendingCode.from_token(signer(), token) is None
    assert pending.live(pending.expires)
    assert not pending.live(pending.expires + 1)


def test_a_pending_code_step_of_an_old_form_is_read() -> None:
    sign = signer()
    old = sign.wrap(b"p" + orjson.dumps({"u": "user-1", "x": 1_800_000_000, "k": "cookie"}))
    assert PendingCode.from_token(sign, old) == PendingCode("user-1", 1_800_000_000, "cookie")


@pytest.mark.parametrize(
    "payload",
    [
        b"s" + orjson.dumps({"u": "user-1", "x": 1_800_000_000, "k": "cookie"}),  # a session's
        orjson.dumps({"u": "user-1", "x": 1_800_000_000, "k": "cookie"}),  # no kind at all
        b"p" + orjson.dumps({"u": "user-1", "x": 1_800_000_000}),
        b"p{",
    ],
)
def test_other_tokens_are_not_a_pending_code_step(payload: bytes) -> None:
    sign = TamperProof(b"k" * 32)
    assert PendingCode.from_token(sign, sign.wrap(payload)) is None
