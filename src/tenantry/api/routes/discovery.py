"""OpenID Connect discovery and the signing keys, so that standard clients and other
services can find the endpoints and verify Tenantry's tokens offline."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from jwt.algorithms import RSAAlgorithm
from starlette.requests import Request
from starlette.responses import Response

from tenantry.http.deps import runtime_of

router = APIRouter(tags=["oauth"])


def _json(body: object) -> Response:
    return Response(
        orjson.dumps(body),
        headers={"Cache-Control": "public, max-age=3600"},
        media_type="application/json; charset=utf-8",
    )


@router.get(
    "/{tenant}/v2.0/.well-known/openid-configuration",
    summary="OpenID Connect discovery document",
)
async def openid_configuration(tenant: str, request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    return _json(
        {
            "issuer": f"https://login.microsoftonline.com/{tenant}/v2.0",
            "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "client_credentials",
            ],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["sub", "oid", "tid", "name", "preferred_username", "amr", "nonce"],
        }
    )


@router.get("/{tenant}/discovery/v2.0/keys", summary="The token signing keys (JWKS)")
async def signing_keys(tenant: str, request: Request) -> Response:
    keys = []
    for kid, public in runtime_of(request).tokens.keys.public_keys():
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        keys.append(jwk | {"kid": kid, "use": "sig", "alg": "RS256", "kty": "RSA"})
    return _json({"keys": keys})
