"""GET /v1/customers: newest first, keyset pages, continuation tokens, and search."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support import payloads
from tests.support.partners import add_partner
from tests.support.server import LiveServer


async def _create(http: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await http.post(
        "/v1/customers",
        json=payloads.minimal(**overrides),
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _follow(http: httpx.AsyncClient, first_uri: str) -> list[dict[str, Any]]:
    """Page the way the .NET SDK does: follow links.next and copy its headers."""
    pages = []
    response = await http.get(first_uri)
    while True:
        assert response.status_code == 200, response.text
        page = response.json()
        pages.append(page)
        following = page["links"].get("next")
        if following is None:
            return pages
        headers = {h["key"]: h["value"] for h in following["headers"]}
        response = await http.get(f"/v1{following['uri']}", headers=headers)


@pytest.fixture
async def fresh(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a partner of its own, so that counts are exact."""
    _, token = add_partner(server, "US")
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        yield http


async def test_list_shape_newest_first(fresh: httpx.AsyncClient) -> None:
    first = await _create(fresh)
    second = await _create(fresh)
    response = await fresh.get("/v1/customers?size=10")

    body = response.json()
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert body["totalCount"] == 2
    assert [item["id"] for item in body["items"]] == [second["id"], first["id"]]
    item = body["items"][0]
    assert "billingProfile" not in item
    assert "allowDelegatedAccess" not in item
    assert item["companyProfile"]["domain"] == second["companyProfile"]["domain"]
    assert item["relationshipToPartner"] == "reseller"
    assert item["attributes"] == {"objectType": "Customer"}
    assert body["links"] == {"self": {"uri": "/customers?size=10", "method": "GET", "headers": []}}
    assert "continuationToken" not in body
    assert body["attributes"] == {"objectType": "Collection"}


async def test_pages_follow_links_next(fresh: httpx.AsyncClient) -> None:
    created = [await _create(fresh) for _ in range(7)]
    pages = await _follow(fresh, "/v1/customers?size=3")

    assert [p["totalCount"] for p in pages] == [3, 3, 1]
    first_next = pages[0]["links"]["next"]
    assert first_next["uri"] == "/customers?size=3&seekOperation=Next"
    assert first_next["method"] == "GET"
    assert first_next["headers"][0]["key"] == "MS-ContinuationToken"
    assert first_next["headers"][0]["value"] == pages[0]["continuationToken"]
    seen = [item["id"] for page in pages for item in page["items"]]
    assert seen == [c["id"] for c in reversed(created)]


async def test_1203_customers_page_exactly_once_while_more_are_created(
    fresh: httpx.AsyncClient,
) -> None:
    sem = asyncio.Semaphore(16)

    async def one() -> dict[str, Any]:
        async with sem:
            return await _create(fresh)

    await asyncio.gather(*(one() for _ in range(1203)))
    ordered = [
        item["id"]
        for page in await _follow(fresh, "/v1/customers?size=500")
        for item in page["items"]
    ]
    assert len(ordered) == len(set(ordered)) == 1203

    stop = asyncio.Event()

    async def keep_creating() -> int:
        count = 0
        while not stop.is_set():
            await _create(fresh)
            count += 1
        return count

    creators = [asyncio.create_task(keep_creating()) for _ in range(3)]
    try:
        pages = await _follow(fresh, "/v1/customers?size=100")
    finally:
        stop.set()
        created_meanwhile = sum(await asyncio.gather(*creators))
    seen = [item["id"] for page in pages for item in page["items"]]
    assert created_meanwhile > 0
    earlier = set(ordered)
    # A customer committed before the first page was read is on it (newest first); every
    # later one sorts before the cursor and is never seen. The earlier ones: each exactly
    # once, in order.
    assert len(seen) == len(set(seen))
    assert [i for i in seen if i in earlier] == ordered
    first_page = {item["id"] for item in pages[0]["items"]}
    assert all(i in first_page for i in seen if i not in earlier)


