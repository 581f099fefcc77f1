"""The Add customer wizard's pages: Account info, Subscriptions and Review, from a draft.

Rendering only: the steps (`wizard.py`) decide which page to show, with which errors.
Codes are shown as names in the page's language: countries, states, cultures, languages.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from tenantry.domain.offers import Offer, catalog, find_offer
from tenantry.domain.rules import country_rules, fields
from tenantry.domain.rules.markets import partner_market
from tenantry.http.field_messages import label
from tenantry.http.names import (
    country_name,
    culture_name,
    language_name,
    person_name,
    state_name,
)
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.draft import WizardDraft
from tenantry.web.portal.forms import full_domain, gdap_chosen
from tenantry.web.portal.messages import MESSAGES

# Partner Center's offer tabs, in its order.
CATEGORIES = ("enterprise", "small-business", "government")


def countries(codes: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    """Country codes with their names in `locale`, sorted by name."""
    return sorted(((code, country_name(locale, code)) for code in codes), key=lambda c: c[1])


def _labels(country: str, locale: str) -> dict[str, str]:
    return {
        "state": label(locale, fields.STATE, country),
        "postal": label(locale, fields.POSTAL_CODE, country),
    }


def licenses(locale: str, count: int) -> str:
    """ "1 license", "2 licenses", "2 个许可证": plural-aware, in the page's language."""
    return Translator(locale).plural(MESSAGES["license_one"], MESSAGES["license_other"], count)


def account_page(
    request: Request,
    session: s.Session,
    draft: WizardDraft,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    notices: list[str] | None = None,
    status: int = 200,
) -> Response:
    locale = s.locale_of(request)
    values = dict(draft.account)
    market = partner_market(session.partner.country)[1]
    rules = country_rules(values.get("country", "")) or country_rules(market[0])
    assert rules is not None
    code = rules.iso2_code
    states = [(state, state_name(locale, code, state)) for state in rules.states]
    return s.page(
        request,
        "portal_account.html",
        session,
        status=status,
        step="account",
        values=values,
        errors=errors or {},
        general=general or [],
        notices=notices or [],
        countries=countries(market, locale),
        rules=rules,
        states=sorted(states, key=lambda pair: pair[1]),
        cultures=[(c, culture_name(locale, c)) for c in rules.supported_cultures],
        languages_of_country=[
            (lang, language_name(locale, lang)) for lang in rules.supported_languages
        ],
        gdap=gdap_chosen(values),
        labels=_labels(code, locale),
        back_to_review=request.query_params.get("from") == "review",
    )


def offer_groups(offers: tuple[Offer, ...]) -> list[tuple[str, list[Offer]]]:
    """The offers by Partner Center's tabs (enterprise, small business, government)."""
    return [
        (category, [offer for offer in offers if offer.category == category])
        for category in CATEGORIES
        if any(offer.category == category for offer in offers)
    ]


def subscriptions_page(
    request: Request,
    session: s.Session,
    draft: WizardDraft,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    return s.page(
        request,
        "portal_subscriptions.html",
        session,
        status=status,
        step="subscriptions",
        groups=offer_groups(catalog()),
        chosen=dict(draft.offers),
        typed=dict(typed or {}),
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
    locale = s.locale_of(request)
    chosen = []
    for offer_id, quantity in draft.offers.items():
        offer = find_offer(offer_id)
        if offer is not None:
            chosen.append((offer, licenses(locale, int(quantity)) if offer.licensed else ""))
    _ = Translator(locale)
    return s.page(
        request,
        "portal_review.html",
        session,
        status=status,
        step="review",
        values=values,
        domain=full_domain(values.get("domain", "")),
        contact=person_name(locale, values.get("first_name", ""), values.get("last_name", "")),
        country_name=country_name(locale, country),
        state_name=state_name(locale, country, values.get("state", "")),
        culture_name=culture_name(locale, values.get("culture", "")),
        language_name=language_name(locale, values.get("language", "")),
        gdap_text=_(MESSAGES["gdap_on" if gdap_chosen(values) else "gdap_off"]),
        labels=_labels(country, locale),
        rules=country_rules(country),
        chosen=chosen,
        general=general or [],
    )
