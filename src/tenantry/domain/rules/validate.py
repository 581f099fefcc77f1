"""`validate_new_customer`: every create-customer rule, applied in a fixed order.

Regional authorization comes first and alone (403). Field problems are then collected, not
stopped at the first, in this order: password supplied, required fields, lengths, unknown
country, domain, e-mail, company name, culture, language, address rules, phone number,
registration number. A field that is missing or too long is not judged again by a later
rule, and country-dependent rules are skipped while the country itself is not valid.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.models import Address, AddressDraft, CustomerDraft, Partner, ValidCustomer
from tenantry.domain.rules import addresses, company_names, emails, fields, locales, markets
from tenantry.domain.rules.domains import check_domain
from tenantry.domain.rules.phones import check_phone
from tenantry.domain.rules.registration import check_registration, clean_registration

_NO_ADDRESS = AddressDraft()


def validate_new_customer(
    draft: CustomerDraft, partner: Partner, *, sandbox: bool
) -> ValidCustomer:
    """Apply every create rule to `draft`; raise `ServiceError` or return canonical values."""
    address = draft.address or _NO_ADDRESS
    country = _valid_country(address.country)
    if country is not None:
        _authorize(partner, country)

    problems: list[FieldProblem] = []
    if draft.password_supplied:
        problems.append(
            FieldProblem(Errors.PASSWORD_NOT_ACCEPTED, fields.PASSWORD, "cannot be supplied")
        )
    problems += _missing(draft)
    problems += _lengths(draft, address)
    settled = {problem.path for problem in problems}
    problems += _unknown_country(address.country, settled)

    later: list[FieldProblem] = []
    if not fields.is_blank(draft.domain):
        later += check_domain(draft.domain or "", sandbox=sandbox)
    if not fields.is_blank(draft.email):
        later += emails.check_email(draft.email or "")
    if not fields.is_blank(draft.company_name):
        later += company_names.check_company_name(draft.company_name or "")
    if country is not None:
        later += _culture_and_language(draft, country)
        later += addresses.check_address(
            country, state=address.state, city=address.city, postal_code=address.postal_code
        )
        later += check_phone(country, address.phone_number)
        later += check_registration(country, draft.organization_registration_number)
    problems += [problem for problem in later if problem.path not in settled]

    if problems:
        raise ServiceError.from_problems(problems)
    return _accepted(draft, address, country or "")


def _valid_country(country: str | None) -> str | None:
    """The upper-case country when it is two characters and in the locales table."""
    if country is None or len(country) != 2 or not locales.is_known_country(country):
        return None
    return country.upper()


def _authorize(partner: Partner, country: str) -> None:
    if not markets.may_sell_to(partner.country, country):
        market, _ = markets.partner_market(partner.country)
        raise ServiceError(Errors.MARKET_NOT_ALLOWED, {"country": country, "market": market})


def _missing(draft: CustomerDraft) -> list[FieldProblem]:
    required: list[tuple[str, str | None]] = [
        (fields.DOMAIN, draft.domain),
        (fields.EMAIL, draft.email),
        (fields.CULTURE, draft.culture),
        (fields.LANGUAGE, draft.language),
        (fields.COMPANY_NAME, draft.company_name),
    ]
    address = draft.address
    if address is None:
        required.append((fields.ADDRESS, None))
    else:
        required += [
            (fields.ADDRESS_LINE1, address.address_line1),
            (fields.COUNTRY, address.country),
            (fields.FIRST_NAME, address.first_name),
            (fields.LAST_NAME, address.last_name),
        ]
    return [FieldProblem.required(path) for path, value in required if fields.is_blank(value)]


def _lengths(draft: CustomerDraft, address: AddressDraft) -> list[FieldProblem]:
    state_max = addresses.FREE_TEXT_STATE_MAX
    country = _valid_country(address.country)
    if country is not None:
        state_max = addresses.address_rules(country).state_max_length
    limits: list[tuple[str, str | None, int, int]] = [
        (fields.EMAIL, draft.email, 1, emails.MAX_LENGTH),
        (fields.CULTURE, draft.culture, 1, 20),
        (fields.LANGUAGE, draft.language, 1, 10),
        (fields.COMPANY_NAME, draft.company_name, 1, company_names.MAX_LENGTH),
        (fields.BILLING_FIRST_NAME, draft.billing_first_name, 0, 50),
        (fields.BILLING_LAST_NAME, draft.billing_last_name, 0, 50),
        (fields.ADDRESS_LINE1, address.address_line1, 1, 200),
        (fields.ADDRESS_LINE2, address.address_line2, 0, 200),
        (fields.CITY, address.city, 0, 100),
        (fields.STATE, address.state, 0, state_max),
        (fields.POSTAL_CODE, address.postal_code, 0, 20),
        (fields.COUNTRY, address.country, 2, 2),
        (fields.REGION, address.region, 0, 100),
        (fields.FIRST_NAME, address.first_name, 1, 50),
        (fields.MIDDLE_NAME, address.middle_name, 1, 50),
        (fields.LAST_NAME, address.last_name, 1, 50),
        (fields.PHONE_NUMBER, address.phone_number, 0, 30),
        (fields.REGISTRATION_NUMBER, draft.organization_registration_number, 0, 64),
    ]
    return [
        FieldProblem.length(path, high, low)
        for path, value, low, high in limits
        if not fields.is_blank(value) and not low <= len(value or "") <= high
    ]


def _unknown_country(country: str | None, settled: Iterable[str]) -> list[FieldProblem]:
    if fields.COUNTRY in settled or country is None or locales.is_known_country(country):
        return []
    suggestion = locales.suggest_country(country)
    params: dict[str, object] = {"country": country}
    reason = "'{country}' is not a country code known to Partner Center"
    if suggestion is not None:
        params["suggestion"] = suggestion
        reason += "; did you mean '{suggestion}'?"
    return [FieldProblem(Errors.COUNTRY_UNKNOWN, fields.COUNTRY, reason, params)]


def _culture_and_language(draft: CustomerDraft, country: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    culture, language = draft.culture, draft.language
    if not fields.is_blank(culture) and locales.canonical_culture(country, culture or "") is None:
        problems.append(
            FieldProblem(
                Errors.CULTURE_UNSUPPORTED,
                fields.CULTURE,
                "'{culture}' is not a culture of {country} (supported: {supported})",
                {
                    "culture": culture,
                    "country": country,
                    "supported": ", ".join(locales.cultures_of(country)),
                },
            )
        )
    if not fields.is_blank(language) and not locales.is_supported_language(country, language or ""):
        problems.append(
            FieldProblem(
                Errors.LANGUAGE_UNSUPPORTED,
                fields.LANGUAGE,
                "'{language}' is not a language of {country} (supported: {supported})",
                {
                    "language": language,
                    "country": country,
                    "supported": ", ".join(locales.languages_of(country)),
                },
            )
        )
    return problems


def _given(value: str | None) -> str:
    """A required value, known to be present once validation passed."""
    if value is None:  # pragma: no cover - guarded by the required-field rule
        raise ValueError("validated draft lacks a required value")
    return value


def _accepted(draft: CustomerDraft, address: AddressDraft, country: str) -> ValidCustomer:
    culture = _given(draft.culture)
    return ValidCustomer(
        domain=_given(draft.domain),
        email=_given(draft.email),
        culture=locales.canonical_culture(country, culture) or culture,
        language=_given(draft.language),
        company_name=_given(draft.company_name),
        address=Address(
            country=country,
            address_line1=_given(address.address_line1),
            first_name=_given(address.first_name),
            last_name=_given(address.last_name),
            city=address.city,
            state=_canonical_state(country, address.state),
            postal_code=address.postal_code,
            region=address.region,
            address_line2=address.address_line2,
            middle_name=address.middle_name,
            # A blank phone number means "not given", and is answered as "".
            phone_number="" if fields.is_blank(address.phone_number) else address.phone_number,
        ),
        enable_gdap_by_default=(
            True if draft.enable_gdap_by_default is None else draft.enable_gdap_by_default
        ),
        organization_registration_number=clean_registration(draft.organization_registration_number),
        billing_first_name=draft.billing_first_name,
        billing_last_name=draft.billing_last_name,
        associated_partner_id=draft.associated_partner_id,
    )


def _canonical_state(country: str, state: str | None) -> str | None:
    """Partner Center's short code (upper case) where a state list applies; else as given."""
    if state is not None and addresses.is_listed_state(country, state):
        return state.strip().upper()
    return state
