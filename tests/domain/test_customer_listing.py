"""Listing and searching a partner's customers (`CustomerListing`): keyset pages, newest
first, filters, and the customers still being provisioned. In memory, on a still clock."""

from __future__ import annotations

from datetime import timedelta

from tenantry.domain.customer_listing import CustomerListing
from tenantry.domain.listing import Cursor, CustomerFilter, CustomerPage, SearchField
from tenantry.domain.models import Customer, Partner
from tests.domain.world import DIRECT, PROVIDER, RESELLER, STRANGER, World, refusal

MINUTE = timedelta(minutes=1)


def listing(world: World) -> CustomerListing:
    return CustomerListing(world.db.uow, world.clock, world.limits)


async def create_minutes_apart(
    world: World, count: int, partner: Partner = DIRECT
) -> list[Customer]:
    """`count` customers, one a minute, oldest first."""
    created = []
    for _ in range(count):
        created.append(await world.create(partner))
        world.clock.advance(MINUTE)
    return created


async def every_page(
    world: World,
    partner: Partner,
    size: int,
    customer_filter: CustomerFilter | None = None,
    *,
    app_only: bool = True,
) -> list[CustomerPage]:
    """Follow the cursor from the first page to the last."""
    pages = [await listing(world).page(partner, size, customer_filter, app_only=app_only)]
    while pages[-1].next is not None:
        after = pages[-1].next
        pages.append(
            await listing(world).page(partner, size, customer_filter, after, app_only=app_only)
        )
    return pages


def ids(customers: list[Customer]) -> list[str]:
    return [c.id for c in customers]


async def test_a_page_lists_the_newest_customers_first() -> None:
    world = World()
    oldest, middle, newest = await create_minutes_apart(world, 3)

    page = await listing(world).page(DIRECT, 10, app_only=True)

    assert ids(page.items) == [newest.id, middle.id, oldest.id]
    assert page.next is None  # everything fitted: there is no next page


async def test_the_cursor_leads_through_every_customer_once() -> None:
    world = World()
    created = await create_minutes_apart(world, 5)

    pages = await every_page(world, DIRECT, 2)

    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [i for p in pages for i in ids(p.items)] == ids(created[::-1])
    first = pages[0]
    assert first.next == Cursor(first.items[-1].created_at, first.items[-1].id)


async def test_a_last_page_that_is_full_has_no_cursor() -> None:
    world = World()
    await create_minutes_apart(world, 4)

    pages = await every_page(world, DIRECT, 2)

    assert [len(p.items) for p in pages] == [2, 2]  # no empty third page to ask for


async def test_customers_created_at_the_same_moment_are_paged_by_id() -> None:
    world = World()
    created = [await world.create() for _ in range(4)]  # the clock stands still

    pages = await every_page(world, DIRECT, 1)

    assert [i for p in pages for i in ids(p.items)] == sorted(ids(created), reverse=True)


async def test_customers_created_while_paging_are_not_returned() -> None:
    world = World()
    created = await create_minutes_apart(world, 3)
    first = await listing(world).page(DIRECT, 2, app_only=True)

    latecomer = await world.create()
    rest = await listing(world).page(DIRECT, 2, after=first.next, app_only=True)

    assert ids(first.items + rest.items) == ids(created[::-1])
    assert latecomer.id in ids((await listing(world).page(DIRECT, 10, app_only=True)).items)


async def test_a_partner_sees_its_own_and_its_resold_customers_only() -> None:
    world = World()
    direct = await world.create(DIRECT)
    world.clock.advance(MINUTE)
    own = await world.create(PROVIDER)
    world.clock.advance(MINUTE)
    resold = await world.create(PROVIDER, for_reseller=RESELLER)

    async def listed(partner: Partner) -> list[str]:
        return ids((await listing(world).page(partner, 10, app_only=True)).items)

    assert await listed(DIRECT) == [direct.id]
    assert await listed(PROVIDER) == [resold.id, own.id]
    assert await listed(RESELLER) == [resold.id]
    assert await listed(STRANGER) == []


async def test_company_names_match_by_prefix_with_case_folding() -> None:
    world = World()
    strasse = await world.create(company_name="Straße Bikes")
    world.clock.advance(MINUTE)
    strassen = await world.create(company_name="STRASSENBAHN Werke")
    world.clock.advance(MINUTE)
    await world.create(company_name="Wingtip Toys")

    for typed in ("strasse", "STRASSE", "Straße", "str"):
        name_filter = CustomerFilter.starts_with(SearchField.COMPANY_NAME, typed)
        page = await listing(world).page(DIRECT, 10, name_filter, app_only=True)
        assert ids(page.items) == [strassen.id, strasse.id], typed
    bikes = CustomerFilter.starts_with(SearchField.COMPANY_NAME, "STRASSE B")
    assert ids((await listing(world).page(DIRECT, 10, bikes, app_only=True)).items) == [strasse.id]
    inside = CustomerFilter.starts_with(SearchField.COMPANY_NAME, "Bikes")  # not a prefix
    assert (await listing(world).page(DIRECT, 10, inside, app_only=True)).items == []


