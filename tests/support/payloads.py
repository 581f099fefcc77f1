"""Create-customer request bodies: the seed documents' own examples, made unique.

Each function returns the JSON *text* as the seed shows it (PascalCase, explicit nulls,
read-only members, trailing commas where the seed has them), with a fresh domain.
"""

from __future__ import annotations

import json
import uuid
from typing import Any


def unique_prefix(stem: str = "t") -> str:
    """A fresh domain prefix of at most 27 characters (Partner Center's limit)."""
    return f"{stem}{uuid.uuid4().hex}"[:27]


def seed_000(prefix: str | None = None) -> str:
    """Seed 000 (and its Chinese twin 004): the 2023 direct-create REST example."""
    domain = f"{prefix or unique_prefix('xyz')}.onmicrosoft.com"
    return (
        """{
"enableGDAPByDefault": false,
"CompanyProfile": {
"Domain": "%s"
},
"BillingProfile": {
"Culture": "EN-US",
"Email": "gena@wingtiptoys.com",
"Language": "en",
"CompanyName": "Wingtip Toys",
"DefaultAddress": {
"FirstName": "Gena",
"LastName": "Soto",
"AddressLine1": "One Microsoft Way",
"City": "Redmond",
"State": "WA",
"PostalCode": "98052",
"Country": "US"
}
}
}"""
        % domain
    )


seed_004 = seed_000


def seed_001(prefix: str | None = None) -> str:
    """Seed 001: the .NET SDK's PascalCase body with explicit nulls and read-only members."""
    domain = f"{prefix or unique_prefix('SampleApp')}.onmicrosoft.com"
    return (
        """{
    "Id": null,
    "CommerceId": null,
    "CompanyProfile": {
        "TenantId": null,
        "Domain": "%s",
        "CompanyName": null,
        "Attributes": {
            "ObjectType": "CustomerCompanyProfile"
        }
    },
    "BillingProfile": {
        "Id": null,
        "FirstName": null,
        "LastName": null,
        "Email": "marshall@fourthcoffee.com",
        "Culture": "en-us",
        "Language": "en",
        "CompanyName": "Fourth Coffee",
        "DefaultAddress": {
            "Country": "US",
            "Region": null,
            "City": "Redmond",
            "State": "WA",
            "AddressLine1": "One Microsoft Way",
            "AddressLine2": null,
            "PostalCode": "98052",
            "FirstName": "Marshall",
            "LastName": "Levi",
            "PhoneNumber": "1234567890"
        },
        "Attributes": {
            "ObjectType": "CustomerBillingProfile"
        }
    },
    "RelationshipToPartner": "none",
    "AllowDelegatedAccess": null,
    "UserCredentials": null,
    "CustomDomains": null,
    "AssociatedPartnerId": null,
    "Attributes": {
        "ObjectType": "Customer"
    }
}"""
        % domain
    )


def seed_002(prefix: str | None = None) -> str:
    """Seed 002 (zh-TW page): trailing commas and the `ccsctp.net` sandbox suffix."""
    domain = f"{prefix or unique_prefix('xyz')}.ccsctp.net"
    return (
        """{
    "CompanyProfile": {
        "Domain": "%s",
    },
    "BillingProfile": {
        "Culture": "EN-US",
        "Email": "test@outlook.com",
        "Language": "en",
        "CompanyName": "test company",
        "DefaultAddress": {
            "FirstName": "Test",
            "LastName": "Test",
            "AddressLine1": "One Microsoft Way",
            "City": "Redmond",
            "State": "WA",
            "PostalCode": "98052",
            "Country": "US",
        }
    }
}"""
        % domain
    )


SEED_RESELLER_ID = "484e548c-f5f3-4528-93a9-c16c6373cb59"


def seed_003(prefix: str | None = None, reseller_id: str | None = SEED_RESELLER_ID) -> str:
    """Seed 003: create for an indirect reseller; blanked e-mail and domain filled in.

    `reseller_id=None` writes `"AssociatedPartnerId": null` (a direct create).
    """
    domain = f"{prefix or unique_prefix('wingtip')}.onmicrosoft.com"
    return """{
    "enableGDAPByDefault": false,
    "Id": null,
    "CommerceId": null,
    "CompanyProfile": {
        "TenantId": null,
        "Domain": "%s",
        "CompanyName": null,
        "Attributes": {
            "ObjectType": "CustomerCompanyProfile"
        }
    },
    "BillingProfile": {
        "Id": null,
        "FirstName": null,
        "LastName": null,
        "Email": "gena@wingtiptoys.com",
        "Culture": "EN-US",
        "Language": "En",
        "CompanyName": "Wingtip Toys",
        "DefaultAddress": {
            "Country": "US",
            "Region": null,
            "City": "Redmond",
            "State": "WA",
            "AddressLine1": "One Microsoft Way",
            "AddressLine2": null,
            "PostalCode": "98052",
            "FirstName": "Gena",
            "LastName": "Soto",
            "PhoneNumber": "4255550101"
        },
        "Attributes": {
            "ObjectType": "CustomerBillingProfile"
        }
    },
    "RelationshipToPartner": "none",
    "AllowDelegatedAccess": null,
    "UserCredentials": null,
    "CustomDomains": null,
    "AssociatedPartnerId": %s,
    "Attributes": {
        "ObjectType": "Customer"
    }
}""" % (domain, "null" if reseller_id is None else f'"{reseller_id}"')


def minimal(prefix: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A small valid camelCase body (the Java SDK's shape) as a dict, for tweaking."""
    body: dict[str, Any] = {
        "companyProfile": {"domain": f"{prefix or unique_prefix()}.onmicrosoft.com"},
        "billingProfile": {
            "email": "gena@wingtiptoys.com",
            "culture": "en-US",
            "language": "en",
            "companyName": "Wingtip Toys",
            "defaultAddress": {
                "firstName": "Gena",
                "lastName": "Soto",
                "addressLine1": "One Microsoft Way",
                "city": "Redmond",
                "state": "WA",
                "postalCode": "98052",
                "country": "US",
                "phoneNumber": "4255550101",
            },
        },
    }
    for path, value in overrides.items():
        target = body
        *parents, leaf = path.split("__")
        for part in parents:
            target = target.setdefault(part, {})
        if value is _DELETE:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return body


_DELETE = object()
DELETE = _DELETE


def dumps(body: dict[str, Any]) -> str:
    return json.dumps(body)
