"""The billing phone number: when it is required, and what counts as a phone number.

Partner Center only asks for a *possible* number (right length for the country), never a
valid one: the documentation's own US examples `1234567890` and `4255550101` are not
assigned numbers. An empty string means "not given" (responses echo `phoneNumber: ""`).
"""

from __future__ import annotations

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields
from tenantry.domain.rules.locales import data_region
from tenantry.domain.rules.regulated import is_phone_required


def calling_codes(country: str) -> tuple[str, ...]:
    """The country's international calling code(s), e.g. ("1",); () if unknown."""
    import phonenumbers  # here, not at start-up: most creates carry no phone number

    code = int(phonenumbers.country_code_for_region(data_region(country)))
    return (str(code),) if code else ()


def _knows_region(country: str) -> bool:
    import phonenumbers

    return data_region(country) in phonenumbers.SUPPORTED_REGIONS


def is_possible_phone(country: str, phone: str) -> bool:
    """True when `phone` could be a number in `country` (or, with +, anywhere)."""
    if not _knows_region(country):
        return any(ch.isdigit() for ch in phone)
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, data_region(country))
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(parsed))


def check_phone(country: str, phone: str | None) -> list[FieldProblem]:
    """600051 when a required number is missing, 880015 when one is not possible."""
    if fields.is_blank(phone):
        if is_phone_required(country):
            return [
                FieldProblem(
                    Errors.PHONE_NUMBER_MISSING,
                    fields.PHONE_NUMBER,
                    "is required for customers in {country}",
                    {"country": country},
                )
            ]
        return []
    value = (phone or "").strip()
    if is_possible_phone(country, value):
        return []
    return [
        FieldProblem(
            Errors.PHONE_INVALID,
            fields.PHONE_NUMBER,
            "'{phone}' is not a possible phone number for {country}",
            {"phone": value, "country": country},
        )
    ]
