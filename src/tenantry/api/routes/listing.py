"""`GET /v1/customers`: the partner's customers, filtered or not, one seek page at a time."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS
from tenantry.api.schemas.collections import collection_wire
from tenantry.api.schemas.customers import customer_list_item_wire
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.listing import Cursor, CustomerFilter, SearchField, page_size
from tenantry.http.deps import CallerDep, runtime_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute
from tenantry.http.wire import is_clean_text

router = APIRouter(tags=["customers"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

_FIELDS = {field.value.lower(): field for field in SearchField}
_EXAMPLE = '{"Field": "CompanyName", "Value": "Contoso", "Operator": "starts_with"}'


def _filter_problem(reason: str) -> ServiceError:
    return ServiceError(Errors.FILTER_INVALID, {"reason": reason})


def _members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Member names fold to lower case; a member given twice is refused, not guessed."""
    members: dict[str, Any] = {}
    for key, value in pairs:
        name = key.lower()
        if name in members:
            raise _filter_problem(f"the member {key!r} is given more than once")
        members[name] = value
    return members


def parse_filter(raw: str) -> CustomerFilter:
    """Partner Center's filter: a JSON object with Field, Value and Operator.

    Spelled as Microsoft's SDKs write it: member names in any case (the .NET SDK writes
    `Field`, the Java SDK `field`), other members such as the Java SDK's `fieldType`
    ignored, and the operator as `starts_with` (.NET) or `StartsWith` (Java), in any case.
    """
    try:
        value: Any = json.loads(raw, object_pairs_hook=_members)
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise _filter_problem(f"it must be JSON such as {_EXAMPLE}") from exc
    if not isinstance(value, dict):
        raise _filter_problem(f"it must be a JSON object such as {_EXAMPLE}")
    field, text, operator = value.get("field"), value.get("value"), value.get("operator")
    if not isinstance(field, str) or field.lower() not in _FIELDS:
        names = ", ".join(f.value for f in SearchField)
        raise _filter_problem(f"the field {field!r} is not supported; use one of {names}")
    if not isinstance(operator, str) or operator.lower() not in ("starts_with", "startswith"):
        raise _filter_problem(f"the operator {operator!r} is not supported; use starts_with")
    if not isinstance(text, str) or len(text) > 255:
        raise _filter_problem("Value must be a string of at most 255 characters")
    if not is_clean_text(text):
        raise _filter_problem("Value contains control characters or invalid Unicode")
    return CustomerFilter.starts_with(_FIELDS[field.lower()], text)


def _size(params: QueryParams) -> int:
    raw = params.get("size")
    if raw is None or raw == "":
        return page_size(None)
    try:
        requested = int(raw)
    except ValueError as exc:
        raise ServiceError(
            Errors.MALFORMED_REQUEST, {"reason": "size must be a whole number"}
        ) from exc
    return page_size(requested)


@router.get("/v1/customers", summary="List or search the partner's customers")
async def list_customers(request: Request, caller: CallerDep) -> Response:
    runtime = runtime_of(request)
    params = request.query_params
    partner = caller.partner
    seek = params.get("seekOperation")
    after: Cursor | None = None
    customer_filter: CustomerFilter | None = None
    if seek is not None:
        if seek.lower() != "next":
            raise ServiceError(
                Errors.MALFORMED_REQUEST, {"reason": "seekOperation supports Next only"}
            )
        token = request.headers.get("ms-continuationtoken")
        if not token:
            raise ServiceError(Errors.CONTINUATION_INVALID)
        size, customer_filter, after = runtime.continuation.decode(token, partner.tenant_id)
        self_uri = f"/customers?size={size}&seekOperation=Next"
    else:
        size = _size(params)
        raw_filter = params.get("filter")
        self_uri = f"/customers?size={size}"
        if raw_filter is not None:
            customer_filter = parse_filter(raw_filter)
            self_uri += f"&filter={quote(raw_filter, safe='')}"
    page = await runtime.listing.page(
        partner, size, customer_filter, after, app_only=caller.principal.app_only
    )
    items = [customer_list_item_wire(c) for c in page.items]
    token_out = None
    if page.next is not None:
        token_out = runtime.continuation.encode(partner.tenant_id, size, customer_filter, page.next)
    body = collection_wire(
        items,
        self_uri,
        next_uri=f"/customers?size={size}&seekOperation=Next",
        continuation_token=token_out,
    )
    return Response(orjson.dumps(body), media_type=JSON_TYPE)
