"""Domain objects: what a partner asks for, and what Tenantry keeps.

Plain frozen dataclasses. Wire schemas (camelCase JSON) and tables are separate models;
mapping happens at the edges (`api/`, `storage/`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tenantry.domain.commerce import Order


class PartnerType(StrEnum):
    """The kinds of CSP partner that can call the customer API."""

    DIRECT_BILL = "direct_bill"
    INDIRECT_PROVIDER = "indirect_provider"
    INDIRECT_RESELLER = "indirect_reseller"


class RelationshipToPartner(StrEnum):
    """A customer's relationship with the partner, spelled as on the wire and in storage."""

    RESELLER = "reseller"  # what creating a customer makes
    NONE = "none"  # after the partner removed the relationship


@dataclass(frozen=True)
class Partner:
    """A CSP partner organisation, identified by its own Entra tenant id."""

    tenant_id: str
    name: str
    partner_type: PartnerType
    country: str

    @property
    def mpn_id(self) -> str:
        """The partner's seven-digit partner id (MPN id), as relationships answer it.

        Derived from the tenant id, so it is stable across restarts, exports and nodes
        without being stored: a deployment has no Microsoft Partner Network to ask.
        """
        digest = hashlib.sha256(self.tenant_id.lower().encode()).digest()
        return str(1_000_000 + int.from_bytes(digest[:8], "big") % 9_000_000)


@dataclass(frozen=True)
class AppRegistration:
    """An application a partner registered to call the API with client credentials."""

    client_id: str
    partner_id: str
    display_name: str
    secret_hash: str
    # Registered redirect URIs of the authorization-code flow (loopback ones need none).
    redirect_uris: tuple[str, ...] = ()
    # The secret replaced by the last rotation, accepted until it expires.
    previous_secret_hash: str | None = None
    previous_secret_expires_at: datetime | None = None

    def secret_hashes(self, now: datetime) -> tuple[str, ...]:
        """The hashes a presented secret may match: the current one, and the previous one
        while its overlap lasts."""
        previous = self.previous_secret_hash
        expires = self.previous_secret_expires_at
        if previous is not None and expires is not None and expires > now:
            return (self.secret_hash, previous)
        return (self.secret_hash,)


# --- what a caller sends ---------------------------------------------------------------


@dataclass(frozen=True)
class AddressDraft:
    """An address as received: every field may be missing."""

    country: str | None = None
    region: str | None = None
    city: str | None = None
    state: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None


@dataclass(frozen=True)
class CustomerDraft:
    """A create-customer request as received, before any rule has been applied."""

    domain: str | None = None
    organization_registration_number: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    billing_first_name: str | None = None
    billing_last_name: str | None = None
    address: AddressDraft | None = None
    enable_gdap_by_default: bool | None = None
    associated_partner_id: str | None = None
    password_supplied: bool = False


# --- what the rules accept -------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """A validated address. `state` is Partner Center's short code where a list applies."""

    country: str
    address_line1: str
    first_name: str
    last_name: str
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    region: str | None = None
    address_line2: str | None = None
    middle_name: str | None = None
    phone_number: str | None = None


@dataclass(frozen=True)
class ValidCustomer:
    """A create request that passed every rule, with values in their canonical form."""

    domain: str
    email: str
    culture: str
    language: str
    company_name: str
    address: Address
    enable_gdap_by_default: bool
    organization_registration_number: str | None = None
    billing_first_name: str | None = None
    billing_last_name: str | None = None
    associated_partner_id: str | None = None


# --- what Tenantry keeps ---------------------------------------------------------------


@dataclass(frozen=True)
class BillingProfile:
    """The customer's billing profile; `etag` changes on every update."""

    id: str
    email: str
    culture: str
    language: str
    company_name: str
    address: Address
    etag: int
    first_name: str | None = None
    last_name: str | None = None


@dataclass(frozen=True)
class Customer:
    """A customer tenant and its commerce record, as one partner sees it."""

    id: str
    commerce_id: str
    partner_id: str
    domain: str
    company_name: str
    billing: BillingProfile
    relationship_to_partner: RelationshipToPartner
    allow_delegated_access: bool
    enable_gdap_by_default: bool
    created_at: datetime
    organization_registration_number: str | None = None
    associated_partner_id: str | None = None


@dataclass(frozen=True)
class AdminUser:
    """The customer's first global administrator. Only the password hash is kept."""

    id: str
    customer_id: str
    user_name: str
    user_principal_name: str
    password_hash: str
    must_change_password: bool
    created_at: datetime
    # What `POST /v1/customers/{id}/users` gives; the admin made with the customer has none.
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    usage_location: str | None = None


@dataclass(frozen=True)
class ResellerRelationship:
    """The commerce relationship between a partner and its customer."""

    id: str
    customer_id: str
    partner_id: str
    created_at: datetime


@dataclass(frozen=True)
class GdapRelationship:
    """A granular delegated admin relationship with its Entra roles."""

    id: str
    customer_id: str
    partner_id: str
    display_name: str
    roles: tuple[str, ...]
    duration_days: int
    status: str
    created_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PartnerUser:
    """A person who signs in for a partner (App+User). Only the password hash is kept."""

    id: str
    partner_id: str
    user_principal_name: str
    display_name: str
    password_hash: str
    roles: tuple[str, ...]
    # The second factor at sign-in: "totp" (secret sealed below), "sandbox" (the sandbox
    # vouches for it; sandbox mode only) or "none" (tokens carry no MFA claim).
    mfa: str = "sandbox"
    totp_secret_sealed: bytes | None = None


@dataclass(frozen=True)
class SubscriptionChoice:
    """An offer chosen for a new customer, with its licence count."""

    offer_id: str
    quantity: int


@dataclass(frozen=True)
class Subscription:
    """A customer's subscription to one offer of the catalog."""

    id: str
    customer_id: str
    offer_id: str
    friendly_name: str
    quantity: int
    created_at: datetime
    status: str = "active"  # or "suspended"
    order_id: str | None = None
    partner_id_on_record: str | None = None


@dataclass(frozen=True)
class NewCustomer:
    """Everything one create writes, in one transaction."""

    customer: Customer
    admin: AdminUser
    relationship: ResellerRelationship
    gdap: GdapRelationship | None
    admin_password: str
    subscriptions: tuple[Subscription, ...] = ()
    order: Order | None = None  # the order that made `subscriptions`


class PartnershipState(StrEnum):
    """Whether an indirect provider and a reseller currently work together."""

    ACTIVE = "active"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Partnership:
    """An indirect provider's partnership with an indirect reseller (one per pair)."""

    provider_id: str
    reseller_id: str
    state: PartnershipState

    @property
    def active(self) -> bool:
        return self.state is PartnershipState.ACTIVE
