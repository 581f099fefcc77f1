"""AgreementMetaData and Agreement on the wire, and the confirmation body."""

from __future__ import annotations

from typing import Any

from tenantry.api.schemas.timestamps import utc_text
from tenantry.domain.agreements import METADATA
from tenantry.domain.commerce import Agreement, AgreementDraft, AgreementMetadata
from tenantry.domain.errors import ServiceError
from tenantry.http.wire import Reader, link


def metadata_wire(m: AgreementMetadata) -> dict[str, Any]:
    return {
        "templateId": m.template_id,
        "agreementType": m.agreement_type.value,
        "agreementLink": m.agreement_link,
        "versionRank": m.version_rank,
        "attributes": {"objectType": "AgreementMetaData"},
    }


def agreement_wire(a: Agreement) -> dict[str, Any]:
    contact: dict[str, Any] = {
        "firstName": a.contact.first_name,
        "lastName": a.contact.last_name,
        "email": a.contact.email,
    }
    if a.contact.phone_number is not None:
        contact["phoneNumber"] = a.contact.phone_number
    return {
        "primaryContact": contact,
        "templateId": a.template_id,
        "dateAgreed": utc_text(a.date_agreed),
        "type": a.agreement_type.value,
        "agreementLink": next(
            (m.agreement_link for m in METADATA if m.template_id == a.template_id), ""
        ),
        "links": {"self": link(f"/customers/{a.customer_id}/agreements")},
        "attributes": {"objectType": "Agreement"},
    }


def agreement_draft(body: dict[str, Any]) -> AgreementDraft:
    """Bind a key-folded Agreement body; read-only members are ignored."""
    r = Reader()
    contact = r.obj(body, "primarycontact", "primaryContact")
    draft = AgreementDraft(
        template_id=r.string(body, "templateid", "templateId"),
        agreement_type=r.string(body, "type", "type"),
        date_agreed=r.string(body, "dateagreed", "dateAgreed"),
        first_name=r.string(contact, "firstname", "primaryContact.firstName"),
        last_name=r.string(contact, "lastname", "primaryContact.lastName"),
        email=r.string(contact, "email", "primaryContact.email"),
        phone_number=r.string(contact, "phonenumber", "primaryContact.phoneNumber"),
        contact_given=contact is not None,
    )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return draft
