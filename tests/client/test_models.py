"""Models <-> Partner Center JSON: camelCase out, any case in, unknown members kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tenantry_client import (
    Address,
    AddressValidationResult,
    CountryValidationRules,
    Customer,
    CustomerBillingProfile,
    CustomerUser,
    DelegatedAdminRelationship,
    PartnerRelationship,
    UserCredentials,
)

from tests.support import payloads

# The seed's 201 answer (seed 001), as Partner Center documents it.
CREATED = {
    "id": "dfd8cc0a-c592-468c-8461-869a38d24738",
    "commerceId": "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4",
    "companyProfile": {
        "tenantId": "dfd8cc0a-c572-468c-8461-869a38d24734",
        "domain": "SampleApplication1047419322.onmicrosoft.com",
        "attributes": {"objectType": "CustomerCompanyProfile"},
    },
    "billingProfile": {
        "id": "d17c0275-da92-5c33-9032-782ef1d0b69b",
        "email": "marshall@fourthcoffee.com",
        "culture": "en-us",
        "language": "en",
        "companyName": "Fourth Coffee",
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
        "attributes": {"etag": "1234567890", "objectType": "CustomerBillingProfile"},
    },
    "relationshipToPartner": "none",
    "userCredentials": {"userName": "admin", "password": "P@ssword12345"},
    "attributes": {"objectType": "Customer"},
}


def test_the_documented_answer_reads_into_models() -> None:
    customer = Customer.from_wire(CREATED)
    assert customer.id == CREATED["id"]
    assert customer.company_profile is not None
    assert customer.company_profile.tenant_id == "dfd8cc0a-c572-468c-8461-869a38d24734"
    billing = customer.billing_profile
    assert billing is not None
    assert billing.etag == "1234567890"
    assert billing.default_address == Address(
        country="US",
        city="Redmond",
        state="WA",
        address_line1="One Microsoft Way",
        postal_code="98052",
        first_name="Marshall",
        last_name="Levi",
        phone_number="1234567890",
    )
    assert customer.user_credentials == UserCredentials(user_name="admin", password="P@ssword12345")
    assert "P@ssword12345" not in repr(customer)
    assert customer.extra == {}
    assert billing.extra == {}


def test_pascal_case_bodies_read_too() -> None:
    """The .NET SDK's request body (seed 001), explicit nulls and all."""
    customer = Customer.from_wire(json.loads(payloads.seed_001("pascal")))
    assert customer.company_profile is not None
    assert customer.company_profile.domain == "pascal.onmicrosoft.com"
    assert customer.billing_profile is not None
    assert customer.billing_profile.default_address is not None
    assert customer.billing_profile.default_address.first_name == "Marshall"
    assert customer.relationship_to_partner == "none"
    assert customer.id is None
    assert customer.user_credentials is None
    # Nulls are not sent back; PascalCase becomes camelCase.
    wire = customer.to_wire()
    assert wire["companyProfile"] == {"domain": "pascal.onmicrosoft.com"}
    assert "Id" not in wire
    assert "id" not in wire
    assert wire["billingProfile"]["defaultAddress"]["postalCode"] == "98052"


def test_unknown_members_survive_a_round_trip() -> None:
    wire = {
        "id": "c1",
        "companyProfile": {"domain": "a.onmicrosoft.com", "futureField": 1},
        "billingProfile": {
            "email": "a@b.example",
            "defaultAddress": {"country": "US", "addressLine4": "x"},
            "vatId": "GB123",
        },
        "newTopLevel": {"nested": True},
        "links": {"self": {"uri": "/customers/c1"}},
    }
    customer = Customer.from_wire(wire)
    assert customer.extra == {"newTopLevel": {"nested": True}}
    back = customer.to_wire()
    assert back["newTopLevel"] == {"nested": True}
    assert back["companyProfile"]["futureField"] == 1
    assert back["billingProfile"]["vatId"] == "GB123"
    assert back["billingProfile"]["defaultAddress"]["addressLine4"] == "x"
    assert "links" not in back
    # A known member set on the model wins over a stale copy in `extra`.
    profile = CustomerBillingProfile(email="new@b.example", extra={"Email": "old@b.example"})
    assert profile.to_wire() == {"email": "new@b.example"}


def test_empty_strings_are_sent() -> None:
    """The seed's `PhoneNumber = ""` is a value, not an absence."""
    assert Address(phone_number="", country="US").to_wire() == {
        "country": "US",
        "phoneNumber": "",
    }


def test_list_items_and_enum_like_values() -> None:
    item = Customer.from_wire(
        {
            "id": "c1",
            "companyProfile": {"domain": "a.onmicrosoft.com"},
            "relationshipToPartner": "future_relationship",
            "customDomains": ["a.example"],
            "allowDelegatedAccess": True,
        }
    )
    assert item.billing_profile is None
    assert item.relationship_to_partner == "future_relationship"
    assert item.custom_domains == ["a.example"]
    assert item.allow_delegated_access is True


def test_validation_answers() -> None:
    rules = CountryValidationRules.from_wire(
        {
            "iso2Code": "US",
            "defaultCulture": "en-US",
            "isStateRequired": True,
            "states": {"value": ["WA", "OR"]},  # the documentation's spelling
            "supportedLanguagesList": ["en"],  # the service's spelling
            "supportedCultures": {"value": ["en-US"]},
            "isPostalCodeRequired": True,
            "postalCodeRegex": "^[0-9]{5}$",
            "countryCallingCodesList": ["1"],
            "somethingNew": 1,
        }
    )
    assert rules.supported_states == ["WA", "OR"]
    assert rules.supported_languages == ["en"]
    assert rules.supported_cultures == ["en-US"]
    assert rules.is_city_required is False
    assert rules.extra == {"somethingNew": 1}

    result = AddressValidationResult.from_wire(
        {
            "originalAddress": {"city": "Redmond"},
            "suggestedAddresses": [{"city": "REDMOND"}],
            "status": "StreetPartial",
            "validationMessage": "check the street",
        }
    )
    assert result.suggested_addresses == [Address(city="REDMOND")]
    assert not result.is_verified
    verified = AddressValidationResult.from_wire({"status": "VerifiedShippable"})
    assert verified.is_verified
    assert verified.original_address == Address()


def test_directory_answers() -> None:
    user = CustomerUser.from_wire(
        {"id": "u1", "userPrincipalName": "admin@a.onmicrosoft.com", "state": "active"}
    )
    assert user.user_principal_name == "admin@a.onmicrosoft.com"
    partner = PartnerRelationship.from_wire(
        {"id": "p1", "name": "Fabrikam", "relationshipType": "is_indirect_reseller_of"}
    )
    assert partner.relationship_type == "is_indirect_reseller_of"
    gdap = DelegatedAdminRelationship.from_wire(
        {
            "id": "g1",
            "status": "active",
            "createdDateTime": "2026-01-02T03:04:05Z",
            "endDateTime": "not a date",
            "customer": {"tenantId": "c1"},
            "accessDetails": {
                "unifiedRoles": [{"roleDefinitionId": "r1", "displayName": "Directory Readers"}]
            },
        }
    )
    assert gdap.created == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert gdap.ends is None
    assert gdap.customer_tenant_id == "c1"
    assert [r.display_name for r in gdap.roles] == ["Directory Readers"]
