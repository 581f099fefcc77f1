"""The seed documents' create-customer examples, translated line for line to the SDK.

C#'s `partnerOperations.Customers.Create(customerToCreate)` becomes
`client.customers.create(customer_to_create)` (`CreateAsync`: the async client), object
initialisers become keyword arguments, and Java's setters become attribute assignments.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from tenantry_client import (
    Address,
    AsyncPartnerClient,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
    PartnerClient,
)

from tenantry.domain.models import PartnerType
from tests.client.conftest import Harness
from tests.support.partners import add_partnership, register_partner
from tests.support.server import LiveServer

CUSTOMER_DOMAIN_SUFFIX = "onmicrosoft.com"  # this.Context.Configuration.Scenario...


def next_int() -> int:
    """C#'s `new Random().Next()`: a non-negative 32-bit integer."""
    return random.randint(0, 2**31 - 2)


async def test_seed_csharp_example(harness: Harness) -> None:
    """Seed 000 (the 2023 page), C# example."""
    # IAggregatePartner partnerOperations;
    partner_operations = harness.client()
    customer_to_create = Customer(
        company_profile=CustomerCompanyProfile(
            domain=f"SampleApplication{next_int()}.{CUSTOMER_DOMAIN_SUFFIX}",
            # organization_registration_number="123456"  # if the country/region requires it
        ),
        billing_profile=CustomerBillingProfile(
            culture="EN-US",
            email="gena@wingtiptoys.com",
            language="En",
            company_name="Wingtip Toys",
            default_address=Address(
                first_name="Gena",
                middle_name="Coralie",
                last_name="Soto",
                address_line1="One Microsoft Way",
                city="Redmond",
                state="WA",
                country="US",
                postal_code="98052",
                phone_number="",
            ),
        ),
    )
    new_customer = await harness.run(partner_operations.customers.create, customer_to_create)

    assert new_customer.id
    assert new_customer.company_profile.domain == customer_to_create.company_profile.domain  # type: ignore[union-attr]
    assert new_customer.billing_profile.default_address.middle_name == "Coralie"
    assert new_customer.user_credentials.user_name
    assert new_customer.user_credentials.password


async def test_seed_csharp_sample_application_example(harness: Harness) -> None:
    """Seed 001 (Create an Azure CSP customer), C# example; its REST body is what is sent."""
    # IAggregatePartner partnerOperations;
    partner_operations = harness.client()
    customer_to_create = Customer(
        company_profile=CustomerCompanyProfile(
            domain=f"SampleApplication{next_int()}.{CUSTOMER_DOMAIN_SUFFIX}"
        ),
        billing_profile=CustomerBillingProfile(
            culture="en-us",
            email="marshall@fourthcoffee.com",
            language="en",
            company_name=f"Fourth Coffee{next_int()}",
            default_address=Address(
                first_name="Marshall",
                last_name="Levi",
                address_line1="One Microsoft Way",
                city="Redmond",
                state="WA",
                country="US",
                postal_code="98052",
                phone_number="1234567890",
            ),
        ),
    )
    assert customer_to_create.to_wire() == {
        "companyProfile": {"domain": customer_to_create.company_profile.domain},  # type: ignore[union-attr]
        "billingProfile": {
            "email": "marshall@fourthcoffee.com",
            "culture": "en-us",
            "language": "en",
            "companyName": customer_to_create.billing_profile.company_name,  # type: ignore[union-attr]
            "defaultAddress": {
                "country": "US",
                "city": "Redmond",
                "state": "WA",
                "addressLine1": "One Microsoft Way",
                "postalCode": "98052",
                "firstName": "Marshall",
                "lastName": "Levi",
                "phoneNumber": "1234567890",
            },
        },
    }

    new_customer = await harness.run(partner_operations.customers.create, customer_to_create)

    wanted = customer_to_create.billing_profile
    assert wanted is not None
    assert new_customer.billing_profile.company_name == wanted.company_name
    assert new_customer.user_credentials.password


async def test_seed_java_example(harness: Harness) -> None:
    """Seed 000, Java example: setters become attribute assignments."""
    partner_operations = harness.client()
    address = Address()
    address.first_name = "Gena"
    address.last_name = "Soto"
    address.address_line1 = "One Microsoft Way"
    address.city = "Redmond"
    address.state = "WA"
    address.country = "US"
    address.postal_code = "98052"
    address.phone_number = "4255550101"
    billing_profile = CustomerBillingProfile()
    billing_profile.culture = "en-US"
    billing_profile.email = "gena@wingtiptoys.com"
    billing_profile.language = "en"
    billing_profile.company_name = "Wingtip Toys"
    billing_profile.default_address = address
    company_profile = CustomerCompanyProfile()
    company_profile.domain = "WingtipToys" + str(abs(next_int())) + ".onmicrosoft.com"
    customer_to_create = Customer()
    customer_to_create.billing_profile = billing_profile
    customer_to_create.company_profile = company_profile
    new_customer = await harness.run(partner_operations.customers.create, customer_to_create)

    assert new_customer.company_profile.domain == company_profile.domain
    assert new_customer.user_credentials.password


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_seed_csharp_indirect_reseller_example(server: LiveServer, kind: str) -> None:
    """Seed 003: an indirect provider (App+User) creates a customer for its reseller."""
    provider = register_partner(server, "US", PartnerType.INDIRECT_PROVIDER)
    reseller = register_partner(server, "US", PartnerType.INDIRECT_RESELLER)
    add_partnership(server, provider.partner, reseller.partner)
    indirect_reseller_id = reseller.tenant_id
    client: Any = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
        provider.user_token, base_url=server.base_url
    )

    async def run(result: Any) -> Any:
        return await result if kind == "async" else result

    # IAggregatePartner partnerOperations;
    # var indirectResellerId;
    customer_to_create = Customer(
        company_profile=CustomerCompanyProfile(
            domain=f"SampleApplication{next_int()}.{CUSTOMER_DOMAIN_SUFFIX}"
        ),
        billing_profile=CustomerBillingProfile(
            culture="EN-US",
            email="gena@wingtiptoys.com",  # blanked ("") in the seed; the service needs one
            language="En",
            company_name="Wingtip Toys",
            default_address=Address(
                first_name="Gena",
                last_name="Soto",
                address_line1="One Microsoft Way",
                city="Redmond",
                state="WA",
                country="US",
                postal_code="98052",
                phone_number="4255550101",
            ),
        ),
        associated_partner_id=indirect_reseller_id,
    )
    new_customer = await run(client.customers.create(customer_to_create))

    assert new_customer.associated_partner_id == indirect_reseller_id
    assert new_customer.relationship_to_partner == "reseller"
    assert new_customer.user_credentials.password
    resellers = await run(client.relationships.indirect_resellers())
    assert [r.id for r in resellers] == [indirect_reseller_id]
    assert resellers[0].relationship_type == "is_indirect_cloud_solution_provider_of"
    related = await run(client.customers.indirect_resellers(new_customer.id))
    assert [r.id for r in related] == [indirect_reseller_id]
    found = (
        [c.id for c in client.customers.search(indirect_reseller=indirect_reseller_id)]
        if (kind == "sync")
        else [c.id async for c in client.customers.search(indirect_reseller=indirect_reseller_id)]
    )
    assert found == [new_customer.id]

    by_reseller: Any = (PartnerClient if kind == "sync" else AsyncPartnerClient)(
        reseller.user_token, base_url=server.base_url
    )
    providers = await run(by_reseller.relationships.indirect_providers())
    assert [p.id for p in providers] == [provider.tenant_id]
    await run(by_reseller.close())
    await run(client.close())
