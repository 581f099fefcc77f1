"""Where a deep link's sign-in returns to: the portal page that was asked for.

`next` travels in the sign-in page's address. Only a relative path inside the portal is
followed (never `//host`, a scheme, a backslash or a control character), so the sign-in
page cannot be used to send someone to another site.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.requests import Request

HOME = "/portal/customers"
_MAX = 1024


def safe_next(candidate: str | None) -> str:
    """`candidate` when it is a portal path on this site; otherwise the customer list."""
    if not candidate or len(candidate) > _MAX:
        return HOME
    if any(ch == "\\" or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
        return HOME
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not candidate.startswith("/portal/"):
        return HOME
    if candidate.startswith("//") or parts.path.startswith("/portal/signin"):
        return HOME
    return candidate


def sign_in_path(request: Request | None) -> str:
    """The sign-in page's address, remembering the page a GET asked for."""
    base = "/portal/signin"
    if request is None or request.method != "GET":
        return base
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if safe_next(wanted) == HOME:  # the list is where sign-in goes anyway
        return base
    return f"{base}?next={quote(wanted, safe='')}"
