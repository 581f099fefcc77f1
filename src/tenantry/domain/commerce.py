"""What a customer agreed to and ordered: agreements, orders and their line items.

Plain frozen dataclasses, as `models.py`; wire schemas and tables are separate models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AgreementType(StrEnum):
    """The agreements a partner confirms for a customer, spelled as on the wire."""

    MICROSOFT_CLOUD_AGREEMENT = "MicrosoftCloudAgreement"
    MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"


@dataclass(frozen=True)
class AgreementMetadata:
    """One agreement template a partner may confirm (`AgreementMetaData`)."""

    template_id: str
    agreement_type: AgreementType
    agreement_link: str
    version_rank: int = 0


@dataclass(frozen=True)
class Contact:
    """The person of the customer's organisation who accepted an agreement."""

    first_name: str
    last_name: str
    email: str
    phone_number: str | None = None


@dataclass(frozen=True)
class AgreementDraft:
    """A confirmation as received: any member may be missing."""

    template_id: str | None = None
    agreement_type: str | None = None
    date_agreed: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    contact_given: bool = False


@dataclass(frozen=True)
class Agreement:
    """A customer's accepted agreement, as the partner confirmed it."""

    id: str
    customer_id: str
    template_id: str
    agreement_type: AgreementType
    date_agreed: datetime
    contact: Contact
    confirmed_by: str  # the partner user's name, or the application's client id
    created_at: datetime


@dataclass(frozen=True)
class LineItemDraft:
    """One line of an order as received."""

    line_item_number: int
    offer_id: str
    quantity: int
    friendly_name: str | None = None
    partner_id_on_record: str | None = None


@dataclass(frozen=True)
class OrderLineItem:
    line_item_number: int
    offer_id: str
    subscription_id: str
    friendly_name: str
    quantity: int
    partner_id_on_record: str | None = None


@dataclass(frozen=True)
class Order:
    """An order and the subscriptions its line items created."""

    id: str
    customer_id: str
    line_items: tuple[OrderLineItem, ...]
    created_at: datetime
    billing_cycle: str = "monthly"
    currency_code: str = "USD"
    status: str = "completed"
