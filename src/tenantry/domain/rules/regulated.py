"""The countries where Partner Center asks for more about a new customer.

For these 25 countries (the create-customer page's list, China included) the
organization registration number and the billing phone number are both mandatory.
"""

from __future__ import annotations

REGULATED_COUNTRIES: frozenset[str] = frozenset(
    {
        "AM", "AZ", "BY", "HU", "KZ", "KG", "MD", "RU", "TJ", "UZ", "UA", "BR", "IN",
        "ZA", "PL", "AE", "SA", "TR", "TH", "VN", "MM", "IQ", "SS", "VE", "CN",
    }
)  # fmt: skip


def is_regulated(country: str) -> bool:
    """True when registration number and phone number are required in `country`."""
    return country.upper() in REGULATED_COUNTRIES
