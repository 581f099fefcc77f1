"""The live availability check of the wizard's domain prefix: `{"available", "message"}`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tenantry.domain.rules.domains import check_domain
from tenantry.http.deps import runtime_of
from tenantry.http.field_messages import sentence
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.forms import full_domain
from tenantry.web.portal.messages import MESSAGES

router = APIRouter()


@router.get("/portal/domains/check", include_in_schema=False)
async def check_domain_prefix(request: Request) -> Response:
    """The account form asks as the user types; the answer is in the page's language."""
    try:
        await s.current(request)
    except s.SignInRequired:
        return JSONResponse({"error": "sign in"}, status_code=401)
    runtime = runtime_of(request)
    _ = Translator(s.locale_of(request))
    domain = full_domain(request.query_params.get("prefix", "")[:64])
    problems = check_domain(domain, sandbox=runtime.settings.sandbox) if domain else []
    if not domain or problems:
        message = sentence(_.locale, problems[0]) if problems else ""
        return JSONResponse({"available": False, "message": message})
    if await runtime.customers.domain_exists(domain):
        return JSONResponse(
            {"available": False, "message": _(MESSAGES["domain_taken"], domain=domain)}
        )
    return JSONResponse({"available": True, "message": _(MESSAGES["domain_free"], domain=domain)})
