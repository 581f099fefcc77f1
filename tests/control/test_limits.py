"""The sandbox customer cap (800018) and the provisioning delay, set at start or at run time."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tenantry.config import DEV_ADMIN_KEY, Mode
from tenantry.security.keys import generate_master_key
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.server import LiveServer

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}


async def _create(http: httpx.AsyncClient, prefix: str | None = None) -> httpx.Response:
    return await http.post(
        "/v1/customers",
        json=payloads.minimal(prefix),
        headers={"MS-RequestId": str(uuid.uuid4())},
    )


@pytest.fixture
def capped(server_factory: ServerFactory) -> LiveServer:
    return server_factory(customer_cap=3)


async def test_the_cap_answers_800018_and_deleting_makes_room(capped: LiveServer) -> None:
    async with httpx.AsyncClient(
        base_url=capped.base_url, headers={"Authorization": f"Bearer {capped.token()}"}
    ) as http:
        created = [(await _create(http)).json() for _ in range(3)]
        refused = await _create(http)
        assert refused.status_code == 400
        assert refused.json()["code"] == 800018
        assert "3" in refused.json()["description"]
        await http.delete(f"/v1/customers/{created[0]['id']}")
        assert (await _create(http)).status_code == 201


async def test_concurrent_creates_never_pass_the_cap(capped: LiveServer) -> None:
    async with httpx.AsyncClient(
        base_url=capped.base_url, headers={"Authorization": f"Bearer {capped.token()}"}
    ) as http:
        responses = await asyncio.gather(*(_create(http) for _ in range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 3 + [400] * 9


async def test_limits_change_at_run_time(capped: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=capped.base_url) as http:
        current = await http.get("/_tenantry/limits", headers=ADMIN)
        assert current.json() == {"customerCap": 3, "provisioningDelaySeconds": 0.0}
        changed = await http.put("/_tenantry/limits", json={"customerCap": 0}, headers=ADMIN)
        assert changed.json()["customerCap"] == 0
        for bad in ({"customerCap": -1}, {"customerCap": "ten"}, {"provisioningDelaySeconds": 1e9}):
            response = await http.put("/_tenantry/limits", json=bad, headers=ADMIN)
            assert response.status_code == 400
            assert response.json()["code"] == 800002
        assert (await http.get("/_tenantry/limits")).json()["code"] == 880024


async def test_new_customers_read_as_not_found_while_provisioning(
    server_factory: ServerFactory,
) -> None:
    slow = server_factory(provisioning_delay_seconds=1.5)
    async with httpx.AsyncClient(
        base_url=slow.base_url, headers={"Authorization": f"Bearer {slow.token()}"}
    ) as http:
        prefix = payloads.unique_prefix("slow")
        customer = (await _create(http, prefix)).json()
        early = await http.get(f"/v1/customers/{customer['id']}")
        listed = (await http.get("/v1/customers")).json()["totalCount"]
        taken = await http.head(f"/v1/domains/{prefix}.onmicrosoft.com")
        await asyncio.sleep(1.6)
        late = await http.get(f"/v1/customers/{customer['id']}")
    assert early.status_code == 404
    assert early.json()["code"] == 60003
    assert listed == 0
    assert taken.status_code == 200  # the domain is taken from the start
    assert late.status_code == 200


async def test_production_has_no_limits_endpoint(server_factory: ServerFactory) -> None:
    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url) as http:
        response = await http.get("/_tenantry/limits", headers=ADMIN)
    assert response.status_code == 404
    assert response.json()["code"] == 1000


async def test_customers_no_longer_resold_do_not_count_against_the_cap(
    server_factory: ServerFactory,
) -> None:
    capped = server_factory(customer_cap=2)
    async with httpx.AsyncClient(base_url=capped.base_url) as http:
        app = {"Authorization": f"Bearer {capped.token()}"}
        user = {"Authorization": f"Bearer {capped.user_token()}"}
        http.headers.update(app)
        first = (await _create(http)).json()
        await _create(http)
        assert (await _create(http)).json()["code"] == 800018
        removed = await http.patch(
            f"/v1/customers/{first['id']}", json={"relationshipToPartner": "none"}, headers=user
        )
        assert removed.status_code == 200
        assert (await _create(http)).status_code == 201


async def test_out_of_range_limits_change_nothing(capped: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=capped.base_url, headers=ADMIN) as http:
        huge = await http.put("/_tenantry/limits", json={"customerCap": 10**20})
        assert huge.status_code == 400
        assert (await http.get("/_tenantry/limits")).json()["customerCap"] == 3


async def test_no_control_route_exists_in_production(server_factory: ServerFactory) -> None:
    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url, headers=ADMIN) as http:
        for method, path in (
            ("GET", "/_tenantry/reset"),
            ("DELETE", "/_tenantry/limits"),
            ("POST", "/_tenantry/faults"),
            ("GET", "/_tenantry/export"),
        ):
            response = await http.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json()["code"] == 1000
