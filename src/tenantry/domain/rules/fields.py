"""The JSON paths of the create-customer body, as they appear in error `data`.

Every rule module names fields through these constants, so a path is spelled once.
"""

from __future__ import annotations

DOMAIN = "companyProfile.domain"
REGISTRATION_NUMBER = "companyProfile.organizationRegistrationNumber"
PASSWORD = "userCredentials.password"  # noqa: S105 - a JSON path, not a secret

EMAIL = "billingProfile.email"
CULTURE = "billingProfile.culture"
LANGUAGE = "billingProfile.language"
COMPANY_NAME = "billingProfile.companyName"
BILLING_FIRST_NAME = "billingProfile.firstName"
BILLING_LAST_NAME = "billingProfile.lastName"

ADDRESS = "billingProfile.defaultAddress"
COUNTRY = f"{ADDRESS}.country"
REGION = f"{ADDRESS}.region"
CITY = f"{ADDRESS}.city"
STATE = f"{ADDRESS}.state"
ADDRESS_LINE1 = f"{ADDRESS}.addressLine1"
ADDRESS_LINE2 = f"{ADDRESS}.addressLine2"
POSTAL_CODE = f"{ADDRESS}.postalCode"
FIRST_NAME = f"{ADDRESS}.firstName"
MIDDLE_NAME = f"{ADDRESS}.middleName"
LAST_NAME = f"{ADDRESS}.lastName"
PHONE_NUMBER = f"{ADDRESS}.phoneNumber"


def is_blank(value: str | None) -> bool:
    """Missing, empty or whitespace only: what counts as "not given"."""
    return value is None or not value.strip()
