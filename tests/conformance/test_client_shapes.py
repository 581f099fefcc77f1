"""Which client reads address validation as a bare boolean (api/client_shapes.py)."""

from __future__ import annotations

import httpx
import pytest
from starlette.datastructures import Headers

from tenantry.api.client_shapes import CallingClient


@pytest.mark.parametrize(
    ("client", "version", "boolean"),
    [
        ("Partner Center Java SDK", "1.15.4", True),
        ("Partner Center Java SDK", "", True),
        ("Partner Center PowerShell", "1.15.6.0", True),
        ("partner center powershell", "3.0.10", True),
        ("Partner Center Open .NET SDK", "1.15.6", True),
        ("Partner Center .NET SDK", "1.14.0.0", True),
        ("Partner Center .NET SDK", "3.4.0.0", False),
        ("Partner Center .NET SDK", "2.0.1", False),
        ("Partner Center .NET SDK", "", False),
        ("tenantry-client", "0.1.0", False),
        ("", "", False),
    ],
)
def test_the_shape_each_client_reads(client: str, version: str, boolean: bool) -> None:
    headers = Headers({"MS-PartnerCenter-Client": client, "MS-SdkVersion": version})
    assert CallingClient.of(headers).reads_boolean_address_validation is boolean


async def test_an_old_dotnet_sdk_gets_the_boolean(client: httpx.AsyncClient) -> None:
    address = {
        "AddressLine1": "1 Microsoft Way",
        "City": "Redmond",
        "State": "WA",
        "PostalCode": "98052",
        "Country": "US",
    }
    headers = {"MS-PartnerCenter-Client": "Partner Center .NET SDK", "MS-SdkVersion": "1.9.0.0"}
    answer = await client.post("/v1/validations/address", json=address, headers=headers)
    assert (answer.status_code, answer.content) == (200, b"true")
