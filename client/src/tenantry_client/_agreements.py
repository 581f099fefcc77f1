"""Agreements: the templates a partner may confirm (`AgreementMetaData`), and a customer's
confirmed acceptance of one (`Agreement`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact, timestamp, utc_text

MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
MICROSOFT_CLOUD_AGREEMENT = "MicrosoftCloudAgreement"
_READ_ONLY = ("links", "attributes")


@dataclass(frozen=True, kw_only=True)
class AgreementMetadata:
    """One agreement template: its `template_id` is what a confirmation names."""

    template_id: str | None
    agreement_type: str | None
    agreement_link: str | None = None
    version_rank: int | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(
            [
                ("templateId", self.template_id),
                ("agreementType", self.agreement_type),
                ("agreementLink", self.agreement_link),
                ("versionRank", self.version_rank),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> AgreementMetadata:
        """Read an AgreementMetaData object."""
        m = Members(obj)
        metadata = cls(
            template_id=m.text("templateId"),
            agreement_type=m.text("agreementType"),
            agreement_link=m.text("agreementLink"),
            version_rank=m.number("versionRank"),
        )
        m.skip(*_READ_ONLY)
        metadata.extra.update(m.unread())
        return metadata


@dataclass(kw_only=True)
class Contact:
    """The person at the customer who accepted the agreement."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone_number: str | None = None

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(
            [
                ("firstName", self.first_name),
                ("lastName", self.last_name),
                ("email", self.email),
                ("phoneNumber", self.phone_number),
            ]
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Contact:
        """Read a Contact object."""
        m = Members(obj)
        return cls(
            first_name=m.text("firstName"),
            last_name=m.text("lastName"),
            email=m.text("email"),
            phone_number=m.text("phoneNumber"),
        )


@dataclass(kw_only=True)
class Agreement:
    """A customer's acceptance of an agreement, as the partner confirms it.

    To confirm one, set `primary_contact`, `template_id` (from `agreements.metadata()`)
    and `date_agreed` (a naive datetime is taken as UTC); `agreement_type` defaults to the
    Microsoft Customer Agreement.
    """

    primary_contact: Contact | None = None
    template_id: str | None = None
    date_agreed: datetime | None = None
    agreement_type: str | None = MICROSOFT_CUSTOMER_AGREEMENT
    agreement_link: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        contact, agreed = self.primary_contact, self.date_agreed
        return compact(
            [
                ("primaryContact", None if contact is None else contact.to_wire()),
                ("templateId", self.template_id),
                ("dateAgreed", None if agreed is None else utc_text(agreed)),
                ("type", self.agreement_type),
                ("agreementLink", self.agreement_link),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> Agreement:
        """Read an Agreement object."""
        m = Members(obj)
        contact = m.get("primaryContact")
        agreement = cls(
            primary_contact=Contact.from_wire(contact) if isinstance(contact, Mapping) else None,
            template_id=m.text("templateId"),
            date_agreed=timestamp(m.text("dateAgreed")),
            agreement_type=m.text("type"),
            agreement_link=m.text("agreementLink"),
        )
        m.skip(*_READ_ONLY)
        agreement.extra = m.unread()
        return agreement
