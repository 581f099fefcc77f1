"""The Add customer wizard: Account info → Subscriptions → Review → Submit → Confirmation.

Each step is a page of its own (GET), posted back and then redirected (no resubmission
prompts). Between steps the draft (`draft.py`) travels in a sealed cookie bound to the
user. Submit calls the same customer service as `POST /v1/customers`. The pages themselves
are rendered by `wizard_pages.py`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.domain.audit import USER, Actor
from tenantry.domain.errors import ServiceError, fill
from tenantry.domain.models import SubscriptionChoice
from tenantry.domain.offers import find_offer, quantity_problem
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.rules import country_rules, validate_new_customer
from tenantry.domain.rules.markets import partner_market
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.draft import WizardDraft
from tenantry.web.portal.forms import (
    Form,
    account_values,
    draft_of,
    field_errors,
    fit_to_country,
    full_domain,
)
from tenantry.web.portal.messages import MESSAGES
from tenantry.web.portal.submission import PortalRenderer, key_of, outcome
from tenantry.web.portal.wizard_pages import account_page, review_page, subscriptions_page

router = APIRouter()

COOKIE = "tenantry_wizard"
BASE = "/portal/customers/new"
_WIZARD_SECONDS = 2 * 60 * 60
_COOKIE_MAX = 3800


class _NoWizard(Exception):
    """The wizard cookie is missing, expired or not this user's."""


def _done(draft: WizardDraft, step: str) -> bool:
    return draft.account_done if step == "account" else draft.offers_done


def _new_draft(session: s.Session) -> WizardDraft:
    market = partner_market(session.partner.country)[1]
    country = session.partner.country if session.partner.country in market else market[0]
    rules = country_rules(country)
    values = {"country": country}
    if rules is not None:
        values = fit_to_country(values, rules)
    return WizardDraft.start(values)


def _load(request: Request, session: s.Session) -> WizardDraft:
    sealer = runtime_of(request).portal_sealer
    draft = WizardDraft.open(sealer, session.user.id, request.cookies.get(COOKIE, ""), time.time())
    if draft is None:
        raise _NoWizard
    return draft


def _save(request: Request, response: Response, session: s.Session, draft: WizardDraft) -> bool:
    sealer = runtime_of(request).portal_sealer
    value = draft.seal(sealer, session.user.id, int(time.time()) + _WIZARD_SECONDS)
    if len(value) > _COOKIE_MAX:
        return False
    response.set_cookie(
        COOKIE,
        value,
        max_age=_WIZARD_SECONDS,
        httponly=True,
        samesite="strict",
        secure=s.secure(request),
        path=s.PATH,
    )
    return True


