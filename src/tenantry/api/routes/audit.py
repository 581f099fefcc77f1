"""`GET /_tenantry/audit`: the audit trail for a deployment's administrators.

Unlike the sandbox control plane it exists in both modes, but only when an audit key is
configured (`TENANTRY_AUDIT_KEY`): without one the route answers 404 (code 1000), as if it
did not exist; with one, a request without that key in `Tenantry-Audit-Key` gets 401
(code 880026). The key is compared in constant time.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.schemas.audit import event_wire
from tenantry.domain.audit import MAX_LIMIT, AuditCursor, AuditQuery, next_cursor
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.ids import is_guid
from tenantry.http.deps import runtime_of
from tenantry.http.errors import JSON_TYPE

router = APIRouter(tags=["audit"])

AUDIT_KEY_HEADER = "Tenantry-Audit-Key"


async def require_audit_key(request: Request) -> None:
    expected = runtime_of(request).settings.audit_key
    if not expected:
        raise ServiceError(Errors.ROUTE_NOT_FOUND, {"path": request.url.path[:200]})
    given = request.headers.get(AUDIT_KEY_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ServiceError(Errors.AUDIT_KEY_REQUIRED)


AuditKeyDep = Annotated[None, Depends(require_audit_key)]


def _bad(reason: str) -> ServiceError:
    return ServiceError(Errors.MALFORMED_REQUEST, {"reason": reason})


def _query(params: Any) -> AuditQuery:
    partner = params.get("partnerId")
    if partner is not None and not is_guid(partner):
        raise _bad("partnerId must be a GUID")
    raw_limit = params.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise _bad(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    since = None
    if (raw_since := params.get("since")) is not None:
        try:
            since = datetime.fromisoformat(raw_since)
        except ValueError:
            raise _bad("since must be an ISO 8601 time with its UTC offset") from None
        if since.tzinfo is None:
            raise _bad("since must be an ISO 8601 time with its UTC offset")
    after = None
    if (token := params.get("continuationToken")) is not None:
        try:
            after = AuditCursor.decode(token)
        except ValueError:
            raise _bad("continuationToken is not one this route returned") from None
    action = params.get("action")
    return AuditQuery(
        partner_id=partner.lower() if partner else None,
        action=action[:64] if action else None,
        since=since,
        limit=int(raw_limit),
        after=after,
    )


@router.get("/_tenantry/audit", include_in_schema=False)
async def audit_trail(request: Request, _key: AuditKeyDep) -> Response:
    """Newest first. Filters: `partnerId`, `action`, `since` (ISO 8601), `limit` (1–1000);
    the next page: `continuationToken` from the previous answer (null on the last page)."""
    query = _query(request.query_params)
    events = await runtime_of(request).audit_trail.page(query)
    cursor = next_cursor(events, query.limit)
    body = {
        "totalCount": len(events),
        "items": [event_wire(e) for e in events],
        "continuationToken": None if cursor is None else cursor.encode(),
        "attributes": {"objectType": "Collection"},
    }
    headers = {"Cache-Control": "no-store"}
    return Response(orjson.dumps(body), media_type=JSON_TYPE, headers=headers)
