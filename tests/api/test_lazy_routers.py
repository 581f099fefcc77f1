"""The first create imports only the routers it needs; the OpenAPI document still lists
every route before any request, and a router imported later answers its first request."""

from __future__ import annotations

import json
import subprocess
import sys

from tenantry.app import api_routes, create_app
from tenantry.config import Settings
from tests.support import payloads

# Run in a fresh interpreter: which modules a start imports cannot be seen in the test's.
FIRST_CREATE = """
import asyncio, json, sys, tempfile
from pathlib import Path

import httpx

from tenantry import sqlalchemy_asyncio

sqlalchemy_asyncio.install()  # as `tenantry serve` does first

from tenantry.app import create_app
from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import Settings

BODY = json.loads(sys.argv[1])
app = create_app(Settings(data_dir=Path(tempfile.mkdtemp())))


async def main() -> dict[str, object]:
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://test"
    ) as http:
        form = {
            "grant_type": "client_credentials",
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
            "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
        }
        token = (await http.post(f"/{DEV_TENANT_ID}/oauth2/v2.0/token", data=form)).json()
        auth = {"Authorization": "Bearer " + token["access_token"]}
        created = await http.post("/v1/customers", json=BODY, headers=auth)
        loaded = sorted(m for m in sys.modules if m.startswith("tenantry."))
        orm = "sqlalchemy.orm" in sys.modules
        agreements = await http.get("/v1/agreements", headers=auth)
        document = (await http.get("/openapi.json")).json()
    return {
        "created": created.status_code,
        "loaded": loaded,
        "orm": orm,
        "agreements": agreements.status_code,
        "paths": document["paths"],
    }


print(json.dumps(asyncio.run(main())))
"""


# Imported at the first request under their paths, never by the first create.
LAZY = (
    "tenantry.api.routes.agreements",
    "tenantry.api.routes.directory",
    "tenantry.api.routes.offers",
    "tenantry.api.routes.orders",
    "tenantry.api.routes.profiles",
    "tenantry.api.routes.subscriptions",
    "tenantry.api.routes.validation",
    "tenantry.api.routes.discovery",
    "tenantry.api.routes.audit",
    "tenantry.web.signin",
    "tenantry.control.state",
    "tenantry.web.portal.wizard",
)


def _first_create() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_CREATE, json.dumps(payloads.minimal())],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_the_first_create_imports_no_other_router_and_the_document_lists_every_route() -> None:
    answer = _first_create()

    assert answer["created"] == 201
    loaded = answer["loaded"]
    assert isinstance(loaded, list)
    assert not set(LAZY) & set(loaded)
    assert answer["orm"] is False  # SQLAlchemy Core only (`tenantry/sqlalchemy_asyncio.py`)
    assert answer["agreements"] == 200  # a lazily imported router's first request
    paths = answer["paths"]
    assert isinstance(paths, dict)
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    app = create_app(Settings())
    every = {
        (method, route.path)
        for route in api_routes(app.routes)
        # The control plane and the portal are included out of the document.
        if route.include_in_schema
        and not route.endpoint.__module__.startswith(("tenantry.control.", "tenantry.web.portal"))
        for method in route.methods or ()
    }
    assert documented == every
    assert ("GET", "/v1/customers/{customer_id}/subscriptions") in documented
