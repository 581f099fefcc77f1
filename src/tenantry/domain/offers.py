"""The offers a new customer can subscribe to: a small catalog shipped with Tenantry.

`tenantry/data/offers.json` lists each offer once. An offer that is not licensed per user
(Microsoft Azure) is always one subscription; a licensed offer takes 1 to its maximum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from tenantry.domain.models import SubscriptionChoice


@dataclass(frozen=True)
class Offer:
    id: str
    name: str
    licensed: bool
    max_quantity: int
    # Partner Center's offer tabs: "enterprise", "small-business" or "government".
    category: str = "enterprise"
    # The name in other languages, by locale ("zh-CN", "zh-TW"); English is `name`.
    names: tuple[tuple[str, str], ...] = ()

    @property
    def min_quantity(self) -> int:
        return 1

    def name_in(self, locale: str) -> str:
        """The offer's name in `locale`, or its English name."""
        return dict(self.names).get(locale, self.name)


@cache
def catalog() -> tuple[Offer, ...]:
    text = files("tenantry").joinpath("data/offers.json").read_text(encoding="utf-8")
    return tuple(
        Offer(
            str(o["id"]),
            str(o["name"]),
            bool(o["licensed"]),
            int(o["maxQuantity"]),
            str(o.get("category", "enterprise")),
            tuple(sorted((str(k), str(v)) for k, v in o.get("names", {}).items())),
        )
        for o in json.loads(text)
    )


def find_offer(offer_id: str) -> Offer | None:
    return next((offer for offer in catalog() if offer.id == offer_id), None)


def quantity_problem(choice: SubscriptionChoice) -> str | None:
    """Why a choice cannot be subscribed ("unknown" or "quantity"), or None."""
    offer = find_offer(choice.offer_id)
    if offer is None:
        return "unknown"
    if not 1 <= choice.quantity <= offer.max_quantity:
        return "quantity"
    return None
