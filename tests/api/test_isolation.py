"""Isolation: another partner's token gets none of a partner's data, on every `/v1` route.

Partner A (a US indirect provider with an indirect reseller R) owns customers; partners B
(a US direct-bill partner and a US indirect provider with a reseller of its own, each with
an App-only and an App+User token) try every `/v1` route against A's data: A's customer
ids, A's billing etag, A's continuation token, A's `MS-RequestId` and create bodies, A's
domains and company names. Each answer must be a refusal with the expected code, or B's
own data only, and no answer may carry A's customer ids, admin passwords, billing ids or
etags (the 20002 refusal quotes the customer id B itself sent: exactly that is allowed).

`ROUTES` maps each (method, path template) to how it is exercised. The route set is
checked against the live server's OpenAPI document both ways, so a new `/v1` route fails
`test_every_v1_route_is_covered` until it is added here. The same table drives the
bad-token tests: a tampered, expired, foreign or otherwise wrong token is refused (401)
on every route.

`HEAD /v1/domains/{domain}` is global by design: a domain is taken for everyone, and
create's 880001 says as much. B learns that one bit, the same bit A (or anyone) learns:
the test asserts only that B's answer is a bodiless 200/404, the same as A's, with
nothing of A's in its headers.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tenantry.domain.models import PartnerType
from tests.support import payloads
from tests.support.isolation import (
    BadTokens,
    Registered,
    add_partner_with_user,
    flip_signature,
    swap_claims,
)
from tests.support.partners import add_partnership
from tests.support.server import LiveServer

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
CUSTOMER_PATH = "/v1/customers/{customer_id}"

# --- the world: partner A's data, and the partners B that must not see it ---------------


@dataclass
class Victim:
    """One of A's customers, and everything about it that only A may learn."""

    id: str
    commerce_id: str
    domain: str
    company_name: str
    email: str
    billing_id: str
    etag: str
    password: str
    admin_upn: str
    admin_user_ids: list[str]
    gdap_ids: list[str]
    request_id: str  # the MS-RequestId A created it with
    body: bytes  # the exact create body A sent
    profile: dict[str, Any]  # the billing profile as A reads it
    address: dict[str, Any]

    def secrets(self) -> dict[str, str]:
        found = {
            "customer id": self.id,
            "commerce id": self.commerce_id,
            "billing profile id": self.billing_id,
            "billing etag": self.etag,
            "admin password": self.password,
            "admin user principal name": self.admin_upn,
            "billing e-mail": self.email,
        }
        found |= {f"admin user id {i}": v for i, v in enumerate(self.admin_user_ids)}
        found |= {f"GDAP relationship id {i}": v for i, v in enumerate(self.gdap_ids)}
        return {f"{name} of {self.company_name}": value for name, value in found.items()}


@dataclass
class Caller:
    """Partner B as one kind of principal."""

    signed_up: Registered
    app_only: bool
    own_ids: set[str]  # B's own customers (shared by both principals of one partner)
    own_resellers: list[str]  # B's own partnerships as an indirect provider

    @property
    def token(self) -> str:
        return self.signed_up.app_token if self.app_only else self.signed_up.user_token

    @property
    def tenant_id(self) -> str:
        return self.signed_up.tenant_id


@dataclass
class World:
    a: Registered
    reseller: Registered  # A's indirect reseller R
    customers: list[Victim]  # probed by B: a direct customer and one for R
    target: Victim  # the customer the bad-token requests aim at
    continuation: str  # a continuation token issued to A
    callers: dict[str, Caller]
    bad_tokens: dict[str, str | None] = field(default_factory=dict)
    control_token: str = ""  # forged like the bad tokens, but with nothing changed

    def secrets(self) -> dict[str, str]:
        found = {"A's continuation token": self.continuation}
        for victim in [*self.customers, self.target]:
            found |= victim.secrets()
        return found


def call(
    http: httpx.Client,
    token: str | None,
    method: str,
    url: str,
    *,
    json_body: Any = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"Accept": "application/json", "MS-RequestId": str(uuid.uuid4())}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if content is not None:
        sent["Content-Type"] = "application/json"
    sent |= headers or {}
    return http.request(method, url, json=json_body, content=content, headers=sent, params=params)


