"""The create-customer rules: pure functions over domain types, no I/O beyond package data.

Public API:
- `validate_new_customer(draft, partner, sandbox=...)` -> `ValidCustomer` or `ServiceError`;
- `country_rules(iso2)` -> `CountryRules` (what create enforces for a country) or None;
- `domain_key(domain)` -> the global, case-insensitive uniqueness key of a domain;
- `market_of(country)` -> the name of the CSP market that contains a country, or None.
"""

from __future__ import annotations

from tenantry.domain.rules.country_rules import CountryRules, country_rules
from tenantry.domain.rules.domains import domain_key
from tenantry.domain.rules.markets import market_of
from tenantry.domain.rules.validate import validate_new_customer

__all__ = [
    "CountryRules",
    "country_rules",
    "domain_key",
    "market_of",
    "validate_new_customer",
]
