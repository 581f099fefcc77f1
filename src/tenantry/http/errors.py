"""The Partner Center error envelope, rendered once for every failure."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from tenantry.domain.errors import Errors, ServiceError, fill
from tenantry.http.field_messages import sentence, speaks_of
from tenantry.http.i18n import DEFAULT_LOCALE, translate

SOURCE = "PartnerFD"
MAX_DESCRIPTION = 1024
JSON_TYPE = "application/json; charset=utf-8"


def envelope(error: ServiceError, locale: str) -> dict[str, object]:
    description = fill(translate(locale, error.spec.message), error.params)
    data = [f"{p.path}: {fill(translate(locale, p.reason), p.params)}" for p in error.problems]
    if locale != DEFAULT_LOCALE and error.problems:
        # In Chinese, a problem with a create field reads as a sentence for people (names,
        # examples) rather than the English wire text with a library's words or a pattern.
        data = [
            f"{p.path}: {sentence(locale, p)}" if speaks_of(p) else d
            for p, d in zip(error.problems, data, strict=True)
        ]
        if speaks_of(error.problems[0]):
            description = sentence(locale, error.problems[0])
    if len(description) > MAX_DESCRIPTION:
        description = description[: MAX_DESCRIPTION - 1] + "…"
    return {
        "code": error.spec.code,
        "description": description,
        "data": data,
        "source": SOURCE,
    }


def envelope_bytes(error: ServiceError, locale: str) -> bytes:
    return orjson.dumps(envelope(error, locale))


def error_headers(error: ServiceError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if error.spec.status == 401:
        challenge = 'Bearer realm="https://api.partnercenter.microsoft.com"'
        if error.spec.code != Errors.UNAUTHENTICATED.code:  # RFC 6750: no error without a token
            challenge += ', error="invalid_token"'
        headers["WWW-Authenticate"] = challenge
    seconds = error.params.get("seconds")
    if error.spec.status == 503 and seconds is not None:
        headers["Retry-After"] = str(seconds)
    return headers


def error_response(error: ServiceError, locale: str) -> Response:
    return Response(
        envelope_bytes(error, locale),
        status_code=error.spec.status,
        headers=error_headers(error),
        media_type=JSON_TYPE,
    )
