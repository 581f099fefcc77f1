"""Every create example of the seed documents is accepted as written (R7's touchstone)."""

from __future__ import annotations

import pytest

from tenantry.domain.models import CustomerDraft
from tests.domain.rules.rules_helpers import (
    accept,
    codes,
    partner_in,
    refuse,
    seed_address,
    seed_draft,
)

SEED_BODIES: dict[str, CustomerDraft] = {
    # 000 C# sample: upper-case culture, "En", a middle name, an empty phone number.
    "csharp-create": seed_draft(
        seed_address(first_name="Gena", middle_name="Coralie", last_name="Soto", phone_number=""),
        domain="SampleApplication1047419322.onmicrosoft.com",
        culture="EN-US",
        language="En",
    ),
    # 000 REST example: GDAP off, "EN-US", no phone at all.
    "rest-create": seed_draft(
        domain="xyz.onmicrosoft.com", culture="EN-US", enable_gdap_by_default=False
    ),
    # 000 Java sample and 003 indirect example: phone 4255550101.
    "java-create": seed_draft(
        domain="WingtipToys12345.onmicrosoft.com", address=seed_address(phone_number="4255550101")
    ),
    # 001 Azure CSP page: lower-case culture, phone 1234567890, explicit nulls.
    "azure-csp": seed_draft(
        seed_address(
            first_name="Marshall",
            last_name="Levi",
            region=None,
            address_line2=None,
            phone_number="1234567890",
        ),
        domain="SampleApplication1047419322.onmicrosoft.com",
        email="marshall@fourthcoffee.com",
        culture="en-us",
        company_name="Fourth Coffee",
    ),
    # 002 sandbox example: the ccsctp.net domain suffix.
    "sandbox-create": seed_draft(
        seed_address(first_name="Test", last_name="Test"),
        domain="xyz.ccsctp.net",
        email="test@outlook.com",
        culture="EN-US",
        company_name="test company",
    ),
    # 003 indirect reseller example, its blanked domain and e-mail filled in.
    "indirect-create": seed_draft(
        seed_address(phone_number="4255550101"),
        domain="wingtipreseller.onmicrosoft.com",
        culture="EN-US",
        language="En",
        associated_partner_id="484e548c-f5f3-4528-93a9-c16c6373cb59",
    ),
    # PowerShell sample: "1 Microsoft Way".
    "powershell-create": seed_draft(
        seed_address(address_line1="1 Microsoft Way"), domain="newcustomer.onmicrosoft.com"
    ),
}


@pytest.mark.parametrize("name", sorted(SEED_BODIES))
def test_seed_examples_are_accepted(name: str) -> None:
    accepted = accept(SEED_BODIES[name], partner_in("US"), sandbox=True)

    assert accepted.culture == "en-US"
    assert accepted.address.country == "US"
    assert accepted.address.state == "WA"


def test_accepted_values_keep_what_was_sent_except_canonical_culture_and_country() -> None:
    draft = SEED_BODIES["csharp-create"]
    accepted = accept(draft)

    assert accepted.culture == "en-US"
    assert accepted.language == "En"
    assert accepted.domain == "SampleApplication1047419322.onmicrosoft.com"
    assert accepted.address.city == "Redmond"
    assert accepted.address.middle_name == "Coralie"
    assert accepted.address.phone_number == ""
    assert accepted.enable_gdap_by_default is True


def test_gdap_flag_false_is_kept_and_lower_case_country_is_canonicalised() -> None:
    accepted = accept(seed_draft(seed_address(country="us"), enable_gdap_by_default=False))

    assert accepted.enable_gdap_by_default is False
    assert accepted.address.country == "US"


def test_sandbox_domain_suffix_is_refused_outside_the_sandbox() -> None:
    error = refuse(SEED_BODIES["sandbox-create"], sandbox=False)

    assert codes(error) == [(880002, "companyProfile.domain")]
