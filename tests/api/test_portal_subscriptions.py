"""One set of subscriptions: what the portal's wizard buys is an order the API reads, a
rename through the API shows in the portal, and an API order shows in the portal."""

from __future__ import annotations

import json

import httpx

from tests.support.commerce import confirm_mca, place_order
from tests.support.portal import (
    US_ACCOUNT,
    complete_wizard,
    signed_in,
    submit_review,
    unique_prefix,
)
from tests.support.server import LiveServer


async def test_the_portal_and_the_api_share_subscriptions(
    server: LiveServer, client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    prefix = unique_prefix("shared")
    with signed_in(server.base_url) as portal:
        review = complete_wizard(portal, {**US_ACCOUNT, "domain": prefix}, {"m365-e3": 4})
        assert submit_review(portal, review).status_code == 200
        search = json.dumps({"Field": "Domain", "Value": prefix, "Operator": "starts_with"})
        (customer,) = (await client.get("/v1/customers", params={"filter": search})).json()["items"]
        cid = customer["id"]

        (order,) = (await client.get(f"/v1/customers/{cid}/orders")).json()["items"]
        (subscription,) = (await client.get(f"/v1/customers/{cid}/subscriptions")).json()["items"]
        assert (subscription["offerId"], subscription["quantity"]) == ("m365-e3", 4)
        assert subscription["orderId"] == order["id"]
        assert order["lineItems"][0]["subscriptionId"] == subscription["id"]

        renamed = await client.patch(
            f"/v1/customers/{cid}/subscriptions/{subscription['id']}",
            json={"friendlyName": "Renamed by the API"},
        )
        assert renamed.status_code == 200, renamed.text
        assert 'value="Renamed by the API"' in portal.get(f"/portal/customers/{cid}").text

        await confirm_mca(user_client, cid)
        await place_order(client, cid, ("azure", 1))
        assert "Microsoft Azure" in portal.get(f"/portal/customers/{cid}").text
