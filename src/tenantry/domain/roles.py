"""Which partner-user roles may change customers.

Partner Center lets Global admin, User management admin, Admin agent and Sales agent add
customers; Tenantry applies the same set to every change of a customer (create, billing
profile, removing the relationship, sandbox delete). App-only callers have no roles, and
a user token that carries no roles at all (an external issuer that does not emit them) is
not restricted: nothing is known about it.
"""

from __future__ import annotations

from tenantry.domain.errors import Errors, ServiceError

MAY_CHANGE_CUSTOMERS = frozenset(
    {"global admin", "user management admin", "admin agent", "sales agent"}
)


def authorize_customer_change(app_only: bool, roles: tuple[str, ...] | None) -> None:
    """403 (900150) when a signed-in user's roles do not allow changing customers."""
    if app_only or roles is None:
        return
    if not MAY_CHANGE_CUSTOMERS.intersection(role.casefold() for role in roles):
        raise ServiceError(Errors.ROLE_NOT_ALLOWED, {"roles": ", ".join(roles) or "none"})
