"""The CSP regional authorization table, converted to country codes."""

from __future__ import annotations

import pytest

from tenantry.domain.rules import locales, market_of, markets

SIZES = {
    "Africa": 47,
    "Asia and Pacific": 18,
    "Australia": 21,
    "Brazil": 1,
    "Canada": 2,
    "China": 1,
    "Europe": 45,
    "India": 1,
    "Japan": 1,
    "Korea, Republic of": 1,
    "Latin America and the Caribbean": 53,
    "Middle East, Central Europe, and Eastern Europe": 44,
    "New Zealand": 3,
    "Taiwan": 1,
    "United States": 5,
}


def test_every_market_has_the_tables_number_of_countries() -> None:
    assert {name: len(codes) for name, codes in markets.markets().items()} == SIZES


def test_every_market_country_is_in_the_locales_table_and_in_one_market_only() -> None:
    codes = [code for members in markets.markets().values() for code in members]

    assert len(codes) == len(set(codes))
    assert all(locales.is_known_country(code) for code in codes)


@pytest.mark.parametrize(
    ("country", "market"),
    [
        ("GB", "Europe"),
        ("CD", "Africa"),
        ("TR", "Middle East, Central Europe, and Eastern Europe"),
        ("XK", "Middle East, Central Europe, and Eastern Europe"),
        ("BQ", "Latin America and the Caribbean"),
        ("XS", "Latin America and the Caribbean"),
        ("XE", "Latin America and the Caribbean"),
        ("VA", "Europe"),
        ("SZ", "Middle East, Central Europe, and Eastern Europe"),
        ("PS", "Middle East, Central Europe, and Eastern Europe"),
        ("SJ", "Europe"),
        ("VI", "Latin America and the Caribbean"),
        ("us", "United States"),
        ("BR", "Brazil"),
    ],
)
def test_names_were_converted_to_the_right_codes(country: str, market: str) -> None:
    assert market_of(country) == market


@pytest.mark.parametrize("country", ["XJ", "AN", "RU", "BY", "QQ"])
def test_countries_outside_every_market(country: str) -> None:
    assert market_of(country) is None


def test_a_partner_may_sell_within_its_market_only() -> None:
    assert markets.may_sell_to("US", "GU")
    assert markets.may_sell_to("fr", "de")
    assert not markets.may_sell_to("US", "CA")
    assert markets.partner_market("RU") == ("RU", ("RU",))
