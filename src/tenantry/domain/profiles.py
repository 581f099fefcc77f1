"""The customer's company and billing profiles; billing updates guarded by the etag."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock, SystemClock
from tenantry.domain.customers import new_etag, visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.models import BillingProfile, Customer, CustomerDraft, Partner
from tenantry.domain.ports import UnitOfWorkFactory
from tenantry.domain.rules import validate_new_customer
from tenantry.domain.sandbox import Visibility, cutoff_of

_PREFIX = "billingProfile."


def parse_if_match(header: str | None) -> int | None:
    """The etag an `If-Match` names (quoted or not, weak or strong); None if unusable."""
    if header is None:
        return None
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    try:
        etag = int(value)
    except ValueError:
        return None
    return etag if -(2**63) <= etag < 2**63 else None


def require_if_match(if_match: str | None) -> None:
    """428 when the request names no etag at all (neither `If-Match` nor the body's)."""
    if if_match is None or not if_match.strip():
        raise ServiceError(Errors.IF_MATCH_REQUIRED)


class ProfileService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        sandbox: bool,
        visibility: Visibility | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._uow = uow
        self._clock: Clock = clock or SystemClock()
        self._sandbox = sandbox
        self._visibility = visibility

    async def company(self, partner: Partner, customer_id: str, *, app_only: bool) -> Customer:
        """The company profile is App+User only, as in Partner Center."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        async with self._uow() as work:
            return await visible_customer(work, partner, customer_id, cutoff_of(self._visibility))

    async def billing(self, partner: Partner, customer_id: str) -> Customer:
        async with self._uow() as work:
            return await visible_customer(work, partner, customer_id, cutoff_of(self._visibility))

    async def update_billing(
        self,
        partner: Partner,
        customer_id: str,
        if_match: str | None,
        draft: CustomerDraft,
        *,
        actor: Actor,
    ) -> Customer:
        """Replace the billing profile under the same rules as create.

        `if_match` is the etag the request names (`If-Match`, else the body's
        `attributes.etag`); 428 without one. An etag that is no longer current is refused
        (412), so of two concurrent updates from the same read exactly one wins.
        """
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
        require_if_match(if_match)
        assert if_match is not None
        # `*` means "whatever is current"; the update below still guards against a race.
        expected = customer.billing.etag if if_match.strip() == "*" else parse_if_match(if_match)
        if expected is None or expected != customer.billing.etag:
            raise ServiceError(Errors.STALE_ETAG)
        billing = self._validated(partner, customer, draft)
        async with self._uow() as work:
            if not await work.customers.update_billing(customer.id, expected, billing):
                raise ServiceError(Errors.STALE_ETAG)
            changed = audit_event(
                actor,
                Action.BILLING_PROFILE_UPDATED,
                self._clock.now(),
                target_type="customer",
                target_id=customer.id,
                partner_id=partner.tenant_id,
                details={"etag": str(billing.etag), "previousEtag": str(expected)},
            )
            await work.audit.record(changed)
            await work.commit()
        return dataclasses.replace(customer, company_name=billing.company_name, billing=billing)

    def _validated(
        self, partner: Partner, customer: Customer, draft: CustomerDraft
    ) -> BillingProfile:
        given = draft.address.country if draft.address is not None else None
        if given is not None and given.strip().upper() != customer.billing.address.country:
            # The tenant's country is fixed when it is created; this comes before any rule.
            path = "defaultAddress.country"
            problem = FieldProblem(
                Errors.MALFORMED_REQUEST,
                path,
                "cannot be changed",
                {"reason": f"{path} cannot be changed"},
            )
            raise ServiceError.from_problems([problem])
        full = dataclasses.replace(
            draft,
            domain=customer.domain,
            organization_registration_number=customer.organization_registration_number,
            enable_gdap_by_default=customer.enable_gdap_by_default,
            associated_partner_id=None,
        )
        try:
            valid = validate_new_customer(full, partner, sandbox=self._sandbox)
        except ServiceError as error:
            raise _relative_to_profile(error) from error
        return BillingProfile(
            id=customer.billing.id,
            email=valid.email,
            culture=valid.culture,
            language=valid.language,
            company_name=valid.company_name,
            address=valid.address,
            etag=new_etag(),
            first_name=valid.billing_first_name,
            last_name=valid.billing_last_name,
        )


def _relative_to_profile(error: ServiceError) -> ServiceError:
    """Paths relative to the billing profile, which is the whole body of this request: in
    `data` and in the description's `field` alike."""
    problems = tuple(
        dataclasses.replace(p, path=p.path.removeprefix(_PREFIX), params=_relative(p.params))
        for p in error.problems
    )
    return ServiceError(error.spec, _relative(error.params), problems)


def _relative(params: Mapping[str, object]) -> dict[str, object]:
    named = params.get("field")
    if isinstance(named, str):
        return {**params, "field": named.removeprefix(_PREFIX)}
    return dict(params)
