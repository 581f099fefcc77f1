"""The rules of agreements, subscription patches and customer users, without storage."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenantry.domain.agreements import AgreementService, metadata
from tenantry.domain.commerce import AgreementDraft, AgreementType
from tenantry.domain.customer_users import strong_enough
from tenantry.domain.errors import ServiceError
from tenantry.domain.models import Subscription
from tenantry.domain.subscriptions import SubscriptionPatch, apply_patch
from tests.support.fakes import NOW, FakeClock, MemoryDatabase

E3 = Subscription("s1", "c1", "m365-e3", "Seats", 10, NOW, order_id="o1")


def agreements() -> AgreementService:
    return AgreementService(MemoryDatabase().uow, FakeClock())


def draft(**changes: object) -> AgreementDraft:
    values: dict[str, object] = {
        "template_id": "117A77B0-9360-443B-8795-C6DEDC750CF9",
        "date_agreed": "2024-01-01",
        "first_name": "A",
        "last_name": "B",
        "email": "a@contoso.example",
        "contact_given": True,
    }
    return AgreementDraft(**(values | changes))  # type: ignore[arg-type]


def test_metadata_defaults_to_the_cloud_agreement() -> None:
    assert [m.agreement_type for m in metadata(None)] == [AgreementType.MICROSOFT_CLOUD_AGREEMENT]
    assert len(metadata("*")) == 2


def test_a_valid_confirmation() -> None:
    template, agreed, contact = agreements().validate(draft())
    assert template.agreement_type is AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
    assert agreed == datetime(2024, 1, 1, tzinfo=UTC)
    assert contact.phone_number is None


def test_every_problem_at_once() -> None:
    with pytest.raises(ServiceError) as caught:
        agreements().validate(draft(template_id=None, date_agreed="2999-01-01", email=None))
    assert [p.path for p in caught.value.problems] == [
        "templateId",
        "dateAgreed",
        "primaryContact.email",
    ]
    assert caught.value.spec.code == 880009


def test_a_patch_changes_what_it_names() -> None:
    patched = apply_patch(E3, SubscriptionPatch(quantity=12, status="Active", id="S1"))
    assert (patched.quantity, patched.status, patched.friendly_name) == (12, "active", "Seats")
    suspended = apply_patch(patched, SubscriptionPatch(quantity=12, status="Suspended"))
    assert (suspended.quantity, suspended.status) == (12, "suspended")
    reactivated = apply_patch(suspended, SubscriptionPatch(quantity=13, status="active"))
    assert (reactivated.quantity, reactivated.status) == (13, "active")


@pytest.mark.parametrize(
    ("patch", "codes"),
    [
        (SubscriptionPatch(quantity=10_001), [880048]),
        (SubscriptionPatch(status="deleted", offer_id="azure"), [880050, 880049]),
        (SubscriptionPatch(friendly_name=" "), [880008]),
        (SubscriptionPatch(quantity=11, status="suspended"), [880050]),
    ],
)
def test_refused_patches(patch: SubscriptionPatch, codes: list[int]) -> None:
    with pytest.raises(ServiceError) as caught:
        apply_patch(E3, patch)
    assert [p.spec.code for p in caught.value.problems] == codes


@pytest.mark.parametrize(
    ("password", "strong"),
    [
        ("Password!1", True),
        ("password1!", True),
        ("Password1", True),
        ("password", False),
        ("Pa1!", False),
        ("x" * 257, False),
    ],
)
def test_password_strength(password: str, strong: bool) -> None:
    assert strong_enough(password) is strong
