"""Names for people instead of codes: countries, states, cultures, languages, persons.

Country, culture and language names come from Babel's CLDR data in the page's language;
state and province names from pycountry's ISO 3166-2 names and their translations (a name
with no translation in a locale is shown in English). A code with no name is shown as is.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from babel import Locale, UnknownLocaleError

from tenantry.http.i18n import DEFAULT_LOCALE

# pycountry's translation folders for each page language.
_SUBDIVISION_LANGUAGES = {"zh-CN": "zh_CN", "zh-TW": "zh_TW"}
# Partner Center's legacy language codes that CLDR does not know.
_LANGUAGE_ALIASES = {"zh-chs": "zh_Hans", "zh-cht": "zh_Hant"}


@cache
def babel_locale(locale: str) -> Locale:
    """The CLDR locale of a page language: Traditional script for zh-TW."""
    tag = {"zh-CN": "zh_Hans_CN", "zh-TW": "zh_Hant_TW"}.get(locale, locale.replace("-", "_"))
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE.replace("-", "_"))


def country_name(locale: str, code: str) -> str:
    """`US` → "United States" (en-US), "美国" (zh-CN), "美國" (zh-TW)."""
    return str(babel_locale(locale).territories.get(code.upper(), code)) if code else ""


def culture_name(locale: str, culture: str) -> str:
    """`en-US` → "English (United States)" in the page's language."""
    try:
        return str(Locale.parse(culture.replace("-", "_")).get_display_name(babel_locale(locale)))
    except (UnknownLocaleError, ValueError, TypeError):
        return culture


def language_name(locale: str, language: str) -> str:
    """`en` → "English", `zh-hans` → "Chinese (Simplified)" in the page's language."""
    tag = _LANGUAGE_ALIASES.get(language.lower(), language.replace("-", "_"))
    try:
        parsed = Locale.parse(tag)
    except (UnknownLocaleError, ValueError, TypeError):
        return language
    return str(parsed.get_display_name(babel_locale(locale)) or language)


@cache
def _subdivision_translations(locale: str) -> gettext.NullTranslations:
    folder = _SUBDIVISION_LANGUAGES.get(locale)
    if folder is None:
        return gettext.NullTranslations()
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=[folder], fallback=True
    )


@cache
def _english_subdivision(country: str, state: str) -> str | None:
    code = f"{country.upper()}-{state.upper()}"
    found = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return str(found.name) if found is not None else None


def state_name(locale: str, country: str, state: str) -> str:
    """`US`, `WA` → "Washington" / "华盛顿州"; free text (or an unknown code) as given."""
    if not state or not state.isascii():
        return state
    english = _english_subdivision(country, state.strip())
    if english is None:
        return state
    return _subdivision_translations(locale).gettext(english)


def person_name(locale: str, first: str, last: str) -> str:
    """Given name first in English; family name first on Chinese pages (without a space
    when both are written in Han characters)."""
    first, last = first.strip(), last.strip()
    if not locale.startswith("zh"):
        return f"{first} {last}".strip()
    joiner = "" if _is_han(first) and _is_han(last) else " "
    return f"{last}{joiner}{first}".strip()


def _is_han(text: str) -> bool:
    return bool(text) and all(
        "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text
    )
