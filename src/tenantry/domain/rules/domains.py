"""`companyProfile.domain`: the customer's initial `<prefix>.onmicrosoft.com` domain.

The prefix is 1-27 ASCII letters and digits; the suffix is matched case-insensitively and
the casing given is kept for display. In sandbox mode the `.ccsctp.net` suffix of the
documentation's integration-sandbox example is accepted too. Uniqueness is global and
case-insensitive: `domain_key` is the value to compare.
"""

from __future__ import annotations

import re

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields

PRODUCTION_SUFFIX = ".onmicrosoft.com"
SANDBOX_SUFFIX = ".ccsctp.net"
_PREFIX = re.compile(r"[A-Za-z0-9]{1,27}")
# An ASCII host name (RFC 1123): labels of letters, digits and inner hyphens, 1-63 long.
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def domain_key(domain: str) -> str:
    """The global uniqueness key of a domain (case-insensitive)."""
    return domain.strip().lower()


def is_dns_name(name: str) -> bool:
    """Whether `name` can be a domain at all: what a domain check answers 400 for."""
    labels = name.removesuffix(".").split(".")
    return 0 < len(name) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def accepted_suffixes(*, sandbox: bool) -> tuple[str, ...]:
    """The domain suffixes create accepts in this mode."""
    return (PRODUCTION_SUFFIX, SANDBOX_SUFFIX) if sandbox else (PRODUCTION_SUFFIX,)


def is_valid_domain(domain: str, *, sandbox: bool) -> bool:
    """True for `<1-27 ASCII letters/digits><accepted suffix>`."""
    lowered = domain.lower()
    for suffix in accepted_suffixes(sandbox=sandbox):
        if lowered.endswith(suffix):
            return _PREFIX.fullmatch(domain[: -len(suffix)]) is not None
    return False


def check_domain(domain: str, *, sandbox: bool) -> list[FieldProblem]:
    """880002 for a domain that is not a valid initial domain."""
    if is_valid_domain(domain, sandbox=sandbox):
        return []
    suffix = PRODUCTION_SUFFIX
    if sandbox and domain.lower().endswith(SANDBOX_SUFFIX):
        suffix = SANDBOX_SUFFIX
    return [
        FieldProblem(
            Errors.DOMAIN_INVALID,
            fields.DOMAIN,
            "must be a prefix of 1-27 ASCII letters and digits followed by '{suffix}'",
            {"domain": domain, "suffix": suffix},
        )
    ]
