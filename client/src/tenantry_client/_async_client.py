"""`AsyncPartnerClient`: the asyncio client, over `httpx.AsyncClient`."""

from __future__ import annotations

import asyncio
import builtins
import uuid
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TypeVar

import httpx

from tenantry_client import _operations as ops
from tenantry_client._async_commerce import (
    AsyncAgreementOperations,
    AsyncOfferOperations,
    AsyncOrderOperations,
    AsyncSubscriptionOperations,
)
from tenantry_client._async_pipeline import Pipeline
from tenantry_client._async_users import AsyncUserOperations
from tenantry_client._core import (
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE,
    DEFAULT_TIMEOUT,
    ClientConfig,
    Operation,
)
from tenantry_client._directory import DelegatedAdminRelationship, PartnerRelationship
from tenantry_client._models import (
    Address,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
)
from tenantry_client._paging import AsyncPager, NextLink, Page
from tenantry_client._retry import RetryPolicy
from tenantry_client._token_source import AsyncCredentialLike, AsyncTokenSource
from tenantry_client._users import CustomerUser
from tenantry_client._validation import AddressValidationResult, CountryValidationRules

T = TypeVar("T")


class AsyncCustomerOperations:
    """`client.customers`: create, read, list, search and delete customers, and their
    profiles, users and relationships."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def create(
        self,
        customer: Customer,
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> Customer:
        """Create a customer; the answer carries the one-time admin `user_credentials`.

        Every retry sends the same `MS-RequestId`, so the service creates one customer
        however many attempts it takes. Pass your own `request_id` to make a create
        repeatable across runs (the service answers a repeat with the first answer).
        """
        return await self._pipeline.send(
            ops.create_customer(customer), request_id=request_id, correlation_id=correlation_id
        )

    async def get(self, customer_id: str, *, correlation_id: str | None = None) -> Customer:
        """The customer with this id (NotFoundError if there is none)."""
        return await self._pipeline.send(
            ops.get_customer(customer_id), correlation_id=correlation_id
        )

    def list(
        self, *, size: int | None = None, correlation_id: str | None = None
    ) -> AsyncPager[Customer]:
        """Every customer, newest first, `size` per page (the service's maximum if None)."""
        return self._pager(ops.list_customers(size, None), correlation_id)

    def search(
        self,
        *,
        company_name: str | None = None,
        domain: str | None = None,
        indirect_reseller: str | None = None,
        indirect_cloud_solution_provider: str | None = None,
        size: int | None = None,
        correlation_id: str | None = None,
    ) -> AsyncPager[Customer]:
        """Customers whose company name or domain starts with the text given, or those of
        one indirect reseller or provider (by tenant id). Give exactly one criterion."""
        criterion = ops.search_filter(
            company_name=company_name,
            domain=domain,
            indirect_reseller=indirect_reseller,
            indirect_cloud_solution_provider=indirect_cloud_solution_provider,
        )
        return self._pager(ops.list_customers(size, criterion), correlation_id)

    def _pager(
        self, first: Operation[Page[Customer]], correlation_id: str | None
    ) -> AsyncPager[Customer]:
        async def fetch(link: NextLink | None) -> Page[Customer]:
            operation = first if link is None else ops.next_customers(link)
            return await self._pipeline.send(operation, correlation_id=correlation_id)

        return AsyncPager(fetch, ops.resume_customers)

    async def delete(self, customer_id: str, *, correlation_id: str | None = None) -> None:
        """Delete a customer (the integration sandbox only; ForbiddenError elsewhere)."""
        await self._pipeline.send(ops.delete_customer(customer_id), correlation_id=correlation_id)

    async def billing_profile(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> CustomerBillingProfile:
        """The billing profile, with the `etag` an update needs."""
        return await self._pipeline.send(
            ops.billing_profile(customer_id), correlation_id=correlation_id
        )

    async def update_billing_profile(
        self,
        customer_id: str,
        profile: CustomerBillingProfile,
        *,
        etag: str | None = None,
        correlation_id: str | None = None,
    ) -> CustomerBillingProfile:
        """Replace the billing profile, if it has not changed since it was read.

        `If-Match` carries `etag`, else `profile.etag` (`"*"` overrides any change).
        PreconditionError: 412 if the profile changed meanwhile, 428 without any etag.
        """
        operation = ops.update_billing_profile(customer_id, profile, etag)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def company_profile(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> CustomerCompanyProfile:
        """The company profile (App+User tokens only)."""
        return await self._pipeline.send(
            ops.company_profile(customer_id), correlation_id=correlation_id
        )

    async def users(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> builtins.list[CustomerUser]:
        """The users of the customer's tenant."""
        return await self._pipeline.send(
            ops.customer_users(customer_id), correlation_id=correlation_id
        )

    async def indirect_resellers(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> builtins.list[PartnerRelationship]:
        """The indirect resellers related to the customer (App+User tokens only)."""
        operation = ops.customer_indirect_resellers(customer_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def gdap_relationships(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> builtins.list[DelegatedAdminRelationship]:
        """The partner's granular delegated admin (GDAP) relationships with the customer."""
        operation = ops.gdap_relationships(customer_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def remove_reseller_relationship(
        self, customer_id: str, *, correlation_id: str | None = None
    ) -> Customer:
        """End the reseller relationship (`relationshipToPartner: none`; App+User only)."""
        operation = ops.remove_reseller_relationship(customer_id)
        return await self._pipeline.send(operation, correlation_id=correlation_id)


class AsyncDomainOperations:
    """`client.domains`: is a domain taken?"""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def exists(self, domain: str, *, correlation_id: str | None = None) -> bool:
        """True if a tenant already uses `domain` (e.g. `contoso.onmicrosoft.com`)."""
        return await self._pipeline.send(ops.domain_exists(domain), correlation_id=correlation_id)


class AsyncValidationOperations:
    """`client.validations`: check an address before creating a customer with it."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def address(
        self, address: Address, *, correlation_id: str | None = None
    ) -> AddressValidationResult:
        """The service's verdict on an address, with suggested corrections."""
        return await self._pipeline.send(
            ops.validate_address(address), correlation_id=correlation_id
        )


class AsyncRelationshipOperations:
    """`client.relationships`: the partner's indirect partnerships (App+User only)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self._pipeline = pipeline

    async def indirect_resellers(
        self, *, correlation_id: str | None = None
    ) -> list[PartnerRelationship]:
        """An indirect provider's resellers."""
        operation = ops.partner_relationships(ops.INDIRECT_RESELLERS)
        return await self._pipeline.send(operation, correlation_id=correlation_id)

    async def indirect_providers(
        self, *, correlation_id: str | None = None
    ) -> list[PartnerRelationship]:
        """An indirect reseller's providers."""
        operation = ops.partner_relationships(ops.INDIRECT_PROVIDERS)
        return await self._pipeline.send(operation, correlation_id=correlation_id)


class AsyncPartnerClient:
    """An asyncio client for Partner Center's customer API: Tenantry or the real service.

        async with AsyncPartnerClient(credential, base_url="http://127.0.0.1:8000") as client:
            customer = await client.customers.create(Customer(...))

    `credential`: a `TokenCredential` (`ClientSecretCredential`, `CertificateCredential`,
    `DeviceCodeCredential`, …), an azure-core credential (azure-identity's,
    `DefaultAzureCredential`), a bearer token string, or None (no Authorization).
    `correlation_id` is sent as `MS-CorrelationId` on every call (a fresh one per client
    if None; each method can override it); `locale` as `X-Locale`. `timeout` bounds each
    connect, read and write of one attempt; `deadline` a whole call, its retries, waits
    and sign-in included (None: no limit). `transport` or `http_client` replace the HTTP
    layer (an `http_client` passed in is not closed by `close()`). `sleep` is what waits
    between retries, the token endpoint's included.
    """

    def __init__(
        self,
        credential: AsyncCredentialLike | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        locale: str | None = None,
        correlation_id: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if http_client is not None and transport is not None:
            raise ValueError("pass either transport or http_client, not both")
        if deadline is not None and not deadline > 0:
            raise ValueError("deadline must be a positive number of seconds, or None")
        tokens = None if credential is None else AsyncTokenSource(credential)
        self._config = ClientConfig(
            base_url=base_url.rstrip("/"),
            correlation_id=correlation_id or str(uuid.uuid4()),
            locale=locale,
            retry=retry or RetryPolicy(),
            deadline=deadline,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=timeout)
        pipeline = Pipeline(self._config, self._http, tokens, sleep)
        self._pipeline = pipeline
        self._customers = AsyncCustomerOperations(pipeline)
        self._domains = AsyncDomainOperations(pipeline)
        self._validations = AsyncValidationOperations(pipeline)
        self._relationships = AsyncRelationshipOperations(pipeline)
        self._agreements = AsyncAgreementOperations(pipeline)
        self._offers = AsyncOfferOperations(pipeline)
        self._orders = AsyncOrderOperations(pipeline)
        self._subscriptions = AsyncSubscriptionOperations(pipeline)
        self._users = AsyncUserOperations(pipeline)

    @property
    def customers(self) -> AsyncCustomerOperations:
        """Customers: create, get, list, search, delete; their profiles, users and
        relationships."""
        return self._customers

    @property
    def domains(self) -> AsyncDomainOperations:
        """Domains: whether one is taken."""
        return self._domains

    @property
    def validations(self) -> AsyncValidationOperations:
        """Validations: an address, before a customer is created with it."""
        return self._validations

    @property
    def relationships(self) -> AsyncRelationshipOperations:
        """The partner's indirect resellers and providers."""
        return self._relationships

    @property
    def agreements(self) -> AsyncAgreementOperations:
        """Agreements: the templates, and confirming a customer's acceptance."""
        return self._agreements

    @property
    def offers(self) -> AsyncOfferOperations:
        """Offers: what a market may order."""
        return self._offers

    @property
    def orders(self) -> AsyncOrderOperations:
        """Orders: place (idempotently), list and read a customer's orders."""
        return self._orders

    @property
    def subscriptions(self) -> AsyncSubscriptionOperations:
        """Subscriptions: list, read, rename, change quantity, suspend, reactivate."""
        return self._subscriptions

    @property
    def users(self) -> AsyncUserOperations:
        """A customer's users: list, read, create, update, delete."""
        return self._users

    @property
    def deadline(self) -> float | None:
        """The seconds a whole call may take, retries and sign-in included (None: no
        limit)."""
        return self._config.deadline

    @property
    def base_url(self) -> str:
        """The service's base URL (routes start with `/v1`)."""
        return self._config.base_url

    @property
    def correlation_id(self) -> str:
        """The `MS-CorrelationId` sent unless a call names another."""
        return self._config.correlation_id

    async def country_rules(
        self, country: str, *, correlation_id: str | None = None
    ) -> CountryValidationRules:
        """What an address in `country` (ISO 3166-1 alpha-2) needs: states, postal code
        pattern, cultures and languages."""
        return await self._pipeline.send(ops.country_rules(country), correlation_id=correlation_id)

    async def close(self) -> None:
        """Close the HTTP connections (unless the HTTP client was passed in)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncPartnerClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