def _create(http: httpx.Client, token: str, body: dict[str, Any]) -> str:
    response = call(http, token, "POST", "/v1/customers", json_body=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _victim(http: httpx.Client, a: Registered, body: dict[str, Any]) -> Victim:
    raw = json.dumps(body).encode()
    request_id = str(uuid.uuid4())
    created = call(
        http,
        a.user_token,
        "POST",
        "/v1/customers",
        content=raw,
        headers={"MS-RequestId": request_id},
    )
    assert created.status_code == 201, created.text
    customer = created.json()
    cid = customer["id"]
    billing = call(http, a.user_token, "GET", f"/v1/customers/{cid}/profiles/billing")
    assert billing.status_code == 200, billing.text
    users = call(http, a.user_token, "GET", f"/v1/customers/{cid}/users")
    gdap = call(http, a.user_token, "GET", f"/v1/customers/{cid}/delegatedadminrelationships")
    assert users.status_code == gdap.status_code == 200, users.text + gdap.text
    profile = billing.json()
    assert billing.headers["etag"] == f'"{profile["attributes"]["etag"]}"'
    return Victim(
        id=cid,
        commerce_id=customer["commerceId"],
        domain=customer["companyProfile"]["domain"],
        company_name=customer["billingProfile"]["companyName"],
        email=profile["email"],
        billing_id=profile["id"],
        etag=profile["attributes"]["etag"],
        password=customer["userCredentials"]["password"],
        admin_upn=f"admin@{customer['companyProfile']['domain']}",
        admin_user_ids=[u["id"] for u in users.json()["items"]],
        gdap_ids=[g["id"] for g in gdap.json()["items"]],
        request_id=request_id,
        body=raw,
        profile=profile,
        address=profile["defaultAddress"],
    )


def _alpha_body(tag: str, **overrides: Any) -> dict[str, Any]:
    stem = uuid.uuid4().hex[:10]
    return payloads.minimal(
        f"alpha{stem}",
        billingProfile__companyName=f"Alpha {tag} {stem}",
        billingProfile__email=f"alpha-{stem}@alpha.example",
        enableGDAPByDefault=True,
        **overrides,
    )


def _b_partner(
    server: LiveServer, http: httpx.Client, name: str, partner_type: PartnerType
) -> tuple[Registered, set[str], list[str]]:
    b = add_partner_with_user(server, "US", partner_type, f"Bravo {name}")
    own: set[str] = set()
    resellers: list[str] = []
    for token in (b.app_token, b.user_token):
        stem = uuid.uuid4().hex[:10]
        body = payloads.minimal(f"bravo{stem}", billingProfile__companyName=f"Bravo {stem}")
        own.add(_create(http, token, body))
    if partner_type is PartnerType.INDIRECT_PROVIDER:
        rb = add_partner_with_user(server, "US", PartnerType.INDIRECT_RESELLER, "Bravo reseller")
        add_partnership(server, b.partner, rb.partner)
        resellers.append(rb.tenant_id)
        stem = uuid.uuid4().hex[:10]
        body = payloads.minimal(
            f"bravo{stem}",
            billingProfile__companyName=f"Bravo for reseller {stem}",
            associatedPartnerId=rb.tenant_id,
        )
        own.add(_create(http, b.user_token, body))
    return b, own, resellers


def _bad_tokens(a: Registered, b: Registered, forge: BadTokens) -> dict[str, str | None]:
    """Each must be refused. All but `unknown tenant` claim A's tenant."""
    now = int(time.time())
    stranger = str(uuid.uuid4())
    a_tid = a.tenant_id
    return {
        "missing": None,
        "tampered app signature": flip_signature(a.app_token),
        "tampered user signature": flip_signature(a.user_token),
        "A's claims in B's token": swap_claims(b.user_token, forge.claims),
        "expired": forge.signed(iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "not yet valid": forge.signed(nbf=now + 3600),
        "wrong audience": forge.signed(aud="https://graph.microsoft.com"),
        "no audience": forge.signed(aud=None),
        "unknown signing key": forge.foreign_key(),
        "unknown key id": forge.foreign_key(kid=uuid.uuid4().hex),
        "unknown tenant": forge.signed(
            tid=stranger, iss=f"https://login.microsoftonline.com/{stranger}/v2.0"
        ),
        "wrong issuer": forge.signed(iss=f"https://login.evil.example/{a_tid}/v2.0"),
        "issuer of another tenant": forge.signed(
            iss=f"https://login.microsoftonline.com/{b.tenant_id}/v2.0"
        ),
        "alg none": forge.alg_none(),
        "HS256 keyed with the public key": forge.hmac_with_public_key(),
    }


BAD_TOKEN_CASES = [
    "missing",
    "tampered app signature",
    "tampered user signature",
    "A's claims in B's token",
    "expired",
    "not yet valid",
    "wrong audience",
    "no audience",
    "unknown signing key",
    "unknown key id",
    "unknown tenant",
    "wrong issuer",
    "issuer of another tenant",
    "alg none",
    "HS256 keyed with the public key",
]

CALLERS = ["direct-bill app-only", "direct-bill app+user", "indirect app-only", "indirect app+user"]


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def world(server: LiveServer, http: httpx.Client) -> World:
    a = add_partner_with_user(server, "US", PartnerType.INDIRECT_PROVIDER, "Alpha provider")
    reseller = add_partner_with_user(server, "US", PartnerType.INDIRECT_RESELLER, "Alpha reseller")
    add_partnership(server, a.partner, reseller.partner)
    direct = _victim(http, a, _alpha_body("Direct"))
    for_reseller = _victim(http, a, _alpha_body("Resold", associatedPartnerId=reseller.tenant_id))
    target = _victim(http, a, _alpha_body("Target"))
    page = call(http, a.app_token, "GET", "/v1/customers", params={"size": "1"})
    assert page.status_code == 200, page.text
    continuation = page.json()["continuationToken"]

    callers: dict[str, Caller] = {}
    for label, partner_type in (
        ("direct-bill", PartnerType.DIRECT_BILL),
        ("indirect", PartnerType.INDIRECT_PROVIDER),
    ):
        b, own, resellers = _b_partner(server, http, label, partner_type)
        for kind, app_only in (("app-only", True), ("app+user", False)):
            callers[f"{label} {kind}"] = Caller(b, app_only, own, resellers)
    assert sorted(callers) == sorted(CALLERS)

    built = World(a, reseller, [direct, for_reseller], target, continuation, callers)
    forge = BadTokens(server, a.user_token)
    built.bad_tokens = _bad_tokens(a, callers["direct-bill app-only"].signed_up, forge)
    built.control_token = forge.signed()
    assert sorted(built.bad_tokens) == sorted(BAD_TOKEN_CASES)
    return built


# --- assertions --------------------------------------------------------------------------


def _visible_text(response: httpx.Response, *, skip_description: bool = False) -> str:
    """What the caller can read: the body and every header, lower-cased."""
    body = response.text
    if skip_description and body:
        parsed = response.json()
        parsed.pop("description")
        body = json.dumps(parsed)
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
    return f"{body}\n{headers}".lower()


def assert_no_leak(
    response: httpx.Response,
    secrets: dict[str, str],
    *,
    skip_description: bool = False,
    supplied: tuple[str, ...] = (),
) -> None:
    """None of `secrets` in the body or headers, except values B itself sent (`supplied`)."""
    text = _visible_text(response, skip_description=skip_description)
    for name, value in secrets.items():
        if value in supplied:
            continue
        assert value.lower() not in text, (
            f"{response.request.method} {response.request.url} leaked {name} ({value}): "
            f"{response.status_code} {response.text[:500]}"
        )


def assert_refused(
    response: httpx.Response, status: int, code: int, secrets: dict[str, str]
) -> dict[str, Any]:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: expected {status} {code}, got "
        f"{response.status_code} {response.text[:500]}"
    )
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert_no_leak(response, secrets)
    return body


def assert_no_relationship(
    response: httpx.Response, caller: Caller, sent_id: str, secrets: dict[str, str]
) -> None:
    """403 20002. Its description quotes the id B sent; exactly that, and nothing else."""
    assert response.status_code == 403, (
        f"{response.request.method} {response.request.url}: expected 403 20002, got "
        f"{response.status_code} {response.text[:500]}"
    )
    assert response.json() == {
        "code": 20002,
        "description": (
            f"Partner {caller.tenant_id} has no commerce relationship with customer {sent_id}."
        ),
        "data": [],
        "source": "PartnerFD",
    }
    assert_no_leak(response, secrets, skip_description=True)


def assert_a_intact(http: httpx.Client, world: World, victims: list[Victim]) -> None:
    """A's customers are still A's, unchanged: same relationship, same billing profile."""
    for victim in victims:
        read = call(http, world.a.user_token, "GET", f"/v1/customers/{victim.id}")
        assert read.status_code == 200, read.text
        customer = read.json()
        assert customer["relationshipToPartner"] == "reseller"
        billing = customer["billingProfile"]
        assert billing["attributes"]["etag"] == victim.etag
        assert billing["email"] == victim.email
        assert billing["companyName"] == victim.company_name


# --- probes: partner B against A's data, one per route -----------------------------------

Probe = Callable[[World, httpx.Client, Caller], None]


def _each_customer_id(world: World) -> Iterator[tuple[Victim, str]]:
    """A's direct customer, A's customer for R, and the first one's id in upper case."""
    direct, resold = world.customers
    yield direct, direct.id
    yield resold, resold.id
    yield direct, direct.id.upper()


def _customer_read(suffix: str | Callable[[Victim], str], *, user_only: bool = False) -> Probe:
    """GET of A's customer or one of its sub-resources (the suffix may name one of the
    victim's own ids): 20002 (900329 first for App-only on an App+User-only resource:
    refused before the customer is looked up)."""

    def probe(world: World, http: httpx.Client, caller: Caller) -> None:
        secrets = world.secrets()
        for victim, cid in _each_customer_id(world):
            tail = suffix if isinstance(suffix, str) else suffix(victim)
            response = call(http, caller.token, "GET", f"/v1/customers/{cid}{tail}")
            if user_only and caller.app_only:
                assert_refused(response, 403, 900329, secrets)
            else:
                assert_no_relationship(response, caller, cid, secrets)

    return probe


def _gdap_id(victim: Victim) -> str:
    """The victim's GDAP relationship (a customer made without one gets a made-up id)."""
    return victim.gdap_ids[0] if victim.gdap_ids else "00000000-0000-4000-8000-000000000000"


def probe_relationship_request(world: World, http: httpx.Client, caller: Caller) -> None:
    """The invitation link names the caller, never A."""
    response = call(http, caller.token, "GET", "/v1/customers/relationshiprequests")
    assert response.status_code == 200, response.text
    assert f"partnerId={caller.tenant_id}" in response.json()["url"]
    assert_no_leak(response, world.secrets())


def probe_list(world: World, http: httpx.Client, caller: Caller) -> None:
    secrets = world.secrets()
    direct, resold = world.customers
    a_ids = {v.id for v in [*world.customers, world.target]}

    listed = call(http, caller.token, "GET", "/v1/customers")
    assert listed.status_code == 200, listed.text
    assert {item["id"] for item in listed.json()["items"]} == caller.own_ids
    assert_no_leak(listed, secrets)

    # B's own pages, one customer each, followed the way the SDKs do.
    seen: list[str] = []
    response = call(http, caller.token, "GET", "/v1/customers", params={"size": "1"})
    while True:
        assert response.status_code == 200, response.text
        assert_no_leak(response, secrets)
        page = response.json()
        seen += [item["id"] for item in page["items"]]
        following = page["links"].get("next")
        if following is None:
            break
        headers = {h["key"]: h["value"] for h in following["headers"]}
        response = call(http, caller.token, "GET", f"/v1{following['uri']}", headers=headers)
    assert sorted(seen) == sorted(caller.own_ids)

    # Searches naming A's customers exactly.
    searches = [
        ("CompanyName", direct.company_name),
        ("CompanyName", resold.company_name),
        ("CompanyName", "Alpha"),
        ("Domain", direct.domain.split(".")[0]),
        ("Domain", direct.domain),
        ("Domain", resold.domain.split(".")[0].upper()),
        ("IndirectCloudSolutionProvider", world.a.tenant_id),
        ("IndirectReseller", world.reseller.tenant_id),
    ]
    for name, value in searches:
        flt = json.dumps({"Field": name, "Value": value, "Operator": "starts_with"})
        found = call(http, caller.token, "GET", "/v1/customers", params={"filter": flt})
        if name == "IndirectReseller" and caller.app_only:
            assert_refused(found, 403, 900329, secrets)
            continue
        assert found.status_code == 200, found.text
        ids = {item["id"] for item in found.json()["items"]}
        assert not ids & a_ids, f"search {name}={value!r} found A's customers"
        assert ids <= caller.own_ids
        assert_no_leak(found, secrets)

    # A's continuation token, as is and as its page's `links.next` would send it.
    for params in ({"seekOperation": "Next"}, {"size": "1", "seekOperation": "next"}):
        paged = call(
            http,
            caller.token,
            "GET",
            "/v1/customers",
            params=params,
            headers={"MS-ContinuationToken": world.continuation},
        )
        assert_refused(paged, 400, 880022, secrets)


def probe_create(world: World, http: httpx.Client, caller: Caller) -> None:
    """A's exact create bodies with A's MS-RequestIds: never A's stored answer."""
    secrets = world.secrets()
    a_ids = {v.id for v in [*world.customers, world.target]}
    direct, resold = world.customers
    # A's direct customer: its domain is taken, for everyone. A's customer for R: B has no
    # partnership with R (and App-only cannot create for a reseller at all).
    for victim, codes in ((direct, {880001}), (resold, {900329, 800016})):
        answers = []
        for _ in range(2):  # the second is a replay: of B's own first answer, at most
            response = call(
                http,
                caller.token,
                "POST",
                "/v1/customers",
                content=victim.body,
                headers={"MS-RequestId": victim.request_id},
            )
            answers.append((response.status_code, response.content))
            if response.status_code == 201:  # a customer of B's own: never A's
                assert response.json()["id"] not in a_ids, "B got A's stored create answer"
                caller.own_ids.add(response.json()["id"])
                assert_no_leak(response, secrets, supplied=(victim.email,))
            else:
                assert response.json()["code"] in codes, response.text
                assert_no_leak(response, secrets)
        assert answers[1] == answers[0]

    # B's own new body under A's MS-RequestId: a new customer of B's, not a replay.
    stem = uuid.uuid4().hex[:10]
    fresh = payloads.minimal(f"bravo{stem}", billingProfile__companyName=f"Bravo {stem}")
    response = call(
        http,
        caller.token,
        "POST",
        "/v1/customers",
        json_body=fresh,
        headers={"MS-RequestId": direct.request_id},
    )
    assert response.status_code == 201, response.text
    assert "Idempotent-Replayed" not in response.headers
    assert response.json()["id"] not in a_ids
    caller.own_ids.add(response.json()["id"])
    assert_no_leak(response, secrets)

    # A's own record is untouched: A's retry still replays A's answer.
    replay = call(
        http,
        world.a.user_token,
        "POST",
        "/v1/customers",
        content=direct.body,
        headers={"MS-RequestId": direct.request_id},
    )
    assert replay.status_code == 201, replay.text
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == direct.id


def probe_update_billing(world: World, http: httpx.Client, caller: Caller) -> None:
    """A's etag or a stale one, in If-Match or in the body as the SDKs send it: always
    20002, before any etag comparison. With no etag at all: 428, which is judged before the
    customer is even looked up (so it reveals nothing about A)."""
    secrets = world.secrets()
    for victim, cid in _each_customer_id(world):
        body = {**victim.profile, "email": "mallory@bravo.example", "companyName": "Mallory"}
        bare = {k: v for k, v in body.items() if k != "attributes"}
        stale_in_body = {**bare, "attributes": {"etag": "1"}}
        cases: list[tuple[str | None, dict[str, Any]]] = [
            (f'"{victim.etag}"', bare),
            (victim.etag, bare),
            ('"1"', bare),
            (None, body),  # A's etag in the body
            (None, stale_in_body),
            (None, bare),
        ]
        for if_match, sent in cases:
            headers = {} if if_match is None else {"If-Match": if_match}
            response = call(
                http,
                caller.token,
                "PUT",
                f"/v1/customers/{cid}/profiles/billing",
                json_body=sent,
                headers=headers,
            )
            if if_match is None and sent is bare:
                assert_refused(response, 428, 880018, secrets)
            else:
                assert_no_relationship(response, caller, cid, secrets)
    assert_a_intact(http, world, world.customers)


def probe_update_customer(world: World, http: httpx.Client, caller: Caller) -> None:
    secrets = world.secrets()
    for _, cid in _each_customer_id(world):
        for body in ({"relationshipToPartner": "none"}, {"RelationshipToPartner": "None"}):
            response = call(http, caller.token, "PATCH", f"/v1/customers/{cid}", json_body=body)
            if caller.app_only:
                assert_refused(response, 403, 900329, secrets)
            else:
                assert_no_relationship(response, caller, cid, secrets)
    assert_a_intact(http, world, world.customers)


def _customer_write(
    method: str,
    suffix: str | Callable[[Victim], str],
    body: Any = None,
    *,
    user_only: bool = False,
) -> Probe:
    """A change to A's customer or one of its sub-resources: 20002 (900329 first for
    App-only on an App+User-only call), and A's customers unchanged."""

    def probe(world: World, http: httpx.Client, caller: Caller) -> None:
        secrets = world.secrets()
        for victim, cid in _each_customer_id(world):
            tail = suffix if isinstance(suffix, str) else suffix(victim)
            url = f"/v1/customers/{cid}{tail}"
            response = call(http, caller.token, method, url, json_body=body)
            if user_only and caller.app_only:
                assert_refused(response, 403, 900329, secrets)
            else:
                assert_no_relationship(response, caller, cid, secrets)
        assert_a_intact(http, world, world.customers)

    return probe


def _public(url: str) -> Probe:
    """Reference data that is the same for every partner: B's answer is A's answer."""

    def probe(world: World, http: httpx.Client, caller: Caller) -> None:
        as_b = call(http, caller.token, "GET", url)
        as_a = call(http, world.a.app_token, "GET", url)
        assert as_b.status_code == 200, as_b.text
        assert as_b.content == as_a.content
        assert_no_leak(as_b, world.secrets())

    return probe


_AGREEMENT = {
    "primaryContact": {"firstName": "Mal", "lastName": "Lory", "email": "mal@bravo.example"},
    "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
    "dateAgreed": "2024-01-02T00:00:00Z",
    "type": "MicrosoftCustomerAgreement",
}
_ORDER = {"lineItems": [{"lineItemNumber": 0, "offerId": "m365-e3", "quantity": 1}]}
_USER = {
    "userPrincipalName": "mallory@bravo.example",
    "displayName": "Mallory",
    "usageLocation": "US",
    "passwordProfile": {"password": "Str0ng!Passw0rd", "forceChangePassword": True},
}
_NO_SUCH = "00000000-0000-4000-8000-000000000000"


def probe_delete_customer(world: World, http: httpx.Client, caller: Caller) -> None:
    secrets = world.secrets()
    for _, cid in _each_customer_id(world):
        response = call(http, caller.token, "DELETE", f"/v1/customers/{cid}")
        assert_no_relationship(response, caller, cid, secrets)
    assert_a_intact(http, world, world.customers)


def probe_partner_relationships(world: World, http: httpx.Client, caller: Caller) -> None:
    """B's partnerships only: neither A nor A's reseller R."""
    secrets = world.secrets() | {
        "A's tenant id": world.a.tenant_id,
        "R's tenant id": world.reseller.tenant_id,
    }
    for kind, expected in (
        ("IsIndirectCloudSolutionProviderOf", caller.own_resellers),
        ("IsIndirectResellerOf", []),
    ):
        response = call(
            http, caller.token, "GET", "/v1/relationships", params={"relationship_type": kind}
        )
        if caller.app_only:
            assert_refused(response, 403, 900329, secrets)
            continue
        assert response.status_code == 200, response.text
        assert [item["id"] for item in response.json()["items"]] == expected
        assert_no_leak(response, secrets)


def probe_domain(world: World, http: httpx.Client, caller: Caller) -> None:
    """Global by design: one bit (taken or free), the same for B as for A, nothing more."""
    secrets = world.secrets()
    direct, resold = world.customers
    domains = [
        direct.domain,
        direct.domain.upper(),
        resold.domain,
        f"free{uuid.uuid4().hex[:20]}.onmicrosoft.com",
    ]
    for domain in domains:
        as_b = call(http, caller.token, "HEAD", f"/v1/domains/{domain}")
        as_a = call(http, world.a.app_token, "HEAD", f"/v1/domains/{domain}")
        assert as_b.status_code in (200, 404), as_b.status_code
        assert as_b.status_code == as_a.status_code, domain
        assert as_b.content == b""
        assert set(as_b.headers) == set(as_a.headers)
        assert_no_leak(as_b, secrets)


def probe_country_rules(world: World, http: httpx.Client, caller: Caller) -> None:
    """Public reference data: B's answer is A's answer."""
    for country in ("US", "us"):
        as_b = call(http, caller.token, "GET", f"/v1/countryvalidationrules/{country}")
        as_a = call(http, world.a.app_token, "GET", f"/v1/countryvalidationrules/{country}")
        assert as_b.status_code == 200, as_b.text
        assert as_b.content == as_a.content
        assert_no_leak(as_b, world.secrets())


def probe_validate_address(world: World, http: httpx.Client, caller: Caller) -> None:
    """Validating A's address: the same answer as A's, computed from the request alone."""
    address = world.customers[0].address
    as_b = call(http, caller.token, "POST", "/v1/validations/address", json_body=address)
    as_a = call(http, world.a.app_token, "POST", "/v1/validations/address", json_body=address)
    assert as_b.status_code == 200, as_b.text
    assert as_b.content == as_a.content
    assert_no_leak(as_b, world.secrets())


# --- the cheap request each route gets in the bad-token tests ----------------------------


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    json_body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


RequestFor = Callable[[World, Victim], Request]  # the target: A's customer to aim at


def _on_target(method: str, suffix: str = "", **extra: Any) -> RequestFor:
    return lambda w, t: Request(method, f"/v1/customers/{t.id}{suffix}", **extra)


def _put_billing(w: World, target: Victim) -> Request:
    return Request(
        "PUT",
        f"/v1/customers/{target.id}/profiles/billing",
        {**target.profile, "email": "mallory@bravo.example"},
        {"If-Match": f'"{target.etag}"'},
    )


@dataclass(frozen=True)
class Route:
    probe: Probe
    request: RequestFor


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/v1/customers"): Route(
        probe_list, lambda w, t: Request("GET", "/v1/customers?size=500")
    ),
    ("POST", "/v1/customers"): Route(
        probe_create, lambda w, t: Request("POST", "/v1/customers", payloads.minimal())
    ),
    ("GET", CUSTOMER_PATH): Route(_customer_read(""), _on_target("GET")),
    ("PATCH", CUSTOMER_PATH): Route(
        probe_update_customer, _on_target("PATCH", json_body={"relationshipToPartner": "none"})
    ),
    ("DELETE", CUSTOMER_PATH): Route(probe_delete_customer, _on_target("DELETE")),
    ("GET", CUSTOMER_PATH + "/profiles/company"): Route(
        _customer_read("/profiles/company", user_only=True), _on_target("GET", "/profiles/company")
    ),
    ("GET", CUSTOMER_PATH + "/profiles/billing"): Route(
        _customer_read("/profiles/billing"), _on_target("GET", "/profiles/billing")
    ),
    ("PUT", CUSTOMER_PATH + "/profiles/billing"): Route(probe_update_billing, _put_billing),
    ("GET", CUSTOMER_PATH + "/users"): Route(_customer_read("/users"), _on_target("GET", "/users")),
    ("GET", CUSTOMER_PATH + "/users/{user_id}"): Route(
        _customer_read(lambda v: f"/users/{v.admin_user_ids[0]}"),
        lambda w, t: Request("GET", f"/v1/customers/{t.id}/users/{t.admin_user_ids[0]}"),
    ),
    ("GET", CUSTOMER_PATH + "/relationships"): Route(
        _customer_read("/relationships", user_only=True), _on_target("GET", "/relationships")
    ),
    ("GET", CUSTOMER_PATH + "/delegatedadminrelationships"): Route(
        _customer_read("/delegatedadminrelationships"),
        _on_target("GET", "/delegatedadminrelationships"),
    ),
    ("GET", CUSTOMER_PATH + "/delegatedadminrelationships/{relationship_id}"): Route(
        _customer_read(lambda v: f"/delegatedadminrelationships/{_gdap_id(v)}"),
        lambda w, t: Request(
            "GET", f"/v1/customers/{t.id}/delegatedadminrelationships/{_gdap_id(t)}"
        ),
    ),
    ("GET", "/v1/customers/relationshiprequests"): Route(
        probe_relationship_request,
        lambda w, t: Request("GET", "/v1/customers/relationshiprequests"),
    ),
    ("GET", "/v1/relationships"): Route(
        probe_partner_relationships,
        lambda w, t: Request(
            "GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf"
        ),
    ),
    ("HEAD", "/v1/domains/{domain}"): Route(
        probe_domain, lambda w, t: Request("HEAD", f"/v1/domains/{t.domain}")
    ),
    ("GET", "/v1/countryvalidationrules/{country}"): Route(
        probe_country_rules, lambda w, t: Request("GET", "/v1/countryvalidationrules/US")
    ),
    ("POST", "/v1/validations/address"): Route(
        probe_validate_address,
        lambda w, t: Request("POST", "/v1/validations/address", t.address),
    ),
    ("GET", "/v1/agreements"): Route(
        _public("/v1/agreements?agreementType=MicrosoftCustomerAgreement"),
        lambda w, t: Request("GET", "/v1/agreements"),
    ),
    ("GET", CUSTOMER_PATH + "/agreements"): Route(
        _customer_read("/agreements"), _on_target("GET", "/agreements")
    ),
    ("POST", CUSTOMER_PATH + "/agreements"): Route(
        _customer_write("POST", "/agreements", _AGREEMENT, user_only=True),
        _on_target("POST", "/agreements", json_body=_AGREEMENT),
    ),
    ("GET", "/v1/offers"): Route(
        _public("/v1/offers?country=US"), lambda w, t: Request("GET", "/v1/offers?country=US")
    ),
    ("GET", "/v1/offers/{offer_id}"): Route(
        _public("/v1/offers/m365-e3?country=US"),
        lambda w, t: Request("GET", "/v1/offers/m365-e3?country=US"),
    ),
    ("GET", CUSTOMER_PATH + "/orders"): Route(
        _customer_read("/orders"), _on_target("GET", "/orders")
    ),
    ("POST", CUSTOMER_PATH + "/orders"): Route(
        _customer_write("POST", "/orders", _ORDER), _on_target("POST", "/orders", json_body=_ORDER)
    ),
    ("GET", CUSTOMER_PATH + "/orders/{order_id}"): Route(
        _customer_read("/orders/no-such-order"), _on_target("GET", "/orders/no-such-order")
    ),
    ("GET", CUSTOMER_PATH + "/subscriptions"): Route(
        _customer_read("/subscriptions"), _on_target("GET", "/subscriptions")
    ),
    ("GET", CUSTOMER_PATH + "/subscriptions/{subscription_id}"): Route(
        _customer_read(f"/subscriptions/{_NO_SUCH}"),
        _on_target("GET", f"/subscriptions/{_NO_SUCH}"),
    ),
    ("PATCH", CUSTOMER_PATH + "/subscriptions/{subscription_id}"): Route(
        _customer_write("PATCH", f"/subscriptions/{_NO_SUCH}", {"status": "suspended"}),
        _on_target("PATCH", f"/subscriptions/{_NO_SUCH}", json_body={"status": "suspended"}),
    ),
    ("POST", CUSTOMER_PATH + "/users"): Route(
        _customer_write("POST", "/users", _USER, user_only=True),
        _on_target("POST", "/users", json_body=_USER),
    ),
    ("PATCH", CUSTOMER_PATH + "/users/{user_id}"): Route(
        _customer_write(
            "PATCH", lambda v: f"/users/{v.admin_user_ids[0]}", {"displayName": "X"}, user_only=True
        ),
        lambda w, t: Request(
            "PATCH", f"/v1/customers/{t.id}/users/{t.admin_user_ids[0]}", {"displayName": "X"}
        ),
    ),
    ("DELETE", CUSTOMER_PATH + "/users/{user_id}"): Route(
        _customer_write("DELETE", lambda v: f"/users/{v.admin_user_ids[0]}", user_only=True),
        lambda w, t: Request("DELETE", f"/v1/customers/{t.id}/users/{t.admin_user_ids[0]}"),
    ),
}

