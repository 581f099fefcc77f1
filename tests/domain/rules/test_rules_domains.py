"""Which names a domain check answers 400 for (not a domain name at all) and which it looks
up (any well-formed name, even one no customer can have)."""

from __future__ import annotations

import pytest

from tenantry.domain.rules.domains import is_dns_name, is_valid_domain


@pytest.mark.parametrize(
    "name",
    [
        "contoso.onmicrosoft.com",
        "CONTOSO.onmicrosoft.com",
        "a.b",
        "xn--bcher-kva.example",
        "my-company.example.",  # a fully qualified name's final dot
        "a" * 63 + ".com",
        ".".join(["a" * 61] * 4),  # 247 characters
    ],
)
def test_domain_names(name: str) -> None:
    assert is_dns_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "abc!.ccsctp.net",  # Microsoft's CheckDomainAvailability sample
        "",
        "a..b",
        "-a.com",
        "a-.com",
        "a" * 64 + ".com",
        ".".join(["a" * 63] * 4) + ".com",  # over 253 characters
        "bücher.example",
        "a b.com",
    ],
)
def test_not_domain_names(name: str) -> None:
    assert not is_dns_name(name)


def test_a_domain_name_need_not_be_one_a_customer_can_have() -> None:
    assert is_dns_name("contoso.com")
    assert not is_valid_domain("contoso.com", sandbox=True)
