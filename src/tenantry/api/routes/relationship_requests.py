"""`GET /v1/customers/relationshiprequests`: the link a partner sends a customer to become
its reseller.

Partner Center answers the Microsoft 365 admin center's invitation URL for the calling
partner. Tenantry answers the same URL, with `DAP=false`: it never grants delegated admin
privileges. The route is registered before `/v1/customers/{customer_id}`, which would
otherwise take `relationshiprequests` for a customer id.
"""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from tenantry.api.openapi import PARTNER_CENTER_ERRORS
from tenantry.http.deps import CallerDep
from tenantry.http.errors import JSON_TYPE
from tenantry.http.lean_routes import LeanRoute

router = APIRouter(tags=["customers"], responses=PARTNER_CENTER_ERRORS, route_class=LeanRoute)

_ADMIN_CENTER = "https://admin.microsoft.com/Adminportal/Home"


def invitation_url(partner_id: str) -> str:
    query = urlencode(
        {"invType": "ResellerRelationship", "partnerId": partner_id, "msppId": "0", "DAP": "false"}
    )
    return f"{_ADMIN_CENTER}?{query}#/BillingAccounts/partner-invitation"


@router.get(
    "/v1/customers/relationshiprequests",
    summary="Get the link that invites a customer into a reseller relationship",
)
async def relationship_request(caller: CallerDep) -> Response:
    body = {
        "url": invitation_url(caller.partner.tenant_id),
        "attributes": {"objectType": "RelationshipRequest"},
    }
    return Response(orjson.dumps(body), media_type=JSON_TYPE)
