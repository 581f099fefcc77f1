"""`billingProfile.companyName`: Partner Center's company-name rules (since 2021-09).

Refused: a single character; nothing but symbols, punctuation or spaces (no letter or
digit in any script); a bare legal-form abbreviation such as "LLC" or "Pty. Ltd.".
Names are 1-255 characters long.
"""

from __future__ import annotations

import unicodedata

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields

MAX_LENGTH = 255

# Legal-form designations, compared without case, spaces or punctuation.
_LEGAL_FORMS = frozenset(
    {
        "llc", "inc", "ltd", "gmbh", "ptyltd", "sdnbhd", "corp", "co", "plc", "ag", "sa",
        "srl", "bv", "nv", "ab", "as", "oy", "kk", "llp", "lp", "limited", "incorporated",
        "corporation", "company", "coltd", "coinc", "pty", "pvtltd", "pteltd", "bhd",
        "sarl", "sas", "spa", "ltda", "lda", "sro", "kft", "ooo", "aps", "asa", "oyj",
        "gmbhcokg", "spzoo", "sadecv",
    }
)  # fmt: skip


def _letters_and_digits(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def company_name_problem(name: str) -> str | None:
    """Why a company name is refused (an English msgid), or None when it is acceptable."""
    trimmed = name.strip()
    if not trimmed:
        return "cannot be only spaces"
    if len(trimmed) == 1:
        return "cannot be a single character"
    core = _letters_and_digits(trimmed)
    if not core:
        return "must contain at least one letter or digit"
    if core.casefold() in _LEGAL_FORMS:
        return "cannot be only a legal-form abbreviation such as LLC or Inc"
    return None


def check_company_name(name: str) -> list[FieldProblem]:
    """880006 for a name that breaks one of the rules."""
    reason = company_name_problem(name)
    if reason is None:
        return []
    return [
        FieldProblem(
            Errors.COMPANY_NAME_INVALID,
            fields.COMPANY_NAME,
            reason,
            {"reason": reason, "company_name": name},
        )
    ]
