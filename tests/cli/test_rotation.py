"""Rotating client secrets and signing keys from the command line, in production mode."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import jwt

from tests.cli.test_partners import _run
from tests.support import payloads
from tests.support.process import ServeProcess, tenantry


def _field(name: str, output: str) -> str:
    match = re.search(rf"{name}:\s+(\S+)", output)
    assert match, output
    return match.group(1)


def test_secrets_and_signing_keys_rotate_without_a_restart_gap(tmp_path: Path) -> None:
    key = tenantry("keygen").stdout.strip()
    env = {"TENANTRY_MASTER_KEY": key, "TENANTRY_MODE": "production"}
    where = ["--data-dir", str(tmp_path)]
    assert _run("db", "upgrade", *where, env={}).returncode == 0
    tenant = _run(
        "partners", "create", "--name", "Contoso", "--type", "direct_bill", "--country", "US",
        *where, env=env,
    ).stdout.strip()  # fmt: skip
    app = _run("partners", "add-app", tenant, *where, env=env).stdout
    client_id, first = _field("client id", app), _field("client secret", app)
    user = _run(
        "partners", "add-user", tenant, "--upn", "ops@contoso.example", *where, env=env
    ).stdout
    assert _field("authenticator", user).startswith("otpauth://totp/Tenantry:ops%40contoso")
    reset = _run("partners", "reset-user", "ops@contoso.example", *where, env=env)
    assert reset.returncode == 0, reset.stderr
    assert _field("authenticator", reset.stdout) != _field("authenticator", user)
    assert len(_field("password", reset.stdout)) >= 12
    assert "every refresh token of this user has stopped working" in reset.stdout

    kept = _run("partners", "rotate-secret", client_id, *where, env=env)
    assert kept.returncode == 0, kept.stderr
    second = _field("client secret", kept.stdout)
    assert "the old secret works until" in kept.stdout
    cut = _run("partners", "rotate-secret", client_id, "--overlap-hours", "0", *where, env=env)
    third = _field("client secret", cut.stdout)
    bad = _run("partners", "rotate-secret", "not-a-guid", *where, env=env)
    assert bad.returncode == 2
    assert "is not a client id" in bad.stderr

    no_key_yet = tenantry("token", "--user", "ops@contoso.example", *where, env=env)
    assert no_key_yet.returncode == 2  # the tools make no signing key; the server or rotate do
    assert "keys rotate" in no_key_yet.stderr
    assert _run("keys", "rotate", *where, env=env).returncode == 0
    signed_before = tenantry("token", "--user", "ops@contoso.example", *where, env=env)
    before = jwt.get_unverified_header(signed_before.stdout.strip())["kid"]
    rotated = _run("keys", "rotate", *where, env=env)
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.split()[0]
    listing = _run("keys", "list", *where, env=env).stdout.splitlines()
    assert [line.split()[0] for line in listing] == [before, new_kid]
    assert listing[1].endswith("(signs)")
    refused = _run("keys", "retire", new_kid, *where, env=env)
    assert refused.returncode == 2
    assert "rotate before retiring" in refused.stderr
    signed_after = tenantry("token", "--user", "ops@contoso.example", *where, env=env)
    assert jwt.get_unverified_header(signed_after.stdout.strip())["kid"] == new_kid
    too_soon = _run("keys", "retire", before, *where, env=env)  # its tokens are still valid
    assert too_soon.returncode == 2
    assert "may still be valid until" in too_soon.stderr
    assert _run("keys", "retire", before, "--force", *where, env=env).returncode == 0
    assert len(_run("keys", "list", *where, env=env).stdout.splitlines()) == 1

    server = ServeProcess("--mode", "production", *where, env={"TENANTRY_MASTER_KEY": key})
    server.wait_ready()
    try:
        url = f"{server.base_url}/{tenant}/oauth2/v2.0/token"

        def token_with(secret: str) -> httpx.Response:
            return httpx.post(
                url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret,
                },
            )

        assert token_with(first).json()["error"] == "invalid_client"  # overlap ended at once
        assert token_with(second).json()["error"] == "invalid_client"
        fresh = token_with(third).json()["access_token"]
        assert jwt.get_unverified_header(fresh)["kid"] == new_kid
        created = httpx.post(
            f"{server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {fresh}"},
        )
        assert created.status_code == 201, created.text

        def list_with(token: str) -> httpx.Response:
            return httpx.get(
                f"{server.base_url}/v1/customers",
                headers={"Authorization": f"Bearer {token.strip()}"},
            )

        assert list_with(signed_after.stdout).status_code == 200
        retired = list_with(signed_before.stdout)  # its key is gone
        assert retired.status_code == 401
        assert "unknown key" in retired.json()["description"]
    finally:
        server.stop()
    assert third not in server.output()
