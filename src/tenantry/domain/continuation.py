"""Continuation tokens for seek-based customer lists (`MS-ContinuationToken`).

A token carries the page size, the filter and the position after which the next page
starts, bound to the partner it was issued to. It is signed, so a changed or foreign token
is refused (880022) instead of being trusted.
"""

from __future__ import annotations

import json
from datetime import datetime

from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.listing import Cursor, CustomerFilter, SearchField
from tenantry.domain.ports import Signer

_VERSION = 1


class ContinuationCodec:
    def __init__(self, signer: Signer) -> None:
        self._signer = signer

    def encode(
        self, partner_id: str, size: int, customer_filter: CustomerFilter | None, after: Cursor
    ) -> str:
        payload = {
            "v": _VERSION,
            "p": partner_id,
            "s": size,
            "f": None
            if customer_filter is None
            else [customer_filter.field.value, customer_filter.prefix],
            "t": after.created_at.isoformat(),
            "i": after.customer_id,
        }
        return self._signer.wrap(json.dumps(payload, separators=(",", ":")).encode())

    def decode(self, token: str, partner_id: str) -> tuple[int, CustomerFilter | None, Cursor]:
        raw = self._signer.unwrap(token.strip())
        if raw is None:
            raise ServiceError(Errors.CONTINUATION_INVALID)
        try:
            payload = json.loads(raw)
            if payload["v"] != _VERSION or payload["p"] != partner_id:
                raise ValueError("issued for another partner or version")
            f = payload["f"]
            customer_filter = None if f is None else CustomerFilter(SearchField(f[0]), str(f[1]))
            cursor = Cursor(datetime.fromisoformat(payload["t"]), str(payload["i"]))
            return int(payload["s"]), customer_filter, cursor
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ServiceError(Errors.CONTINUATION_INVALID) from exc
