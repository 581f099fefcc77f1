"""Every Partner Center call the SDK makes, as an `Operation`: route, body, how to read it.

The sync and the async client both build their calls here, so each route is described once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from tenantry_client._core import Operation, Retryable, UnreadableAnswer, WireResponse
from tenantry_client._directory import DelegatedAdminRelationship, PartnerRelationship
from tenantry_client._models import (
    Address,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
)
from tenantry_client._paging import NextLink, Page
from tenantry_client._users import CustomerUser
from tenantry_client._validation import AddressValidationResult, CountryValidationRules
from tenantry_client._wire import Members, dumps, loads

T = TypeVar("T")

CUSTOMERS = "/v1/customers"
CONTINUATION_HEADER = "MS-ContinuationToken"
INDIRECT_RESELLERS = "IsIndirectCloudSolutionProviderOf"
INDIRECT_PROVIDERS = "IsIndirectResellerOf"


def _segment(name: str, value: str) -> str:
    """One path segment; an empty or non-string id would address another route."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return quote(value.strip(), safe="")


def _customer(customer_id: str) -> str:
    """The path of one customer."""
    return f"{CUSTOMERS}/{_segment('customer_id', customer_id)}"


def _json(response: WireResponse) -> Any:
    try:
        return loads(response.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableAnswer(f"the answer is not JSON ({len(response.body)} bytes)") from exc


def _object(response: WireResponse) -> Mapping[str, Any]:
    value = _json(response)
    if not isinstance(value, Mapping):
        raise UnreadableAnswer("the answer is not a JSON object")
    return value


def _reader(read: Callable[[Mapping[str, Any]], T]) -> Callable[[WireResponse], T]:
    return lambda response: read(_object(response))


def _items(read: Callable[[Mapping[str, Any]], T]) -> Callable[[WireResponse], list[T]]:
    def parse(response: WireResponse) -> list[T]:
        items = Members(_object(response)).array("items")
        return [read(item) for item in items if isinstance(item, Mapping)]

    return parse


# --- customers ------------------------------------------------------------------------


def create_customer(customer: Customer) -> Operation[Customer]:
    # Safe to retry: the service answers a repeated MS-RequestId with the first answer.
    return Operation("POST", CUSTOMERS, _reader(Customer.from_wire), body=dumps(customer.to_wire()))


def get_customer(customer_id: str) -> Operation[Customer]:
    path = _customer(customer_id)
    return Operation("GET", path, _reader(Customer.from_wire))


def delete_customer(customer_id: str) -> Operation[None]:
    path = _customer(customer_id)
    return Operation("DELETE", path, lambda _: None, retryable=Retryable.UNSENT)


def remove_reseller_relationship(customer_id: str) -> Operation[Customer]:
    path = _customer(customer_id)
    body = dumps({"relationshipToPartner": "none", "attributes": {"objectType": "Customer"}})
    return Operation(
        "PATCH", path, _reader(Customer.from_wire), body=body, retryable=Retryable.UNSENT
    )


def page_reader(read: Callable[[Mapping[str, Any]], T]) -> Callable[[WireResponse], Page[T]]:
    """A collection page: its items, and where the next one is (`links.next`). The
    continuation token is its `MS-ContinuationToken` header, else the body's
    `continuationToken`, else the URI itself (offers page by an offset in it)."""

    def parse(response: WireResponse) -> Page[T]:
        members = Members(_object(response))
        items = [read(i) for i in members.array("items") if isinstance(i, Mapping)]
        following = members.obj("links").obj("next")
        uri = following.text("uri")
        if uri is None:
            return Page(items)
        headers = tuple(
            (str(h.get("key")), str(h.get("value")))
            for h in following.array("headers")
            if isinstance(h, Mapping) and h.get("key") is not None
        )
        token = next((v for k, v in headers if k.lower() == CONTINUATION_HEADER.lower()), None)
        token = token or members.text("continuationToken") or uri
        return Page(items, token, NextLink(uri, headers))

    return parse


def follow(link: NextLink, parse: Callable[[WireResponse], Page[T]]) -> Operation[Page[T]]:
    """The page `links.next` points to (its URI is relative to `/v1`)."""
    uri = link.uri
    if "://" not in uri and not uri.lower().startswith("/v1/"):
        uri = "/v1" + (uri if uri.startswith("/") else "/" + uri)
    return Operation("GET", uri, parse, headers=link.headers)


_customer_page = page_reader(Customer.from_wire)


_SEARCH_FIELDS = {
    "company_name": "CompanyName",
    "domain": "Domain",
    "indirect_reseller": "IndirectReseller",
    "indirect_cloud_solution_provider": "IndirectCloudSolutionProvider",
}


def search_filter(**criteria: str | None) -> tuple[str, str]:
    """The one (wire field, value) pair a search names; ValueError for none or several."""
    given = [(name, value) for name, value in criteria.items() if value is not None]
    if len(given) != 1:
        names = ", ".join(_SEARCH_FIELDS)
        raise ValueError(f"search takes exactly one of: {names}")
    name, value = given[0]
    return _SEARCH_FIELDS[name], value


def list_customers(size: int | None, search: tuple[str, str] | None) -> Operation[Page[Customer]]:
    """The first page; `search` is (field, prefix) for Partner Center's starts-with filter."""
    params: list[tuple[str, str]] = []
    if size is not None:
        params.append(("size", str(int(size))))
    if search is not None:
        field, value = search
        text = json.dumps({"Field": field, "Value": value, "Operator": "starts_with"})
        params.append(("filter", text))
    return Operation("GET", CUSTOMERS, _customer_page, params=tuple(params))


def next_customers(link: NextLink) -> Operation[Page[Customer]]:
    """The page `links.next` points to."""
    return follow(link, _customer_page)


def resume_customers(continuation_token: str) -> NextLink:
    """Where the page after `continuation_token` is, as a later `links.next` would say."""
    return NextLink("/customers?seekOperation=Next", ((CONTINUATION_HEADER, continuation_token),))


# --- profiles -------------------------------------------------------------------------


def _billing(response: WireResponse) -> CustomerBillingProfile:
    profile = CustomerBillingProfile.from_wire(_object(response))
    if profile.etag is None and "etag" in response.headers:
        etag = response.headers["etag"].strip()
        profile.etag = etag.removeprefix("W/").strip('"')
    return profile


def billing_profile(customer_id: str) -> Operation[CustomerBillingProfile]:
    path = f"{_customer(customer_id)}/profiles/billing"
    return Operation("GET", path, _billing)


def update_billing_profile(
    customer_id: str, profile: CustomerBillingProfile, etag: str | None
) -> Operation[CustomerBillingProfile]:
    """PUT with `If-Match`: `etag`, else the profile's own (none at all: the service's 428)."""
    path = f"{_customer(customer_id)}/profiles/billing"
    current = etag if etag is not None else profile.etag
    headers: tuple[tuple[str, str], ...] = ()
    if current is not None:
        value = current if current == "*" or current.startswith(('"', "W/")) else f'"{current}"'
        headers = (("If-Match", value),)
    return Operation(
        "PUT",
        path,
        _billing,
        body=dumps(profile.to_wire()),
        headers=headers,
        retryable=Retryable.UNSENT,  # a lost answer's retry would fail on the new etag
    )


def company_profile(customer_id: str) -> Operation[CustomerCompanyProfile]:
    path = f"{_customer(customer_id)}/profiles/company"
    return Operation("GET", path, _reader(CustomerCompanyProfile.from_wire))


# --- a customer's directory -----------------------------------------------------------


def customer_users(customer_id: str) -> Operation[list[CustomerUser]]:
    path = f"{_customer(customer_id)}/users"
    return Operation("GET", path, _items(CustomerUser.from_wire))


def customer_indirect_resellers(customer_id: str) -> Operation[list[PartnerRelationship]]:
    path = f"{_customer(customer_id)}/relationships"
    return Operation("GET", path, _items(PartnerRelationship.from_wire))


def gdap_relationships(customer_id: str) -> Operation[list[DelegatedAdminRelationship]]:
    path = f"{_customer(customer_id)}/delegatedadminrelationships"
    return Operation("GET", path, _items(DelegatedAdminRelationship.from_wire))


# --- partner relationships, domains, validation ---------------------------------------


def partner_relationships(relationship_type: str) -> Operation[list[PartnerRelationship]]:
    params = (("relationship_type", relationship_type),)
    return Operation(
        "GET", "/v1/relationships", _items(PartnerRelationship.from_wire), params=params
    )


def domain_exists(domain: str) -> Operation[bool]:
    """HEAD: 200 when the domain is in use, 404 when it is free."""
    path = f"/v1/domains/{_segment('domain', domain)}"
    return Operation("HEAD", path, lambda response: response.status != 404, accept=frozenset({404}))


def validate_address(address: Address) -> Operation[AddressValidationResult]:
    return Operation(
        "POST",
        "/v1/validations/address",
        _reader(AddressValidationResult.from_wire),
        body=dumps(address.to_wire()),
    )


def country_rules(country: str) -> Operation[CountryValidationRules]:
    path = f"/v1/countryvalidationrules/{_segment('country', country)}"
    return Operation("GET", path, _reader(CountryValidationRules.from_wire))
