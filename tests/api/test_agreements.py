"""Agreement metadata and a customer's confirmed agreements, as Partner Center documents
them, with their errors and the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.commerce import (
    MCA_TEMPLATE,
    MCLOUDA_TEMPLATE,
    agreement_body,
    confirm_mca,
    new_customer,
)
from tests.support.database import query
from tests.support.server import LiveServer


async def test_metadata_of_the_customer_agreement(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/agreements?agreementType=MicrosoftCustomerAgreement")
    assert response.status_code == 200
    body = response.json()
    assert body["totalCount"] == 1
    assert body["attributes"] == {"objectType": "Collection"}
    (item,) = body["items"]
    assert item["templateId"] == MCA_TEMPLATE
    assert item["agreementType"] == "MicrosoftCustomerAgreement"
    assert item["agreementLink"].startswith("https://")
    assert item["versionRank"] == 0


@pytest.mark.parametrize(
    ("query_string", "templates"),
    [
        ("", [MCLOUDA_TEMPLATE]),  # Partner Center's default, for backward compatibility
        ("?agreementType=MicrosoftCloudAgreement", [MCLOUDA_TEMPLATE]),
        ("?agreementType=microsoftcustomeragreement", [MCA_TEMPLATE]),
        ("?agreementType=*", [MCLOUDA_TEMPLATE, MCA_TEMPLATE]),
    ],
)
async def test_metadata_by_type(
    client: httpx.AsyncClient, query_string: str, templates: list[str]
) -> None:
    response = await client.get(f"/v1/agreements{query_string}")
    assert [i["templateId"] for i in response.json()["items"]] == templates


async def test_an_unknown_agreement_type_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/agreements?agreementType=MicrosoftPartnerAgreement")
    assert response.status_code == 400
    assert response.json()["code"] == 880041


async def test_confirm_and_read_back(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await new_customer(client)
    sent = agreement_body(dateAgreed="2024-06-14T00:00:00.000Z")
    response = await user_client.post(f"/v1/customers/{customer['id']}/agreements", json=sent)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["primaryContact"] == sent["primaryContact"]
    assert created["templateId"] == MCA_TEMPLATE
    assert created["type"] == "MicrosoftCustomerAgreement"
    assert created["dateAgreed"] == "2024-06-14T00:00:00Z"
    assert created["attributes"] == {"objectType": "Agreement"}

    listed = await client.get(f"/v1/customers/{customer['id']}/agreements")
    assert listed.json()["items"] == [created]
    other_type = await client.get(
        f"/v1/customers/{customer['id']}/agreements?agreementType=MicrosoftCloudAgreement"
    )
    assert other_type.json()["items"] == []

    # Who confirmed it is in the audit trail (and in the table).
    rows = query(
        server,
        "SELECT actor_type, actor_id, details FROM audit_events "
        "WHERE action = 'customer.agreement.confirmed' AND target_id = :c",
        c=customer["id"],
    )
    assert len(rows) == 1
    assert rows[0][0] == "user"
    assert rows[0][1]


async def test_pascal_case_body_without_type(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    """The .NET SDK's sample sets no Type: the template decides it."""
    customer = await new_customer(client)
    body = {
        "PrimaryContact": {"FirstName": "A", "LastName": "B", "Email": "ab@contoso.example"},
        "TemplateId": MCA_TEMPLATE.upper(),
        "DateAgreed": "2024-06-14T10:00:00",
    }
    response = await user_client.post(f"/v1/customers/{customer['id']}/agreements", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["type"] == "MicrosoftCustomerAgreement"
    assert "phoneNumber" not in response.json()["primaryContact"]


@pytest.mark.parametrize(
    ("overrides", "code", "member"),
    [
        ({"templateId": "00000000-0000-0000-0000-000000000000"}, 880042, "templateId"),
        ({"templateId": MCLOUDA_TEMPLATE}, 880042, "templateId"),  # not the MCA's
        ({"templateId": None}, 880009, "templateId"),
        ({"primaryContact": None}, 880009, "primaryContact"),
        ({"primaryContact": {"firstName": "A", "email": "a@b.example"}}, 880009, "lastName"),
        (
            {"primaryContact": {"firstName": "A", "lastName": "B", "email": "nope"}},
            880005,
            "email",
        ),
        ({"dateAgreed": "yesterday"}, 880043, "dateAgreed"),
        ({"dateAgreed": None}, 880009, "dateAgreed"),
        ({"type": "SomethingElse"}, 880041, ""),
        ({"primaryContact": "Tania"}, 800002, "primaryContact"),
    ],
)
async def test_refused_confirmations(
    client: httpx.AsyncClient,
    user_client: httpx.AsyncClient,
    overrides: dict[str, object],
    code: int,
    member: str,
) -> None:
    customer = await new_customer(client)
    body = {k: v for k, v in agreement_body(**overrides).items() if v is not None}
    response = await user_client.post(f"/v1/customers/{customer['id']}/agreements", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert member in " ".join(response.json()["data"]) + response.json()["description"]
    listed = await client.get(f"/v1/customers/{customer['id']}/agreements")
    assert listed.json()["items"] == []


async def test_a_date_in_the_future_is_refused(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await user_client.post(
        f"/v1/customers/{customer['id']}/agreements", json=agreement_body(dateAgreed=tomorrow)
    )
    assert response.status_code == 400
    assert response.json()["code"] == 880043
    assert "future" in response.json()["description"]


async def test_confirming_needs_a_signed_in_user(client: httpx.AsyncClient) -> None:
    customer = await new_customer(client)
    response = await client.post(
        f"/v1/customers/{customer['id']}/agreements", json=agreement_body()
    )
    assert response.status_code == 403
    assert response.json()["code"] == 900329


async def test_an_unknown_customer(user_client: httpx.AsyncClient) -> None:
    missing = "11111111-2222-4333-8444-555555555555"
    response = await user_client.post(f"/v1/customers/{missing}/agreements", json=agreement_body())
    assert response.status_code == 404
    assert response.json()["code"] == 60003
    bad = await user_client.get("/v1/customers/not-a-guid/agreements")
    assert bad.json()["code"] == 900118


async def test_reconfirming_needs_a_changed_contact(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    uri = f"/v1/customers/{customer['id']}/agreements"
    await confirm_mca(user_client, customer["id"])
    again = await user_client.post(uri, json=agreement_body())
    assert again.status_code == 409
    assert again.json()["code"] == 600061
    contact = {**agreement_body()["primaryContact"], "phoneNumber": "4255550199"}
    changed = await user_client.post(uri, json=agreement_body(primaryContact=contact))
    assert changed.status_code == 201, changed.text
    listed = await client.get(uri)
    assert listed.json()["totalCount"] == 2


async def test_the_cloud_agreement_template_is_not_the_customer_agreement(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    body = agreement_body(templateId=MCLOUDA_TEMPLATE)
    response = await user_client.post(f"/v1/customers/{customer['id']}/agreements", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == 880042
    assert (
        "GET /v1/agreements?agreementType=MicrosoftCustomerAgreement"
        in (response.json()["description"])
    )
