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
from tenantry.domain.rules import CountryRules, country_rules, fields
from tenantry.http.body import read_body
from tenantry.http.field_messages import sentence
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
# The account step's `enableGDAPByDefault` choice: "on" or "off".
GDAP = "gdap"
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
    values = {name: form.first(name).strip()[:_KEEP_MAX] for name in ACCOUNT_FIELDS}
    # A checkbox: absent when unticked. The form says it showed one with `gdap-shown`.
    values[GDAP] = "on" if form.first(GDAP) == "on" or not form.first("gdap-shown") else "off"
    return values


def gdap_chosen(values: Mapping[str, str]) -> bool:
    """Whether the customer gets the default GDAP relationship (Partner Center's default)."""
    return values.get(GDAP, "on") != "off"


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
        enable_gdap_by_default=gdap_chosen(values),
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


def field_errors(
    error: ServiceError, locale: str, country: str = ""
) -> tuple[dict[str, str], list[str]]:
    """Messages by form field (full sentences naming the field), and those that belong to
    no field (shown above the form)."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for problem in error.problems:
        name = _BY_PATH.get(problem.path)
        if name is None:
            general.append(fill(translate(locale, problem.reason), problem.params))
        else:
            by_field.setdefault(name, sentence(locale, problem, country))
    if not error.problems:
        general.append(fill(translate(locale, error.spec.message), error.params))
    return by_field, general


def fit_to_country(
    values: Mapping[str, str], rules: CountryRules, previous: str = ""
) -> dict[str, str]:
    """Culture and language from the country's lists; a listed state only if it is one. A
    state picked from the previous country's list means nothing in another country (Guam
    has no "WA"): it is cleared too."""
    values = dict(values)
    if values.get("culture") not in rules.supported_cultures:
        values["culture"] = rules.default_culture
    if values.get("language") not in rules.supported_languages:
        values["language"] = rules.supported_languages[0]
    state = values.get("state", "").upper()
    if rules.states and state not in rules.states:
        values["state"] = ""
    old = country_rules(previous) if previous else None
    if old is not None and old.iso2_code != rules.iso2_code and state in old.states:
        values["state"] = "" if state not in rules.states else values["state"]
    return values