async def test_domains_match_by_prefix_without_case() -> None:
    world = World()
    first = await world.create(domain="Contoso1.onmicrosoft.com")
    world.clock.advance(MINUTE)
    second = await world.create(domain="contoso2.onmicrosoft.com")
    world.clock.advance(MINUTE)
    await world.create(domain="fabrikam1.onmicrosoft.com")

    contoso = CustomerFilter.starts_with(SearchField.DOMAIN, "CONTOSO")
    page = await listing(world).page(DIRECT, 10, contoso, app_only=True)
    assert ids(page.items) == [second.id, first.id]
    exact = CustomerFilter.starts_with(SearchField.DOMAIN, "contoso1.onmicrosoft.com")
    assert ids((await listing(world).page(DIRECT, 10, exact, app_only=True)).items) == [first.id]


async def test_a_filtered_list_pages_with_its_cursor() -> None:
    world = World()
    matching = []
    for n in range(5):
        name = "Contoso" if n % 2 == 0 else "Fabrikam"
        customer = await world.create(company_name=f"{name} {n}")
        if name == "Contoso":
            matching.append(customer)
        world.clock.advance(MINUTE)

    contoso = CustomerFilter.starts_with(SearchField.COMPANY_NAME, "contoso")
    pages = await every_page(world, DIRECT, 2, contoso)

    assert [len(p.items) for p in pages] == [2, 1]
    assert [i for p in pages for i in ids(p.items)] == ids(matching[::-1])


async def test_the_indirect_reseller_filter_needs_a_signed_in_user() -> None:
    world = World()
    resold = await world.create(PROVIDER, for_reseller=RESELLER)
    world.clock.advance(MINUTE)
    await world.create(PROVIDER)
    by_reseller = CustomerFilter.starts_with(SearchField.INDIRECT_RESELLER, RESELLER.tenant_id)

    refused = await refusal(listing(world).page(PROVIDER, 10, by_reseller, app_only=True))
    assert (refused.spec.code, refused.spec.status) == (900329, 403)

    page = await listing(world).page(PROVIDER, 10, by_reseller, app_only=False)
    assert ids(page.items) == [resold.id]
    some = CustomerFilter.starts_with(SearchField.INDIRECT_RESELLER, RESELLER.tenant_id[:8])
    assert ids((await listing(world).page(PROVIDER, 10, some, app_only=False)).items) == [resold.id]


async def test_tenant_id_filters_take_guid_prefixes_only() -> None:
    world = World()
    for field in (SearchField.INDIRECT_RESELLER, SearchField.INDIRECT_CLOUD_SOLUTION_PROVIDER):
        not_a_guid = CustomerFilter.starts_with(field, "Fabrikam")
        refused = await refusal(listing(world).page(PROVIDER, 10, not_a_guid, app_only=False))
        assert refused.spec.code == 880021


async def test_the_provider_filter_finds_a_resellers_customers_by_their_provider() -> None:
    world = World()
    resold = await world.create(PROVIDER, for_reseller=RESELLER)
    by_provider = CustomerFilter.starts_with(
        SearchField.INDIRECT_CLOUD_SOLUTION_PROVIDER, PROVIDER.tenant_id.upper()
    )
    page = await listing(world).page(RESELLER, 10, by_provider, app_only=True)
    assert ids(page.items) == [resold.id]
    elsewhere = CustomerFilter.starts_with(
        SearchField.INDIRECT_CLOUD_SOLUTION_PROVIDER, DIRECT.tenant_id
    )
    assert (await listing(world).page(RESELLER, 10, elsewhere, app_only=True)).items == []


async def test_customers_still_being_provisioned_are_not_listed() -> None:
    world = World(provisioning_delay=timedelta(seconds=90))
    ready = await world.create()
    world.clock.advance(timedelta(seconds=100))
    fresh = await world.create()

    page = await listing(world).page(DIRECT, 10, app_only=True)
    assert ids(page.items) == [ready.id]
    assert (await refusal(world.customers.get(DIRECT, fresh.id))).spec.code == 60003

    world.clock.advance(timedelta(seconds=90))
    assert ids((await listing(world).page(DIRECT, 10, app_only=True)).items) == [
        fresh.id,
        ready.id,
    ]
    assert (await world.customers.get(DIRECT, fresh.id)).id == fresh.id


async def test_without_a_delay_a_new_customer_is_listed_at_once() -> None:
    world = World()
    customer = await world.create()
    assert ids((await listing(world).page(DIRECT, 10, app_only=True)).items) == [customer.id]
