"""`tenantry partners …`: setting up a production deployment from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import payloads
from tests.support.process import ServeProcess, tenantry


def _run(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_production_onboarding_from_the_command_line(tmp_path: Path) -> None:
    key = tenantry("keygen").stdout.strip()
    env = {"TENANTRY_MASTER_KEY": key, "TENANTRY_MODE": "production"}
    where = ["--data-dir", str(tmp_path)]

    created = _run(
        "partners",
        "create",
        "--name",
        "Contoso",
        "--type",
        "indirect_provider",
        "--country",
        "US",
        *where,
        env=env,
    )
    assert created.returncode == 0, created.stderr
    tenant_id = created.stdout.strip()
    reseller = _run(
        "partners",
        "create",
        "--name",
        "Fabrikam",
        "--type",
        "indirect_reseller",
        "--country",
        "US",
        *where,
        env=env,
    ).stdout.strip()
    app = _run("partners", "add-app", tenant_id, "--name", "Provisioning", *where, env=env)
    client_id = re.search(r"client id:\s+(\S+)", app.stdout)[1]  # type: ignore[index]
    secret = re.search(r"client secret:\s+(\S+)", app.stdout)[1]  # type: ignore[index]
    user = _run(
        "partners",
        "add-user",
        tenant_id,
        "--upn",
        "agent@contoso.example",
        "--role",
        "Admin agent",
        "--password-stdin",
        *where,
        env=env,
        stdin="a long enough password\n",
    )
    assert user.returncode == 0, user.stderr
    assert "password:" not in user.stdout  # it was given, so it is not echoed
    link = _run("partners", "link-reseller", tenant_id, reseller, *where, env=env)
    assert link.stdout.strip().endswith("active")
    listing = _run("partners", "list", *where, env=env).stdout
    assert "Contoso" in listing
    assert "Fabrikam" in listing

    server = ServeProcess(
        "--mode", "production", *where, env={"TENANTRY_MASTER_KEY": key}
    ).wait_ready()
    try:
        token = httpx.post(
            f"{server.base_url}/{tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        ).json()["access_token"]
        response = httpx.post(
            f"{server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        server.stop()
    assert response.status_code == 201, response.text
    assert secret not in server.output()


def test_partner_commands_refuse_clearly(tmp_path: Path) -> None:
    env = {"TENANTRY_MASTER_KEY": tenantry("keygen").stdout.strip()}
    where = ["--data-dir", str(tmp_path)]
    direct = _run(
        "partners",
        "create",
        "--name",
        "Direct",
        "--type",
        "direct_bill",
        "--country",
        "US",
        *where,
        env=env,
    ).stdout.strip()
    cases = [
        (
            ("partners", "create", "--name", "X", "--type", "direct_bill", "--country", "UK"),
            "country",
        ),
        (("partners", "add-app", "00000000-0000-0000-0000-000000000000"), "no partner"),
        (("partners", "add-app", "not-a-guid"), "no partner"),
        (("partners", "reset-user", "nobody@contoso.example"), "no partner user"),
        (
            (
                "partners",
                "link-reseller",
                direct,
                direct,
            ),
            "not an indirect provider",
        ),
    ]
    for args, words in cases:
        result = _run(*args, *where, env=env)
        assert result.returncode == 2, (args, result.stdout)
        assert words in result.stderr
    short = _run(
        "partners",
        "add-user",
        direct,
        "--upn",
        "a@b.c",
        "--password-stdin",
        *where,
        env=env,
        stdin="short\n",
    )
    assert short.returncode == 2
    assert "at least 12" in short.stderr
    added = _run("partners", "add-user", direct, "--upn", "ops@b.c", *where, env=env)
    assert added.returncode == 0, added.stderr
    reset_short = _run(
        "partners", "reset-user", "ops@b.c", "--password-stdin", *where, env=env, stdin="short\n"
    )
    assert reset_short.returncode == 2
    assert "at least 12" in reset_short.stderr


def test_tools_never_add_the_sandbox_partner_to_a_database(tmp_path: Path) -> None:
    """An operator forgetting TENANTRY_MODE=production must not plant public credentials."""
    key = tenantry("keygen").stdout.strip()
    env = {"TENANTRY_MASTER_KEY": key}  # the default mode is sandbox
    where = ["--data-dir", str(tmp_path)]
    assert _run("partners", "list", *where, env=env).stdout == ""
    refused = _run("token", *where, env=env)
    assert refused.returncode == 2
    server = ServeProcess("--mode", "production", *where, env=env).wait_ready()
    server.stop()
    assert "development partner" not in server.output()
