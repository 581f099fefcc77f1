"""What the wizard tells the user about what it did with their input, instead of doing it
silently: the form redrawn for a new country (and a state cleared), a license count typed
for an offer that was not ticked."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.requests import Request

from tenantry.domain.offers import catalog
from tenantry.http.names import country_name
from tenantry.web.locale import Translator
from tenantry.web.portal.draft import WizardDraft
from tenantry.web.portal.forms import Form
from tenantry.web.portal.messages import MESSAGES

# A state short code as Partner Center's lists spell them (US "WA", CN "GD", MX "CMX").
_STATE_CODE = re.compile(r"[A-Z0-9]{1,3}")


def notice_query(moved: bool, typed_state: str, kept_state: str) -> str:
    """The account page's query after a redraw: `changed=1` and the state that was cleared."""
    query: dict[str, str] = {"changed": "1"} if moved else {}
    state = typed_state.strip().upper()
    if state and not kept_state and _STATE_CODE.fullmatch(state):
        query["cleared"] = state
    return urlencode(query)


def country_notices(request: Request, draft: WizardDraft, _: Translator) -> list[str]:
    """The notices a redrawn account page shows (only a short code is ever echoed)."""
    query = request.query_params
    country = country_name(_.locale, draft.account.get("country", ""))
    notices = []
    if query.get("changed") == "1":
        notices.append(_(MESSAGES["country_changed"], country=country))
    cleared = query.get("cleared", "")
    if _STATE_CODE.fullmatch(cleared):
        notices.append(_(MESSAGES["state_cleared"], state=cleared, country=country))
    return notices


def typed(form: Form) -> dict[str, str]:
    """The license counts as typed, to show them again with an error."""
    return {o.id: form.first(f"qty-{o.id}").strip()[:12] for o in catalog() if o.licensed}


def unchosen_counts(form: Form, _: Translator) -> dict[str, str]:
    """An error for each offer with a license count but no tick: never ignored silently."""
    chosen = set(form.all("offer"))
    errors = {}
    for offer in catalog():
        count = form.first(f"qty-{offer.id}").strip()
        if offer.licensed and offer.id not in chosen and count:
            errors[offer.id] = _(
                MESSAGES["quantity_unchosen"], count=count[:12], offer=offer.name_in(_.locale)
            )
    return errors
