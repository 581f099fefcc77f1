"""Agreements: the templates a partner may confirm, and a customer's confirmations.

Partner Center asks the partner to confirm that the customer accepted the Microsoft
Customer Agreement before it orders for the customer; the confirmation names the template
(from the agreement metadata), the date of acceptance and the person who accepted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tenantry.domain.audit import Action, Actor, audit_event
from tenantry.domain.clock import Clock
from tenantry.domain.commerce import (
    Agreement,
    AgreementDraft,
    AgreementMetadata,
    AgreementType,
    Contact,
)
from tenantry.domain.customers import visible_customer
from tenantry.domain.errors import Errors, FieldProblem, ServiceError
from tenantry.domain.models import Partner
from tenantry.domain.ports import UnitOfWork, UnitOfWorkFactory
from tenantry.domain.roles import authorize_customer_change
from tenantry.domain.rules.emails import email_problem
from tenantry.domain.rules.fields import is_blank
from tenantry.domain.sandbox import Visibility, cutoff_of

MCA = AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
METADATA = (
    AgreementMetadata(
        "998b88de-aa99-4388-a42c-1b3517d49490",
        AgreementType.MICROSOFT_CLOUD_AGREEMENT,
        "https://docs.microsoft.com/partner-center/agreements",
    ),
    AgreementMetadata(
        "117a77b0-9360-443b-8795-c6dedc750cf9", MCA, "https://aka.ms/customeragreement"
    ),
)
ALL_TYPES = "*"
# How far ahead of the server's clock a caller's "now" may run.
CLOCK_SKEW = timedelta(minutes=5)
NAME_MAX = 64
EMAIL_MAX = 254
PHONE_MAX = 32


def agreement_type_of(value: str) -> AgreementType:
    """The agreement type a caller names (any case), or 400 (880041)."""
    for kind in AgreementType:
        if kind.value.lower() == value.strip().lower():
            return kind
    raise ServiceError(Errors.AGREEMENT_TYPE_UNKNOWN, {"agreement_type": value[:100]})


def metadata(agreement_type: str | None) -> list[AgreementMetadata]:
    """The templates of a type; without one, the Microsoft Cloud Agreement's (as Partner
    Center answers for backward compatibility); `*` for every type."""
    if agreement_type is None:
        wanted: AgreementType | None = AgreementType.MICROSOFT_CLOUD_AGREEMENT
    elif agreement_type.strip() == ALL_TYPES:
        wanted = None
    else:
        wanted = agreement_type_of(agreement_type)
    return [m for m in METADATA if wanted is None or m.agreement_type is wanted]


def parse_date_agreed(value: str) -> datetime:
    """An ISO 8601 date and time; one without a zone is UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)  # ValueError when it is not one
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class AgreementService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, visibility: Visibility | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._visibility = visibility

    def validate(self, draft: AgreementDraft) -> tuple[AgreementMetadata, datetime, Contact]:
        """Every problem of the confirmation at once; the first decides the code."""
        problems: list[FieldProblem] = []
        template = None
        if is_blank(draft.template_id):
            problems.append(FieldProblem.required("templateId"))
        else:
            kind = None if draft.agreement_type is None else agreement_type_of(draft.agreement_type)
            template_id = (draft.template_id or "").strip().lower()
            template = next((m for m in METADATA if m.template_id == template_id), None)
            if template is None or (kind is not None and template.agreement_type is not kind):
                params = {"template_id": template_id[:100], "agreement_type": kind or MCA}
                problems.append(
                    FieldProblem(
                        Errors.AGREEMENT_TEMPLATE_UNKNOWN,
                        "templateId",
                        "is not a template of the agreement type",
                        params,
                    )
                )
        agreed = self._date_agreed(draft, problems)
        contact = self._contact(draft, problems)
        if problems:
            raise ServiceError.from_problems(problems)
        assert template is not None
        assert agreed is not None
        assert contact is not None
        return template, agreed, contact

    def _date_agreed(self, draft: AgreementDraft, problems: list[FieldProblem]) -> datetime | None:
        if is_blank(draft.date_agreed):
            problems.append(FieldProblem.required("dateAgreed"))
            return None
        try:
            agreed = parse_date_agreed(draft.date_agreed or "")
        except ValueError:
            reason = "is not an ISO 8601 date and time"
        else:
            if agreed <= self._clock.now() + CLOCK_SKEW:
                return agreed
            reason = "is in the future"
        problems.append(
            FieldProblem(
                Errors.DATE_AGREED_INVALID, "dateAgreed", reason, {"reason": f"dateAgreed {reason}"}
            )
        )
        return None

    def _contact(self, draft: AgreementDraft, problems: list[FieldProblem]) -> Contact | None:
        if not draft.contact_given:
            problems.append(FieldProblem.required("primaryContact"))
            return None
        before = len(problems)
        names = (
            ("primaryContact.firstName", draft.first_name, NAME_MAX),
            ("primaryContact.lastName", draft.last_name, NAME_MAX),
            ("primaryContact.email", draft.email, EMAIL_MAX),
        )
        for path, value, maximum in names:
            if is_blank(value):
                problems.append(FieldProblem.required(path))
            elif len((value or "").strip()) > maximum:
                problems.append(FieldProblem.length(path, maximum))
        email = (draft.email or "").strip()
        if email and len(email) <= EMAIL_MAX and (problem := email_problem(email)):
            problems.append(
                FieldProblem(
                    Errors.EMAIL_INVALID, "primaryContact.email", problem, {"reason": problem}
                )
            )
        phone = (draft.phone_number or "").strip() or None
        if phone is not None and len(phone) > PHONE_MAX:
            problems.append(FieldProblem.length("primaryContact.phoneNumber", PHONE_MAX))
        if len(problems) > before:
            return None
        return Contact(
            (draft.first_name or "").strip(), (draft.last_name or "").strip(), email, phone
        )

    async def confirm(
        self,
        partner: Partner,
        roles: tuple[str, ...] | None,
        customer_id: str,
        draft: AgreementDraft,
        *,
        app_only: bool,
        actor: Actor,
    ) -> Agreement:
        """Record that the customer accepted an agreement, and who confirmed it. Partner
        Center takes this from a signed-in partner user only (App+User)."""
        if app_only:
            raise ServiceError(Errors.APP_ONLY_NOT_SUPPORTED)
        authorize_customer_change(app_only, roles)
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
        template, agreed, contact = self.validate(draft)
        now = self._clock.now()
        agreement = Agreement(
            id=str(uuid.uuid4()),
            customer_id=customer.id,
            template_id=template.template_id,
            agreement_type=template.agreement_type,
            date_agreed=agreed,
            contact=contact,
            confirmed_by=actor.id,
            created_at=now,
        )
        async with self._uow() as work:
            await visible_customer(work, partner, customer.id, cutoff_of(self._visibility))
            # Partner Center takes another confirmation only when the contact changed.
            for earlier in await work.agreements.of_customer(customer.id):
                same = (earlier.agreement_type, earlier.contact) == (
                    template.agreement_type,
                    contact,
                )
                if same:
                    raise ServiceError(Errors.AGREEMENT_EXISTS)
            await work.agreements.add(agreement)
            event = audit_event(
                actor,
                Action.AGREEMENT_CONFIRMED,
                now,
                target_type="customer",
                target_id=customer.id,
                partner_id=partner.tenant_id,
                details={
                    "agreementType": agreement.agreement_type.value,
                    "templateId": agreement.template_id,
                    "dateAgreed": agreed.isoformat(),
                },
            )
            await work.audit.record(event)
            await work.commit()
        return agreement

    async def of_customer(
        self, partner: Partner, customer_id: str, agreement_type: str | None
    ) -> list[Agreement]:
        """The customer's confirmations, of one type if asked (`*` or none: every type)."""
        wanted = None
        if agreement_type is not None and agreement_type.strip() != ALL_TYPES:
            wanted = agreement_type_of(agreement_type)
        async with self._uow() as work:
            customer = await visible_customer(
                work, partner, customer_id, cutoff_of(self._visibility)
            )
            found = await work.agreements.of_customer(customer.id)
        return [a for a in found if wanted is None or a.agreement_type is wanted]


async def has_customer_agreement(work: UnitOfWork, customer_id: str) -> bool:
    """Whether the customer's acceptance of the Microsoft Customer Agreement is confirmed."""
    return any(a.agreement_type is MCA for a in await work.agreements.of_customer(customer_id))
