"""What the OpenAPI document (`/openapi.json`) says about bodies the routes read themselves.

The routes parse their bodies by hand (case-insensitive member names, trailing commas, the
error envelope on any mistake), so FastAPI cannot derive these schemas: they are written
here, once, and attached to the routes with `responses=` and `openapi_extra=`. The fuzz
suite (tests/reliability/test_fuzz_openapi.py) holds every answer to them.
"""

from __future__ import annotations

from typing import Any

from tenantry.http.wire import ADDRESS_MEMBERS

JSON = "application/json"

# The Partner Center error envelope (http/errors.py): every failure of a /v1 route.
ERROR_ENVELOPE: dict[str, Any] = {
    "title": "PartnerCenterError",
    "type": "object",
    "required": ["code", "description", "data", "source"],
    "properties": {
        "code": {"type": "integer"},
        "description": {"type": "string"},
        "data": {"type": "array", "items": {"type": "string"}},
        "source": {"type": "string"},
    },
}

# Partner Center's throttling answer (429), which is not the envelope.
THROTTLED: dict[str, Any] = {
    "title": "Throttled",
    "type": "object",
    "required": ["statusCode", "message"],
    "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
}

# Entra ID's OAuth error format, used by the token endpoints.
OAUTH_ERROR: dict[str, Any] = {
    "title": "OAuthError",
    "type": "object",
    "required": ["error", "error_description", "error_codes"],
    "properties": {
        "error": {"type": "string"},
        "error_description": {"type": "string"},
        "error_codes": {"type": "array", "items": {"type": "integer"}},
        "timestamp": {"type": "string"},
        "trace_id": {"type": "string"},
        "correlation_id": {"type": "string"},
    },
}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


# For a router's `responses=`: any status other than the route's success is the envelope.
PARTNER_CENTER_ERRORS: dict[int | str, dict[str, Any]] = {
    "default": _json_response(
        "An error, in Partner Center's envelope (see docs/errors.md for the codes).",
        ERROR_ENVELOPE,
    ),
}

THROTTLED_RESPONSE: dict[int | str, dict[str, Any]] = {
    429: _json_response("Too many requests for this partner; see Retry-After.", THROTTLED),
}

OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    "default": _json_response("An error, in Entra ID's OAuth format.", OAUTH_ERROR),
}

# Member names are case-insensitive on the wire; the schemas show the camelCase spelling.
_TEXT: dict[str, Any] = {"type": ["string", "null"]}

ADDRESS: dict[str, Any] = {
    "type": "object",
    "properties": dict.fromkeys(
        (wire for wire, _ in ADDRESS_MEMBERS),
        _TEXT,
    ),
}

BILLING_PROFILE: dict[str, Any] = {
    "type": "object",
    "properties": {
        **dict.fromkeys(
            ("email", "culture", "language", "companyName", "firstName", "lastName"), _TEXT
        ),
        "defaultAddress": ADDRESS,
    },
}

CREATE_CUSTOMER: dict[str, Any] = {
    "title": "CreateCustomer",
    "type": "object",
    "properties": {
        "companyProfile": {
            "type": "object",
            "properties": {"domain": _TEXT, "organizationRegistrationNumber": _TEXT},
        },
        "billingProfile": BILLING_PROFILE,
        "enableGDAPByDefault": {"type": ["boolean", "null"]},
        "associatedPartnerId": _TEXT,
    },
}

UPDATE_CUSTOMER: dict[str, Any] = {
    "title": "UpdateCustomer",
    "type": "object",
    "properties": {"relationshipToPartner": {"type": "string"}},
}

TOKEN_FORM: dict[str, Any] = {
    "title": "TokenRequest",
    "type": "object",
    "properties": {
        name: {"type": "string"}
        for name in (
            "grant_type",
            "client_id",
            "client_secret",
            "scope",
            "resource",
            "code",
            "redirect_uri",
            "code_verifier",
            "refresh_token",
            "username",
            "password",
        )
    },
}


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """For a route's `openapi_extra=`: the JSON body it reads."""
    return {"requestBody": {"required": True, "content": {JSON: {"schema": schema}}}}


def form_body(schema: dict[str, Any]) -> dict[str, Any]:
    """For a route's `openapi_extra=`: the form it reads."""
    form = "application/x-www-form-urlencoded"
    return {"requestBody": {"required": True, "content": {form: {"schema": schema}}}}
