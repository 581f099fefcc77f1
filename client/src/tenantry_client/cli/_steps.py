"""What an import does after a row's create, when asked: confirm the customer's
acceptance of the Microsoft Customer Agreement (`--confirm-agreement`), then place one
order (the row's `orders` cell, else `--order`).

Neither step is done twice for a row, however often the import is resumed or run again:
- An order's `MS-RequestId` is a UUID 5 of the row's own request id, the order's lines
  and the number of the row's orders the results file shows refused. The service answers
  a request id it has seen with its first answer, so an order sent again (its answer lost,
  the import killed) is answered with the order already placed. A refused order placed
  nothing, and the service would answer its request id with the same refusal for good:
  the next attempt (after the agreement was confirmed, say) is a new request.
- A confirmation has no request id the service keeps; it refuses a second confirmation
  with the same contact (409, 600061), which is taken as done.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from tenantry_client._agreements import MICROSOFT_CUSTOMER_AGREEMENT, Agreement
from tenantry_client._async_client import AsyncPartnerClient
from tenantry_client._errors import ConflictError
from tenantry_client._orders import Order
from tenantry_client.cli._commerce import current_template
from tenantry_client.cli._order_lines import OrderLine, order_of
from tenantry_client.cli._results import Earlier
from tenantry_client.cli._rows import REQUEST_ID_NAMESPACE, Row

# 409: this contact's acceptance of the agreement is confirmed already.
AGREEMENT_EXISTS = 600061


@dataclass(frozen=True)
class Steps:
    """The steps after the create that an import asks for."""

    confirm_agreement: bool = False
    agreement_date: datetime | None = None  # None: the time of each confirmation
    order: tuple[OrderLine, ...] = ()

    def lines(self, row: Row) -> tuple[OrderLine, ...]:
        """The lines of the row's order: its `orders` cell, else `--order` (none: no order)."""
        return row.order_lines() or self.order

    def asked(self, rows: Iterable[Row]) -> tuple[str, ...]:
        """The steps after the create that some of these rows have: `agreement`, `order`."""
        steps = ["agreement"] if self.confirm_agreement else []
        if any(self.lines(row) for row in rows):
            steps.append("order")
        return tuple(steps)

    def left(self, row: Row, earlier: Earlier | None) -> bool:
        """Whether the row has a step left to do (its create included), given what
        earlier runs did."""
        if earlier is None or not earlier.customer_id:
            return True
        if self.confirm_agreement and not earlier.agreement:
            return True
        return bool(self.lines(row)) and not earlier.order_id


def order_request_id(row_request_id: str, lines: tuple[OrderLine, ...], attempt: int) -> str:
    """The `MS-RequestId` of a row's order, after `attempt` refused ones."""
    canonical = json.dumps(
        {
            "after": row_request_id.lower(),
            "order": [[line.offer_id, line.quantity] for line in lines],
            "attempt": attempt,
        },
        separators=(",", ":"),
    )
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, canonical))


class AfterCreate:
    """The steps' calls over one client; the agreement's template id is read once."""

    def __init__(self, client: AsyncPartnerClient, steps: Steps) -> None:
        self.client = client
        self.steps = steps
        self._template: str | None = None

    async def prepare(self) -> None:
        """Read the agreement's current template id, if the import confirms agreements
        (PartnerCenterError, or UsageError when the service names none)."""
        if self.steps.confirm_agreement:
            templates = await self.client.agreements.metadata(MICROSOFT_CUSTOMER_AGREEMENT)
            self._template = current_template(templates)

    async def confirm(self, customer_id: str, row: Row) -> None:
        """Confirm the customer's acceptance, by the row's contact."""
        agreement = Agreement(
            primary_contact=row.contact(),
            template_id=self._template,
            date_agreed=self.steps.agreement_date or datetime.now(UTC),
        )
        try:
            await self.client.agreements.confirm(customer_id, agreement)
        except ConflictError as error:
            if error.code != AGREEMENT_EXISTS:
                raise

    async def order(self, customer_id: str, lines: tuple[OrderLine, ...], request_id: str) -> Order:
        """Place the order of these lines with this request id."""
        return await self.client.orders.create(customer_id, order_of(lines), request_id=request_id)
