"""The Add customer wizard's pages: Account info, Subscriptions and Review, from a draft.

Rendering only: the steps (`wizard.py`) decide which page to show, with which errors.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from babel import Locale, UnknownLocaleError
from starlette.requests import Request
from starlette.responses import Response

from tenantry.domain.offers import catalog, find_offer
from tenantry.domain.rules import country_rules
from tenantry.domain.rules.markets import partner_market
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.draft import WizardDraft
from tenantry.web.portal.forms import full_domain
from tenantry.web.portal.messages import MESSAGES


def countries(codes: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    """Country codes with their names in `locale`, sorted by name."""
    names: Mapping[str, str] = {}
    with contextlib.suppress(UnknownLocaleError, ValueError):
        names = Locale.parse(locale.replace("-", "_")).territories
    return sorted(((code, names.get(code, code)) for code in codes), key=lambda c: c[1])


def _labels(country: str, _: Translator) -> dict[str, str]:
    state = {"US": "state", "CN": "province", "CA": "province"}.get(country, "state_region")
    return {
        "state": _(MESSAGES[state]),
        "postal": _(MESSAGES["zip" if country == "US" else "postal"]),
    }


def account_page(
    request: Request,
    session: s.Session,
    draft: WizardDraft,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    locale = s.locale_of(request)
    values = dict(draft.account)
    market = partner_market(session.partner.country)[1]
    rules = country_rules(values.get("country", "")) or country_rules(market[0])
    assert rules is not None
    return s.page(
        request,
        "portal_account.html",
        session,
        status=status,
        step="account",
        values=values,
        errors=errors or {},
        general=general or [],
        countries=countries(market, locale),
        rules=rules,
        labels=_labels(rules.iso2_code, Translator(locale)),
        back_to_review=request.query_params.get("from") == "review",
    )


def subscriptions_page(
    request: Request,
    session: s.Session,
    draft: WizardDraft,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    return s.page(
        request,
        "portal_subscriptions.html",
        session,
        status=status,
        step="subscriptions",
        offers=catalog(),
        chosen=dict(draft.offers),
        errors=errors or {},
        general=general or [],
    )


def review_page(
    request: Request,
    session: s.Session,
    draft: WizardDraft,
    *,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    values = dict(draft.account)
    country = values.get("country", "")
    chosen = [(find_offer(k), int(v)) for k, v in draft.offers.items() if find_offer(k)]
    locale = s.locale_of(request)
    return s.page(
        request,
        "portal_review.html",
        session,
        status=status,
        step="review",
        values=values,
        domain=full_domain(values.get("domain", "")),
        country_name=dict(countries((country,), locale)).get(country, ""),
        labels=_labels(country, Translator(locale)),
        rules=country_rules(country),
        chosen=chosen,
        general=general or [],
    )
