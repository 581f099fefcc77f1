"""Any other address under /portal: the portal's own "no such page" page, not JSON."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.web.portal import session as s
from tenantry.web.portal.messages import MESSAGES

router = APIRouter()


@router.api_route("/portal/{rest:path}", methods=["GET", "HEAD", "POST"], include_in_schema=False)
async def missing_page(rest: str, request: Request) -> Response:
    """Registered last: only an address no other portal route takes comes here."""
    try:
        session: s.Session | None = await s.current(request)
    except s.SignInRequired:
        session = None
    return s.message_page(request, session, MESSAGES["page_missing"], status=404)
