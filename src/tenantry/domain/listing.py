"""The vocabulary of listing and searching a partner's customers, newest first, one keyset
page at a time (the service is `customer_listing.py`).

A page is defined by the last customer of the previous page (its creation time and id),
never by an offset: the cost of a page does not grow with its depth, and customers created
while a client pages sit before its position, so none is returned twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.models import Customer

MAX_PAGE_SIZE = 500


class SearchField(StrEnum):
    """The fields Partner Center's customer filter supports, spelled as on the wire."""

    COMPANY_NAME = "CompanyName"
    DOMAIN = "Domain"
    INDIRECT_RESELLER = "IndirectReseller"
    INDIRECT_CLOUD_SOLUTION_PROVIDER = "IndirectCloudSolutionProvider"

    @property
    def needs_user(self) -> bool:
        """Searching by indirect reseller is App+User only (Partner Center §10)."""
        return self is SearchField.INDIRECT_RESELLER


@dataclass(frozen=True)
class CustomerFilter:
    """A case-insensitive "starts with" on one field; `prefix` is already normalised."""

    field: SearchField
    prefix: str

    @classmethod
    def starts_with(cls, field: SearchField, value: str) -> CustomerFilter:
        # Company names compare by Unicode case folding; domains and tenant ids are ASCII.
        prefix = value.casefold() if field is SearchField.COMPANY_NAME else value.lower()
        return cls(field, prefix)


@dataclass(frozen=True)
class Cursor:
    """The position after which the next page starts (newest first)."""

    created_at: datetime
    customer_id: str


@dataclass(frozen=True)
class PageQuery:
    partner_id: str
    size: int
    filter: CustomerFilter | None = None
    after: Cursor | None = None
    created_before: datetime | None = None  # newer customers are still being provisioned


@dataclass(frozen=True)
class CustomerPage:
    items: list[Customer]
    next: Cursor | None


def page_size(requested: int | None) -> int:
    """Partner Center's rule: 1–500, and 0 or absent means the maximum."""
    if requested is None or requested == 0:
        return MAX_PAGE_SIZE
    if not 0 < requested <= MAX_PAGE_SIZE:
        raise ServiceError(Errors.MALFORMED_REQUEST, {"reason": f"size must be 0-{MAX_PAGE_SIZE}"})
    return requested


def check_filter_value(customer_filter: CustomerFilter) -> None:
    """Tenant-id filters take GUID prefixes only; anything else can match nothing."""
    if customer_filter.field in (
        SearchField.INDIRECT_RESELLER,
        SearchField.INDIRECT_CLOUD_SOLUTION_PROVIDER,
    ):
        allowed = set("0123456789abcdef-")
        if not set(customer_filter.prefix) <= allowed or len(customer_filter.prefix) > 36:
            raise ServiceError(
                Errors.FILTER_INVALID,
                {"reason": f"{customer_filter.field.value} takes a partner tenant id (a GUID)"},
            )
