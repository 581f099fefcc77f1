"""The security headers of every answer under the web UI's paths, whoever produced it.

Pages set their own (`pages.security_headers`, with the CSP nonce of their scripts). Every
other answer under `/portal` (a redirect, a JSON answer, an error) and the static files get
the same protection here: a CSP that allows nothing, no framing, no sniffing, no referrer.
Portal answers are never stored by a browser or a proxy (`no-store`), so that Back never
replays a redirect or a page from a cache; static files are public, and the favicon is
cached for a long time.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PROTECTION = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
_NOT_STORED = {"cache-control": "no-store", "pragma": "no-cache"}
FAVICON = "/static/favicon.svg"
_FAVICON_CACHE = "public, max-age=604800"
_STATIC_CACHE = "no-cache"  # revalidated (ETag): a new release's style applies at once


def _cache_for(path: str) -> dict[str, str] | None:
    if path == "/portal" or path.startswith("/portal/"):
        return _NOT_STORED
    if path == FAVICON:
        return {"cache-control": _FAVICON_CACHE}
    if path.startswith("/static/"):
        return {"cache-control": _STATIC_CACHE}
    return None


class WebHeaders:
    """Adds what an answer under /portal or /static lacks of the headers above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache = _cache_for(scope["path"]) if scope["type"] == "http" else None
        if cache is None:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # Raw names as other layers wrote them (not always lower case).
                present = {name.lower() for name, _ in headers.raw}
                for name, value in (_PROTECTION | cache).items():
                    if name.encode() not in present:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
