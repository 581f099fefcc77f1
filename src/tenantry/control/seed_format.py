"""The seed document (JSON or YAML), read into plain values before anything is written.

Member names are camelCase and bind case-insensitively; an unknown member is refused, so a
typo never goes unnoticed. Every problem is a 400 (800002) whose reason names the member,
e.g. `customers[2].address.postalCode must be a string (quote it in YAML)`.
The format is described in docs/sandbox-state.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import pycountry

from tenantry.auth import second_factor
from tenantry.domain.agreements import parse_date_agreed
from tenantry.domain.commerce import Contact
from tenantry.domain.ids import is_guid
from tenantry.domain.models import (
    AddressDraft,
    CustomerDraft,
    Partner,
    PartnershipState,
    PartnerType,
    SubscriptionChoice,
)
from tenantry.domain.offers import find_offer, quantity_problem
from tenantry.http.body import Ambiguous
from tenantry.http.wire import ADDRESS_MEMBERS
from tenantry.sandbox.seeds import (
    Seed,
    SeedAgreement,
    SeedApp,
    SeedCustomer,
    SeedPartner,
    SeedPartnership,
    SeedUser,
    malformed,
)

# Partners given without a tenantId get one derived from their name, so that running the
# same seed twice finds them instead of creating twins.
_SEED_NAMESPACE = uuid.UUID("7e4a47e7-de00-4000-8000-00000000005e")
DEFAULT_ROLES = ("Admin agent",)
_MAX_ITEMS = 10_000


class _Object:
    """One mapping of the document, with its path for messages; keys already lower case."""

    def __init__(self, value: Any, path: str, members: Iterable[str]) -> None:
        if not isinstance(value, dict):
            raise malformed(f"{path or 'the seed'} must be an object")
        allowed = {m.lower(): m for m in members}
        for key in value:
            if key not in allowed:
                raise malformed(f"{_join(path, key)} is not a member of the seed format")
        self._value = value
        self._path = path
        self._names = allowed

    def path(self, name: str) -> str:
        return _join(self._path, name)

    def get(self, name: str) -> Any:
        value = self._value.get(name.lower())
        if isinstance(value, Ambiguous):
            raise malformed(f"{self.path(name)} is given more than once with different values")
        return value

    def text(self, name: str, *, required: bool = False, limit: int = 255) -> str | None:
        value = self.get(name)
        if value is None:
            if required:
                raise malformed(f"{self.path(name)} is required")
            return None
        if not isinstance(value, str):
            raise malformed(f"{self.path(name)} must be a string (quote it in YAML)")
        if any(ord(ch) < 32 for ch in value):
            raise malformed(f"{self.path(name)} contains control characters")
        if required and not value.strip():
            raise malformed(f"{self.path(name)} must not be empty")
        if len(value) > limit:
            raise malformed(f"{self.path(name)} is longer than {limit} characters")
        return value

    def required(self, name: str, *, limit: int = 255) -> str:
        value = self.text(name, required=True, limit=limit)
        assert value is not None
        return value

    def flag(self, name: str) -> bool | None:
        value = self.get(name)
        if value is None or isinstance(value, bool):
            return value
        raise malformed(f"{self.path(name)} must be true or false")

    def items(self, name: str) -> list[Any]:
        value = self.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise malformed(f"{self.path(name)} must be a list")
        if len(value) > _MAX_ITEMS:
            raise malformed(f"{self.path(name)} has more than {_MAX_ITEMS} entries")
        return value


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- partners ----------------------------------------------------------------------------


def _partner_type(o: _Object) -> PartnerType:
    given = o.required("type", limit=32)
    try:
        return PartnerType(given.strip().lower())
    except ValueError:
        choices = " | ".join(t.value for t in PartnerType)
        raise malformed(f"{o.path('type')} must be one of {choices}") from None


def _country(o: _Object) -> str:
    code = o.required("country", limit=2).upper()
    if not (code.isascii() and code.isalpha() and len(code) == 2) or (
        pycountry.countries.get(alpha_2=code) is None
    ):
        raise malformed(f"{o.path('country')} must be an ISO 3166-1 alpha-2 country code")
    return code


def _guid(o: _Object, name: str) -> str | None:
    value = o.text(name, limit=36)
    if value is not None and not is_guid(value):
        raise malformed(f"{o.path(name)} must be a GUID (8-4-4-4-12 hexadecimal digits)")
    return None if value is None else value.lower()


def _app(value: Any, path: str, partner_name: str) -> SeedApp:
    o = _Object(value, path, ("clientId", "clientSecret", "displayName", "redirectUris"))
    client_id = _guid(o, "clientId")
    if client_id is None:
        raise malformed(f"{o.path('clientId')} is required")
    uris = o.items("redirectUris")
    if not all(
        isinstance(u, str) and u.startswith(("https://", "http://")) and len(u) <= 2048
        for u in uris
    ):
        raise malformed(f"{o.path('redirectUris')} must be a list of http(s) URIs")
    return SeedApp(
        client_id=client_id,
        client_secret=o.required("clientSecret", limit=256),
        display_name=o.text("displayName") or f"{partner_name} app",
        redirect_uris=tuple(uris),
    )


def _user(value: Any, path: str) -> SeedUser:
    o = _Object(value, path, ("userPrincipalName", "password", "displayName", "roles", "mfa"))
    upn = o.required("userPrincipalName", limit=128).strip()
    if "@" not in upn.strip("@"):
        raise malformed(f"{o.path('userPrincipalName')} must look like name@domain")
    roles = o.items("roles")
    if not all(isinstance(r, str) and r.strip() for r in roles):
        raise malformed(f"{o.path('roles')} must be a list of role names")
    return SeedUser(
        user_principal_name=upn,
        password=o.required("password", limit=256),
        display_name=o.text("displayName") or upn.split("@")[0],
        roles=tuple(roles) or DEFAULT_ROLES,
        mfa=_mfa(o),
    )


def _mfa(o: _Object) -> str:
    """A seeded user's second factor: "sandbox" (the default) or "none", to see how a client
    copes with a user without MFA. TOTP users are added with `tenantry partners add-user`."""
    mfa = o.text("mfa") or second_factor.SANDBOX
    if mfa not in (second_factor.SANDBOX, second_factor.NONE):
        raise malformed(f"{o.path('mfa')} must be 'sandbox' or 'none'")
    return mfa


def _partner(value: Any, path: str) -> SeedPartner:
    o = _Object(value, path, ("tenantId", "name", "type", "country", "apps", "users"))
    name = o.required("name").strip()
    tenant_id = _guid(o, "tenantId") or str(uuid.uuid5(_SEED_NAMESPACE, name.casefold()))
    partner = Partner(tenant_id, name, _partner_type(o), _country(o))
    apps = tuple(_app(a, f"{o.path('apps')}[{i}]", name) for i, a in enumerate(o.items("apps")))
    users = tuple(_user(u, f"{o.path('users')}[{i}]") for i, u in enumerate(o.items("users")))
    return SeedPartner(partner, apps, users)


class _References:
    """Partners are referred to by tenant id, or by the name of a partner in the seed."""

    def __init__(self, partners: tuple[SeedPartner, ...]) -> None:
        self._by_name: dict[str, str] = {}
        for i, p in enumerate(partners):
            key = p.partner.name.casefold()
            if key in self._by_name:
                raise malformed(f"partners[{i}].name repeats the name of an earlier partner")
            self._by_name[key] = p.partner.tenant_id

    def resolve(self, o: _Object, name: str, *, required: bool) -> str | None:
        value = o.text(name, required=required)
        if value is None:
            return None
        if is_guid(value.strip()):
            return value.strip().lower()
        found = self._by_name.get(value.strip().casefold())
        if found is None:
            raise malformed(
                f"{o.path(name)} '{value[:60]}' is neither a tenant id nor the name of a "
                "partner in this seed"
            )
        return found

    def required(self, o: _Object, name: str) -> str:
        found = self.resolve(o, name, required=True)
        assert found is not None
        return found


def _partnership(value: Any, path: str, refs: _References) -> SeedPartnership:
    o = _Object(value, path, ("provider", "reseller", "state"))
    provider = refs.required(o, "provider")
    reseller = refs.required(o, "reseller")
    state = (o.text("state", limit=16) or PartnershipState.ACTIVE.value).strip().lower()
    if state not in set(PartnershipState):
        raise malformed(f"{o.path('state')} must be active or inactive")
    return SeedPartnership(provider, reseller, PartnershipState(state))


# --- customers -----------------------------------------------------------------------------

_ADDRESS_MEMBERS = tuple(wire for wire, _ in ADDRESS_MEMBERS)
_CUSTOMER_MEMBERS = (
    "partner",
    "associatedPartnerId",
    "domain",
    "companyName",
    "email",
    "culture",
    "language",
    "firstName",
    "lastName",
    "organizationRegistrationNumber",
    "address",
    "enableGDAPByDefault",
    "subscriptions",
    "agreement",
)


def _address(value: Any, path: str) -> AddressDraft:
    o = _Object(value, path, _ADDRESS_MEMBERS)
    return AddressDraft(**{field: o.text(wire, limit=1024) for wire, field in ADDRESS_MEMBERS})


def _customer(value: Any, path: str, refs: _References) -> SeedCustomer:
    """The fields of `POST /v1/customers`, flattened; the create rules check them later."""
    o = _Object(value, path, _CUSTOMER_MEMBERS)
    partner_id = refs.required(o, "partner")
    address = o.get("address")
    draft = CustomerDraft(
        domain=o.text("domain", limit=1024),
        organization_registration_number=o.text("organizationRegistrationNumber", limit=1024),
        email=o.text("email", limit=1024),
        culture=o.text("culture", limit=1024),
        language=o.text("language", limit=1024),
        company_name=o.text("companyName", limit=1024),
        billing_first_name=o.text("firstName", limit=1024),
        billing_last_name=o.text("lastName", limit=1024),
        address=None if address is None else _address(address, o.path("address")),
        enable_gdap_by_default=o.flag("enableGDAPByDefault"),
        associated_partner_id=refs.resolve(o, "associatedPartnerId", required=False),
    )
    subscriptions = tuple(
        _subscription(v, f"{o.path('subscriptions')}[{i}]")
        for i, v in enumerate(o.items("subscriptions"))
    )
    agreement = o.get("agreement")
    return SeedCustomer(
        partner_id,
        draft,
        subscriptions,
        None if agreement is None else _agreement(agreement, o.path("agreement")),
    )


def _subscription(value: Any, path: str) -> SubscriptionChoice:
    """An offer of the catalog and its licence count (1 unless given)."""
    o = _Object(value, path, ("offerId", "quantity"))
    offer_id = o.required("offerId", limit=64)
    quantity = o.get("quantity")
    quantity = 1 if quantity is None else quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise malformed(f"{o.path('quantity')} must be a whole number")
    choice = SubscriptionChoice(offer_id, quantity)
    offer = find_offer(offer_id)
    if offer is None:
        raise malformed(f"{o.path('offerId')} '{offer_id}' is not an offer of the catalog")
    if quantity_problem(choice) is not None:
        raise malformed(f"{o.path('quantity')} must be 1-{offer.max_quantity}")
    return choice


def _agreement(value: Any, path: str) -> SeedAgreement:
    """Who accepted the Microsoft Customer Agreement, and when (default: now)."""
    o = _Object(value, path, ("firstName", "lastName", "email", "phoneNumber", "dateAgreed"))
    contact = Contact(
        o.required("firstName", limit=64),
        o.required("lastName", limit=64),
        o.required("email", limit=254),
        o.text("phoneNumber", limit=32),
    )
    date = o.text("dateAgreed")
    try:
        agreed = None if date is None else parse_date_agreed(date)
    except ValueError:
        raise malformed(f"{o.path('dateAgreed')} must be an ISO 8601 date and time") from None
    return SeedAgreement(contact, agreed)


def _no_repeats(values: Iterable[tuple[str, str]], what: str) -> None:
    seen: dict[str, str] = {}
    for path, value in values:
        key = value.casefold()
        if key in seen:
            raise malformed(f"{path} repeats the {what} of {seen[key]}")
        seen[key] = path


def read_seed(document: Any) -> Seed:
    """The seed as plain values, or a 400 (800002) naming the offending member."""
    root = _Object(document, "", ("partners", "partnerships", "customers"))
    partners = tuple(_partner(p, f"partners[{i}]") for i, p in enumerate(root.items("partners")))
    refs = _References(partners)
    partnerships = tuple(
        _partnership(p, f"partnerships[{i}]", refs)
        for i, p in enumerate(root.items("partnerships"))
    )
    customers = tuple(
        _customer(c, f"customers[{i}]", refs) for i, c in enumerate(root.items("customers"))
    )
    _no_repeats(
        ((f"partners[{i}].tenantId", p.partner.tenant_id) for i, p in enumerate(partners)),
        "tenantId",
    )
    _no_repeats(
        (
            (f"partners[{i}].apps[{j}].clientId", a.client_id)
            for i, p in enumerate(partners)
            for j, a in enumerate(p.apps)
        ),
        "clientId",
    )
    _no_repeats(
        (
            (f"partners[{i}].users[{j}].userPrincipalName", u.user_principal_name)
            for i, p in enumerate(partners)
            for j, u in enumerate(p.users)
        ),
        "userPrincipalName",
    )
    _no_repeats(
        (
            (f"customers[{i}].domain", c.draft.domain.strip())
            for i, c in enumerate(customers)
            if c.draft.domain is not None
        ),
        "domain",
    )
    return Seed(partners, partnerships, customers)
