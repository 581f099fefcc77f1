"""Every SDK method and every error class against the real app: sync and async clients, over
a socket and in-process (see `harness` in conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tenantry_client import (
    Address,
    AddressValidationResult,
    BadInputError,
    ClientSecretCredential,
    ConflictError,
    CountryValidationRules,
    CredentialError,
    Customer,
    CustomerBillingProfile,
    ForbiddenError,
    NotFoundError,
    Page,
    PartnerCenterError,
    PreconditionError,
    ServiceError,
    UnauthorizedError,
)

from tests.client.conftest import Harness, dev_credential
from tests.client.factories import unique_prefix, wingtip

NO_SUCH_CUSTOMER = "00000000-0000-4000-8000-000000000000"


async def test_create_returns_the_customer_and_its_one_time_admin_password(
    harness: Harness, sdk: Any
) -> None:
    wanted = wingtip()
    created = await harness.run(sdk.customers.create, wanted)

    assert isinstance(created, Customer)
    assert created.id is not None
    assert created.company_profile is not None
    assert created.company_profile.tenant_id == created.id
    assert created.company_profile.domain == wanted.company_profile.domain  # type: ignore[union-attr]
    assert created.billing_profile is not None
    assert created.billing_profile.etag
    assert created.billing_profile.default_address == wanted.billing_profile.default_address  # type: ignore[union-attr]
    credentials = created.user_credentials
    assert credentials is not None
    assert credentials.user_name
    assert credentials.password
    assert credentials.password not in repr(created)  # never printed by accident


async def test_get_reads_what_create_made(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    fetched = await harness.run(sdk.customers.get, created.id)
    assert fetched.id == created.id
    assert fetched.company_profile == created.company_profile
    assert fetched.billing_profile == created.billing_profile
    assert fetched.user_credentials is None  # the password is returned by create only


async def test_unknown_customer_is_not_found(harness: Harness, sdk: Any) -> None:
    correlation_id = str(uuid.uuid4())
    with pytest.raises(NotFoundError) as caught:
        await harness.run(sdk.customers.get, NO_SUCH_CUSTOMER, correlation_id=correlation_id)
    error = caught.value
    assert isinstance(error, ServiceError)
    assert isinstance(error, PartnerCenterError)
    assert (error.status, error.code) == (404, 60003)
    assert NO_SUCH_CUSTOMER in error.description
    assert error.correlation_id == correlation_id
    assert error.request_id is not None
    assert error.request_id in str(error)
    assert b'"source":"PartnerFD"' in error.body


async def test_a_malformed_id_is_bad_input(harness: Harness, sdk: Any) -> None:
    with pytest.raises(BadInputError) as caught:
        await harness.run(sdk.customers.get, "not-a-guid")
    assert (caught.value.status, caught.value.code) == (400, 900118)


async def test_invalid_create_is_bad_input_with_the_offending_fields(
    harness: Harness, sdk: Any
) -> None:
    customer = wingtip(culture="xx-NOPE")
    customer.billing_profile.email = "not an address"  # type: ignore[union-attr]
    with pytest.raises(BadInputError) as caught:
        await harness.run(sdk.customers.create, customer)
    error = caught.value
    assert error.status == 400
    assert error.code is not None
    assert len(error.data) >= 2
    assert any("culture" in line for line in error.data)
    assert any("email" in line for line in error.data)


async def test_a_taken_domain_is_a_conflict(harness: Harness, sdk: Any) -> None:
    first = wingtip()
    await harness.run(sdk.customers.create, first)
    with pytest.raises(ConflictError) as caught:
        await harness.run(sdk.customers.create, wingtip(first.company_profile.domain[:-16]))  # type: ignore[index,union-attr]
    assert (caught.value.status, caught.value.code) == (409, 880001)


async def test_domains_exists(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    assert await harness.run(sdk.domains.exists, created.company_profile.domain) is True
    free = f"{unique_prefix('free')}.onmicrosoft.com"
    assert await harness.run(sdk.domains.exists, free) is False


async def test_list_follows_continuation_tokens(harness: Harness, sdk: Any) -> None:
    created = [await harness.run(sdk.customers.create, wingtip()) for _ in range(5)]
    newest_first = [c.id for c in reversed(created)]

    items = await harness.collect(sdk.customers.list(size=2), limit=5)
    assert [c.id for c in items] == newest_first
    assert all(c.billing_profile is None for c in items)  # lists leave it out

    pages = []
    async for page in _pages(harness, sdk.customers.list(size=2)):
        pages.append(page)
        if len(pages) == 3:
            break
    assert [len(p.items) for p in pages] == [2, 2, 2]
    assert all(isinstance(p, Page) and p.continuation_token for p in pages)
    assert [c.id for p in pages for c in p.items][:5] == newest_first

    # A page's token resumes right after it, from a new pager (or a new process).
    resumed = sdk.customers.list(size=2)
    after_first = await _first_page(harness, resumed, pages[0].continuation_token)
    assert [c.id for c in after_first.items] == [c.id for c in pages[1].items]


async def _pages(harness: Harness, pager: Any, token: str | None = None) -> Any:
    if harness.is_async:
        async for page in pager.by_page(token):
            yield page
    else:
        for page in pager.by_page(token):
            yield page


async def _first_page(harness: Harness, pager: Any, token: str | None) -> Any:
    async for page in _pages(harness, pager, token):
        return page
    raise AssertionError("no page")


async def test_a_pager_fetches_nothing_until_iterated(harness: Harness) -> None:
    client = harness.client("no-such-token")
    pager = client.customers.list()
    with pytest.raises(UnauthorizedError):
        await harness.collect(pager)


async def test_search_by_company_name_and_domain(harness: Harness, sdk: Any) -> None:
    name = f"Sdk Search {uuid.uuid4().hex[:10]}"
    prefix = unique_prefix("srch")
    created = await harness.run(sdk.customers.create, wingtip(prefix, company_name=name))
    await harness.run(sdk.customers.create, wingtip(company_name=name + " Two"))

    by_name = await harness.collect(sdk.customers.search(company_name=name.upper(), size=1))
    assert len(by_name) == 2  # two pages of one
    by_domain = await harness.collect(sdk.customers.search(domain=prefix))
    assert [c.id for c in by_domain] == [created.id]
    with pytest.raises(ValueError, match="exactly one"):
        sdk.customers.search(company_name="a", domain="b")
    with pytest.raises(ValueError, match="exactly one"):
        sdk.customers.search()


async def test_search_by_indirect_reseller_needs_a_user(
    harness: Harness, sdk: Any, user_sdk: Any
) -> None:
    reseller = str(uuid.uuid4())
    with pytest.raises(ForbiddenError) as caught:
        await harness.collect(sdk.customers.search(indirect_reseller=reseller))
    assert (caught.value.status, caught.value.code) == (403, 900329)
    assert await harness.collect(user_sdk.customers.search(indirect_reseller=reseller)) == []


async def test_billing_profile_update_is_guarded_by_its_etag(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    profile = await harness.run(sdk.customers.billing_profile, created.id)
    assert isinstance(profile, CustomerBillingProfile)
    assert profile.etag == created.billing_profile.etag

    profile.company_name = "Wingtip Toys Renamed"
    updated = await harness.run(sdk.customers.update_billing_profile, created.id, profile)
    assert updated.company_name == "Wingtip Toys Renamed"
    assert updated.etag
    assert updated.etag != profile.etag

    # The old etag is stale now: 400 with Partner Center's code 2055.
    with pytest.raises(PreconditionError) as stale:
        await harness.run(sdk.customers.update_billing_profile, created.id, profile)
    assert (stale.value.status, stale.value.code) == (400, 2055)
    # No etag at all: 428.
    profile.etag = None
    with pytest.raises(PreconditionError) as missing:
        await harness.run(sdk.customers.update_billing_profile, created.id, profile)
    assert (missing.value.status, missing.value.code) == (428, 880018)
    # An explicit etag wins over the profile's; "*" means whatever is current.
    forced = await harness.run(sdk.customers.update_billing_profile, created.id, profile, etag="*")
    assert forced.etag != updated.etag
    again = await harness.run(
        sdk.customers.update_billing_profile, created.id, profile, etag=forced.etag
    )
    assert again.company_name == "Wingtip Toys Renamed"


async def test_company_profile_needs_a_user(harness: Harness, sdk: Any, user_sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    with pytest.raises(ForbiddenError) as caught:
        await harness.run(sdk.customers.company_profile, created.id)
    assert (caught.value.status, caught.value.code) == (403, 900329)
    company = await harness.run(user_sdk.customers.company_profile, created.id)
    assert company.tenant_id == created.id
    assert company.domain == created.company_profile.domain
    assert company.company_name == "Wingtip Toys"


async def test_users_gdap_and_relationships_of_a_customer(
    harness: Harness, sdk: Any, user_sdk: Any
) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    users = await harness.run(sdk.customers.users, created.id)
    assert [u.display_name for u in users] == [created.user_credentials.user_name]
    assert users[0].user_principal_name.endswith(created.company_profile.domain)

    gdap = await harness.run(sdk.customers.gdap_relationships, created.id)
    for relationship in gdap:
        assert relationship.customer_tenant_id == created.id
        assert relationship.roles
        assert relationship.created is not None

    with pytest.raises(ForbiddenError):
        await harness.run(sdk.customers.indirect_resellers, created.id)
    assert await harness.run(user_sdk.customers.indirect_resellers, created.id) == []


async def test_remove_reseller_relationship(harness: Harness, sdk: Any, user_sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    with pytest.raises(ForbiddenError):
        await harness.run(sdk.customers.remove_reseller_relationship, created.id)
    ended = await harness.run(user_sdk.customers.remove_reseller_relationship, created.id)
    assert ended.id == created.id
    assert ended.relationship_to_partner == "none"
    with pytest.raises(ForbiddenError) as caught:  # no relationship any more: 20002
        await harness.run(sdk.customers.get, created.id)
    assert caught.value.code == 20002


async def test_delete_in_the_sandbox(harness: Harness, sdk: Any) -> None:
    created = await harness.run(sdk.customers.create, wingtip())
    assert await harness.run(sdk.customers.delete, created.id) is None
    with pytest.raises(NotFoundError):
        await harness.run(sdk.customers.get, created.id)
    assert await harness.run(sdk.domains.exists, created.company_profile.domain) is False


async def test_partner_relationships_need_a_user(harness: Harness, sdk: Any, user_sdk: Any) -> None:
    with pytest.raises(ForbiddenError):
        await harness.run(sdk.relationships.indirect_resellers)
    assert await harness.run(user_sdk.relationships.indirect_resellers) == []
    assert await harness.run(user_sdk.relationships.indirect_providers) == []


async def test_validate_an_address(harness: Harness, sdk: Any) -> None:
    good = Address(
        address_line1="One Microsoft Way",
        city="Redmond",
        state="WA",
        postal_code="98052",
        country="US",
    )
    result = await harness.run(sdk.validations.address, good)
    assert isinstance(result, AddressValidationResult)
    assert result.original_address.city == "Redmond"
    assert result.status is not None

    wrong = Address(
        address_line1="One Microsoft Way",
        city="Redmond",
        state="WA",
        postal_code="1",
        country="US",
    )
    verdict = await harness.run(sdk.validations.address, wrong)
    assert not verdict.is_verified
    assert verdict.status != result.status or not result.is_verified


async def test_country_rules(harness: Harness, sdk: Any) -> None:
    rules = await harness.run(sdk.country_rules, "us")
    assert isinstance(rules, CountryValidationRules)
    assert rules.iso2_code == "US"
    assert "WA" in rules.supported_states
    assert rules.is_state_required
    assert rules.postal_code_regex
    assert "en-US" in rules.supported_cultures
    with pytest.raises(NotFoundError) as caught:
        await harness.run(sdk.country_rules, "XX")
    assert caught.value.code == 880017


async def test_a_bad_token_is_unauthorized(harness: Harness) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        await harness.run(harness.client("not-a-token").customers.get, NO_SUCH_CUSTOMER)
    assert (caught.value.status, caught.value.code) == (401, 400)
    with pytest.raises(UnauthorizedError) as missing:
        await harness.run(harness.client(None).customers.get, NO_SUCH_CUSTOMER)
    assert missing.value.code == 800001


async def test_a_wrong_client_secret_is_a_credential_error(harness: Harness) -> None:
    credential = dev_credential()
    wrong = ClientSecretCredential(credential.tenant_id, credential.client_id, "wrong")
    with pytest.raises(CredentialError) as caught:
        await harness.run(harness.client(wrong).customers.get, NO_SUCH_CUSTOMER)
    assert caught.value.error == "invalid_client"
    assert caught.value.status == 401


async def test_ids_and_locale_on_the_wire(harness: Harness) -> None:
    per_client = str(uuid.uuid4())
    client = harness.client(correlation_id=per_client, locale="en-GB")
    assert client.correlation_id == per_client
    request_id, per_call = str(uuid.uuid4()), str(uuid.uuid4())

    await harness.run(client.customers.create, wingtip(), request_id=request_id)
    await harness.run(client.customers.create, wingtip(), request_id=(second := str(uuid.uuid4())))
    await harness.run(
        client.customers.create,
        wingtip(),
        request_id=(third := str(uuid.uuid4())),
        correlation_id=per_call,
    )
    seen = [await harness.requests_with(i) for i in (request_id, second, third)]
    assert [len(s) for s in seen] == [1, 1, 1]
    assert [s[0]["correlationId"] for s in seen] == [per_client, per_client, per_call]


async def test_ids_are_validated_before_sending(sdk: Any, harness: Harness) -> None:
    for bad in ("", "  "):
        with pytest.raises(ValueError, match="customer_id"):
            await harness.run(sdk.customers.get, bad)


def test_models_translate_update_bodies_only() -> None:
    """A profile read from the service goes back with its etag (the .NET SDK's shape)."""
    profile = CustomerBillingProfile.from_wire(
        {"email": "a@b.example", "attributes": {"etag": "42", "objectType": "x"}}
    )
    assert profile.to_wire()["attributes"] == {
        "etag": "42",
        "objectType": "CustomerBillingProfile",
    }
