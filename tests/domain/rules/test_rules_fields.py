"""The single-field rules: e-mail, company name, domain, phone, registration number."""

from __future__ import annotations

import pytest

from tenantry.domain.rules import company_names, domains, emails, phones, registration


@pytest.mark.parametrize(
    "email", ["gena@wingtiptoys.com", "Alice.Smith+tag@Example.COM", "用户@例子.广告"]
)
def test_valid_emails(email: str) -> None:
    assert emails.email_problem(email) is None


@pytest.mark.parametrize(
    "email",
    [
        "bad@",
        "a b@c.com",
        "a..b@example.com",
        "a@microsoft.com",
        "x@MICROSOFT.COM",
        "x@corp.microsoft.com",
    ],
)
def test_invalid_emails(email: str) -> None:
    assert emails.email_problem(email) is not None


def test_microsoft_lookalike_domains_are_fine() -> None:
    assert emails.email_problem("x@notmicrosoft.com") is None


@pytest.mark.parametrize("name", ["Wingtip Toys", "3M", "Contoso LLC", "株式会社 山田", "Xy"])
def test_acceptable_company_names(name: str) -> None:
    assert company_names.company_name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "A",
        "  x  ",
        "---",
        "!!! ???",
        "\t  ",
        "LLC",
        "llc.",
        "Inc",
        "Pty. Ltd.",
        "GmbH",
        "S.A.",
        "sdn bhd",
        "Co.",
    ],
)
def test_refused_company_names(name: str) -> None:
    assert company_names.company_name_problem(name) is not None


@pytest.mark.parametrize(
    ("domain", "sandbox"),
    [
        ("contoso.onmicrosoft.com", False),
        ("Contoso.OnMicrosoft.COM", False),
        ("a.onmicrosoft.com", False),
        ("a" * 27 + ".onmicrosoft.com", False),
        ("xyz.ccsctp.net", True),
    ],
)
def test_valid_domains(domain: str, sandbox: bool) -> None:
    assert domains.is_valid_domain(domain, sandbox=sandbox)


@pytest.mark.parametrize(
    ("domain", "sandbox"),
    [
        ("a" * 28 + ".onmicrosoft.com", False),
        (".onmicrosoft.com", False),
        ("con-toso.onmicrosoft.com", False),
        ("contoso.com", False),
        ("xyz.ccsctp.net", False),
        ("sub.contoso.onmicrosoft.com", True),
        ("ćontoso.onmicrosoft.com", False),
    ],
)
def test_invalid_domains(domain: str, sandbox: bool) -> None:
    assert not domains.is_valid_domain(domain, sandbox=sandbox)


def test_sandbox_domain_problem_names_the_suffix_that_was_used() -> None:
    (problem,) = domains.check_domain("x_y.ccsctp.net", sandbox=True)

    assert problem.params["suffix"] == ".ccsctp.net"


@pytest.mark.parametrize(
    ("country", "phone"),
    [
        ("US", "1234567890"),
        ("US", "4255550101"),
        ("US", "+1 425 555 0101"),
        ("CN", "13800138000"),
        ("AQ", "555-1"),
    ],
)
def test_possible_phone_numbers(country: str, phone: str) -> None:
    assert phones.is_possible_phone(country, phone)


@pytest.mark.parametrize(
    ("country", "phone"), [("US", "12"), ("US", "not a phone"), ("RU", "123"), ("AQ", "none")]
)
def test_impossible_phone_numbers(country: str, phone: str) -> None:
    assert not phones.is_possible_phone(country, phone)


def test_empty_phone_counts_as_not_given() -> None:
    assert phones.check_phone("US", "") == []
    assert [p.spec.code for p in phones.check_phone("IN", "")] == [600051]


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("RU", "1022200525819"),
        ("IN", "AAPFU0939F"),
        ("IN", "U72200KA2009PTC049889"),
        ("ZA", "2001/012345/07"),
        ("PL", "192598184"),
        ("VN", "0314409058-002"),
        ("KZ", "940 740 000 911"),
        ("SA", "300000000000003"),
        ("hu", "HU-12892312"),
    ],
)
def test_registration_numbers_accepted_by_any_validator_of_the_country(
    country: str, number: str
) -> None:
    assert registration.is_valid_registration(country, number)


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("RU", "7707083894"),
        ("CN", "91110000600037341X"),
        ("KZ", "94074000091"),
        ("IQ", "---"),
        ("TR", "4540536921"),
    ],
)
def test_malformed_registration_numbers(country: str, number: str) -> None:
    assert not registration.is_valid_registration(country, number)


def test_registration_number_is_optional_outside_the_25_countries() -> None:
    assert registration.check_registration("US", None) == []
    assert registration.check_registration("US", "whatever") == []
    assert registration.registration_format("US") is None
