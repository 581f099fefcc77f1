"""The offers a market may order: `GET /v1/offers?country=…` and one offer by id."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS
from tenantry.api.schemas.offers import offer_wire
from tenantry.domain.offer_catalog import market_country, offer_in, offers_page
from tenantry.http.deps import CallerDep, context_of
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute
from tenantry.http.wire import link

router = APIRouter(tags=["offers"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)


@router.get("/v1/offers", summary="List the offers of a market")
async def offers(
    request: Request,
    caller: CallerDep,
    country: str | None = None,
    offset: str | None = None,
    size: str | None = None,
) -> Response:
    """Paged by `offset` and `size` (default 100); `totalCount` counts every offer of the
    market and `links.next` names the following page."""
    page = offers_page(country, offset, size)
    code = market_country(country)
    locale = context_of(request).locale
    links = {"self": link(f"/offers?country={code}&offset={page.offset}&size={page.size}")}
    if page.next_offset is not None:
        links["next"] = link(f"/offers?country={code}&offset={page.next_offset}&size={page.size}")
    body = {
        "totalCount": page.total,
        "items": [offer_wire(o, code, locale) for o in page.offers],
        "links": links,
        "attributes": {"objectType": "Collection"},
    }
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


@router.get("/v1/offers/{offer_id}", summary="Get an offer of a market by id")
async def offer(
    offer_id: str, request: Request, caller: CallerDep, country: str | None = None
) -> Response:
    found = offer_in(offer_id, country)
    body = offer_wire(found, market_country(country), context_of(request).locale)
    return Response(orjson.dumps(body), media_type=JSON_TYPE)
