"""What creating a customer enforces for one country, in one value.

`country_rules` is computed from the very functions the validators call, so what Tenantry
publishes (Partner Center's `CountryInformation`) and what it enforces cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tenantry.domain.rules import addresses, locales, markets, phones, registration, regulated


@dataclass(frozen=True)
class CountryRules:
    """The create-customer rules of one country (Partner Center's CountryInformation)."""

    iso2_code: str
    default_culture: str
    is_state_required: bool
    states: tuple[str, ...]
    supported_languages: tuple[str, ...]
    supported_cultures: tuple[str, ...]
    is_postal_code_required: bool
    postal_code_regex: str | None
    is_city_required: bool
    phone_number_required: bool
    is_registration_number_supported: bool
    registration_number_required: bool
    registration_number_format: str | None
    country_calling_codes: tuple[str, ...]
    market: str | None


@cache
def _rules(code: str) -> CountryRules:
    cultures = locales.cultures_of(code)
    address = addresses.address_rules(code)
    return CountryRules(
        iso2_code=code,
        default_culture=cultures[0],
        is_state_required=address.is_state_required,
        states=address.states,
        supported_languages=locales.languages_of(code),
        supported_cultures=cultures,
        is_postal_code_required=address.is_postal_code_required,
        postal_code_regex=address.postal_code_regex,
        is_city_required=address.is_city_required,
        phone_number_required=regulated.is_phone_required(code),
        is_registration_number_supported=registration.registration_format(code) is not None,
        registration_number_required=registration.is_registration_required(code),
        registration_number_format=registration.registration_format(code),
        country_calling_codes=phones.calling_codes(code),
        market=markets.market_of(code),
    )


def country_rules(iso2: str) -> CountryRules | None:
    """The rules of a country of the locales table (case-insensitive); None otherwise."""
    code = iso2.strip().upper()
    if not locales.is_known_country(code):
        return None
    return _rules(code)
