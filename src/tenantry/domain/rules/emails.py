"""`billingProfile.email`: a syntactically valid address outside microsoft.com.

Syntax is checked by email-validator without any DNS lookup. Partner Center refuses
Microsoft's own addresses for a customer contact (subdomains included).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields

MAX_LENGTH = 254
_FORBIDDEN_DOMAIN = "microsoft.com"


def email_problem(email: str) -> str | None:
    """Why `email` is refused (English), or None when it is acceptable."""
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        return str(error)
    domain = checked.domain.casefold()
    if domain == _FORBIDDEN_DOMAIN or domain.endswith("." + _FORBIDDEN_DOMAIN):
        return "a customer e-mail address cannot be a microsoft.com address"
    return None


def check_email(email: str) -> list[FieldProblem]:
    """880005 for an address that is malformed or belongs to microsoft.com."""
    reason = email_problem(email)
    if reason is None:
        return []
    return [
        FieldProblem(
            Errors.EMAIL_INVALID,
            fields.EMAIL,
            "is not a valid e-mail address: {reason}",
            {"reason": reason, "email": email},
        )
    ]
