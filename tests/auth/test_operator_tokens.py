"""Tokens printed at the command line (`tenantry token`)."""

from __future__ import annotations

import os

import jwt
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_PARTNER, DEV_TENANT_ID
from tenantry.auth.errors import AdministrationError
from tenantry.auth.operator_tokens import CLI_CLIENT_ID, OperatorTokens
from tenantry.auth.signing_keys import SigningKeyStore
from tenantry.auth.tokens import TokenService
from tenantry.domain.models import PartnerUser
from tenantry.security.sealing import Sealer
from tests.support.fakes import FakeClock, MemoryDatabase

TENANT = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
async def setup() -> tuple[MemoryDatabase, OperatorTokens]:
    db = MemoryDatabase()
    keys = SigningKeyStore(db.uow, Sealer(os.urandom(32)), FakeClock())
    await keys.load_or_create()
    return db, OperatorTokens(db.uow, TokenService(keys, 3600))


def claims(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


@pytest.mark.parametrize(("mfa", "amr"), [("totp", ["pwd", "mfa"]), ("none", ["pwd"])])
async def test_a_user_token_vouches_for_the_second_factor_the_user_has(
    setup: tuple[MemoryDatabase, OperatorTokens], mfa: str, amr: list[str]
) -> None:
    db, tokens = setup
    user = PartnerUser("u1", TENANT, "a@b.c", "A", "", ("Admin agent",), mfa=mfa)
    db.tables.users[user.id] = user

    got = claims(await tokens.user_token("a@b.c"))
    assert (got["tid"], got["azp"], got["amr"]) == (TENANT, CLI_CLIENT_ID, amr)
    with pytest.raises(AdministrationError, match=r"there is no partner user 'x@y\.z' here"):
        await tokens.user_token("x@y.z")


async def test_the_development_token_needs_the_development_partner(
    setup: tuple[MemoryDatabase, OperatorTokens],
) -> None:
    db, tokens = setup
    with pytest.raises(AdministrationError, match=r"no development partner here \(production"):
        await tokens.development_token()
    db.tables.partners[DEV_TENANT_ID] = DEV_PARTNER
    got = claims(await tokens.development_token())
    assert (got["tid"], got["azp"], got["idtyp"]) == (DEV_TENANT_ID, DEV_CLIENT_ID, "app")
