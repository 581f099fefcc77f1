"""The page a browser gets while the database cannot be reached (503, Retry-After)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def unavailable_page(request: Request, seconds: int) -> Response:
    # The portal's page machinery is imported when a page is first needed, not at start.
    from tenantry.web.portal.messages import MESSAGES
    from tenantry.web.portal.session import message_page

    response = message_page(request, None, MESSAGES["unavailable"], status=503)
    response.headers["Retry-After"] = str(seconds)
    return response
