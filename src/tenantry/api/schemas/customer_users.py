"""The CustomerUser body of POST and PATCH (the answer is `directory.customer_user_wire`)."""

from __future__ import annotations

from typing import Any

from tenantry.domain.customer_users import UserDraft
from tenantry.domain.errors import ServiceError
from tenantry.http.wire import Reader


def user_draft(body: dict[str, Any]) -> UserDraft:
    """Bind a key-folded CustomerUser; read-only members are ignored."""
    r = Reader()
    profile = r.obj(body, "passwordprofile", "passwordProfile")
    draft = UserDraft(
        user_principal_name=r.string(body, "userprincipalname", "userPrincipalName"),
        display_name=r.string(body, "displayname", "displayName"),
        first_name=r.string(body, "firstname", "firstName"),
        last_name=r.string(body, "lastname", "lastName"),
        usage_location=r.string(body, "usagelocation", "usageLocation"),
        password=r.string(profile, "password", "passwordProfile.password"),
        force_change_password=None
        if profile is None
        else r.boolean(profile, "forcechangepassword", "passwordProfile.forceChangePassword"),
        id=r.string(body, "id", "id"),
    )
    if r.problems:
        raise ServiceError.from_problems(r.problems)
    return draft
