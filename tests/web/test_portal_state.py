"""The portal's typed state: the wizard draft and the session ticket, sealed and signed."""

from __future__ import annotations

import base64
import dataclasses

import orjson
import pytest

from tenantry.auth.sign_in_state import PendingCode
from tenantry.security.sealing import Sealer
from tenantry.web.portal.draft import WizardDraft, expiry, plausible_draft_id
from tenantry.web.portal.session_ticket import SessionTicket
from tests.support.fakes_sign_in import sealer, signer

NOW = 1_800_000_000
DRAFT = WizardDraft(
    draft_id="draft-1-abcdefgh",
    wizard_id="wizard-1",
    account={"country": "US", "company": "Fourth Coffee", "culture": "en-US"},
    account_done=True,
    offers={"azure": "1", "m365-business-basic": "25"},
    offers_done=False,
)


def test_a_draft_comes_back_as_it_went() -> None:
    seal = sealer()
    value = DRAFT.seal(seal, "user-1", NOW + 60)
    assert WizardDraft.open(seal, "user-1", DRAFT.draft_id, value, NOW) == DRAFT
    assert "=" not in value  # a cookie value, unpadded base64url
    assert WizardDraft.open(seal, "user-1", DRAFT.draft_id, value, NOW + 60) == DRAFT
    assert expiry(seal, "user-1", DRAFT.draft_id, value) == NOW + 60


def test_a_draft_opens_only_for_its_user_and_id_in_time_and_intact() -> None:
    seal = sealer()
    value = DRAFT.seal(seal, "user-1", NOW + 60)
    draft_id = DRAFT.draft_id
    assert WizardDraft.open(seal, "user-2", draft_id, value, NOW) is None
    # Another tab's draft id does not open this draft, even for the same user.
    assert WizardDraft.open(seal, "user-1", "draft-2-abcdefgh", value, NOW) is None
    assert WizardDraft.open(seal, "user-1", draft_id, value, NOW + 61) is None
    assert WizardDraft.open(sealer(), "user-1", draft_id, value, NOW) is None
    changed = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert WizardDraft.open(seal, "user-1", draft_id, changed, NOW) is None
    for garbage in ("", "!!!", "A"):
        assert WizardDraft.open(seal, "user-1", draft_id, garbage, NOW) is None
        assert expiry(seal, "user-1", draft_id, garbage) == 0


def _sealed_old_way(payload: object, user_id: str, seal: Sealer) -> str:
    """Sealed as the single-draft wizard wrote its cookie (bound to the user only)."""
    sealed = seal.seal(orjson.dumps(payload), user_id.encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def _sealed_for(payload: object, user_id: str, draft_id: str, seal: Sealer) -> str:
    sealed = seal.seal(orjson.dumps(payload), f"{user_id}/{draft_id}".encode())
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def test_the_single_draft_of_an_older_release_is_not_taken_for_a_tab_s() -> None:
    seal = sealer()
    old = {"w": "wizard-1", "a": {}, "ok": True, "s": {}, "sd": True, "x": NOW + 60}
    value = _sealed_old_way(old, "user-1", seal)
    assert WizardDraft.open(seal, "user-1", DRAFT.draft_id, value, NOW) is None


def test_the_fingerprint_follows_what_submit_would_send() -> None:
    assert DRAFT.fingerprint == dataclasses.replace(DRAFT, account_done=False).fingerprint
    for changed in (
        dataclasses.replace(DRAFT, account={**DRAFT.account, "company": "Tab Beta"}),
        dataclasses.replace(DRAFT, offers={"azure": "2"}),
        DRAFT.with_new_key(),
    ):
        assert changed.fingerprint != DRAFT.fingerprint


def test_draft_ids_are_fit_for_cookie_names_and_checked() -> None:
    started = WizardDraft.start({"country": "US"})
    assert plausible_draft_id(started.draft_id)
    assert started.draft_id != WizardDraft.start({"country": "US"}).draft_id
    for bad in ("", "short", "x" * 17, "abc def ghijklmn", "abcdefgh;ijklmno"):
        assert not plausible_draft_id(bad)


@pytest.mark.parametrize(
    "change",
    [{"ok": 1}, {"a": {"country": 1}}, {"s": []}, {"w": None}, {"x": "later"}],
)
def test_a_sealed_but_malformed_draft_is_refused(change: dict[str, object]) -> None:
    seal = sealer()
    old = {"w": "w", "a": {}, "ok": False, "s": {}, "sd": False, "x": NOW + 60} | change
    value = _sealed_for(old, "user-1", "w-abcdefghijklmn", seal)
    assert WizardDraft.open(seal, "user-1", "w-abcdefghijklmn", value, NOW) is None


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
    ticket = SessionTicket("user-1", "partner-1", "csrf-token", NOW, "session-1")
    token = ticket.to_token(sign)
    assert SessionTicket.from_token(sign, token) == ticket
    assert SessionTicket.from_token(signer(), token) is None
    payload, _, tag = token.partition(".")
    assert SessionTicket.from_token(sign, f"{payload[:-2]}AA.{tag}") is None
    assert ticket.live(NOW - 1)
    assert not ticket.live(NOW)  # a session ends at its expiry, not a second later


def test_a_session_cookie_from_before_server_sessions_is_refused() -> None:
    # It names no session the server could end: its holder signs in again.
    sign = signer()
    old = {"u": "user-1", "p": "partner-1", "c": "csrf-token", "x": NOW}
    assert SessionTicket.from_token(sign, sign.wrap(b"s" + orjson.dumps(old))) is None


def test_a_pending_sign_in_is_no_session() -> None:
    sign = signer()
    pending = PendingCode("user-1", NOW, "cookie").to_token(sign)
    assert SessionTicket.from_token(sign, pending) is None
    session = SessionTicket("u", "p", "c", NOW, "i").to_token(sign)
    assert PendingCode.from_token(sign, session) is None
    assert SessionTicket.from_token(sign, sign.wrap(b"s{")) is None
    assert SessionTicket.from_token(sign, sign.wrap(b's{"u":"user-1"}')) is None
