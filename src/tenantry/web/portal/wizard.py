"""The Add customer wizard: Account info → Subscriptions → Review → Submit → Confirmation.

Each step is a page of its own (GET), posted back and then redirected (no resubmission
prompts). Between steps the draft travels in a cookie sealed with a key derived from the
master key and bound to the user; it never holds a password. Submit calls the same
customer service as `POST /v1/customers`.
"""

from __future__ import annotations

import base64
import contextlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from babel import Locale, UnknownLocaleError
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from tenantry.domain.audit import USER, Actor
from tenantry.domain.errors import ServiceError, fill
from tenantry.domain.models import SubscriptionChoice
from tenantry.domain.offers import catalog, find_offer, quantity_problem
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.rules import country_rules, validate_new_customer
from tenantry.domain.rules.domains import check_domain
from tenantry.domain.rules.markets import partner_market
from tenantry.http.context import get_context
from tenantry.http.deps import runtime_of
from tenantry.security.sealing import SealError
from tenantry.web.locale import Translator
from tenantry.web.portal import session as s
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

router = APIRouter()

COOKIE = "tenantry_wizard"
BASE = "/portal/customers/new"
_WIZARD_SECONDS = 2 * 60 * 60
_COOKIE_MAX = 3800
State = dict[str, Any]


class _NoWizard(Exception):
    """The wizard cookie is missing, expired or not this user's."""


# The draft's flag that says a step was completed.
_DONE = {"account": "ok", "subscriptions": "sd"}


def _new_state(session: s.Session) -> State:
    market = partner_market(session.partner.country)[1]
    country = session.partner.country if session.partner.country in market else market[0]
    rules = country_rules(country)
    values = {"country": country}
    if rules is not None:
        values = fit_to_country(values, rules)
    return {"w": secrets.token_urlsafe(18), "a": values, "ok": False, "s": {}, "sd": False}


def _load(request: Request, session: s.Session) -> State:
    raw = request.cookies.get(COOKIE, "")
    try:
        sealed = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        state: State = orjson.loads(
            runtime_of(request).portal_sealer.open(sealed, session.user.id.encode())
        )
    except (SealError, ValueError, orjson.JSONDecodeError) as exc:
        raise _NoWizard from exc
    if state.get("x", 0) < time.time():
        raise _NoWizard
    return state


def _save(request: Request, response: Response, session: s.Session, state: State) -> bool:
    state = state | {"x": int(time.time()) + _WIZARD_SECONDS}
    sealed = runtime_of(request).portal_sealer.seal(orjson.dumps(state), session.user.id.encode())
    value = base64.urlsafe_b64encode(sealed).decode().rstrip("=")
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


def _go(request: Request, session: s.Session, state: State, path: str) -> Response:
    response = RedirectResponse(path, status_code=303)
    _save(request, response, session, state)
    return response