ROUTE_IDS = [f"{method} {path}" for method, path in ROUTES]


# --- the tests ---------------------------------------------------------------------------


def test_every_v1_route_is_covered(http: httpx.Client) -> None:
    """The table is the OpenAPI document's `/v1` routes, no more and no fewer."""
    response = http.get("/openapi.json")
    assert response.status_code == 200, response.text
    documented = {
        (method.upper(), path)
        for path, operations in response.json()["paths"].items()
        if path == "/v1" or path.startswith("/v1/")
        for method in operations
        if method in HTTP_METHODS
    }
    assert documented, "the OpenAPI document lists no /v1 route"
    uncovered = sorted(documented - set(ROUTES))
    stale = sorted(set(ROUTES) - documented)
    assert not uncovered, f"/v1 routes with no isolation probe in ROUTES: {uncovered}"
    assert not stale, f"ROUTES names routes the OpenAPI document no longer lists: {stale}"


@pytest.mark.parametrize("caller_name", CALLERS)
@pytest.mark.parametrize("route", list(ROUTES), ids=ROUTE_IDS)
def test_another_partner_gets_none_of_a_s_data(
    world: World, http: httpx.Client, route: tuple[str, str], caller_name: str
) -> None:
    ROUTES[route].probe(world, http, world.callers[caller_name])


