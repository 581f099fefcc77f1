"""The Add customer wizard: Account info → Subscriptions → Review → Submit → Confirmation.

Each step is a page of its own (GET), posted back and then redirected (no resubmission
prompts). Each wizard has an id that its pages carry, and a draft (`draft.py`) of its own,
kept between steps in a sealed cookie bound to the user (`wizard_state.py`): two tabs are
two wizards. Submit calls the same customer service as `POST /v1/customers`, for the draft
the Review page showed, and redirects to the confirmation (`confirmation.py`). A user whose
roles may not add customers is refused at the first step. The pages themselves are
rendered by `wizard_pages.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from tenantry.domain.audit import USER, Actor
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import SubscriptionChoice
from tenantry.domain.offers import find_offer, quantity_problem
from tenantry.domain.rules import country_rules, validate_new_customer
from tenantry.domain.rules.markets import partner_market
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
from tenantry.web.portal.confirmation import redirect_to_page
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
from tenantry.web.portal.wizard_notices import (
    country_notices,
    notice_query,
    typed,
    unchosen_counts,
)
from tenantry.web.portal.wizard_pages import account_page, review_page, subscriptions_page
from tenantry.web.portal.wizard_state import (
    BASE,
    NoWizard,
    forget,
    load,
    make_room,
    named_wizard,
    save,
    showing,
    step_url,
)

router = APIRouter()


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


def _save(request: Request, response: Response, session: s.Session, draft: WizardDraft) -> bool:
    return save(request, response, session, draft)


def _go(request: Request, session: s.Session, draft: WizardDraft, path: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    _save(request, response, session, draft)
    return response


def _refused(request: Request, session: s.Session) -> Response | None:
    """The page for a user whose roles may not add customers, shown at the first step."""
    if session.may_change_customers:
        return None
    return s.message_page(request, session, MESSAGES["role"], status=403)


def _ended(request: Request, session: s.Session) -> Response:
    """A wizard whose draft is gone: submitted (in this tab or another) or expired."""
    return s.message_page(
        request,
        session,
        MESSAGES["wizard_gone"],
        status=410,
        link=(BASE, "Add customer"),
    )


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
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    if refusal := _refused(request, session):
        return refusal
    form = await s.checked_form(request, session) if posted else Form()
    if isinstance(form, Response):
        return form
    draft_id = named_wizard(request, form if posted else None)
    if not draft_id:  # an address without a wizard: a fresh one
        return RedirectResponse(BASE, status_code=303)
    try:
        draft = load(request, session, draft_id)
    except NoWizard:
        return _ended(request, session)
    for step in after:
        if not _done(draft, step):
            return RedirectResponse(step_url(draft_id, step), status_code=303)
    return _Step(session, draft, form)


@router.get(BASE, include_in_schema=False)
async def start(request: Request) -> Response:
    """A fresh wizard, with the idempotency key its Submit will use."""
    session = await s.signed_in(request)
    if isinstance(session, Response):
        return session
    if refusal := _refused(request, session):
        return refusal
    draft = _new_draft(session)
    response = RedirectResponse(step_url(draft.draft_id, "account"), status_code=303)
    make_room(request, response, session)
    _save(request, response, session, draft)
    return response


@router.get(f"{BASE}/account", include_in_schema=False)
async def account_get(request: Request) -> Response:
    step = await _enter(request)
    if isinstance(step, Response):
        return step
    notices = country_notices(request, step.draft, Translator(s.locale_of(request)))
    return account_page(request, step.session, step.draft, notices=notices)


def _check_account(
    values: dict[str, str], session: s.Session, sandbox: bool, locale: str
) -> tuple[dict[str, str], list[str]]:
    try:
        validate_new_customer(draft_of(values), session.partner, sandbox=sandbox)
    except ServiceError as error:
        return field_errors(error, locale, values.get("country", ""))
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
    previous = draft.account.get("country", "")
    moved = values["country"] != previous
    rules = country_rules(values["country"])
    if rules is not None and (moved or form.first("action") == "country"):
        values = fit_to_country(values, rules, previous)
    draft = replace(draft, account=values, account_done=False)
    back = "from=review" if form.first("from") == "review" else ""
    if moved or form.first("action") == "country":
        # Redrawn for the new country, with a notice that says so (and what was cleared).
        notice = notice_query(moved, form.first("state"), values.get("state", ""))
        query = "&".join(part for part in (back, notice) if part)
        return _go(request, session, draft, step_url(draft.draft_id, "account", query))
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
    return _go(request, session, draft, step_url(draft.draft_id, following))


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
        text = text or "1"  # a ticked offer with no number: one license
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
    errors = unchosen_counts(form, _)
    for offer_id, quantity in parsed.items():
        if quantity_problem(SubscriptionChoice(offer_id, quantity)) is not None:
            offer = find_offer(offer_id)
            name, most = (offer.name_in(_.locale), offer.max_quantity) if offer else (offer_id, 1)
            errors[offer_id] = _(MESSAGES["quantity"], offer=name, max=most)
    general = [] if parsed or errors else [_(MESSAGES["choose_offer"])]
    draft = replace(draft, offers=raw, offers_done=False)
    if errors or general:
        response = subscriptions_page(
            request, session, draft, errors=errors, general=general, typed=typed(form), status=400
        )
        _save(request, response, session, draft)
        return response
    draft = replace(draft, offers={k: str(v) for k, v in parsed.items()}, offers_done=True)
    return _go(request, session, draft, step_url(draft.draft_id, "review"))


@router.get(f"{BASE}/review", include_in_schema=False)
async def review_get(request: Request) -> Response:
    step = await _enter(request, after=("account", "subscriptions"))
    if isinstance(step, Response):
        return step
    return review_page(request, step.session, step.draft)


@router.post(f"{BASE}/submit", include_in_schema=False)
async def submit(request: Request) -> Response:
    # Not `_enter`: the CSRF check comes first here, and a draft that is gone (submitted in
    # another tab, or expired) or changed since the page showed it gets a page that says
    # so rather than a fresh wizard.
    post = await s.posted(request)
    if isinstance(post, Response):
        return post
    session, form = post
    if refusal := _refused(request, session):
        return refusal
    try:
        draft = load(request, session, named_wizard(request, form))
    except NoWizard:
        return _ended(request, session)
    if not draft.complete:
        return RedirectResponse(step_url(draft.draft_id, "review"), status_code=303)
    if form.first("shown") != draft.fingerprint:
        review = step_url(draft.draft_id, "review")
        return s.message_page(
            request, session, MESSAGES["draft_changed"], status=409, link=(review, "Review")
        )
    locale = s.locale_of(request)
    runtime = runtime_of(request)
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
        if result.spec.status == 403 and "roles" in result.params:  # roles changed meanwhile
            return s.message_page(request, session, MESSAGES["role"], status=403)
        # Nothing was created: a fresh key lets the corrected draft be submitted.
        errors, general = field_errors(result, locale)
        draft = replace(draft.with_new_key(), account_done=False)
        summary = [Translator(locale)(MESSAGES["submit_failed"]), *errors.values(), *general]
        showing(request, draft)  # the page below carries the new draft's fingerprint
        response = review_page(request, session, draft, general=summary, status=400)
        _save(request, response, session, draft)
        return response
    # Post, redirect, get: Back and Forward never post the form again.
    response = redirect_to_page(request, session, draft.draft_id, result)
    forget(response, draft.draft_id)
    return response
