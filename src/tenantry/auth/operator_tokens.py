"""Tokens the operator prints at the command line (`tenantry token`), for scripts and tests.

The operator vouches for the user, so no password is asked; a user set up to have no
second factor gets a token without the MFA claim, as their own sign-in would.
"""

from __future__ import annotations

from tenantry.auth import second_factor
from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID
from tenantry.auth.errors import AdministrationError
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE, TokenService
from tenantry.domain.ports import UnitOfWorkFactory

# The `azp` of tokens printed for a user: they come from the operator's command line, not
# from a registered app.
CLI_CLIENT_ID = "tenantry-cli"


class OperatorTokens:
    def __init__(self, uow: UnitOfWorkFactory, tokens: TokenService) -> None:
        self._uow = uow
        self._tokens = tokens

    async def user_token(self, user_principal_name: str) -> str:
        """An App+User token for a partner user."""
        async with self._uow() as work:
            user = await work.partners.get_user(user_principal_name)
        if user is None:
            raise AdministrationError(f"there is no partner user {user_principal_name!r} here")
        token, _ = self._tokens.issue_user_token(
            user.partner_id,
            CLI_CLIENT_ID,
            user,
            PARTNER_CENTER_AUDIENCE,
            mfa=user.mfa != second_factor.NONE,
        )
        return token

    async def development_token(self) -> str:
        """The sandbox development partner's App-only token."""
        async with self._uow() as work:
            partner = await work.partners.get(DEV_TENANT_ID)
        if partner is None:
            raise AdministrationError("there is no development partner here (production mode?)")
        token, _ = self._tokens.issue_app_token(
            DEV_TENANT_ID, DEV_CLIENT_ID, PARTNER_CENTER_AUDIENCE
        )
        return token
