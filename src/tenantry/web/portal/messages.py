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
    "unavailable": (
        "The portal cannot reach its database at the moment. Try again in a few seconds."
    ),
    "csrf": "This form has expired or did not come from this site. Reload the page and try again.",
    "not_found": "This customer was not found among your customers.",
    "role": "Your roles do not allow adding or changing customers.",
    "domain_taken": "%(domain)s is already taken. Choose another prefix.",
    "domain_free": "%(domain)s is available.",
    "choose_offer": "Choose at least one offer.",
    "quantity": "Enter a number of licenses for %(offer)s from 1 to %(max)s, for example 25.",
    "quantity_unchosen": (
        "You entered a number of licenses (%(count)s) for %(offer)s without choosing the "
        "offer. Tick its box to subscribe to it, or clear the number."
    ),
    "license_one": "%(count)s license",
    "license_other": "%(count)s licenses",
    "country_changed": (
        "The form now follows the rules of %(country)s: its states, postal code format, "
        "cultures and languages. Check the address, then choose Next."
    ),
    "state_cleared": (
        "The state or province %(state)s does not exist in %(country)s, so it was cleared. "
        "Choose one for the new country."
    ),
    "renamed": "The subscription is now named %(name)s.",
    "page_missing": "There is no such page in the partner portal. Check the address.",
    "reseller": "Reseller",
    "none": "No relationship",
    "active": "Active",
    "gdap_on": "Yes: a default GDAP relationship is created with the customer",
    "gdap_off": "No: no default GDAP relationship",
    "wizard_gone": "This Add customer wizard has ended. Its customer was created or it expired.",
    "draft_changed": (
        "This page no longer shows this wizard's draft: it was changed in another tab or "
        "window. Review it again, then submit."
    ),
    "leave_warning": (
        "The password will not be shown again once you leave this page. Leave it anyway?"
    ),
    "submit_failed": "The customer could not be created. Correct the account information.",
    "state": "State",
    "province": "Province",
    "state_region": "State or region",
    "zip": "ZIP code",
    "postal": "Postal code",
}
