"""The page a browser gets while the database cannot be reached (503, Retry-After)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.session import message_page

MESSAGE = MESSAGES["unavailable"]


def unavailable_page(request: Request, seconds: int) -> Response:
    response = message_page(request, None, MESSAGE, status=503)
    response.headers["Retry-After"] = str(seconds)
    return response
