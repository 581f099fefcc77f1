"""Partner Center's supported languages and locales table: which countries exist, and
which cultures and languages each one accepts.

The table (`tenantry/data/locales.json`) is Partner Center's own list, row for row: ISO2
code to the ordered list of cultures. A country is known to Tenantry iff it has a row, which
includes five codes that are not ISO 3166-1 assignments (XK, XJ, XS, XE, AN).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

import pycountry

# Codes people commonly type for a country whose ISO code is different.
_ALIASES: dict[str, str] = {
    "UK": "GB",  # exceptionally reserved in ISO 3166-1 for the United Kingdom
    "EL": "GR",  # the EU's code for Greece
}

# Partner Center's non-ISO codes, mapped to the ISO region whose address and telephone
# data cover them (Saba and Sint Eustatius are part of the Caribbean Netherlands; Jan
# Mayen shares its ISO code with Svalbard). AN (Netherlands Antilles) was dissolved and
# has no successor data; XK (Kosovo) is known to both libraries as it is.
_DATA_REGION: dict[str, str] = {"XS": "BQ", "XE": "BQ", "XJ": "SJ"}


@cache
def _table() -> dict[str, tuple[str, ...]]:
    text = files("tenantry").joinpath("data/locales.json").read_text(encoding="utf-8")
    raw: dict[str, list[str]] = json.loads(text)
    return {code: tuple(cultures) for code, cultures in raw.items()}


def known_countries() -> tuple[str, ...]:
    """Every country code in the table, in table order."""
    return tuple(_table())


def is_known_country(code: str) -> bool:
    """True when `code` (case-insensitive) has a row in the table."""
    # ASCII only: Unicode case mapping would turn "uſ" (long s) into "US".
    return code.isascii() and code.upper() in _table()


def cultures_of(country: str) -> tuple[str, ...]:
    """The country's cultures in table order (the first is the default); () if unknown."""
    return _table().get(country.upper(), ())


# Partner Center names the Chinese languages by script, as .NET's old culture names do:
# China's country rules answer `zh-CHS, en` (recorded from the real service).
_SCRIPT_LANGUAGES = {
    "zh-CN": "zh-CHS",
    "zh-SG": "zh-CHS",
    "zh-TW": "zh-CHT",
    "zh-HK": "zh-CHT",
    "zh-MO": "zh-CHT",
}


def languages_of(country: str) -> tuple[str, ...]:
    """The country's languages as Partner Center publishes them, in culture order: the
    two-letter prefix of each culture, or the script name for Chinese (`zh-CHS`)."""
    seen: dict[str, None] = {}
    for culture in cultures_of(country):
        seen.setdefault(_SCRIPT_LANGUAGES.get(culture, culture.split("-", 1)[0]), None)
    return tuple(seen)


def canonical_culture(country: str, culture: str) -> str | None:
    """The table's spelling of `culture` if the country lists it (case-insensitive)."""
    if not culture.isascii():
        return None
    wanted = culture.casefold()
    for candidate in cultures_of(country):
        if candidate.casefold() == wanted:
            return candidate
    return None


def is_supported_language(country: str, language: str) -> bool:
    """True for one of the country's published languages (`zh-CHS`, any case), or the two
    ASCII letters such a language starts with (`zh`)."""
    if not language.isascii():
        return False
    wanted = language.lower()
    for published in languages_of(country):
        if wanted in (published.lower(), published.split("-", 1)[0].lower()):
            return True
    return False


def data_region(country: str) -> str:
    """The ISO region whose address/telephone data apply to a Partner Center code."""
    code = country.upper()
    return _DATA_REGION.get(code, code)


def suggest_country(code: str) -> str | None:
    """A known code the caller probably meant by an unknown one (UK -> GB), if obvious."""
    typed = code.strip().upper()
    if is_known_country(typed):
        return None
    guess = _ALIASES.get(typed)
    if guess is None:
        guess = _successor(typed)
    return guess if guess is not None and is_known_country(guess) else None


def _successor(code: str) -> str | None:
    """The single current code that replaced a withdrawn ISO 3166-1 code, if any."""
    found: set[str] = set()
    for historic in pycountry.historic_countries:
        if getattr(historic, "alpha_2", None) == code:
            alpha_4 = str(getattr(historic, "alpha_4", ""))
            found.add(alpha_4[2:])
    if len(found) != 1:
        return None
    successor = found.pop()
    return successor if successor not in {"HH", "XX", "AA"} else None
