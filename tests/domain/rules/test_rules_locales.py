"""The supported languages and locales table, and what it makes of cultures/languages."""

from __future__ import annotations

import pytest

from tenantry.domain.rules import locales


def test_table_has_partner_centers_248_rows_135_cultures_70_languages() -> None:
    countries = locales.known_countries()
    cultures = {c for code in countries for c in locales.cultures_of(code)}
    languages = {lang for code in countries for lang in locales.languages_of(code)}

    assert len(countries) == 248
    assert len(cultures) == 135
    assert len(languages) == 70  # 68 two-letter codes, zh-CHS and zh-CHT


@pytest.mark.parametrize("code", ["XK", "XJ", "XS", "XE", "AN"])
def test_non_iso_codes_of_the_table_are_known(code: str) -> None:
    assert locales.is_known_country(code)


def test_rows_keep_table_order_and_the_first_culture_is_the_default() -> None:
    assert locales.cultures_of("ES") == ("es-ES", "ca-ES", "eu-ES", "gl-ES", "en-US")
    assert locales.cultures_of("MZ") == ("pt-PT",)
    assert locales.languages_of("US") == ("en", "es")
    assert locales.languages_of("CN") == ("zh-CHS", "en")  # as the real service answers
    assert locales.languages_of("TW")[0] == "zh-CHT"


@pytest.mark.parametrize("language", ["zh-CHS", "zh-chs", "ZH-CHS", "zh", "ZH", "en"])
def test_china_takes_the_script_language_and_its_two_letters(language: str) -> None:
    assert locales.is_supported_language("CN", language)


@pytest.mark.parametrize("language", ["zh-CHT", "zh-Hans", "zhs", "de", "z"])
def test_china_refuses_other_languages(language: str) -> None:
    assert not locales.is_supported_language("CN", language)


def test_culture_matching_is_case_insensitive_and_returns_the_table_form() -> None:
    assert locales.canonical_culture("US", "EN-US") == "en-US"
    assert locales.canonical_culture("rs", "SR-CYRL-RS") == "sr-Cyrl-RS"
    assert locales.canonical_culture("US", "en-GB") is None


@pytest.mark.parametrize(
    ("typed", "meant"), [("UK", "GB"), ("uk", "GB"), ("BU", "MM"), ("ZR", "CD")]
)
def test_unknown_codes_get_an_obvious_suggestion(typed: str, meant: str) -> None:
    assert locales.suggest_country(typed) == meant


@pytest.mark.parametrize("typed", ["QQ", "US", "YU"])
def test_no_suggestion_when_nothing_is_obvious(typed: str) -> None:
    assert locales.suggest_country(typed) is None
