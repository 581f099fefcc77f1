"""The sandbox state: reset, export and import, seed (control plane and `serve --seed`)."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import DEV_ADMIN_KEY, Mode
from tenantry.security.keys import generate_master_key
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.process import ServeProcess
from tests.support.server import LiveServer

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sandbox-seed.yaml"
CONTOSO = "5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4e01"
CONTOSO_APP = ("5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4ea1", "contoso-sandbox-secret-not-for-production")
CONTOSO_USER = (
    "admin@contosodistribution.onmicrosoft.com",
    "contoso-sandbox-user-not-for-production",
)
FABRIKAM = "5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4e02"
FABRIKAM_APP = (
    "5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4ea2",
    "fabrikam-sandbox-secret-not-for-production",
)
LITWARE = "5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4e04"
LITWARE_APP = ("5a1c0d15-7b1e-4c2a-9d6e-3f0b8a2c4ea4", "litware-sandbox-secret-not-for-production")


# --- helpers ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def own(server_factory: ServerFactory) -> LiveServer:
    """A server of this module's own: its tests reset it freely."""
    return server_factory()


@pytest.fixture
async def admin(own: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """The control plane of a freshly reset `own` server."""
    async with httpx.AsyncClient(base_url=own.base_url, headers=ADMIN, timeout=60) as http:
        assert (await http.post("/_tenantry/reset")).status_code == 204
        yield http


def app_token(base_url: str, tenant: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/{tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
        },
    )


def user_token(base_url: str, tenant: str, client_id: str, upn: str, password: str) -> str:
    response = httpx.post(
        f"{base_url}/{tenant}/oauth2/v2.0/token",
        data={
            "grant_type": "password",
            "client_id": client_id,
            "username": upn,
            "password": password,
            "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation",
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_of(base_url: str, tenant: str, client_id: str, secret: str) -> str:
    response = app_token(base_url, tenant, client_id, secret)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def domains_of(base_url: str, token: str) -> set[str]:
    response = httpx.get(f"{base_url}/v1/customers", headers=bearer(token))
    assert response.status_code == 200, response.text
    return {item["companyProfile"]["domain"] for item in response.json()["items"]}


async def create(http: httpx.AsyncClient, token: str, prefix: str | None = None) -> httpx.Response:
    return await http.post(
        "/v1/customers",
        json=payloads.minimal(prefix),
        headers={**bearer(token), "MS-RequestId": str(uuid.uuid4())},
    )


async def export(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/_tenantry/export")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = response.json()
    return document


def same_state(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two exports describe the same state: all but the moment of export is equal."""
    return {k: v for k, v in a.items() if k != "exportedAt"} == {
        k: v for k, v in b.items() if k != "exportedAt"
    }


def assert_refused(response: httpx.Response, code: int, *phrases: str) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    for phrase in phrases:
        assert phrase in body["description"] + " ".join(body["data"]), body
    return body


# --- reset ------------------------------------------------------------------------------


async def test_reset_goes_back_to_the_first_start(
    own: LiveServer, admin: httpx.AsyncClient
) -> None:
    token = own.token()
    prefix = payloads.unique_prefix("reset")
    created = await create(admin, token, prefix)
    assert created.status_code == 201, created.text
    keys_before = [k["kid"] for k in (await export(admin))["tables"]["signing_keys"]]

    assert (await admin.post("/_tenantry/reset")).status_code == 204

    # The token from before still verifies: signing keys and the development partner are back.
    gone = await admin.get(f"/v1/customers/{created.json()['id']}", headers=bearer(token))
    assert gone.status_code == 404
    assert gone.json()["code"] == 60003
    again = await create(admin, token, prefix)  # the domain is free again
    assert again.status_code == 201, again.text
    assert app_token(own.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET).is_success
    assert (await admin.post("/_tenantry/reset")).status_code == 204
    state = (await export(admin))["tables"]
    assert [p["tenant_id"] for p in state["partners"]] == [DEV_TENANT_ID]
    assert [a["client_id"] for a in state["apps"]] == [DEV_CLIENT_ID]
    assert len(state["partner_users"]) == 1
    for table in ("customers", "users", "relationships", "gdap_relationships", "partnerships"):
        assert state[table] == [], table
    assert state["idempotency_records"] == []
    assert [k["kid"] for k in state["signing_keys"]] == keys_before


async def test_reset_empty_leaves_no_partner(own: LiveServer, admin: httpx.AsyncClient) -> None:
    token = own.token()
    assert (await admin.get("/v1/customers", headers=bearer(token))).status_code == 200

    assert (await admin.post("/_tenantry/reset", params={"empty": "true"})).status_code == 204

    state = (await export(admin))["tables"]
    assert all(state[name] == [] for name in state if name != "signing_keys")
    # No stale partner from the cache: the development partner's token is now refused.
    refused = await admin.get("/v1/customers", headers=bearer(token))
    assert refused.status_code == 401
    assert refused.json()["code"] == 400
    assert not app_token(own.base_url, DEV_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET).is_success
    assert (await admin.post("/_tenantry/reset")).status_code == 204
    assert (await admin.get("/v1/customers", headers=bearer(token))).status_code == 200


# --- export and import ------------------------------------------------------------------------


async def test_export_then_import_restores_the_state_exactly(
    own: LiveServer, admin: httpx.AsyncClient
) -> None:
    token = own.token()
    kept = (await create(admin, token)).json()
    seeded = await admin.post("/_tenantry/seed", json=_json_seed())
    assert seeded.status_code == 200, seeded.text
    first = await export(admin)
    assert first["format"] == "tenantry-sandbox-state"
    assert first["version"] == 1
    assert first["tables"]["partnerships"], "the seed's partnership is part of the state"

    later = (await create(admin, token)).json()
    deleted = await admin.delete(f"/v1/customers/{kept['id']}", headers=bearer(token))
    assert deleted.status_code == 204
    assert (await admin.post("/_tenantry/reset", params={"empty": "true"})).status_code == 204

    imported = await admin.post("/_tenantry/import", json=first)
    assert imported.status_code == 204, imported.text

    assert same_state(await export(admin), first)
    read = await admin.get(f"/v1/customers/{kept['id']}", headers=bearer(token))
    assert read.status_code == 200, read.text
    assert read.json()["companyProfile"]["domain"] == kept["companyProfile"]["domain"]
    gone = await admin.get(f"/v1/customers/{later['id']}", headers=bearer(token))
    assert gone.status_code == 404


async def test_import_refuses_malformed_documents_and_changes_nothing(
    admin: httpx.AsyncClient,
) -> None:
    token_customer = await admin.post("/_tenantry/seed", json=_json_seed())
    assert token_customer.status_code == 200
    good = await export(admin)

    def changed(table: str, column: str, value: Any) -> dict[str, Any]:
        document = copy.deepcopy(good)
        document["tables"][table][0][column] = value
        return document

    bad_documents: list[tuple[Any, str]] = [
        ("{not json", "invalid JSON"),
        ([], "must be a JSON object"),
        ({**good, "format": "something-else"}, '"format" must be'),
        ({**good, "version": 2}, "not supported"),
        ({**good, "tables": []}, '"tables" must be an object'),
        ({**good, "tables": {**good["tables"], "invoices": []}}, "tables.invoices is not"),
        (changed("partners", "colour", "red"), "unknown column 'colour'"),
        (changed("partners", "name", None), "tables.partners[0].name must not be null"),
        (changed("partners", "partner_type", "reseller"), "must be one of"),
        (changed("partners", "created_at", "2026-01-01T00:00:00"), "has no UTC offset"),
        (changed("partners", "created_at", "yesterday"), "not an ISO 8601 timestamp"),
        (changed("customers", "etag", "12"), "must be an integer"),
        (changed("customers", "allow_delegated_access", 0), "must be true or false"),
        (changed("signing_keys", "private_key_sealed", "%%%"), "not valid base64"),
        (changed("customers", "partner_id", str(uuid.uuid4())), "refused by the database"),
    ]
    for document, phrase in bad_documents:
        content = document if isinstance(document, str) else json.dumps(document)
        response = await admin.post(
            "/_tenantry/import", content=content, headers={"Content-Type": "application/json"}
        )
        assert_refused(response, 800002, phrase)
    assert same_state(await export(admin), good)


async def test_import_refuses_a_snapshot_sealed_under_another_master_key(
    server_factory: ServerFactory, own: LiveServer, admin: httpx.AsyncClient
) -> None:
    other = server_factory(master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=other.base_url, headers=ADMIN, timeout=60) as http:
        assert (await create(http, other.token())).status_code == 201  # a sealed stored answer
        foreign = await export(http)
    before = await export(admin)

    refused = await admin.post("/_tenantry/import", json=foreign)
    assert_refused(refused, 800002, "master key", "signing_keys[0]")
    # Without its signing keys, the snapshot's stored answers still give it away.
    foreign["tables"]["signing_keys"] = []
    refused = await admin.post("/_tenantry/import", json=foreign)
    assert_refused(refused, 800002, "stored answer", "master key")
    assert same_state(await export(admin), before)


# --- seed ----------------------------------------------------------------------------------


def _json_seed(prefix: str | None = None) -> dict[str, Any]:
    provider, reseller = str(uuid.uuid4()), str(uuid.uuid4())
    return {
        "partners": [
            {
                "tenantId": provider,
                "name": f"Provider {provider[:8]}",
                "type": "indirect_provider",
                "country": "US",
                "apps": [
                    {
                        "clientId": str(uuid.uuid5(uuid.UUID(provider), "app")),
                        "clientSecret": "s3cret",
                    }
                ],
                "users": [
                    {
                        "userPrincipalName": f"agent@{provider[:8]}.onmicrosoft.com",
                        "password": "correct horse battery staple",
                    }
                ],
            },
            {"name": f"Reseller {reseller[:8]}", "type": "indirect_reseller", "country": "US"},
        ],
        "partnerships": [{"provider": provider, "reseller": f"Reseller {reseller[:8]}"}],
        "customers": [_seed_customer(provider, prefix)],
    }


def _seed_customer(partner: str, prefix: str | None = None, **changes: Any) -> dict[str, Any]:
    customer: dict[str, Any] = {
        "partner": partner,
        "domain": f"{prefix or payloads.unique_prefix('seed')}.onmicrosoft.com",
        "companyName": "Wingtip Toys",
        "email": "gena@wingtiptoys.com",
        "culture": "en-US",
        "language": "en",
        "address": {
            "firstName": "Gena",
            "lastName": "Soto",
            "addressLine1": "One Microsoft Way",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
            "country": "US",
        },
    }
    customer.update(changes)
    return customer


async def test_seed_json_creates_partners_that_sign_in_and_see_their_customers(
    own: LiveServer, admin: httpx.AsyncClient
) -> None:
    seed = _json_seed()
    partner = seed["partners"][0]
    app, user = partner["apps"][0], partner["users"][0]

    response = await admin.post("/_tenantry/seed", json=seed)

    assert response.status_code == 200, response.text
    report = response.json()
    assert len(report["partners"]["created"]) == 2
    assert report["partnerships"] == {"created": 1, "existing": 0}
    [customer] = report["customers"]["created"]
    assert customer["partner"] == partner["tenantId"]
    token = token_of(own.base_url, partner["tenantId"], app["clientId"], app["clientSecret"])
    assert domains_of(own.base_url, token) == {seed["customers"][0]["domain"]}
    read = await admin.get(f"/v1/customers/{customer['id']}", headers=bearer(token))
    assert read.status_code == 200
    assert read.json()["enableGDAPByDefault"] is True
    signed_in = user_token(
        own.base_url,
        partner["tenantId"],
        app["clientId"],
        user["userPrincipalName"],
        user["password"],
    )
    assert domains_of(own.base_url, signed_in) == {seed["customers"][0]["domain"]}

    # Twice is harmless: everything is found, nothing is duplicated.
    again = await admin.post("/_tenantry/seed", json=seed)
    assert again.status_code == 200, again.text
    assert again.json() == {
        "partners": {"created": [], "existing": report["partners"]["created"]},
        "partnerships": {"created": 0, "existing": 1},
        "customers": {"created": [], "existing": [seed["customers"][0]["domain"]]},
    }
    assert domains_of(own.base_url, token) == {seed["customers"][0]["domain"]}


async def test_concurrent_identical_seeds_create_everything_once(
    admin: httpx.AsyncClient,
) -> None:
    seed = _json_seed()

    responses = await asyncio.gather(*(admin.post("/_tenantry/seed", json=seed) for _ in range(4)))

    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    reports = [r.json() for r in responses]
    assert sum(len(r["partners"]["created"]) for r in reports) == 2
    assert sum(len(r["customers"]["created"]) for r in reports) == 1
    assert sum(r["partnerships"]["created"] for r in reports) == 1


async def test_seed_yaml_from_the_example(own: LiveServer, admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/_tenantry/seed",
        content=EXAMPLE.read_bytes(),
        headers={"Content-Type": "application/yaml"},
    )

    assert response.status_code == 200, response.text
    assert len(response.json()["partners"]["created"]) == 4
    assert len(response.json()["customers"]["created"]) == 4
    _check_example_seed(own.base_url)
    state = (await export(admin))["tables"]
    assert len(state["partnerships"]) == 2
    assert {p["state"] for p in state["partnerships"]} == {"active"}


def _check_example_seed(base_url: str) -> None:
    contoso = token_of(base_url, CONTOSO, *CONTOSO_APP)
    assert domains_of(base_url, contoso) == {
        "adatumbau.onmicrosoft.com",
        "tailspinlyon.onmicrosoft.com",
    }
    # Created by the provider for its reseller: the reseller reads it too.
    listed = httpx.get(f"{base_url}/v1/customers", headers=bearer(contoso)).json()["items"]
    [lyon] = [c for c in listed if c["companyProfile"]["domain"].startswith("tailspinlyon")]
    assert lyon["associatedPartnerId"] == FABRIKAM
    fabrikam = token_of(base_url, FABRIKAM, *FABRIKAM_APP)
    read = httpx.get(f"{base_url}/v1/customers/{lyon['id']}", headers=bearer(fabrikam))
    assert read.status_code == 200, read.text
    litware = token_of(base_url, LITWARE, *LITWARE_APP)
    assert domains_of(base_url, litware) == {"wingtipredmond.onmicrosoft.com"}
    signed_in = user_token(base_url, CONTOSO, CONTOSO_APP[0], *CONTOSO_USER)
    assert len(domains_of(base_url, signed_in)) == 2


async def test_a_customer_that_breaks_a_rule_fails_the_whole_seed(
    own: LiveServer, admin: httpx.AsyncClient
) -> None:
    seed = _json_seed()
    provider = seed["partners"][0]["tenantId"]
    bad_email = _seed_customer(provider, email="not-an-address")
    seed["customers"].append(bad_email)
    before = await export(admin)

    response = await admin.post("/_tenantry/seed", json=seed)

    body = assert_refused(response, 880005, "customers[1].email")
    assert body["description"].startswith("The e-mail address is not valid")
    assert same_state(await export(admin), before)
    app = seed["partners"][0]["apps"][0]
    assert not app_token(own.base_url, provider, app["clientId"], app["clientSecret"]).is_success

    # A rule that is not about one field (the partner's market) names the customer too.
    seed["customers"][1] = _seed_customer(
        provider, address={**bad_email["address"], "country": "FR"}
    )
    refused = await admin.post("/_tenantry/seed", json=seed)
    assert refused.status_code == 403
    assert refused.json()["code"] == 2030
    assert any(d.startswith("customers[1]") for d in refused.json()["data"])
    assert same_state(await export(admin), before)


async def test_seeded_customers_for_resellers_need_an_active_partnership(
    admin: httpx.AsyncClient,
) -> None:
    seed = _json_seed()
    provider, reseller = seed["partners"][0]["tenantId"], seed["partners"][1]["name"]
    seed["partnerships"][0]["state"] = "inactive"
    seed["customers"] = [_seed_customer(provider, associatedPartnerId=reseller)]
    before = await export(admin)

    refused = await admin.post("/_tenantry/seed", json=seed)

    assert_refused(refused, 800016, "customers[0]")
    assert same_state(await export(admin), before)
    seed["partnerships"][0]["state"] = "active"
    accepted = await admin.post("/_tenantry/seed", json=seed)
    assert accepted.status_code == 200, accepted.text
    [customer] = accepted.json()["customers"]["created"]
    assert customer["partner"] == provider


async def test_seed_documents_are_checked_member_by_member(admin: httpx.AsyncClient) -> None:
    seed = _json_seed()
    cases: list[tuple[str, dict[str, Any] | str, str]] = [
        ("application/json", {"partner": []}, "partner is not a member of the seed format"),
        ("application/json", {"customers": {}}, "customers must be a list"),
        (
            "application/json",
            {**seed, "customers": [{"partner": "Nobody"}]},
            "customers[0].partner 'Nobody'",
        ),
        (
            "application/json",
            {"partners": [{**seed["partners"][0], "type": "distributor"}]},
            "partners[0].type must be one of",
        ),
        (
            "application/json",
            {"partners": [{**seed["partners"][0], "country": "XX"}]},
            "partners[0].country",
        ),
        (
            "application/json",
            {
                "partners": seed["partners"][:1],
                "partnerships": [
                    {"provider": seed["partners"][0]["tenantId"], "reseller": str(uuid.uuid4())}
                ],
            },
            "partnerships[0].reseller: there is no partner",
        ),
        (
            "application/json",
            {"partnerships": [{"provider": DEV_TENANT_ID, "reseller": DEV_TENANT_ID}]},
            "partnerships[0].provider: partner 7e4a47e7",
        ),
        (
            "application/json",
            {**seed, "partners": seed["partners"][:1]},
            "partnerships[0].reseller",
        ),
        (
            "application/yaml",
            f"customers:\n  - partner: {DEV_TENANT_ID}\n    address: {{postalCode: 98052}}\n",
            "must be a string (quote it in YAML)",
        ),
        ("application/yaml", "partners: &a [*a]\n", "aliases are not allowed"),
        ("application/yaml", "partners: [\n", "invalid YAML at line"),
        ("application/yaml", "- just\n- a list\n", "must be a mapping"),
    ]
    for media_type, document, phrase in cases:
        content = document if isinstance(document, str) else json.dumps(document)
        response = await admin.post(
            "/_tenantry/seed", content=content, headers={"Content-Type": media_type}
        )
        assert_refused(response, 800002, phrase)


def test_serve_with_a_seed_file(storage_args: list[str]) -> None:
    server = ServeProcess(*storage_args, "--seed", str(EXAMPLE)).wait_ready()
    try:
        _check_example_seed(server.base_url)
    finally:
        server.stop()
    again = ServeProcess(*storage_args, "--seed", str(EXAMPLE)).wait_ready()  # a restart
    try:
        _check_example_seed(again.base_url)
    finally:
        again.stop()
    # The restart applied the same seed again: found everything, duplicated nothing.
    assert "Traceback" not in server.output() + again.output()


def test_serve_refuses_a_seed_file_that_does_not_apply(
    storage_args: list[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("partners:\n  - name: Nameless\n    type: direct_bill\n")
    server = ServeProcess(*storage_args, "--seed", str(broken))
    with pytest.raises(RuntimeError, match=r"partners\[0\]\.country is required"):
        server.wait_ready()
    assert server.stop() != 0


# --- who may use it ------------------------------------------------------------------------


async def test_the_state_routes_need_the_admin_key(own: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=own.base_url, timeout=60) as http:
        for method, path in (
            ("POST", "/_tenantry/reset"),
            ("GET", "/_tenantry/export"),
            ("POST", "/_tenantry/import"),
            ("POST", "/_tenantry/seed"),
        ):
            response = await http.request(method, path, headers={"Tenantry-Admin-Key": "guess"})
            assert response.status_code == 401, path
            assert response.json()["code"] == 880024


async def test_production_has_no_state_routes(server_factory: ServerFactory) -> None:
    production = server_factory(mode=Mode.PRODUCTION, master_key=generate_master_key())
    async with httpx.AsyncClient(base_url=production.base_url, headers=ADMIN, timeout=60) as http:
        for method, path in (
            ("POST", "/_tenantry/reset"),
            ("GET", "/_tenantry/export"),
            ("POST", "/_tenantry/import"),
            ("POST", "/_tenantry/seed"),
        ):
            response = await http.request(method, path)
            assert response.status_code == 404, path
            assert response.json()["code"] == 1000


async def test_import_checks_the_shape_of_json_cells(server_factory: ServerFactory) -> None:
    own = server_factory()
    admin = {"Tenantry-Admin-Key": own.settings.admin_key}
    async with httpx.AsyncClient(base_url=own.base_url) as http:
        token = own.token()
        created = await http.post(
            "/v1/customers", json=payloads.minimal(), headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201
        document = (await http.get("/_tenantry/export", headers=admin)).json()
        document["tables"]["customers"][0]["address"] = {"country": "US", "street": "x"}
        response = await http.post("/_tenantry/import", json=document, headers=admin)
        assert response.status_code == 400
        assert "address" in response.json()["description"]
        still = await http.get(
            f"/v1/customers/{created.json()['id']}", headers={"Authorization": f"Bearer {token}"}
        )
        assert still.status_code == 200  # a refused import changes nothing
