"""Builders shared by the rules tests: partners, seed-like drafts, and error access."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tenantry.domain.errors import ServiceError
from tenantry.domain.models import AddressDraft, CustomerDraft, Partner, PartnerType, ValidCustomer
from tenantry.domain.rules import validate_new_customer
from tenantry.domain.rules.markets import countries_of, market_of


def partner_in(country: str = "US") -> Partner:
    """A direct-bill partner located in `country`."""
    return Partner(
        tenant_id="11111111-2222-3333-4444-555555555555",
        name="Contoso Partner",
        partner_type=PartnerType.DIRECT_BILL,
        country=country,
    )


def partner_for(customer_country: str) -> Partner:
    """A partner whose market contains `customer_country` (located in its first country)."""
    market = market_of(customer_country)
    return partner_in(countries_of(market)[0] if market else customer_country)


def seed_address(**changes: str | None) -> AddressDraft:
    """The documentation's Redmond address, with `changes` applied."""
    base = AddressDraft(
        country="US",
        city="Redmond",
        state="WA",
        address_line1="One Microsoft Way",
        postal_code="98052",
        first_name="Gena",
        last_name="Soto",
    )
    return replace(base, **changes)


def seed_draft(address: AddressDraft | None = None, **changes: object) -> CustomerDraft:
    """The documentation's Wingtip Toys create body, with `changes` applied."""
    base = CustomerDraft(
        domain="wingtiptoys1.onmicrosoft.com",
        email="gena@wingtiptoys.com",
        culture="en-US",
        language="en",
        company_name="Wingtip Toys",
        address=address if address is not None else seed_address(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def accept(
    draft: CustomerDraft, partner: Partner | None = None, *, sandbox: bool = False
) -> ValidCustomer:
    """Validate and return the accepted customer (fails the test on any error)."""
    return validate_new_customer(draft, partner or partner_in("US"), sandbox=sandbox)


def refuse(
    draft: CustomerDraft, partner: Partner | None = None, *, sandbox: bool = False
) -> ServiceError:
    """Validate, expecting a refusal, and return the error."""
    with pytest.raises(ServiceError) as caught:
        validate_new_customer(draft, partner or partner_in("US"), sandbox=sandbox)
    return caught.value


def codes(error: ServiceError) -> list[tuple[int, str]]:
    """(code, path) of every field problem, in order."""
    return [(problem.spec.code, problem.path) for problem in error.problems]


def rendered(error: ServiceError) -> list[str]:
    """The `data` lines the API would send: "<path>: <reason>" with params filled in."""
    return [f"{p.path}: {p.reason.format_map(dict(p.params))}" for p in error.problems]


def assert_renderable(error: ServiceError) -> None:
    """Every placeholder of the description and of each reason has a value."""
    error.spec.message.format_map(dict(error.params))
    for problem in error.problems:
        problem.spec.message.format_map(dict(problem.params))
        problem.reason.format_map(dict(problem.params))
