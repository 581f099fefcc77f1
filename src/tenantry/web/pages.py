"""Rendering pages: one Jinja2 environment (autoescaped) and the headers every page gets."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse

from tenantry.web.locale import LANGUAGES, Translator

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@cache
def environment() -> Environment:
    # Imported at the first page rather than at start: most runs never render one.
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def security_headers(nonce: str, form_targets: str = "") -> dict[str, str]:
    """No framing, no third-party anything, no caching of pages that may hold secrets."""
    policy = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; "
        f"script-src 'nonce-{nonce}'; connect-src 'self'; "
        f"form-action 'self'{' ' + form_targets if form_targets else ''}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
    }


def render(
    template: str,
    locale: str,
    *,
    status: int = 200,
    form_targets: str = "",
    **context: Any,
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    html = (
        environment()
        .get_template(template)
        .render(
            _=Translator(locale),
            locale=locale,
            lang=locale,
            languages=LANGUAGES,
            nonce=nonce,
            **context,
        )
    )
    return HTMLResponse(html, status, headers=security_headers(nonce, form_targets))
