"""The company and billing profiles (`ProfileService`): App+User for the company profile,
billing updates guarded by the etag, the create rules applied to the new profile, and the
audit trail. In memory, on a still clock."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from tenantry.domain.audit import USER
from tenantry.domain.models import AddressDraft, Customer, CustomerDraft
from tenantry.domain.profiles import ProfileService
from tests.domain.rules.rules_helpers import seed_address
from tests.domain.world import DIRECT, PROVIDER, RESELLER, STRANGER, USER_ACTOR, World, refusal
from tests.support.fakes import FakeWork

UPDATED = "customer.billingProfile.updated"


def profiles(world: World, *, sandbox: bool = True) -> ProfileService:
    return ProfileService(
        world.db.uow, sandbox=sandbox, visibility=world.visibility, clock=world.clock
    )


def new_billing(**changes: Any) -> CustomerDraft:
    """A billing-profile body as the route binds it: no company-profile fields."""
    base = CustomerDraft(
        email="ap@wingtiptoys.com",
        culture="en-US",
        language="en",
        company_name="Wingtip Toys Europe",
        billing_first_name="Ana",
        billing_last_name="Bowman",
        address=seed_address(city="Seattle", postal_code="98101", address_line1="1 Pike St"),
    )
    return dataclasses.replace(base, **changes)


def if_match(customer: Customer) -> str:
    return f'"{customer.billing.etag}"'


@pytest.fixture
def world() -> World:
    return World()


async def test_the_company_profile_needs_a_signed_in_user(world: World) -> None:
    customer = await world.create(company_name="Wingtip Toys")

    refused = await refusal(profiles(world).company(DIRECT, customer.id, app_only=True))
    assert (refused.spec.code, refused.spec.status) == (900329, 403)

    company = await profiles(world).company(DIRECT, customer.id.upper(), app_only=False)
    assert (company.id, company.domain, company.company_name) == (
        customer.id,
        customer.domain,
        "Wingtip Toys",
    )


async def test_profiles_are_read_only_by_related_partners(world: World) -> None:
    customer = await world.create()
    service = profiles(world)
    for call, code in (
        (service.billing(STRANGER, customer.id), 20002),
        (service.company(STRANGER, customer.id, app_only=False), 20002),
        (service.billing(DIRECT, "0a4ce58a-6f96-4273-8035-d9c7d31b9ba4"), 60003),
        (service.billing(DIRECT, "not-a-guid"), 900118),
    ):
        assert (await refusal(call)).spec.code == code


async def test_the_billing_profile_is_read_with_its_etag(world: World) -> None:
    customer = await world.create()

    read = await profiles(world).billing(DIRECT, customer.id)

    assert read.billing == customer.billing
    assert read.billing.email == "gena@wingtiptoys.com"


async def test_an_update_with_the_current_etag_replaces_the_profile(world: World) -> None:
    customer = await world.create()
    service = profiles(world)

    updated = await service.update_billing(
        DIRECT, customer.id, if_match(customer), new_billing(), actor=USER_ACTOR
    )

    assert updated.billing.etag != customer.billing.etag
    assert updated.billing.id == customer.billing.id
    assert (updated.billing.email, updated.billing.first_name) == ("ap@wingtiptoys.com", "Ana")
    assert updated.billing.address.city == "Seattle"
    assert updated.company_name == updated.billing.company_name == "Wingtip Toys Europe"
    assert (updated.domain, updated.created_at) == (customer.domain, customer.created_at)
    read = await service.billing(DIRECT, customer.id)
    assert read.billing == updated.billing  # what the answer says is what is kept
    company = await service.company(DIRECT, customer.id, app_only=False)
    assert company.company_name == "Wingtip Toys Europe"


@pytest.mark.parametrize("form", ["{etag}", '"{etag}"', 'W/"{etag}"', "  {etag} ", "*"])
async def test_the_etag_may_be_named_in_every_form_if_match_allows(world: World, form: str) -> None:
    customer = await world.create()

    etag = form.format(etag=customer.billing.etag)
    updated = await profiles(world).update_billing(
        DIRECT, customer.id, etag, new_billing(), actor=USER_ACTOR
    )

    assert updated.billing.email == "ap@wingtiptoys.com"


async def test_a_stale_etag_is_refused_and_changes_nothing(world: World) -> None:
    customer = await world.create()
    service = profiles(world)
    first = await service.update_billing(
        DIRECT, customer.id, if_match(customer), new_billing(), actor=USER_ACTOR
    )

    second = new_billing(email="late@wingtiptoys.com")
    refused = await refusal(
        service.update_billing(DIRECT, customer.id, if_match(customer), second, actor=USER_ACTOR)
    )

    assert (refused.spec.code, refused.spec.status) == (2055, 400)
    assert (await service.billing(DIRECT, customer.id)).billing == first.billing
    assert len(world.audit(UPDATED)) == 1


@pytest.mark.parametrize("etag", ['"not-a-number"', str(2**63), "W/"])
async def test_an_etag_that_names_no_version_is_stale(world: World, etag: str) -> None:
    customer = await world.create()

    refused = await refusal(
        profiles(world).update_billing(DIRECT, customer.id, etag, new_billing(), actor=USER_ACTOR)
    )

    assert refused.spec.code == 2055
    assert world.db.tables.customers[customer.id] == customer


async def test_a_change_committed_between_read_and_write_wins(world: World) -> None:
    customer = await world.create()
    opened = 0

    def uow_with_a_concurrent_update() -> FakeWork:
        nonlocal opened
        opened += 1
        if opened == 2:  # after the service read the profile, another update commits
            tables = world.db.tables
            current = tables.customers[customer.id]
            other = dataclasses.replace(current.billing, email="other@wingtiptoys.com", etag=7)
            tables.customers[customer.id] = dataclasses.replace(current, billing=other)
        return world.db.uow()

    service = ProfileService(
        uow_with_a_concurrent_update, sandbox=True, visibility=world.visibility, clock=world.clock
    )
    refused = await refusal(
        service.update_billing(
            DIRECT, customer.id, if_match(customer), new_billing(), actor=USER_ACTOR
        )
    )

    assert refused.spec.code == 2055
    kept = world.db.tables.customers[customer.id].billing
    assert (kept.email, kept.etag) == ("other@wingtiptoys.com", 7)
    assert world.audit(UPDATED) == []


@pytest.mark.parametrize("etag", [None, "", "   "])
async def test_an_update_without_an_etag_is_refused(world: World, etag: str | None) -> None:
    customer = await world.create()

    refused = await refusal(
        profiles(world).update_billing(DIRECT, customer.id, etag, new_billing(), actor=USER_ACTOR)
    )

    assert (refused.spec.code, refused.spec.status) == (880018, 428)
    assert world.db.tables.customers[customer.id] == customer


async def test_the_country_cannot_be_changed(world: World) -> None:
    customer = await world.create()
    canadian = AddressDraft(
        country="CA",
        city="Toronto",
        state="ON",
        address_line1="1 Front St",
        postal_code="M5J 2N1",
        first_name="Gena",
        last_name="Soto",
    )

    refused = await refusal(
        profiles(world).update_billing(
            DIRECT,
            customer.id,
            if_match(customer),
            new_billing(address=canadian),
            actor=USER_ACTOR,
        )
    )

    assert refused.spec.code == 800002
    assert [p.path for p in refused.problems] == ["defaultAddress.country"]
    assert world.db.tables.customers[customer.id] == customer


async def test_the_same_country_in_another_case_is_no_change(world: World) -> None:
    customer = await world.create()

    updated = await profiles(world).update_billing(
        DIRECT,
        customer.id,
        if_match(customer),
        new_billing(address=seed_address(country="us")),
        actor=USER_ACTOR,
    )

    assert updated.billing.address.country == "US"


async def test_validation_errors_name_fields_of_the_billing_profile(world: World) -> None:
    customer = await world.create()
    bad = new_billing(email="not-an-address", company_name=None, culture="xx-YY")

    refused = await refusal(
        profiles(world).update_billing(
            DIRECT, customer.id, if_match(customer), bad, actor=USER_ACTOR
        )
    )

    codes = {(p.spec.code, p.path) for p in refused.problems}
    assert {(880009, "companyName"), (880005, "email"), (880003, "culture")} <= codes
    assert not any(p.path.startswith("billingProfile.") for p in refused.problems)
    assert world.db.tables.customers[customer.id] == customer
    assert world.audit(UPDATED) == []


async def test_the_description_names_the_field_as_the_data_does(world: World) -> None:
    customer = await world.create()

    refused = await refusal(
        profiles(world).update_billing(
            DIRECT, customer.id, if_match(customer), new_billing(email=None), actor=USER_ACTOR
        )
    )

    assert [(p.spec.code, p.path) for p in refused.problems] == [(880009, "email")]
    assert refused.params["field"] == "email"  # "The field 'email' is required."


async def test_an_update_is_audited_with_both_etags(world: World) -> None:
    customer = await world.create()
    world.clock.advance(timedelta(minutes=5))

    updated = await profiles(world).update_billing(
        DIRECT, customer.id, if_match(customer), new_billing(), actor=USER_ACTOR
    )

    (event,) = world.audit(UPDATED)
    assert (event.actor_type, event.actor_id) == (USER, USER_ACTOR.id)
    assert (event.target_type, event.target_id, event.partner_id) == (
        "customer",
        customer.id,
        DIRECT.tenant_id,
    )
    assert (event.request_id, event.correlation_id) == ("r2", "c2")
    assert event.occurred_at == world.clock.now()
    assert event.details == {
        "etag": str(updated.billing.etag),
        "previousEtag": str(customer.billing.etag),
    }


async def test_other_partners_cannot_update_the_profile(world: World) -> None:
    customer = await world.create()

    refused = await refusal(
        profiles(world).update_billing(
            STRANGER, customer.id, if_match(customer), new_billing(), actor=USER_ACTOR
        )
    )

    assert refused.spec.code == 20002
    assert world.db.tables.customers[customer.id] == customer


async def test_the_reseller_of_a_customer_reads_its_profiles(world: World) -> None:
    customer = await world.create(PROVIDER, for_reseller=RESELLER)

    assert (await profiles(world).billing(RESELLER, customer.id)).id == customer.id
    company = await profiles(world).company(RESELLER, customer.id, app_only=False)
    assert company.associated_partner_id == RESELLER.tenant_id


async def test_a_customer_still_being_provisioned_has_no_profile_yet() -> None:
    world = World(provisioning_delay=timedelta(seconds=90))
    customer = await world.create()

    refused = await refusal(profiles(world).billing(DIRECT, customer.id))
    assert refused.spec.code == 60003

    world.clock.advance(timedelta(seconds=90))
    assert (await profiles(world).billing(DIRECT, customer.id)).id == customer.id
