"""Paths as clients build them: `/v1//customers` (the Java SDK and the community .NET SDK
join the API root, `/v1/` and a link that starts with `/`) and a trailing `/` (the
documented PATCH URI) route like the plain path, on every route."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tenantry.app import api_routes, create_app
from tenantry.config import Settings
from tenantry.http.paths import normalise_path
from tests.support import payloads
from tests.support.server import LiveServer


@pytest.mark.parametrize(
    ("given", "routed"),
    [
        ("/v1//customers", "/v1/customers"),
        ("//v1///customers//abc/", "/v1/customers/abc"),
        ("/v1/customers/", "/v1/customers"),
        ("/", "/"),
        ("//", "/"),
    ],
)
def test_normalised_paths(given: str, routed: str) -> None:
    assert normalise_path(given) == routed


def _route_paths() -> list[str]:
    """Every GET route of the application."""
    app = create_app(Settings())
    return sorted(
        {route.path for route in api_routes(app.routes) if "GET" in (route.methods or ())}
    )


@pytest.fixture
async def http(server: LiveServer, token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        yield client


async def test_every_route_answers_alike_with_extra_slashes(
    http: httpx.AsyncClient, token: str
) -> None:
    created = await http.post("/v1/customers", json=payloads.minimal())
    customer = created.json()
    user_id = (await http.get(f"/v1/customers/{customer['id']}/users")).json()["items"][0]["id"]
    values = {
        "customer_id": customer["id"],
        "user_id": user_id,
        "relationship_id": "00000000-0000-4000-8000-000000000000",
        "domain": customer["companyProfile"]["domain"],
        "country": "US",
        "tenant": "7e4a47e7-de00-4000-8000-000000000001",
    }
    checked = 0
    for path in _route_paths():
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        if any(name not in values for name in names):
            continue
        plain = re.sub(r"{(\w+)(?::\w+)?}", lambda m: values[m.group(1)], path)
        if plain.startswith("/_tenantry") or plain in ("/metrics",):
            continue
        baseline = await http.get(plain)
        # A leading `//` would read as a host to the HTTP server: doubled slashes inside only.
        for variant in ("/" + plain[1:].replace("/", "//"), plain + "/"):
            answer = await http.get(variant)
            assert answer.status_code == baseline.status_code, (variant, answer.text)
            if baseline.headers.get("content-type", "").startswith("application/json"):
                assert answer.json().get("code") == baseline.json().get("code"), variant
        checked += 1
    assert checked >= 15
