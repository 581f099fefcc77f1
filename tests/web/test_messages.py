"""Messages for people: sentences per field, names instead of codes, plural-aware counts."""

from __future__ import annotations

import string

import pytest

from tenantry.domain.errors import ServiceError
from tenantry.domain.models import AddressDraft, CustomerDraft, Partner, PartnerType
from tenantry.domain.rules import country_rules, validate_new_customer
from tenantry.http.field_messages import EMAIL_REASONS, SENTENCES, sentence
from tenantry.http.i18n import catalog
from tenantry.http.names import country_name, culture_name, language_name, person_name, state_name
from tenantry.web.portal.forms import fit_to_country
from tenantry.web.portal.wizard_pages import licenses

PARTNER = Partner("partner", "Partner", PartnerType.DIRECT_BILL, "US")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
def test_every_sentence_is_translated_with_its_placeholders(locale: str) -> None:
    for text in [*SENTENCES.values(), *EMAIL_REASONS.values()]:
        translation = catalog(locale).get(text, "")
        assert translation, f"{locale} lacks {text!r}"
        assert _placeholders(translation) == _placeholders(text), text


def _problems(**address: str) -> list[str]:
    values = {
        "country": "US",
        "city": "Redmond",
        "state": "WA",
        "address_line1": "1 Main Street",
        "postal_code": "98052",
        "first_name": "Mei",
        "last_name": "Lin",
    } | address
    draft = CustomerDraft(
        domain="contoso.onmicrosoft.com",
        email="mei@contoso.com",
        culture="en-US",
        language="en",
        company_name="Contoso",
        address=AddressDraft(**values),
    )
    with pytest.raises(ServiceError) as raised:
        validate_new_customer(draft, PARTNER, sandbox=True)
    return [sentence("en-US", p) for p in raised.value.problems]


def test_a_postal_code_error_gives_an_example_not_a_pattern() -> None:
    (text,) = _problems(postal_code="9805")
    assert text == (
        "ZIP code '9805' does not have the format used in the United States. Example: 95014."
    )


def test_a_missing_state_names_the_field_and_the_country() -> None:
    (text,) = _problems(state="")
    assert text == "State is required for addresses in the United States. Choose one from the list."


def test_a_postal_code_of_another_state_names_the_state() -> None:
    (text,) = _problems(postal_code="10001")
    assert text == "ZIP code '10001' does not belong to Washington. Check both fields."


@pytest.mark.parametrize(
    ("locale", "country", "culture", "language"),
    [
        ("en-US", "Guam", "English (United States)", "Chinese (Simplified)"),
        ("zh-CN", "关岛", "英语 (美国)", "中文 (简体)"),
        ("zh-TW", "關島", "英文 (美國)", "中文 (繁體)"),
    ],
)
def test_codes_become_names_in_the_pages_language(
    locale: str, country: str, culture: str, language: str
) -> None:
    assert country_name(locale, "GU") == country
    assert culture_name(locale, "en-US") == culture
    assert language_name(locale, "zh-CHS" if locale != "zh-TW" else "zh-CHT") == language


def test_state_names_are_translated_where_the_data_has_them() -> None:
    assert state_name("en-US", "US", "WA") == "Washington"
    assert state_name("zh-CN", "US", "WA") == "华盛顿州"
    assert state_name("zh-CN", "CN", "GD") == "广东省"
    assert state_name("en-US", "GB", "Kent") == "Kent"  # free text stays as typed


def test_chinese_pages_put_the_family_name_first() -> None:
    assert person_name("en-US", "Mei", "Lin") == "Mei Lin"
    assert person_name("zh-CN", "美", "林") == "林美"
    assert person_name("zh-TW", "Mei", "Lin") == "Lin Mei"


def test_license_counts_follow_the_languages_plural_rule() -> None:
    assert licenses("en-US", 1) == "1 license"
    assert licenses("en-US", 2) == "2 licenses"
    assert licenses("zh-CN", 1) == "1 个许可证"
    assert licenses("zh-TW", 3) == "3 個授權"


def test_a_state_of_the_old_country_is_cleared_for_a_country_without_it() -> None:
    guam = country_rules("GU")
    assert guam is not None
    moved = fit_to_country({"country": "GU", "state": "WA"}, guam, previous="US")
    assert moved["state"] == ""
    kept = fit_to_country({"country": "GU", "state": "Hagåtña"}, guam, previous="US")
    assert kept["state"] == "Hagåtña"