@pytest.mark.parametrize(("size", "expected"), [("0", 500), ("", 500), ("1", 1), ("500", 500)])
async def test_size_defaults_and_bounds(fresh: httpx.AsyncClient, size: str, expected: int) -> None:
    await _create(fresh)
    await _create(fresh)
    response = await fresh.get(f"/v1/customers?size={size}")
    assert response.status_code == 200
    assert response.json()["links"]["self"]["uri"] == f"/customers?size={expected}"


@pytest.mark.parametrize("size", ["501", "-1", "ten", "1.5"])
async def test_invalid_size_is_800002(client: httpx.AsyncClient, size: str) -> None:
    response = await client.get(f"/v1/customers?size={size}")
    assert response.status_code == 400
    assert response.json()["code"] == 800002


async def test_continuation_token_is_tamper_proof_and_personal(
    fresh: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    for _ in range(3):
        await _create(fresh)
    token = (await fresh.get("/v1/customers?size=1")).json()["continuationToken"]
    payload, tag = token.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + tag
    cases = [
        (fresh, None),
        (fresh, forged),
        (fresh, "not-a-token"),
        (client, token),  # issued to another partner
    ]
    for http, value in cases:
        headers = {} if value is None else {"MS-ContinuationToken": value}
        response = await http.get("/v1/customers?seekOperation=Next", headers=headers)
        assert response.status_code == 400, value
        assert response.json()["code"] == 880022
    ok = await fresh.get(
        "/v1/customers?seekOperation=Next", headers={"MS-ContinuationToken": token}
    )
    assert ok.status_code == 200
    assert ok.json()["totalCount"] == 1


async def test_only_seek_next_is_supported(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/customers?seekOperation=Previous")
    assert response.json()["code"] == 800002


def _filter(field: str, value: str, operator: str = "starts_with") -> str:
    return quote(json.dumps({"Field": field, "Value": value, "Operator": operator}))


async def test_search_by_company_name_prefix_ignores_case(fresh: httpx.AsyncClient) -> None:
    tag = uuid.uuid4().hex[:8]
    wanted = [
        await _create(fresh, billingProfile__companyName=f"Straße {tag} Café"),
        await _create(fresh, billingProfile__companyName=f"STRASSE {tag} Two"),
    ]
    await _create(fresh, billingProfile__companyName=f"Other {tag}")
    response = await fresh.get(
        f"/v1/customers?size=0&filter={_filter('CompanyName', f'strasse {tag}')}"
    )
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {c["id"] for c in wanted}
    self_uri = response.json()["links"]["self"]["uri"]
    assert self_uri.startswith("/customers?size=500&filter=%7B")


async def test_search_by_domain_prefix_pages_like_the_list(fresh: httpx.AsyncClient) -> None:
    stem = f"dom{uuid.uuid4().hex[:10]}"
    created = [
        await _create(fresh, companyProfile__domain=f"{stem}{i}.onmicrosoft.com") for i in range(5)
    ]
    await _create(fresh)
    pages = await _follow(fresh, f"/v1/customers?size=2&filter={_filter('Domain', stem.upper())}")
    seen = [item["id"] for page in pages for item in page["items"]]
    assert seen == [c["id"] for c in reversed(created)]


async def test_indirect_reseller_search_needs_a_user(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    uri = f"/v1/customers?filter={_filter('IndirectReseller', str(uuid.uuid4()))}"
    refused = await client.get(uri)
    assert refused.status_code == 403
    assert refused.json()["code"] == 900329
    allowed = await user_client.get(uri)
    assert allowed.status_code == 200
    assert allowed.json()["totalCount"] == 0


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (_filter("Name", "x"), "field"),
        (_filter("CompanyName", "x", "equals"), "operator"),
        (quote("not json"), "JSON"),
        (quote("[1]"), "object"),
        (quote(json.dumps({"Field": "Domain", "Value": 7, "Operator": "starts_with"})), "Value"),
        (_filter("IndirectCloudSolutionProvider", "not a guid"), "GUID"),
    ],
)
async def test_invalid_filters_are_880021(client: httpx.AsyncClient, raw: str, words: str) -> None:
    response = await client.get(f"/v1/customers?filter={raw}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 880021
    assert words in body["description"]