def _countries(codes: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
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


def _account_page(
    request: Request,
    session: s.Session,
    state: State,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    locale = s.locale_of(request)
    values = state["a"]
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
        countries=_countries(market, locale),
        rules=rules,
        labels=_labels(rules.iso2_code, Translator(locale)),
        back_to_review=request.query_params.get("from") == "review",
    )


@dataclass(frozen=True)
class _Step:
    session: s.Session
    state: State
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
        state = _load(request, session)
    except s.SignInRequired:
        return s.sign_in_redirect()
    except _NoWizard:
        return RedirectResponse(BASE, status_code=303)
    form = await s.checked_form(request, session) if posted else Form()
    if isinstance(form, Response):
        return form
    for done in after:
        if not state[_DONE[done]]:
            return RedirectResponse(f"{BASE}/{done}", status_code=303)
    return _Step(session, state, form)


@router.get(BASE, include_in_schema=False)
async def start(request: Request) -> Response:
    """A fresh wizard, with the idempotency key its Submit will use."""
    try:
        session = await s.current(request)
    except s.SignInRequired:
        return s.sign_in_redirect()
    return _go(request, session, _new_state(session), f"{BASE}/account")


@router.get(f"{BASE}/account", include_in_schema=False)
async def account_page(request: Request) -> Response:
    step = await _enter(request)
    if isinstance(step, Response):
        return step
    return _account_page(request, step.session, step.state)


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
    session, state, form = step.session, step.state, step.form
    runtime = runtime_of(request)
    locale = s.locale_of(request)
    values = account_values(form)
    market = partner_market(session.partner.country)[1]
    if values["country"] not in market:
        values["country"] = state["a"].get("country", market[0])
    # A new country changes the form itself (states, cultures, required fields): show it
    # again for that country rather than judge it against the old one.
    moved = values["country"] != state["a"].get("country")
    rules = country_rules(values["country"])
    if rules is not None and (moved or form.first("action") == "country"):
        values = fit_to_country(values, rules)
    state = state | {"a": values, "ok": False}
    back = "?from=review" if form.first("from") == "review" else ""
    if moved or form.first("action") == "country":
        return _go(request, session, state, f"{BASE}/account{back}")
    errors, general = _check_account(values, session, runtime.settings.sandbox, locale)
    domain = full_domain(values["domain"])
    if "domain" not in errors and domain and await runtime.customers.domain_exists(domain):
        errors["domain"] = Translator(locale)(MESSAGES["domain_taken"], domain=domain)
    if errors or general:
        response = _account_page(
            request, session, state, errors=errors, general=general, status=400
        )
        _save(request, response, session, state)
        return response
    state["ok"] = True
    following = "review" if back and state.get("sd") else "subscriptions"
    return _go(request, session, state, f"{BASE}/{following}")


def _subscriptions_page(
    request: Request,
    session: s.Session,
    state: State,
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
        chosen=state["s"],
        errors=errors or {},
        general=general or [],
    )


@router.get(f"{BASE}/subscriptions", include_in_schema=False)
async def subscriptions_page(request: Request) -> Response:
    step = await _enter(request, after=("account",))
    if isinstance(step, Response):
        return step
    return _subscriptions_page(request, step.session, step.state)


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
    session, state, form = step.session, step.state, step.form
    _ = Translator(s.locale_of(request))
    raw, parsed = _choices(form)
    errors: dict[str, str] = {}
    for offer_id, quantity in parsed.items():
        if quantity_problem(SubscriptionChoice(offer_id, quantity)) is not None:
            offer = find_offer(offer_id)
            errors[offer_id] = _(MESSAGES["quantity"], max=offer.max_quantity if offer else 1)
    general = [] if parsed else [_(MESSAGES["choose_offer"])]
    state = state | {"s": raw, "sd": False}
    if errors or general:
        response = _subscriptions_page(
            request, session, state, errors=errors, general=general, status=400
        )
        _save(request, response, session, state)
        return response
    state = state | {"s": {k: str(v) for k, v in parsed.items()}, "sd": True}
    return _go(request, session, state, f"{BASE}/review")


def _review_page(
    request: Request,
    session: s.Session,
    state: State,
    *,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    values = state["a"]
    rules = country_rules(values.get("country", ""))
    chosen = [(find_offer(k), int(v)) for k, v in state["s"].items() if find_offer(k)]
    locale = s.locale_of(request)
    country_name = dict(_countries((values.get("country", ""),), locale)).get(
        values.get("country", ""), ""
    )
    return s.page(
        request,
        "portal_review.html",
        session,
        status=status,
        step="review",
        values=values,
        domain=full_domain(values.get("domain", "")),
        country_name=country_name,
        labels=_labels(values.get("country", ""), Translator(locale)),
        rules=rules,
        chosen=chosen,
        general=general or [],
    )


@router.get(f"{BASE}/review", include_in_schema=False)
async def review_page(request: Request) -> Response:
    step = await _enter(request, after=("account", "subscriptions"))
    if isinstance(step, Response):
        return step
    return _review_page(request, step.session, step.state)


@router.post(f"{BASE}/submit", include_in_schema=False)
async def submit(request: Request) -> Response:
    # Not `_enter`: the CSRF check comes first here, and a draft that is gone (submitted in
    # another tab, or expired) gets a page that says so rather than a fresh wizard.
    post = await s.posted(request)
    if isinstance(post, Response):
        return post
    session, _form = post
    try:
        state = _load(request, session)
    except _NoWizard:
        return s.message_page(request, session, MESSAGES["wizard_gone"], status=409)
    if not (state["ok"] and state["sd"]):
        return RedirectResponse(f"{BASE}/review", status_code=303)
    locale = s.locale_of(request)
    runtime = runtime_of(request)
    try:
        authorize_customer_change(False, session.user.roles)
    except ServiceError as error:
        message = fill(Translator(locale)(error.spec.message), error.params)
        return _review_page(request, session, state, general=[message], status=403)
    ctx = get_context(request.scope)
    choices = tuple(SubscriptionChoice(k, int(v)) for k, v in state["s"].items())
    stored = await runtime.customers.create(
        session.partner,
        key_of(runtime.idempotency_secret, session.partner.tenant_id, state["w"]),
        draft_of(state["a"]),
        PortalRenderer(),
        app_only=False,
        actor=Actor(USER, session.user.id, ctx.request_id, ctx.correlation_id),
        subscriptions=choices,
    )
    result = outcome(stored)
    if isinstance(result, ServiceError):
        # Nothing was created: a fresh key lets the corrected draft be submitted.
        errors, general = field_errors(result, locale)
        state = state | {"w": secrets.token_urlsafe(18), "ok": False}
        summary = [Translator(locale)(MESSAGES["submit_failed"]), *errors.values(), *general]
        response = _review_page(request, session, state, general=summary, status=400)
        _save(request, response, session, state)
        return response
    response = s.page(request, "portal_done.html", session, created=result)
    response.delete_cookie(COOKIE, path=s.PATH)
    return response


@router.get("/portal/domains/check", include_in_schema=False)
async def check_domain_prefix(request: Request) -> Response:
    """The live availability check of the account form: `{"available", "message"}`."""
    try:
        await s.current(request)
    except s.SignInRequired:
        return JSONResponse({"error": "sign in"}, status_code=401)
    runtime = runtime_of(request)
    _ = Translator(s.locale_of(request))
    domain = full_domain(request.query_params.get("prefix", "")[:64])
    problems = check_domain(domain, sandbox=runtime.settings.sandbox) if domain else []
    if not domain or problems:
        reason = problems[0] if problems else None
        message = fill(_(reason.reason), reason.params) if reason else ""
        return JSONResponse({"available": False, "message": message})
    if await runtime.customers.domain_exists(domain):
        return JSONResponse(
            {"available": False, "message": _(MESSAGES["domain_taken"], domain=domain)}
        )
    return JSONResponse({"available": True, "message": _(MESSAGES["domain_free"], domain=domain)})
