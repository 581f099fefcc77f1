"""The onboarding path a partner's code takes, end to end over HTTP: create a customer,
confirm the Microsoft Customer Agreement, order, list the subscriptions, rename one, add a
user, and see each step in the audit trail."""

from __future__ import annotations

import uuid

import httpx

from tests.support.commerce import agreement_body, new_customer
from tests.support.database import query
from tests.support.server import LiveServer


async def test_create_confirm_order_list_rename_add_user(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]

    metadata = (await client.get("/v1/agreements?agreementType=MicrosoftCustomerAgreement")).json()
    template = metadata["items"][0]["templateId"]
    confirmed = await user_client.post(
        f"/v1/customers/{cid}/agreements", json=agreement_body(templateId=template)
    )
    assert confirmed.status_code == 201, confirmed.text

    offers = (await client.get("/v1/offers?country=US")).json()["items"]
    offer = next(o for o in offers if o["id"] == "m365-business-premium")
    ordered = await client.post(
        f"/v1/customers/{cid}/orders",
        json={"lineItems": [{"lineItemNumber": 0, "offerId": offer["id"], "quantity": 5}]},
        headers={"MS-RequestId": str(uuid.uuid4())},
    )
    assert ordered.status_code == 201, ordered.text
    sid = ordered.json()["lineItems"][0]["subscriptionId"]

    listed = (await client.get(f"/v1/customers/{cid}/subscriptions")).json()
    assert [(s["id"], s["offerId"], s["quantity"]) for s in listed["items"]] == [
        (sid, offer["id"], 5)
    ]
    renamed = await client.patch(
        f"/v1/customers/{cid}/subscriptions/{sid}",
        json={**listed["items"][0], "friendlyName": "Premium for sales"},
    )
    assert renamed.json()["friendlyName"] == "Premium for sales"

    user = await user_client.post(
        f"/v1/customers/{cid}/users",
        json={
            "userPrincipalName": f"sam@{domain}",
            "displayName": "Sam",
            "usageLocation": "US",
            "passwordProfile": {"password": "Tour-Passw0rd!", "forceChangePassword": True},
        },
    )
    assert user.status_code == 201, user.text
    users = (await client.get(f"/v1/customers/{cid}/users")).json()["items"]
    assert [u["userPrincipalName"] for u in users] == [f"admin@{domain}", f"sam@{domain}"]

    actions = query(
        server,
        "SELECT action FROM audit_events WHERE target_id IN (:c, :o, :s, :u) ORDER BY occurred_at",
        c=cid,
        o=ordered.json()["id"],
        s=sid,
        u=user.json()["id"],
    )
    assert [a for (a,) in actions] == [
        "customer.created",
        "customer.agreement.confirmed",
        "customer.order.placed",
        "customer.subscription.updated",
        "customer.user.added",
    ]
