"""Microsoft's Partner Center clients as they are on the wire: the headers each sends on every
call, and the rules their model classes apply when they read an answer.

Facts from the clients' public sources and from running them against Tenantry
(docs/compatibility.md): Microsoft's .NET SDK 3.4.0 (`microsoft/partner-center-sdk-for-dotNET`),
the Java SDK 1.15.4 (`msize/Partner-Center-Java`, mirror of Microsoft's) and the PowerShell
module 3.0.x (`microsoft/Partner-Center-PowerShell`, on the community .NET SDK 1.15.6).
"""

from __future__ import annotations

import re
import uuid
from typing import Any


def _common(token: str) -> dict[str, str]:
    """What every call of every one of them carries."""
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "MS-RequestId": str(uuid.uuid4()),
        "MS-CorrelationId": str(uuid.uuid4()),
        "X-Locale": "en-US",
    }


def dotnet_headers(token: str, **extra: str) -> dict[str, str]:
    """Microsoft's .NET SDK 3.4.0."""
    return {
        **_common(token),
        "MS-PartnerCenter-Client": "Partner Center .NET SDK",
        "MS-SdkVersion": "3.4.0.0",
        "MS-PartnerCenter-Application": "Contoso onboarding",
        **extra,
    }


def java_headers(token: str, **extra: str) -> dict[str, str]:
    """Microsoft's Java SDK 1.15.4 (over Azure's client-runtime and OkHttp)."""
    return {
        **_common(token),
        "Accept-Encoding": "gzip",
        "User-Agent": "AutoRest-Java",
        "MS-PartnerCenter-Client": "Partner Center Java SDK",
        "MS-SdkVersion": "1.15.4",
        "MS-Contract-Version": "v1",
        "x-ms-client-request-id": str(uuid.uuid4()),
        **extra,
    }


def powershell_headers(token: str, **extra: str) -> dict[str, str]:
    """The PowerShell module (its community .NET SDK)."""
    return {
        **_common(token),
        "MS-PartnerCenter-Client": "Partner Center PowerShell",
        "MS-SdkVersion": "1.15.6.0",
        **extra,
    }


# The Java SDK's enums deserialize only their exact @JsonValue strings (case-sensitive), and
# anything else fails the whole call (PartnerResponseParseException).
JAVA_ENUMS: dict[str, frozenset[str]] = {
    "relationshipToPartner": frozenset(
        {"unknown", "none", "reseller", "advisor", "syndication", "microsoftSupport"}
    ),
    "relationshipType": frozenset(
        {"is_indirect_reseller_of", "is_indirect_cloud_solution_provider_of"}
    ),
    "userDomainType": frozenset({"none", "managed", "federated"}),
    "state": frozenset({"active", "inactive"}),  # UserState, on CustomerUser
}

# The community .NET SDK parses enums with Enum.Parse after turning snake or camel case into
# Pascal case: a name it does not define throws.
COMMUNITY_ENUMS: dict[str, frozenset[str]] = {
    "relationshipToPartner": frozenset(
        {"Unknown", "Reseller", "Advisor", "Syndication", "MicrosoftSupport", "None"}
    ),
    "relationshipType": frozenset({"IsIndirectResellerOf", "IsIndirectCloudSolutionProviderOf"}),
    "userDomainType": frozenset({"None", "Managed", "Federated"}),
    "state": frozenset({"Active", "Inactive"}),
}


def pascal(value: str) -> str:
    """The community SDK's JScriptToPascalCase: `is_indirect_reseller_of` → `Is…Of`."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), value[:1].upper() + value[1:])


def java_reads(member: str, value: Any) -> bool:
    return value in JAVA_ENUMS[member]


def community_reads(member: str, value: Any) -> bool:
    return isinstance(value, str) and pascal(value) in COMMUNITY_ENUMS[member]


def dotnet_reads_enum(value: Any) -> bool:
    """Both .NET SDKs throw on a JSON null or object where an enum is expected, and the
    official one on an empty string: an enum member is a non-empty string or absent."""
    return isinstance(value, str) and value != ""
