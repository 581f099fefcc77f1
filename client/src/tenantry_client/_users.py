"""A customer's user account (Partner Center's `CustomerUser`) and its `PasswordProfile`.

A user is read from the service without its password; one to create carries the password
it starts with in `password_profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tenantry_client._wire import JsonObject, Members, compact

_READ_ONLY = ("links", "attributes")


@dataclass(kw_only=True)
class PasswordProfile:
    """The password a new user starts with, and whether the first sign-in must change it."""

    password: str | None = field(default=None, repr=False)
    force_change_password: bool | None = None

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        return compact(
            [("forceChangePassword", self.force_change_password), ("password", self.password)]
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> PasswordProfile:
        """Read a PasswordProfile object."""
        m = Members(obj)
        return cls(password=m.text("password"), force_change_password=m.flag("forceChangePassword"))


@dataclass(kw_only=True)
class CustomerUser:
    """A user in the customer's tenant. To create one, set `user_principal_name` (in the
    customer's domain), `display_name`, `usage_location` and `password_profile`."""

    id: str | None = None
    user_principal_name: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    usage_location: str | None = None
    password_profile: PasswordProfile | None = None
    state: str | None = None
    user_domain_type: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> JsonObject:
        """The camelCase JSON object, without unset members."""
        profile = self.password_profile
        return compact(
            [
                ("id", self.id),
                ("userPrincipalName", self.user_principal_name),
                ("displayName", self.display_name),
                ("firstName", self.first_name),
                ("lastName", self.last_name),
                ("usageLocation", self.usage_location),
                ("passwordProfile", None if profile is None else profile.to_wire()),
                ("state", self.state),
                ("userDomainType", self.user_domain_type),
            ],
            self.extra,
        )

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> CustomerUser:
        """Read a CustomerUser object."""
        m = Members(obj)
        profile = m.get("passwordProfile")
        user = cls(
            id=m.text("id"),
            user_principal_name=m.text("userPrincipalName"),
            display_name=m.text("displayName"),
            first_name=m.text("firstName"),
            last_name=m.text("lastName"),
            usage_location=m.text("usageLocation"),
            password_profile=PasswordProfile.from_wire(profile)
            if isinstance(profile, Mapping)
            else None,
            state=m.text("state"),
            user_domain_type=m.text("userDomainType"),
        )
        m.skip(*_READ_ONLY)
        user.extra = m.unread()
        return user
