"""The wizard's account form: posted fields, the draft they make, and errors per field.

The draft goes through `validate_new_customer`, the very rule set of `POST /v1/customers`;
each field problem is shown beside its input, in the page's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request

from tenantry.domain.errors import ServiceError, fill
from tenantry.domain.models import AddressDraft, CustomerDraft
from tenantry.domain.rules import CountryRules, fields
from tenantry.http.body import read_body
from tenantry.http.i18n import translate

FORM_LIMIT = 32 * 1024
DOMAIN_SUFFIX = ".onmicrosoft.com"

# Form input name -> the create body's JSON path (what the validator names).
ACCOUNT_FIELDS = {
    "company": fields.COMPANY_NAME,
    "first_name": fields.FIRST_NAME,
    "last_name": fields.LAST_NAME,
    "email": fields.EMAIL,
    "phone": fields.PHONE_NUMBER,
    "culture": fields.CULTURE,
    "language": fields.LANGUAGE,
    "country": fields.COUNTRY,
    "line1": fields.ADDRESS_LINE1,
    "line2": fields.ADDRESS_LINE2,
    "city": fields.CITY,
    "state": fields.STATE,
    "postal_code": fields.POSTAL_CODE,
    "domain": fields.DOMAIN,
    "registration": fields.REGISTRATION_NUMBER,
}
_BY_PATH = {path: name for name, path in ACCOUNT_FIELDS.items()}
# The most a kept field may hold: past every length rule, short enough for a cookie.
_KEEP_MAX = 256


@dataclass
class Form:
    values: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        found = self.values.get(name)
        return found[0] if found else ""

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])


async def read_form(request: Request) -> Form:
    """An urlencoded form; an unreadable body reads as an empty form."""
    try:
        raw = await read_body(request, FORM_LIMIT)
        return Form(parse_qs(raw.decode("utf-8"), keep_blank_values=True))
    except (ServiceError, UnicodeDecodeError, ValueError):
        return Form()


def account_values(form: Form) -> dict[str, str]:
    return {name: form.first(name).strip()[:_KEEP_MAX] for name in ACCOUNT_FIELDS}


def full_domain(prefix: str) -> str:
    prefix = prefix.strip()
    if prefix.lower().endswith(DOMAIN_SUFFIX):
        return prefix
    return prefix + DOMAIN_SUFFIX if prefix else ""


def draft_of(values: Mapping[str, str]) -> CustomerDraft:
    def given(name: str) -> str | None:
        return values.get(name) or None

    return CustomerDraft(
        domain=given("domain") and full_domain(values["domain"]),
        organization_registration_number=given("registration"),
        email=given("email"),
        culture=given("culture"),
        language=given("language"),
        company_name=given("company"),
        address=AddressDraft(
            country=given("country"),
            city=given("city"),
            state=given("state"),
            address_line1=given("line1"),
            address_line2=given("line2"),
            postal_code=given("postal_code"),
            first_name=given("first_name"),
            last_name=given("last_name"),
            phone_number=given("phone"),
        ),
    )


def field_errors(error: ServiceError, locale: str) -> tuple[dict[str, str], list[str]]:
    """Messages by form field, and those that belong to no field (shown above the form)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for problem in error.problems:
        text = fill(translate(locale, problem.reason), problem.params)
        name = _BY_PATH.get(problem.path)
        if name is None:
            general.append(text)
        else:
            by_field.setdefault(name, text)
    if not error.problems:
        general.append(fill(translate(locale, error.spec.message), error.params))
    return by_field, general


def fit_to_country(values: Mapping[str, str], rules: CountryRules) -> dict[str, str]:
    """Culture and language from the country's lists; a listed state only if it is one."""
    values = dict(values)
    if values.get("culture") not in rules.supported_cultures:
        values["culture"] = rules.default_culture
    if values.get("language") not in rules.supported_languages:
        values["language"] = rules.supported_languages[0]
    if rules.states and values.get("state", "").upper() not in rules.states:
        values["state"] = ""
    return values
