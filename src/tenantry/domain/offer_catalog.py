"""The offers a market may order (`GET /v1/offers?country=…`), read from the one offer
catalog (`offers.py`) that the portal's wizard reads too."""

from __future__ import annotations

from dataclasses import dataclass

from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.offers import Offer, catalog
from tenantry.domain.rules.markets import market_of

DEFAULT_SIZE = 100
MAX_SIZE = 1000


@dataclass(frozen=True)
class OfferPage:
    total: int
    offers: tuple[Offer, ...]
    offset: int
    size: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + len(self.offers)
        return following if following < self.total else None


def market_country(country: str | None) -> str:
    """The ISO2 country a request names: 400 when missing (880009) or unknown (880010)."""
    if country is None or not country.strip():
        raise ServiceError(Errors.REQUIRED_FIELD_MISSING, {"field": "country"})
    code = country.strip().upper()
    if market_of(code) is None:
        raise ServiceError(Errors.COUNTRY_UNKNOWN, {"country": country[:10]})
    return code


def _bound(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
        reason = f"{name} must be a whole number from {low} to {high}"
        raise ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})
    return int(value)


def offers_page(country: str | None, offset: str | None, size: str | None) -> OfferPage:
    """The offers of the country's market, `size` of them from `offset`."""
    market_country(country)
    start = _bound("offset", offset, 0, 0, 1_000_000)
    count = _bound("size", size, DEFAULT_SIZE, 1, MAX_SIZE)
    offers = catalog()
    return OfferPage(len(offers), offers[start : start + count], start, count)


def offer_in(offer_id: str, country: str | None) -> Offer:
    """One offer of the country's market (ids compare without case), or 404 (880045)."""
    code = market_country(country)
    for offer in catalog():
        if offer.id.lower() == offer_id.lower():
            return offer
    raise ServiceError(Errors.OFFER_NOT_FOUND, {"offer_id": offer_id[:100], "country": code})
