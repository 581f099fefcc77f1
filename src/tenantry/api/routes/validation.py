"""`GET /v1/countryvalidationrules/{iso2}` and `POST /v1/validations/address`.

The CountryInformation resource is rendered from `country_rules()`, the very value the
create-customer rules enforce, under both spellings clients know: the flat `*List` members
that the real service sends and the SDKs read (`supportedStatesList`, ...), and the
`{"value": [...]}` members of the documentation's example (`states`, ...).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.client_shapes import CallingClient
from tenantry.api.openapi import ADDRESS, PARTNER_CENTER_ERRORS, json_body
from tenantry.api.schemas.addresses import address_from_wire, address_validation_wire
from tenantry.domain.address_validation import suggest_country, validate_address
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.rules import CountryRules, country_rules
from tenantry.http.body import parse_json_object, read_body
from tenantry.http.deps import CallerDep
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["validation"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

_SHOWN_MAX = 40  # characters of an unknown country code quoted back in an error


@router.get("/v1/countryvalidationrules/{country}", summary="Get the address rules of a country")
async def get_country_validation_rules(country: str, _caller: CallerDep) -> Response:
    rules = country_rules(country)
    if rules is None:
        raise _rules_not_found(country)
    return Response(orjson.dumps(country_information_wire(rules)), media_type=JSON_TYPE)


@router.post(
    "/v1/validations/address", summary="Validate an address", openapi_extra=json_body(ADDRESS)
)
async def validate_an_address(request: Request, _caller: CallerDep) -> Response:
    address = address_from_wire(parse_json_object(await read_body(request)))
    verdict = validate_address(address)
    if CallingClient.of(request.headers).reads_boolean_address_validation:
        if not verdict.acceptable:
            raise ServiceError(
                Errors.ADDRESS_INVALID,
                {
                    "country": (address.country or "")[:_SHOWN_MAX],
                    # The status names as AddressValidationResponse spells them ("None" is
                    # Partner Center's status for a wrong address).
                    "details": f"status {verdict.status.value}: {verdict.message or ''}".strip(),
                },
            )
        return Response(b"true", media_type=JSON_TYPE)
    body = address_validation_wire(address, verdict)
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


def _rules_not_found(country: str) -> ServiceError:
    shown = country if len(country) <= _SHOWN_MAX else country[:_SHOWN_MAX] + "…"
    suggestion = suggest_country(country)
    if suggestion is None:
        return ServiceError(Errors.COUNTRY_RULES_NOT_FOUND, {"country": shown})
    params = {"country": shown, "suggestion": suggestion}
    problem = FieldProblem(
        Errors.COUNTRY_RULES_NOT_FOUND,
        "country",
        "'{country}' is not a country code known to Partner Center; did you mean '{suggestion}'?",
        params,
    )
    return ServiceError(Errors.COUNTRY_RULES_NOT_FOUND, params, (problem,))


def country_information_wire(rules: CountryRules) -> dict[str, Any]:
    """Partner Center's CountryInformation for one country (camelCase, nulls omitted)."""
    states = list(rules.states)
    languages = list(rules.supported_languages)
    cultures = list(rules.supported_cultures)
    calling_codes = list(rules.country_calling_codes)
    body: dict[str, Any] = {
        "iso2Code": rules.iso2_code,
        "defaultCulture": rules.default_culture,
        "isStateRequired": rules.is_state_required,
        "supportedStatesList": states,
        "states": {"value": states},
        "supportedLanguagesList": languages,
        "supportedLanguages": {"value": languages},
        "supportedCulturesList": cultures,
        "supportedCultures": {"value": cultures},
        "isPostalCodeRequired": rules.is_postal_code_required,
    }
    if rules.postal_code_regex is not None:
        body["postalCodeRegex"] = either_case(rules.postal_code_regex)
    body |= {
        "isCityRequired": rules.is_city_required,
        # Creating a customer takes no VAT or tax id, and no phone pattern fits what
        # create accepts (any *possible* number), so none of them is published.
        "isVatIdSupported": False,
        "isRegistrationNumberSupported": rules.is_registration_number_supported,
        "isTaxIdSupported": False,
        "countryCallingCodesList": calling_codes,
        "countryCallingCodes": {"value": calling_codes},
        "attributes": {"objectType": "CountryInformation"},
    }
    return body


def either_case(pattern: str) -> str:
    """`pattern` matching ASCII letters in either case, as create does (it upper-cases).

    Written out (`[Gg][Ii][Rr]`, `[A-Za-z]`) rather than with an inline `(?i)` flag, which
    JavaScript clients cannot compile.
    """
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif ch == "[":
            head = "[^" if pattern.startswith("[^", i) else "["
            end = _class_end(pattern, i + len(head))
            out.append(head + _with_other_case(pattern[i + len(head) : end]) + "]")
            i = end + 1
        else:
            out.append(f"[{ch.upper()}{ch.lower()}]" if ch.isascii() and ch.isalpha() else ch)
            i += 1
    return "".join(out)


def _class_end(pattern: str, j: int) -> int:
    """The index of the `]` closing a character class whose body starts at `j`."""
    if pattern.startswith("]", j):  # a leading ']' is a literal
        j += 1
    while pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j


def _with_other_case(body: str) -> str:
    """A character-class body plus its letters and letter ranges in the other case."""
    extra: list[str] = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if i + 2 < len(body) and body[i + 1] == "-" and body[i + 2] != "\\":
            low, high = body[i], body[i + 2]
            if low.isascii() and low.isalpha() and high.isascii() and high.isalpha():
                extra.append(f"{low.swapcase()}-{high.swapcase()}")
            i += 3
            continue
        if body[i].isascii() and body[i].isalpha():
            extra.append(body[i].swapcase())
        i += 1
    return body + "".join(extra)