def _go(request: Request, session: s.Session, draft: WizardDraft, path: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    _save(request, response, session, draft)
    return response


@dataclass(frozen=True)
class _Step:
    session: s.Session
    draft: WizardDraft
    form: Form


async def _enter(
    request: Request, *, posted: bool = False, after: tuple[str, ...] = ()
) -> _Step | Response:
    """What a wizard step starts from: the signed-in session, the draft and, for a post, the
    form with its CSRF token checked. Otherwise where the browser goes instead: to sign in,
    to a fresh wizard, to the CSRF refusal, or back to the first earlier step (`after`:
    the steps this one needs done, in order) that is not done yet."""
    try:
        session = await s.current(request)
        draft = _load(request, session)
    except s.SignInRequired:
        return s.sign_in_redirect()
    except _NoWizard:
        return RedirectResponse(BASE, status_code=303)
    form = await s.checked_form(request, session) if posted else Form()
    if isinstance(form, Response):
        return form
    for step in after:
        if not _done(draft, step):
            return RedirectResponse(f"{BASE}/{step}", status_code=303)
    return _Step(session, draft, form)


@router.get(BASE, include_in_schema=False)
async def start(request: Request) -> Response:
    """A fresh wizard, with the idempotency key its Submit will use."""
    try:
        session = await s.current(request)
    except s.SignInRequired:
        return s.sign_in_redirect()
    return _go(request, session, _new_draft(session), f"{BASE}/account")


@router.get(f"{BASE}/account", include_in_schema=False)
async def account_get(request: Request) -> Response:
    step = await _enter(request)
    if isinstance(step, Response):
        return step
    return account_page(request, step.session, step.draft)


def _check_account(
    values: dict[str, str], session: s.Session, sandbox: bool, locale: str
) -> tuple[dict[str, str], list[str]]:
    try:
        validate_new_customer(draft_of(values), session.partner, sandbox=sandbox)
    except ServiceError as error:
        return field_errors(error, locale)
    return {}, []


@router.post(f"{BASE}/account", include_in_schema=False)
async def account_post(request: Request) -> Response:
    step = await _enter(request, posted=True)
    if isinstance(step, Response):
        return step
    session, draft, form = step.session, step.draft, step.form
    runtime = runtime_of(request)
    locale = s.locale_of(request)
    values = account_values(form)
    market = partner_market(session.partner.country)[1]
    if values["country"] not in market:
        values["country"] = draft.account.get("country", market[0])
    # A new country changes the form itself (states, cultures, required fields): show it
    # again for that country rather than judge it against the old one.
    moved = values["country"] != draft.account.get("country")
    rules = country_rules(values["country"])
    if rules is not None and (moved or form.first("action") == "country"):
        values = fit_to_country(values, rules)
    draft = replace(draft, account=values, account_done=False)
    back = "?from=review" if form.first("from") == "review" else ""
    if moved or form.first("action") == "country":
        return _go(request, session, draft, f"{BASE}/account{back}")
    errors, general = _check_account(values, session, runtime.settings.sandbox, locale)
    domain = full_domain(values["domain"])
    if "domain" not in errors and domain and await runtime.customers.domain_exists(domain):
        errors["domain"] = Translator(locale)(MESSAGES["domain_taken"], domain=domain)
    if errors or general:
        response = account_page(request, session, draft, errors=errors, general=general, status=400)
        _save(request, response, session, draft)
        return response
    draft = replace(draft, account_done=True)
    following = "review" if back and draft.offers_done else "subscriptions"
    return _go(request, session, draft, f"{BASE}/{following}")


@router.get(f"{BASE}/subscriptions", include_in_schema=False)
async def subscriptions_get(request: Request) -> Response:
    step = await _enter(request, after=("account",))
    if isinstance(step, Response):
        return step
    return subscriptions_page(request, step.session, step.draft)


def _choices(form: Form) -> tuple[dict[str, str], dict[str, int]]:
    """Raw quantities by chosen offer, and the parsed ones."""
    raw: dict[str, str] = {}
    parsed: dict[str, int] = {}
    for offer_id in dict.fromkeys(form.all("offer")):
        offer = find_offer(offer_id)
        if offer is None:
            continue
        text = form.first(f"qty-{offer_id}").strip() if offer.licensed else "1"
        raw[offer_id] = text[:12]
        parsed[offer_id] = int(text) if text.isdigit() and len(text) < 10 else 0
    return raw, parsed


@router.post(f"{BASE}/subscriptions", include_in_schema=False)
async def subscriptions_post(request: Request) -> Response:
    step = await _enter(request, posted=True)
    if isinstance(step, Response):
        return step
    session, draft, form = step.session, step.draft, step.form
    _ = Translator(s.locale_of(request))
    raw, parsed = _choices(form)
    errors: dict[str, str] = {}
    for offer_id, quantity in parsed.items():
        if quantity_problem(SubscriptionChoice(offer_id, quantity)) is not None:
            offer = find_offer(offer_id)
            errors[offer_id] = _(MESSAGES["quantity"], max=offer.max_quantity if offer else 1)
    general = [] if parsed else [_(MESSAGES["choose_offer"])]
    draft = replace(draft, offers=raw, offers_done=False)
    if errors or general:
        response = subscriptions_page(
            request, session, draft, errors=errors, general=general, status=400
        )
        _save(request, response, session, draft)
        return response
    draft = replace(draft, offers={k: str(v) for k, v in parsed.items()}, offers_done=True)
    return _go(request, session, draft, f"{BASE}/review")


@router.get(f"{BASE}/review", include_in_schema=False)
async def review_get(request: Request) -> Response:
    step = await _enter(request, after=("account", "subscriptions"))
    if isinstance(step, Response):
        return step
    return review_page(request, step.session, step.draft)


@router.post(f"{BASE}/submit", include_in_schema=False)
async def submit(request: Request) -> Response:
    # Not `_enter`: the CSRF check comes first here, and a draft that is gone (submitted in
    # another tab, or expired) gets a page that says so rather than a fresh wizard.
    post = await s.posted(request)
    if isinstance(post, Response):
        return post
    session, _form = post
    try:
        draft = _load(request, session)
    except _NoWizard:
        return s.message_page(request, session, MESSAGES["wizard_gone"], status=409)
    if not draft.complete:
        return RedirectResponse(f"{BASE}/review", status_code=303)
    locale = s.locale_of(request)
    runtime = runtime_of(request)
    try:
        authorize_customer_change(False, session.user.roles)
    except ServiceError as error:
        message = fill(Translator(locale)(error.spec.message), error.params)
        return review_page(request, session, draft, general=[message], status=403)
    ctx = get_context(request.scope)
    choices = tuple(SubscriptionChoice(k, int(v)) for k, v in draft.offers.items())
    stored = await runtime.customers.create(
        session.partner,
        key_of(runtime.idempotency_secret, session.partner.tenant_id, draft.wizard_id),
        draft_of(draft.account),
        PortalRenderer(),
        app_only=False,
        actor=Actor(USER, session.user.id, ctx.request_id, ctx.correlation_id),
        subscriptions=choices,
    )
    result = outcome(stored)
    if isinstance(result, ServiceError):
        # Nothing was created: a fresh key lets the corrected draft be submitted.
        errors, general = field_errors(result, locale)
        draft = replace(draft.with_new_key(), account_done=False)
        summary = [Translator(locale)(MESSAGES["submit_failed"]), *errors.values(), *general]
        response = review_page(request, session, draft, general=summary, status=400)
        _save(request, response, session, draft)
        return response
    response = s.page(request, "portal_done.html", session, created=result)
    response.delete_cookie(COOKIE, path=s.PATH)
    return response
