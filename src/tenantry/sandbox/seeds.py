"""A seed, read from its document (`control/seed_format.py`), and what applying it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from tenantry.domain.commerce import Contact
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.models import (
    Customer,
    CustomerDraft,
    Partner,
    PartnershipState,
    SubscriptionChoice,
)


def malformed(reason: str) -> ServiceError:
    """A seed or snapshot refused: 400 (800002) with a reason that names the member."""
    return ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})


@dataclass(frozen=True)
class SeedApp:
    client_id: str
    client_secret: str
    display_name: str
    redirect_uris: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeedUser:
    user_principal_name: str
    password: str
    display_name: str
    roles: tuple[str, ...]
    mfa: str = "sandbox"


@dataclass(frozen=True)
class SeedPartner:
    partner: Partner
    apps: tuple[SeedApp, ...]
    users: tuple[SeedUser, ...]


@dataclass(frozen=True)
class SeedPartnership:
    provider_id: str
    reseller_id: str
    state: PartnershipState


@dataclass(frozen=True)
class SeedAgreement:
    """The customer's acceptance of the Microsoft Customer Agreement, confirmed."""

    contact: Contact
    date_agreed: datetime | None = None  # None: when the seed is applied


@dataclass(frozen=True)
class SeedCustomer:
    partner_id: str
    draft: CustomerDraft
    subscriptions: tuple[SubscriptionChoice, ...] = ()  # ordered in one order
    agreement: SeedAgreement | None = None


@dataclass(frozen=True)
class Seed:
    partners: tuple[SeedPartner, ...]
    partnerships: tuple[SeedPartnership, ...]
    customers: tuple[SeedCustomer, ...]


@dataclass
class SeedReport:
    """What a seed created and what it found already there."""

    partners_created: list[str] = field(default_factory=list)
    partners_existing: list[str] = field(default_factory=list)
    partnerships_created: int = 0
    partnerships_existing: int = 0
    customers_created: list[Customer] = field(default_factory=list)
    customers_existing: list[str] = field(default_factory=list)
