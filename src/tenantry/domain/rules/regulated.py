"""The countries where Partner Center asks for more about a new customer.

The organization registration number is mandatory for 25 countries (the create-customer
page's list, China included). The billing phone number is mandatory for 24 of them: the
documentation's phone list (utility resources, "Add a new customer") does not name China.
"""

from __future__ import annotations

REGULATED_COUNTRIES: frozenset[str] = frozenset(
    {
        "AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA", "BR", "IN",
        "ZA", "PL", "AE", "SA", "TR", "TH", "VN", "MM", "IQ", "SS", "VE", "CN",
    }
)  # fmt: skip


PHONE_REQUIRED_COUNTRIES: frozenset[str] = REGULATED_COUNTRIES - {"CN"}


def is_regulated(country: str) -> bool:
    """True when the registration number is required in `country`."""
    return country.upper() in REGULATED_COUNTRIES


def is_phone_required(country: str) -> bool:
    """True when the billing phone number is required in `country`."""
    return country.upper() in PHONE_REQUIRED_COUNTRIES
