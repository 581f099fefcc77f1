"""Where the wizard's drafts live between steps: one sealed cookie per wizard.

A browser may run several wizards at once (one per tab). Each has its own draft, in a
cookie named after its id (`tenantry_wizard_<id>`) and sent only to the wizard's own pages;
every link and form of a wizard page carries that id (`?wizard=`, or a hidden field), so a
tab always goes on with the draft it showed. Only the newest `MAX_DRAFTS` drafts are kept.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from tenantry.http.deps import runtime_of
from tenantry.web.portal import session as s
from tenantry.web.portal.draft import WizardDraft, expiry, plausible_draft_id
from tenantry.web.portal.forms import Form

BASE = "/portal/customers/new"
COOKIE_PREFIX = "tenantry_wizard_"
# Before drafts were kept per wizard, the one draft had this cookie (at /portal).
LEGACY_COOKIE = "tenantry_wizard"
MAX_DRAFTS = 5
WIZARD_SECONDS = 2 * 60 * 60
_COOKIE_MAX = 3800


class NoWizard(Exception):
    """The page named no wizard, or its draft is missing, expired or not this user's."""


def step_url(draft_id: str, step: str, query: str = "") -> str:
    """A wizard page's address, relative to the site, with the wizard's id."""
    return f"{BASE}/{step}?{urlencode({'wizard': draft_id})}{'&' + query if query else ''}"


def named_wizard(request: Request, form: Form | None = None) -> str:
    """The wizard id the page names: its form's hidden field, or the address's query."""
    given = form.first("wizard") if form is not None else request.query_params.get("wizard", "")
    return given if plausible_draft_id(given) else ""


def showing(request: Request, draft: WizardDraft) -> WizardDraft:
    # What the page about to be rendered shows: its links and forms carry this draft's id
    # (and Review, its fingerprint), through `session.page`.
    request.state.wizard = draft
    return draft


def load(request: Request, session: s.Session, draft_id: str) -> WizardDraft:
    if not draft_id:
        raise NoWizard
    sealer = runtime_of(request).portal_sealer
    value = request.cookies.get(COOKIE_PREFIX + draft_id, "")
    draft = WizardDraft.open(sealer, session.user.id, draft_id, value, time.time())
    if draft is None:
        raise NoWizard
    return showing(request, draft)


def save(request: Request, response: Response, session: s.Session, draft: WizardDraft) -> bool:
    sealer = runtime_of(request).portal_sealer
    value = draft.seal(sealer, session.user.id, int(time.time()) + WIZARD_SECONDS)
    showing(request, draft)
    if len(value) > _COOKIE_MAX:
        return False
    s.set_cookie(request, response, COOKIE_PREFIX + draft.draft_id, value, WIZARD_SECONDS, BASE)
    return True


def forget(response: Response, draft_id: str) -> None:
    response.delete_cookie(COOKIE_PREFIX + draft_id, path=BASE)


def make_room(request: Request, response: Response, session: s.Session) -> None:
    """Before a new wizard starts: only the newest drafts stay (each travels with every
    wizard request), and the cookie of the single-draft wizard goes."""
    sealer = runtime_of(request).portal_sealer
    drafts = sorted(
        (
            (expiry(sealer, session.user.id, name[len(COOKIE_PREFIX) :], value), name)
            for name, value in request.cookies.items()
            if name.startswith(COOKIE_PREFIX)
        ),
        reverse=True,
    )
    for _, name in drafts[MAX_DRAFTS - 1 :]:
        response.delete_cookie(name, path=BASE)
    if LEGACY_COOKIE in request.cookies:
        response.delete_cookie(LEGACY_COOKIE, path=s.PATH)
