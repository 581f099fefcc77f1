"""Customers to create through the SDK: valid by default, unique by domain."""

from __future__ import annotations

import uuid

from tenantry_client import Address, Customer, CustomerBillingProfile, CustomerCompanyProfile


def unique_prefix(stem: str = "sdk") -> str:
    """A fresh domain prefix of at most 27 characters (Partner Center's limit)."""
    return f"{stem}{uuid.uuid4().hex}"[:27]


def wingtip(
    prefix: str | None = None, *, company_name: str = "Wingtip Toys", culture: str = "en-US"
) -> Customer:
    """The seeds' Wingtip Toys customer with a fresh `.onmicrosoft.com` domain."""
    return Customer(
        company_profile=CustomerCompanyProfile(
            domain=f"{prefix or unique_prefix()}.onmicrosoft.com"
        ),
        billing_profile=CustomerBillingProfile(
            email="gena@wingtiptoys.com",
            culture=culture,
            language="en",
            company_name=company_name,
            default_address=Address(
                first_name="Gena",
                last_name="Soto",
                address_line1="One Microsoft Way",
                city="Redmond",
                state="WA",
                postal_code="98052",
                country="US",
                phone_number="4255550101",
            ),
        ),
    )
