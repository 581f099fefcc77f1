"""The offers a market may order: paged, localized, and the documented refusals."""

from __future__ import annotations

import json
from importlib.resources import files

import httpx
import pytest

CATALOG = json.loads(files("tenantry").joinpath("data/offers.json").read_text(encoding="utf-8"))


async def test_the_catalog_of_a_market(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/offers?country=US")
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == len(CATALOG)
    assert [o["id"] for o in body["items"]] == [o["id"] for o in CATALOG]
    e3 = next(o for o in body["items"] if o["id"] == "m365-e3")
    assert e3["name"] == "Microsoft 365 E3"
    assert (e3["minimumQuantity"], e3["maximumQuantity"]) == (1, 10000)
    assert e3["country"] == "US"
    assert e3["isAvailableForPurchase"] is True
    assert e3["links"]["self"]["uri"] == "/offers/m365-e3?country=US"
    assert e3["attributes"] == {"objectType": "Offer"}
    assert body["attributes"] == {"objectType": "Collection"}
    assert "next" not in body["links"]


async def test_pages_follow_offset_and_size(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    uri = "/offers?country=gb&offset=0&size=2"
    while uri:
        page = (await client.get(f"/v1{uri}")).json()
        assert page["totalCount"] == len(CATALOG)
        assert len(page["items"]) <= 2
        seen += [o["id"] for o in page["items"]]
        uri = page["links"].get("next", {}).get("uri", "")
    assert seen == [o["id"] for o in CATALOG]


async def test_one_offer_in_chinese(client: httpx.AsyncClient) -> None:
    simplified = await client.get(
        "/v1/offers/M365-BUSINESS-BASIC?country=CN", headers={"X-Locale": "zh-CN"}
    )
    assert simplified.status_code == 200
    assert simplified.json()["name"] == "Microsoft 365 商业基础版"
    assert simplified.json()["locale"] == "zh-CN"
    traditional = await client.get(
        "/v1/offers/m365-business-basic?country=TW", headers={"X-Locale": "zh-TW"}
    )
    assert traditional.json()["name"] == "Microsoft 365 商務基本版"
    english = await client.get("/v1/offers/m365-business-basic?country=TW")
    assert english.json()["name"] == "Microsoft 365 Business Basic"


@pytest.mark.parametrize(
    ("uri", "status", "code"),
    [
        ("/v1/offers/no-such-offer?country=US", 404, 880045),
        ("/v1/offers?country=ZZ", 400, 880010),
        ("/v1/offers", 400, 880009),
        ("/v1/offers/m365-e3", 400, 880009),
        ("/v1/offers?country=US&size=0", 400, 800002),
        ("/v1/offers?country=US&offset=-1", 400, 800002),
    ],
)
async def test_refusals(client: httpx.AsyncClient, uri: str, status: int, code: int) -> None:
    response = await client.get(uri)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
