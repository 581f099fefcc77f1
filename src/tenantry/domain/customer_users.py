"""Adding, changing and removing a customer's users (Partner Center's `CustomerUser`).

A user's name is in the customer's domain; its password is kept as the admin's is (a salted
hash from the `SecretHasher`), never returned, never logged. Partner Center takes these
calls from a signed-in partner user only (App+User).
"""

from __future__ import annotations

import string
import uuid
from dataclasses import dataclass, replace

from tenantry.domain.audit import Action, Actor, AuditEvent, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.models import AdminUser, Customer, Partner
from tenantry.domain.ports import SecretHasher, UnitOfWork, UnitOfWorkFactory, UserNameTaken
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.rules.emails import email_problem
from tenantry.domain.rules.fields import is_blank
from tenantry.domain.rules.markets import market_of
from tenantry.domain.sandbox import Visibility, cutoff_of

DISPLAY_NAME_MAX = 256
NAME_MAX = 64
UPN_MAX = 113  # Entra: 64 characters before the @, 48 after
PASSWORD_MIN, PASSWORD_MAX = 8, 256
_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits)


@dataclass(frozen=True)
class UserDraft:
    """A CustomerUser body as received (POST: the new user; PATCH: what changes)."""

    user_principal_name: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    usage_location: str | None = None
    password: str | None = None
    force_change_password: bool | None = None
    id: str | None = None


