"""A customer's users: create (in the customer's domain, password kept hashed), read,
update and delete, as Partner Center documents them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.commerce import new_customer
from tests.support.database import query
from tests.support.server import LiveServer

PASSWORD = "Corr3ct-Horse!"


def _user(domain: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "usageLocation": "US",
        "userPrincipalName": f"jo@{domain}",
        "firstName": "Jo",
        "lastName": "Lee",
        "displayName": "Jo Lee",
        "passwordProfile": {"password": PASSWORD, "forceChangePassword": True},
        "attributes": {"objectType": "CustomerUser"},
    }
    return body | overrides


async def test_create_read_update_delete(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]
    created = await user_client.post(f"/v1/customers/{cid}/users", json=_user(domain))
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["userPrincipalName"] == f"jo@{domain}"
    assert (user["firstName"], user["lastName"], user["displayName"]) == ("Jo", "Lee", "Jo Lee")
    assert user["usageLocation"] == "US"
    assert user["attributes"] == {"objectType": "CustomerUser"}
    assert PASSWORD not in created.text
    assert "passwordProfile" not in user
    stored = query(
        server, "SELECT password_hash, must_change_password FROM users WHERE id = :u", u=user["id"]
    )
    assert PASSWORD not in stored[0][0]
    assert stored[0][1] is True or stored[0][1] == 1

    got = await client.get(f"/v1/customers/{cid}/users/{user['id']}")
    assert got.json() == user
    listed = (await client.get(f"/v1/customers/{cid}/users")).json()["items"]
    assert [u["userPrincipalName"] for u in listed] == [f"admin@{domain}", f"jo@{domain}"]

    patched = await user_client.patch(
        f"/v1/customers/{cid}/users/{user['id']}",
        json={**user, "displayName": "Jo L.", "usageLocation": "gb"},
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["displayName"], patched.json()["usageLocation"]) == ("Jo L.", "GB")

    deleted = await user_client.delete(f"/v1/customers/{cid}/users/{user['id']}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    gone = await client.get(f"/v1/customers/{cid}/users/{user['id']}")
    assert gone.status_code == 404
    assert gone.json()["code"] == 880027
    again = await user_client.delete(f"/v1/customers/{cid}/users/{user['id']}")
    assert again.json()["code"] == 880027


async def test_a_new_password_is_hashed_too(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, server: LiveServer
) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]
    user = (await user_client.post(f"/v1/customers/{cid}/users", json=_user(domain))).json()
    before = query(server, "SELECT password_hash FROM users WHERE id = :u", u=user["id"])
    new_password = "An0ther-Secret!"
    patched = await user_client.patch(
        f"/v1/customers/{cid}/users/{user['id']}",
        json={"passwordProfile": {"password": new_password, "forceChangePassword": False}},
    )
    assert patched.status_code == 200
    assert new_password not in patched.text
    after = query(
        server, "SELECT password_hash, must_change_password FROM users WHERE id = :u", u=user["id"]
    )
    assert after[0][0] != before[0][0]
    assert new_password not in after[0][0]
    assert not after[0][1]


async def test_the_name_is_taken_once(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]
    assert (await user_client.post(f"/v1/customers/{cid}/users", json=_user(domain))).is_success
    twin = await user_client.post(
        f"/v1/customers/{cid}/users", json=_user(domain, userPrincipalName=f"JO@{domain.upper()}")
    )
    assert twin.status_code == 409
    assert twin.json()["code"] == 880052
    admin = await user_client.post(
        f"/v1/customers/{cid}/users", json=_user(domain, userPrincipalName=f"admin@{domain}")
    )
    assert admin.json()["code"] == 880052


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"userPrincipalName": "jo@elsewhere.example"}, 880051),
        ({"userPrincipalName": "jo"}, 880051),
        ({"userPrincipalName": None}, 880009),
        ({"displayName": None}, 880009),
        ({"usageLocation": "XX"}, 880010),
        ({"passwordProfile": {"password": "short"}}, 880053),
        ({"passwordProfile": {"password": "alllowercaseletters"}}, 880053),
        ({"passwordProfile": None}, 880009),
        ({"firstName": "n" * 65}, 880008),
        ({"passwordProfile": {"password": PASSWORD, "forceChangePassword": "yes"}}, 800002),
    ],
)
async def test_refused_users(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient, change: dict[str, Any], code: int
) -> None:
    customer = await new_customer(client)
    body = {k: v for k, v in _user(customer["companyProfile"]["domain"], **change).items() if v}
    response = await user_client.post(f"/v1/customers/{customer['id']}/users", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == code
    assert "short" not in response.text


async def test_the_name_of_a_user_cannot_change(
    client: httpx.AsyncClient, user_client: httpx.AsyncClient
) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]
    users = (await client.get(f"/v1/customers/{cid}/users")).json()["items"]
    response = await user_client.patch(
        f"/v1/customers/{cid}/users/{users[0]['id']}",
        json={"userPrincipalName": f"boss@{domain}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == 880050


async def test_changes_need_a_signed_in_user(client: httpx.AsyncClient) -> None:
    customer = await new_customer(client)
    cid, domain = customer["id"], customer["companyProfile"]["domain"]
    response = await client.post(f"/v1/customers/{cid}/users", json=_user(domain))
    assert response.status_code == 403
    assert response.json()["code"] == 900329
