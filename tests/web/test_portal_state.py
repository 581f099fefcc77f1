"""The portal's typed state: the wizard draft and the session ticket, sealed and signed."""

from __future__ import annotations

import base64
import dataclasses

import orjson
import pytest

from tenantry.auth.sign_in_state import PendingCode
from tenantry.security.sealing import Sealer
from tenantry.web.portal.draft import WizardDraft
from tenantry.web.portal.session_ticket import SessionTicket
from tests.support.fakes_sign_in import sealer, signer

NOW = 1_800_000_000
DRAFT = WizardDraft(
    wizard_id="wizard-1",
    account={"country": "US", "company": "Fourth Coffee", "culture": "en-US"},
    account_done=True,
    offers={"azure": "1", "m365-business-basic": "25"},
    offers_done=False,
)


def test_a_draft_comes_back_as_it_went() -> None:
    seal = sealer()
    value = DRAFT.seal(seal, "user-1", NOW + 60)
    assert WizardDraft.open(seal, "user-1", value, NOW) == DRAFT
    assert "=" not in value  # a cookie value, unpadded base64url
    assert WizardDraft.open(seal, "user-1", value, NOW + 60) == DRAFT


def test_a_draft_opens_only_for_its_user_in_time_and_intact() -> None:
    seal = sealer()
    value = DRAFT.seal(seal, "user-1", NOW + 60)
    assert WizardDraft.open(seal, "user-2", value, NOW) is None
    assert WizardDraft.open(seal, "user-1", value, NOW + 61) is None
    assert WizardDraft.open(sealer(), "user-1", value, NOW) is None
    changed = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert WizardDraft.open(seal, "user-1", changed, NOW) is None
    for garbage in ("", "!!!", "A"):
        assert WizardDraft.open(seal, "user-1", garbage, NOW) is None


def _sealed_old_way(payload: object, user_id: str, seal: Sealer) -> str:
    """Sealed as the wizard wrote its cookie before the draft was typed."""
    sealed = seal.seal(orjson.dumps(payload), user_id.encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def test_a_draft_of_an_old_cookie_is_read() -> None:
    seal = sealer()
    old = {
        "w": "wizard-1",
        "a": {"country": "US", "company": "Fourth Coffee", "culture": "en-US"},
        "ok": True,
        "s": {"azure": "1", "m365-business-basic": "25"},
        "sd": False,
        "x": NOW + 60,
    }
    assert WizardDraft.open(seal, "user-1", _sealed_old_way(old, "user-1", seal), NOW) == DRAFT
    value = DRAFT.seal(seal, "user-1", NOW + 60)
    raw = seal.open(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), b"user-1")
    assert orjson.loads(raw) == old


@pytest.mark.parametrize(
    "change",
    [{"ok": 1}, {"a": {"country": 1}}, {"s": []}, {"w": None}, {"x": "later"}],
)
def test_a_sealed_but_malformed_draft_is_refused(change: dict[str, object]) -> None:
    seal = sealer()
    old = {"w": "w", "a": {}, "ok": False, "s": {}, "sd": False, "x": NOW + 60} | change
    assert WizardDraft.open(seal, "user-1", _sealed_old_way(old, "user-1", seal), NOW) is None


def test_a_new_key_changes_only_the_wizard_id() -> None:
    renewed = DRAFT.with_new_key()
    assert renewed.wizard_id != DRAFT.wizard_id
    assert dataclasses.replace(renewed, wizard_id=DRAFT.wizard_id) == DRAFT
    started = WizardDraft.start({"country": "US"})
    assert not started.account_done
    assert not started.offers_done
    assert not started.complete
    assert dataclasses.replace(started, account_done=True, offers_done=True).complete


def test_a_session_ticket_comes_back_as_it_went_and_not_changed() -> None:
    sign = signer()
    ticket = SessionTicket("user-1", "partner-1", "csrf-token", NOW)
    token = ticket.to_token(sign)
    assert SessionTicket.from_token(sign, token) == ticket
    assert SessionTicket.from_token(signer(), token) is None
    payload, _, tag = token.partition(".")
    assert SessionTicket.from_token(sign, f"{payload[:-2]}AA.{tag}") is None
    assert ticket.live(NOW - 1)
    assert not ticket.live(NOW)  # a session ends at its expiry, not a second later


def test_a_session_cookie_of_an_old_session_is_read() -> None:
    sign = signer()
    old = {"u": "user-1", "p": "partner-1", "c": "csrf-token", "x": NOW}
    token = sign.wrap(b"s" + orjson.dumps(old))
    assert SessionTicket.from_token(sign, token) == SessionTicket(
        "user-1", "partner-1", "csrf-token", NOW
    )


def test_a_pending_sign_in_is_no_session() -> None:
    sign = signer()
    pending = PendingCode("user-1", NOW, "cookie").to_token(sign)
    assert SessionTicket.from_token(sign, pending) is None
    assert PendingCode.from_token(sign, SessionTicket("u", "p", "c", NOW).to_token(sign)) is None
    assert SessionTicket.from_token(sign, sign.wrap(b"s{")) is None
    assert SessionTicket.from_token(sign, sign.wrap(b's{"u":"user-1"}')) is None
