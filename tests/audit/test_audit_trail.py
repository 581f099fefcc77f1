"""The audit trail over HTTP: every change recorded once, with who and which request; read
through `GET /_tenantry/audit` behind the audit key. Both backends."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import httpx
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID, DEV_USER_UPN
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.portal import (
    US_ACCOUNT,
    complete_wizard,
    csrf_of,
    signed_in,
    submit_review,
    unique_prefix,
)
from tests.support.server import LiveServer

AUDIT_KEY = "audit-key-for-tests-0123456789"
HEADER = {"Tenantry-Audit-Key": AUDIT_KEY}


@pytest.fixture(scope="module")
def audited(server_factory: ServerFactory) -> LiveServer:
    return server_factory(audit_key=AUDIT_KEY)


def _trail(server: LiveServer, **params: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.base_url}/_tenantry/audit", params=params, headers=HEADER)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return dict(response.json())


def _events_for(server: LiveServer, target_id: str) -> list[dict[str, Any]]:
    items = _trail(server, partnerId=DEV_TENANT_ID, limit=1000)["items"]
    return [e for e in items if e["targetId"] == target_id]


def _client(server: LiveServer, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


def test_a_create_is_recorded_once_with_its_caller_and_ids(audited: LiveServer) -> None:
    request_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    ids = {"MS-RequestId": request_id, "MS-CorrelationId": correlation_id}
    with _client(audited, audited.token()) as http:
        body = payloads.minimal()
        first = http.post("/v1/customers", json=body, headers=ids)
        replay = http.post("/v1/customers", json=body, headers=ids)
    assert first.status_code == replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    customer = first.json()

    (event,) = _events_for(audited, customer["id"])

    assert event["action"] == "customer.created"
    assert (event["actorType"], event["actorId"]) == ("app", DEV_CLIENT_ID)
    assert event["partnerId"] == DEV_TENANT_ID
    assert (event["requestId"], event["correlationId"]) == (request_id, correlation_id)
    assert event["occurredAt"].endswith("Z")
    assert event["details"]["domain"] == customer["companyProfile"]["domain"]
    assert customer["userCredentials"]["password"] not in str(event)


def test_user_changes_are_recorded_with_the_users_name(audited: LiveServer) -> None:
    with _client(audited, audited.token()) as app, _client(audited, audited.user_token()) as user:
        customer = app.post("/v1/customers", json=payloads.minimal()).json()
        uri = f"/v1/customers/{customer['id']}"
        profile = app.get(f"{uri}/profiles/billing")
        etag = profile.json()["attributes"]["etag"]
        changed = {**profile.json(), "companyName": "Renamed Ltd"}
        put = user.put(f"{uri}/profiles/billing", json=changed, headers={"If-Match": f'"{etag}"'})
        assert put.status_code == 200, put.text
        removed = user.patch(uri, json={"relationshipToPartner": "none"})
        assert removed.status_code == 200, removed.text
        second = app.post("/v1/customers", json=payloads.minimal()).json()
        assert app.delete(f"/v1/customers/{second['id']}").status_code == 204

    actions = {e["action"]: e for e in _events_for(audited, customer["id"])}
    assert set(actions) == {
        "customer.created",
        "customer.billingProfile.updated",
        "customer.relationship.removed",
    }
    for action in ("customer.billingProfile.updated", "customer.relationship.removed"):
        assert (actions[action]["actorType"], actions[action]["actorId"]) == ("user", DEV_USER_UPN)
    assert actions["customer.billingProfile.updated"]["details"]["previousEtag"] == str(etag)
    deleted = [e["action"] for e in _events_for(audited, second["id"])]
    assert deleted == ["customer.deleted", "customer.created"]  # newest first


def test_pages_follow_the_continuation_token_without_gaps(audited: LiveServer) -> None:
    with _client(audited, audited.token()) as http:
        for _ in range(3):
            assert http.post("/v1/customers", json=payloads.minimal()).status_code == 201
    everything = _trail(audited, limit=1000)["items"]
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if token is not None:
            params["continuationToken"] = token
        page = _trail(audited, **params)
        seen += [e["id"] for e in page["items"]]
        token = page["continuationToken"]
        if token is None:
            break
    assert seen == [e["id"] for e in everything]
    assert len(seen) == len(set(seen))
    created = _trail(audited, action="customer.created", limit=1000)["items"]
    assert created
    assert {e["action"] for e in created} == {"customer.created"}
    future = _trail(audited, since="2999-01-01T00:00:00+00:00")
    assert future["items"] == []
    assert future["continuationToken"] is None


def test_the_trail_needs_the_audit_key(audited: LiveServer) -> None:
    url = f"{audited.base_url}/_tenantry/audit"
    for headers in ({}, {"Tenantry-Audit-Key": "wrong"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json()["code"] == 880026


def test_without_a_configured_key_the_route_does_not_exist(server: LiveServer) -> None:
    response = httpx.get(f"{server.base_url}/_tenantry/audit", headers=HEADER)
    assert response.status_code == 404
    assert response.json()["code"] == 1000


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "1001"},
        {"limit": "x"},
        {"partnerId": "not-a-guid"},
        {"since": "yesterday"},
        {"since": "2026-01-01T00:00:00"},
        {"continuationToken": "nonsense"},
    ],
)
def test_bad_filters_are_answered_with_the_envelope(
    audited: LiveServer, params: dict[str, str]
) -> None:
    response = httpx.get(f"{audited.base_url}/_tenantry/audit", params=params, headers=HEADER)
    assert response.status_code == 400
    assert response.json()["code"] == 800002


def test_control_plane_changes_are_recorded_as_the_sandbox(audited: LiveServer) -> None:
    admin = {"Tenantry-Admin-Key": audited.settings.admin_key}
    seed = {"customers": []}
    response = httpx.post(f"{audited.base_url}/_tenantry/seed", json=seed, headers=admin)
    assert response.status_code == 200, response.text
    (event,) = _trail(audited, action="sandbox.seeded", limit=1)["items"]
    assert (event["actorType"], event["targetType"]) == ("sandbox", "sandbox")
    assert event["requestId"] == response.headers["MS-RequestId"]


def test_a_reset_keeps_the_trail_and_adds_itself(server_factory: ServerFactory) -> None:
    own = server_factory(audit_key=AUDIT_KEY)
    with _client(own, own.token()) as http:
        assert http.post("/v1/customers", json=payloads.minimal()).status_code == 201
    admin = {"Tenantry-Admin-Key": own.settings.admin_key}
    assert httpx.post(f"{own.base_url}/_tenantry/reset", headers=admin).status_code == 204
    exported = httpx.get(f"{own.base_url}/_tenantry/export", headers=admin).json()

    actions = [e["action"] for e in _trail(own)["items"]]

    assert actions == ["sandbox.reset", "customer.created"]
    assert "audit_events" not in exported["tables"]  # history, not sandbox state


def test_a_subscription_rename_in_the_portal_is_recorded(audited: LiveServer) -> None:
    with signed_in(audited.base_url) as http:
        prefix = unique_prefix("auditsub")
        review = complete_wizard(http, {**US_ACCOUNT, "domain": prefix}, {"azure": 1})
        done = submit_review(http, review)
        finish = re.search(r'href="(/portal/customers/new/done/finish\?wizard=[^"]+)"', done.text)
        assert finish, done.text
        page = http.get(html.unescape(finish.group(1)), follow_redirects=True)
        customer_id = page.url.path.rsplit("/", 1)[-1]  # Done leads to the customer's page
        sub = re.search(
            rf"/portal/customers/{customer_id}/subscriptions/([0-9a-f-]{{36}})", page.text
        )
        assert sub, page.text
        path = f"/portal/customers/{customer_id}/subscriptions/{sub.group(1)}"
        renamed = http.post(path, data={"csrf": csrf_of(page.text), "name": "Production"})
        refused = http.post(path, data={"csrf": csrf_of(page.text), "name": " "})
    assert (renamed.status_code, refused.status_code) == (303, 400)

    (event,) = _events_for(audited, sub.group(1))  # the refused rename left no record

    assert event["action"] == "customer.subscription.renamed"
    assert (event["actorType"], event["partnerId"]) == ("user", DEV_TENANT_ID)
    assert event["details"] == {"customerId": customer_id, "friendlyName": "Production"}
    assert event["requestId"]
