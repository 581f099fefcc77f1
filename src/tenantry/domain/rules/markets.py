"""CSP regional authorization: the markets, and the countries each one may sell to.

`tenantry/data/markets.json` is Partner Center's regional authorization table, with the
country names converted once to the codes of the locales table (UK -> GB, Congo (DRC) -> CD,
Saba -> XS, Sint Eustatius -> XE, ...). Brazil's two currency rows are one market.
Russia, Belarus, Jan Mayen (XJ) and the Netherlands Antilles (AN) belong to no market.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files


@cache
def markets() -> dict[str, tuple[str, ...]]:
    """Market name -> the ISO2 codes of its countries, in the table's order."""
    text = files("tenantry").joinpath("data/markets.json").read_text(encoding="utf-8")
    raw: dict[str, list[str]] = json.loads(text)
    return {name: tuple(codes) for name, codes in raw.items()}


@cache
def _index() -> dict[str, str]:
    return {code: name for name, codes in markets().items() for code in codes}


def market_of(country: str) -> str | None:
    """The name of the market that contains the ISO2 `country` (case-insensitive)."""
    return _index().get(country.strip().upper())


def countries_of(market: str) -> tuple[str, ...]:
    """The countries of a market; () for an unknown name."""
    return markets().get(market, ())


def partner_market(partner_country: str) -> tuple[str, tuple[str, ...]]:
    """The market a partner located in `partner_country` sells in: (name, countries).

    A partner whose own country is in no market (Russia, for one) may only sell in its
    own country; the "market" is then named by that country code.
    """
    code = partner_country.strip().upper()
    name = market_of(code)
    if name is None:
        return code, (code,)
    return name, countries_of(name)


def may_sell_to(partner_country: str, customer_country: str) -> bool:
    """True when a partner in `partner_country` may create a customer in the other."""
    return customer_country.strip().upper() in partner_market(partner_country)[1]