def strong_enough(password: str) -> bool:
    """8-256 characters using three of: upper case, lower case, digits, symbols."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return False
    used = sum(any(ch in cls for ch in password) for cls in _CLASSES)
    used += any(not ch.isalnum() for ch in password)
    return used >= 3


def _length(field: str, value: str, maximum: int) -> FieldProblem | None:
    return None if 1 <= len(value) <= maximum else FieldProblem.length(field, maximum)


def _check_common(draft: UserDraft, problems: list[FieldProblem]) -> None:
    """The members POST and PATCH share: names, usage location, password."""
    for field, value, maximum in (
        ("displayName", draft.display_name, DISPLAY_NAME_MAX),
        ("firstName", draft.first_name, NAME_MAX),
        ("lastName", draft.last_name, NAME_MAX),
    ):
        if value is not None and (problem := _length(field, value.strip(), maximum)):
            problems.append(problem)
    location = draft.usage_location
    if location is not None and market_of(location.strip()) is None:
        problems.append(
            FieldProblem(
                Errors.COUNTRY_UNKNOWN,
                "usageLocation",
                "is not a known country code",
                {"country": location[:10]},
            )
        )
    if draft.password is not None and not strong_enough(draft.password):
        problems.append(
            FieldProblem(Errors.PASSWORD_TOO_WEAK, "passwordProfile.password", "is too weak")
        )


def _strip(value: str | None) -> str | None:
    return None if value is None else value.strip()


class CustomerUserService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        hasher: SecretHasher,
        visibility: Visibility | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._hasher = hasher
        self._visibility = visibility

    async def _customer(self, work: UnitOfWork, partner: Partner, customer_id: str) -> Customer:
        return await visible_customer(work, partner, customer_id, cutoff_of(self._visibility))

    def _check_new(self, customer: Customer, draft: UserDraft) -> None:
        problems: list[FieldProblem] = []
        upn = (draft.user_principal_name or "").strip()
        if not upn:
            problems.append(FieldProblem.required("userPrincipalName"))
        else:
            _, at, domain = upn.rpartition("@")
            if not at or domain.lower() != customer.domain.lower():
                problems.append(
                    FieldProblem(
                        Errors.USER_DOMAIN_INVALID,
                        "userPrincipalName",
                        "is not in the customer's domain",
                        {"upn": upn[:UPN_MAX], "domain": customer.domain},
                    )
                )
            elif len(upn) > UPN_MAX or (problem := email_problem(upn)) is not None:
                reason = "is not a valid user principal name"
                if len(upn) <= UPN_MAX and problem:
                    reason = problem
                problems.append(
                    FieldProblem(
                        Errors.EMAIL_INVALID, "userPrincipalName", reason, {"reason": reason}
                    )
                )
        for field, value in (
            ("displayName", draft.display_name),
            ("usageLocation", draft.usage_location),
            ("passwordProfile.password", draft.password),
        ):
            if is_blank(value):
                problems.append(FieldProblem.required(field))
        _check_common(draft, problems)
        if problems:
            raise ServiceError.from_problems(problems)

    async def create(
        self,
        partner: Partner,
        roles: tuple[str, ...] | None,
        customer_id: str,
        draft: UserDraft,
        *,
        app_only: bool,
        actor: Actor,
    ) -> tuple[Customer, AdminUser]:
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        authorize_customer_change(app_only, roles)
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
        self._check_new(customer, draft)
        upn = (draft.user_principal_name or "").strip()
        user = AdminUser(
            id=str(uuid.uuid4()),
            customer_id=customer.id,
            user_name=upn.rpartition("@")[0][:NAME_MAX],
            user_principal_name=upn,
            password_hash=self._hasher.hash(draft.password or ""),
            must_change_password=draft.force_change_password is not False,
            created_at=self._clock.now(),
            display_name=_strip(draft.display_name),
            first_name=_strip(draft.first_name),
            last_name=_strip(draft.last_name),
            usage_location=(draft.usage_location or "").strip().upper(),
        )
        try:
            async with self._uow() as work:
                await self._customer(work, partner, customer.id)
                await work.users.add(user)
                await work.audit.record(
                    self._event(actor, Action.CUSTOMER_USER_ADDED, user, partner)
                )
                await work.commit()
        except UserNameTaken as exc:
            raise ServiceError(Errors.USER_NAME_TAKEN, {"upn": upn}) from exc
        return customer, user

    async def update(
        self,
        partner: Partner,
        roles: tuple[str, ...] | None,
        customer_id: str,
        user_id: str,
        draft: UserDraft,
        *,
        app_only: bool,
        actor: Actor,
    ) -> tuple[Customer, AdminUser]:
        """Change a user's names, usage location or password; its name and id stay."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        authorize_customer_change(app_only, roles)
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            current = await self._find(work, customer, user_id)
            problems: list[FieldProblem] = []
            for path, given, kept in (
                ("id", draft.id, current.id),
                ("userPrincipalName", draft.user_principal_name, current.user_principal_name),
            ):
                if given is not None and given.strip().lower() != kept.lower():
                    problems.append(
                        FieldProblem(
                            Errors.MEMBER_IMMUTABLE, path, "cannot be changed", {"field": path}
                        )
                    )
            _check_common(draft, problems)
            if problems:
                raise ServiceError.from_problems(problems)
            updated = replace(
                current,
                display_name=_strip(draft.display_name) or current.display_name,
                first_name=_strip(draft.first_name) or current.first_name,
                last_name=_strip(draft.last_name) or current.last_name,
                usage_location=(_strip(draft.usage_location) or "").upper()
                or current.usage_location,
            )
            if draft.password is not None:
                updated = replace(
                    updated,
                    password_hash=self._hasher.hash(draft.password),
                    must_change_password=draft.force_change_password is not False,
                )
            await work.users.update(updated)
            await work.audit.record(
                self._event(actor, Action.CUSTOMER_USER_UPDATED, updated, partner)
            )
            await work.commit()
        return customer, updated

    async def delete(
        self,
        partner: Partner,
        roles: tuple[str, ...] | None,
        customer_id: str,
        user_id: str,
        *,
        app_only: bool,
        actor: Actor,
    ) -> None:
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        authorize_customer_change(app_only, roles)
        async with self._uow() as work:
            customer = await self._customer(work, partner, customer_id)
            user = await self._find(work, customer, user_id)
            await work.users.delete(customer.id, user.id)
            await work.audit.record(self._event(actor, Action.CUSTOMER_USER_DELETED, user, partner))
            await work.commit()

    async def _find(self, work: UnitOfWork, customer: Customer, user_id: str) -> AdminUser:
        for user in await work.users.of_customer(customer.id):
            if user.id == user_id.lower():
                return user
        params = {"customer_id": customer.id, "user_id": user_id[:100]}
        raise ServiceError(Errors.USER_NOT_FOUND, params)

    def _event(self, actor: Actor, action: Action, user: AdminUser, partner: Partner) -> AuditEvent:
        return audit_event(
            actor,
            action,
            self._clock.now(),
            target_type="user",
            target_id=user.id,
            partner_id=partner.tenant_id,
            details={
                "customerId": user.customer_id,
                "userPrincipalName": user.user_principal_name,
            },
        )
