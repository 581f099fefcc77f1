"""Password hashes written out in the source (so that start-up does not pay for them) must
stay what they claim to be when the hashing parameters change."""

from __future__ import annotations

from tenantry.auth.development import DEV_USER_PASSWORD, DEV_USER_PASSWORD_HASH
from tenantry.security.passwords import DUMMY_HASH, current_parameters, verify_password


def test_the_sandbox_user_signs_in_with_its_documented_password() -> None:
    assert verify_password(DEV_USER_PASSWORD_HASH, DEV_USER_PASSWORD)
    assert not verify_password(DEV_USER_PASSWORD_HASH, DEV_USER_PASSWORD + "x")
    assert current_parameters(DEV_USER_PASSWORD_HASH)


def test_the_stand_in_for_unknown_users_costs_what_a_real_check_costs() -> None:
    """Checked with the same parameters as real hashes, so an unknown user name takes as
    long to refuse as a wrong password; and it never lets anyone in."""
    assert current_parameters(DUMMY_HASH)
    assert not verify_password(None, "tenantry-no-such-user")
