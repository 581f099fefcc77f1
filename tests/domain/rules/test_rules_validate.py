"""validate_new_customer as a client sees it: which code, which fields, in which order."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tenantry.domain.models import AddressDraft, CustomerDraft
from tenantry.domain.rules import domain_key, market_of
from tests.domain.rules.rules_helpers import (
    accept,
    assert_renderable,
    codes,
    partner_for,
    partner_in,
    refuse,
    rendered,
    seed_address,
    seed_draft,
)

ADDRESS = "billingProfile.defaultAddress"


def test_password_supplied_is_refused() -> None:
    error = refuse(seed_draft(password_supplied=True))

    assert codes(error) == [(880007, "userCredentials.password")]
    assert error.spec.status == 400


def test_missing_and_blank_required_fields_are_all_listed() -> None:
    draft = CustomerDraft(domain="", email="  ", address=AddressDraft(country="US", first_name=""))

    error = refuse(draft)

    assert codes(error) == [
        (880009, "companyProfile.domain"),
        (880009, "billingProfile.email"),
        (880009, "billingProfile.culture"),
        (880009, "billingProfile.language"),
        (880009, "billingProfile.companyName"),
        (880009, f"{ADDRESS}.addressLine1"),
        (880009, f"{ADDRESS}.firstName"),
        (880009, f"{ADDRESS}.lastName"),
        (2007, f"{ADDRESS}.state"),
        (2007, f"{ADDRESS}.postalCode"),
        (2007, f"{ADDRESS}.city"),
    ]
    assert error.params == {"field": "companyProfile.domain"}
    assert "companyProfile.domain: is required" in rendered(error)
    assert_renderable(error)


def test_missing_address_is_one_problem() -> None:
    error = refuse(replace(seed_draft(), address=None))

    assert codes(error) == [(880009, ADDRESS)]


def test_too_long_fields_give_880008_with_their_range() -> None:
    draft = seed_draft(
        seed_address(address_line1="x" * 201, first_name="G" * 51, phone_number="1" * 31),
        company_name="W" * 256,
    )

    error = refuse(draft)

    assert codes(error) == [
        (880008, "billingProfile.companyName"),
        (880008, f"{ADDRESS}.addressLine1"),
        (880008, f"{ADDRESS}.firstName"),
        (880008, f"{ADDRESS}.phoneNumber"),
    ]
    assert error.params == {"field": "billingProfile.companyName", "min": 1, "max": 255}
    assert f"{ADDRESS}.addressLine1: must be 1-200 characters long" in rendered(error)
    assert_renderable(error)


def test_three_letter_country_is_a_length_problem_not_an_unknown_country() -> None:
    error = refuse(seed_draft(seed_address(country="USA")))

    assert codes(error) == [(880008, f"{ADDRESS}.country")]
    assert error.params["min"] == 2
    assert error.params["max"] == 2


def test_uk_is_unknown_and_the_reason_suggests_gb() -> None:
    error = refuse(seed_draft(seed_address(country="UK")))

    assert codes(error) == [(880010, f"{ADDRESS}.country")]
    assert error.params["country"] == "UK"
    assert "did you mean 'GB'?" in rendered(error)[0]
    assert_renderable(error)


def test_unknown_country_skips_country_dependent_rules() -> None:
    error = refuse(seed_draft(seed_address(country="QQ", state="not a state", postal_code="?")))

    assert codes(error) == [(880010, f"{ADDRESS}.country")]


def test_customer_outside_the_partners_market_is_403_2030_alone() -> None:
    draft = seed_draft(
        seed_address(country="DE", state=None, city="Berlin", postal_code="10115"),
        culture="de-DE",
        language="de",
        email="not an e-mail",
        password_supplied=True,
    )

    error = refuse(draft, partner_in("US"))

    assert error.spec.code == 2030
    assert error.spec.status == 403
    assert error.params == {"country": "DE", "market": "United States"}
    assert error.problems == ()
    assert_renderable(error)


def test_partner_in_the_european_market_may_create_a_german_customer() -> None:
    draft = seed_draft(
        seed_address(country="DE", state=None, city="Berlin", postal_code="10115"),
        culture="de-DE",
        language="de",
    )

    assert accept(draft, partner_in("FR")).address.country == "DE"


def test_partner_in_a_country_of_no_market_may_create_only_in_its_own_country() -> None:
    draft = seed_draft(
        seed_address(
            country="RU",
            state="Moscow",
            city="Moscow",
            postal_code="101000",
            phone_number="+7 495 123-45-67",
        ),
        culture="ru-RU",
        language="ru",
        organization_registration_number="7707083893",
    )

    assert market_of("RU") is None
    assert accept(draft, partner_in("RU")).organization_registration_number == "7707083893"
    assert refuse(draft, partner_in("US")).spec.code == 2030


def test_invalid_domain_gives_880002() -> None:
    error = refuse(seed_draft(domain="wingtip-toys.onmicrosoft.com"))

    assert codes(error) == [(880002, "companyProfile.domain")]
    assert error.params == {"domain": "wingtip-toys.onmicrosoft.com", "suffix": ".onmicrosoft.com"}
    assert_renderable(error)


def test_microsoft_email_gives_880005() -> None:
    error = refuse(seed_draft(email="a@microsoft.com"))

    assert codes(error) == [(880005, "billingProfile.email")]
    assert "microsoft.com" in str(error.params["reason"])
    assert_renderable(error)


def test_bare_legal_form_company_name_gives_880006() -> None:
    error = refuse(seed_draft(company_name="LLC"))

    assert codes(error) == [(880006, "billingProfile.companyName")]
    assert_renderable(error)


def test_german_culture_for_a_us_address_gives_880003() -> None:
    error = refuse(seed_draft(culture="de-DE"))

    assert codes(error) == [(880003, "billingProfile.culture")]
    assert error.params == {"culture": "de-DE", "country": "US", "supported": "en-US, es-US"}
    assert_renderable(error)


def test_french_language_for_a_us_address_gives_880004() -> None:
    error = refuse(seed_draft(language="fr"))

    assert codes(error) == [(880004, "billingProfile.language")]
    assert error.params == {"language": "fr", "country": "US", "supported": "en, es"}
    assert_renderable(error)


@pytest.mark.parametrize("language", ["eng", "e", "en-US", "e1"])
def test_language_must_be_exactly_two_letters(language: str) -> None:
    error = refuse(seed_draft(language=language))

    assert codes(error) == [(880004, "billingProfile.language")]


def test_spanish_is_a_language_of_the_us() -> None:
    accepted = accept(seed_draft(culture="ES-us", language="ES"))

    assert (accepted.culture, accepted.language) == ("es-US", "ES")


def test_postal_code_of_another_state_gives_2007() -> None:
    error = refuse(seed_draft(seed_address(state="CA", postal_code="10001")))

    assert codes(error) == [(2007, f"{ADDRESS}.postalCode")]
    assert error.spec.status == 400
    assert error.params["country"] == "US"
    assert "10001" in str(error.params["details"])
    assert_renderable(error)


def test_us_address_rules_list_every_missing_part() -> None:
    error = refuse(seed_draft(seed_address(state="", city=None, postal_code="  ")))

    assert codes(error) == [
        (2007, f"{ADDRESS}.state"),
        (2007, f"{ADDRESS}.postalCode"),
        (2007, f"{ADDRESS}.city"),
    ]


def test_china_with_province_code_postal_code_phone_and_uscc_is_accepted() -> None:
    draft = seed_draft(
        seed_address(
            country="CN",
            state="BJ",
            city="Beijing",
            address_line1="No. 5 Danling Street",
            postal_code="100080",
            phone_number="010 5917 0000",
        ),
        culture="zh-cn",
        language="zh",
        organization_registration_number=" 91110000600037341L ",
    )

    accepted = accept(draft, partner_in("CN"))

    assert accepted.culture == "zh-CN"
    assert accepted.address.state == "BJ"
    assert accepted.address.city == "Beijing"
    assert accepted.organization_registration_number == "91110000600037341L"


def brazil(number: str | None, phone: str | None = "+55 11 2222-3333") -> CustomerDraft:
    return seed_draft(
        seed_address(
            country="BR", state="SP", city="São Paulo", postal_code="01310-100", phone_number=phone
        ),
        culture="pt-BR",
        language="pt",
        organization_registration_number=number,
    )


def test_brazil_with_a_valid_cnpj_is_accepted() -> None:
    assert accept(brazil("11.222.333/0001-81"), partner_in("BR")).address.state == "SP"


def test_brazil_with_a_bad_cnpj_checksum_gives_600050() -> None:
    error = refuse(brazil("11.222.333/0001-82"), partner_in("BR"))

    assert codes(error) == [(600050, "companyProfile.organizationRegistrationNumber")]
    assert "CNPJ" in str(error.params["pattern"])
    assert_renderable(error)


def test_brazil_without_number_or_phone_gives_600051_then_600049() -> None:
    error = refuse(brazil(None, phone=""), partner_in("BR"))

    assert codes(error) == [
        (600051, f"{ADDRESS}.phoneNumber"),
        (600049, "companyProfile.organizationRegistrationNumber"),
    ]
    assert error.params == {"country": "BR"}
    assert_renderable(error)


def test_impossible_phone_number_gives_880015() -> None:
    error = refuse(seed_draft(seed_address(phone_number="12")))

    assert codes(error) == [(880015, f"{ADDRESS}.phoneNumber")]
    assert error.params == {"phone": "12", "country": "US"}
    assert_renderable(error)


def test_registration_number_outside_the_regulated_countries_is_kept_unchecked() -> None:
    accepted = accept(seed_draft(organization_registration_number=" anything at all "))

    assert accepted.organization_registration_number == "anything at all"


def test_many_problems_are_listed_in_rule_order() -> None:
    draft = seed_draft(
        seed_address(state="XX", postal_code="1", phone_number="abc", last_name="L" * 60),
        domain="bad_domain.example.com",
        email="a@microsoft.com",
        company_name="-",
        culture="fr-FR",
        language="de",
        password_supplied=True,
    )

    error = refuse(draft)

    assert codes(error) == [
        (880007, "userCredentials.password"),
        (880008, f"{ADDRESS}.lastName"),
        (880002, "companyProfile.domain"),
        (880005, "billingProfile.email"),
        (880006, "billingProfile.companyName"),
        (880003, "billingProfile.culture"),
        (880004, "billingProfile.language"),
        (2007, f"{ADDRESS}.state"),
        (2007, f"{ADDRESS}.postalCode"),
        (880015, f"{ADDRESS}.phoneNumber"),
    ]
    assert error.spec.code == 880007
    assert len(rendered(error)) == 10
    assert_renderable(error)


def test_a_field_that_is_too_long_is_not_judged_again() -> None:
    error = refuse(seed_draft(seed_address(postal_code="9" * 21)))

    assert codes(error) == [(880008, f"{ADDRESS}.postalCode")]


def test_domain_key_is_case_insensitive() -> None:
    assert domain_key("Contoso.OnMicrosoft.com") == domain_key("contoso.onmicrosoft.com")


def test_partner_factory_market_holds_the_country() -> None:
    assert market_of(partner_for("NZ").country) == "New Zealand"
