"""What a token request or sign-in asks for: the API (audience) and OpenID Connect scopes.

The v1 endpoints name a `resource`; the v2 endpoints a scope `<resource>/.default` (or
`/user_impersonation` for a user), possibly beside OpenID Connect scopes.
"""

from __future__ import annotations

from tenantry.auth.tokens import AUDIENCES, PARTNER_CENTER_AUDIENCE

OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


class ScopeError(Exception):
    def __init__(self, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.error, self.aadsts, self.description = error, aadsts, description


def requested_audience(params: dict[str, str], v1: bool) -> str:
    if v1:
        resource = (params.get("resource") or PARTNER_CENTER_AUDIENCE).rstrip("/")
        if resource not in AUDIENCES:
            raise ScopeError("invalid_resource", 500011, f"Unknown resource '{resource}'.")
        return resource
    requested = params.get("scope") or f"{PARTNER_CENTER_AUDIENCE}/.default"
    for scope in requested.split():
        if scope in OIDC_SCOPES:
            continue
        resource, _, permission = scope.rstrip("/").rpartition("/")
        if resource.rstrip("/") in AUDIENCES and permission in (".default", "user_impersonation"):
            return resource.rstrip("/")
        break
    raise ScopeError(
        "invalid_scope",
        70011,
        f"The scope '{requested}' is not valid: use '<resource>/.default'.",
    )


def oidc_scopes(scope: str) -> frozenset[str]:
    """The OpenID Connect scopes among the requested ones."""
    return frozenset(s for s in scope.split() if s in OIDC_SCOPES)