def test_the_forger_is_sound(world: World, http: httpx.Client) -> None:
    """The bad tokens' control: the same claims and key with nothing changed are accepted,
    so each refusal below is owed to the one thing its case changed."""
    response = call(http, world.control_token, "GET", f"/v1/customers/{world.target.id}")
    assert response.status_code == 200, response.text
    assert response.json()["billingProfile"]["attributes"]["etag"] == world.target.etag


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
@pytest.mark.parametrize("route", list(ROUTES), ids=ROUTE_IDS)
def test_a_bad_token_is_refused(
    world: World, http: httpx.Client, route: tuple[str, str], case: str
) -> None:
    method = route[0]
    # A write aims at a customer of its own: were a bad token accepted, what it changed
    # must not make the other cases fail too.
    writes = method in ("PUT", "PATCH", "DELETE")
    target = _victim(http, world.a, _alpha_body("Target")) if writes else world.target
    request = ROUTES[route].request(world, target)
    token = world.bad_tokens[case]
    response = call(
        http,
        token,
        request.method,
        request.url,
        json_body=request.json_body,
        headers=request.headers,
    )
    assert response.status_code == 401, (
        f"{case} token was accepted by {request.method} {request.url}: "
        f"{response.status_code} {response.text[:300]}"
    )
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="https://api.partnercenter.microsoft.com"')
    assert ('error="invalid_token"' in challenge) == (token is not None)
    if request.method != "HEAD":  # a HEAD answer has no body to carry the code
        assert response.json()["code"] == (800001 if token is None else 400)
    assert_no_leak(response, world.secrets() | target.secrets())
    if writes:
        assert_a_intact(http, world, [target])
