"""Every text the portal's Python code shows (templates mark theirs with `_("…")`)."""

from __future__ import annotations

MESSAGES = {
    "credentials": "The user name or password is incorrect.",
    "otp": "The verification code is not correct. Enter the current code.",
    "too_many": "Too many attempts. Wait a minute and try again.",
    "no_mfa": (
        "This account has no second sign-in factor. The portal, like the API, needs "
        "multi-factor authentication: ask an administrator to set one up."
    ),
    "expired": "This page has expired. Start again.",
    "csrf": "This form has expired or did not come from this site. Reload the page and try again.",
    "not_found": "This customer was not found among your customers.",
    "role": "Your roles do not allow adding or changing customers.",
    "domain_taken": "%(domain)s is already taken. Choose another prefix.",
    "domain_free": "%(domain)s is available.",
    "choose_offer": "Choose at least one offer.",
    "quantity": "Enter a number of licences from 1 to %(max)s.",
    "wizard_gone": "This Add customer wizard has ended. Its customer was created or it expired.",
    "submit_failed": "The customer could not be created. Correct the account information.",
    "state": "State",
    "province": "Province",
    "state_region": "State or region",
    "zip": "ZIP code",
    "postal": "Postal code",
}
