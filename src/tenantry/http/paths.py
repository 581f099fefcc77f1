"""Paths as clients build them: repeated slashes collapse, a trailing slash is dropped.

Microsoft's Java SDK and the PowerShell module's .NET SDK request the next page as the API
root + `/v1/` + `links.next.uri`, and that link starts with `/` (`/v1//customers?…`); the
documented PATCH URI of a customer ends in `/`. Partner Center routes both like the plain
path, so every route here sees the normalised path. The query string is left alone.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

_REPEATED = re.compile(r"/{2,}")
_REPEATED_RAW = re.compile(rb"/{2,}")


def normalise_path(path: str) -> str:
    collapsed = _REPEATED.sub("/", path)
    return collapsed.rstrip("/") or "/"


def _normalise_raw(raw: bytes) -> bytes:
    collapsed = _REPEATED_RAW.sub(b"/", raw)
    return collapsed.rstrip(b"/") or b"/"


class PathNormaliser:
    """ASGI middleware: rewrites `path` (and `raw_path`) before any routing happens."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            path: str = scope["path"]
            if "//" in path or (len(path) > 1 and path.endswith("/")):
                scope = dict(scope)
                scope["path"] = normalise_path(path)
                raw = scope.get("raw_path")
                if isinstance(raw, bytes):
                    scope["raw_path"] = _normalise_raw(raw)
        await self.app(scope, receive, send)
