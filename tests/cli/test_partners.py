"""`tenantry partners …`: setting up a production deployment from the command line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support import payloads
from tests.support.process import ServeProcess, free_port, tenantry


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
    assert _run("db", "upgrade", *where, env={}).returncode == 0

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
    assert _run("db", "upgrade", *where, env={}).returncode == 0
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


def test_tools_create_nothing_and_take_the_databases_mode(tmp_path: Path) -> None:
    """An operator forgetting TENANTRY_MODE=production, or the master key, must neither plant
    public credentials or sandbox second factors nor make a key the servers do not have."""
    key = tenantry("keygen").stdout.strip()
    where = ["--data-dir", str(tmp_path)]

    for read_only in (("partners", "list"), ("audit",), ("keys", "list"), ("token",)):
        refused = _run(*read_only, *where, env={})
        assert refused.returncode == 2, read_only
        assert "`tenantry db upgrade` creates it" in refused.stderr
    assert not tmp_path.exists() or list(tmp_path.iterdir()) == []  # no database, no key

    assert _run("db", "upgrade", *where, env={}).returncode == 0
    create = ("partners", "create", "--name", "C", "--type", "direct_bill", "--country", "US")
    no_key = _run(*create, *where, env={})
    assert no_key.returncode == 2
    assert len(no_key.stderr.splitlines()) == 1
    assert "TENANTRY_MASTER_KEY_FILE" in no_key.stderr
    assert not (tmp_path / "master.key").exists()

    env = {"TENANTRY_MASTER_KEY": key}  # no mode: the database's (production: no dev partner)
    tenant = _run(*create, *where, env=env).stdout.strip()
    user = _run("partners", "add-user", tenant, "--upn", "ops@c.example", *where, env=env)
    assert "otpauth://totp/" in user.stdout  # production's second factor, not the sandbox's
    told_sandbox = _run("partners", "list", "--mode", "sandbox", *where, env=env)
    assert told_sandbox.returncode == 2
    assert "sandbox mode was given, but this database has no development partner" in (
        told_sandbox.stderr
    )
    assert _run("token", *where, env=env).returncode == 2
    assert not (tmp_path / "master.key").exists()
    server = ServeProcess("--mode", "production", *where, env=env).wait_ready()
    server.stop()
    assert "development partner" not in server.output()


def test_on_a_sandbox_database_the_tools_act_as_the_sandbox(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path)]
    ServeProcess(*where).wait_ready().stop()  # the sandbox made its master.key and dev partner
    tenant = _run(
        "partners", "create", "--name", "S", "--type", "direct_bill", "--country", "US", *where,
        env={},
    ).stdout.strip()  # fmt: skip
    user = _run("partners", "add-user", tenant, "--upn", "dev@s.example", *where, env={})
    assert user.returncode == 0, user.stderr
    assert "otpauth://" not in user.stdout  # the sandbox's second factor
    told = _run("partners", "list", *where, env={"TENANTRY_MODE": "production"})
    assert told.returncode == 2
    assert "production mode was given, but this database holds" in told.stderr


def test_a_database_the_tools_cannot_reach_is_one_line() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/tenantry"  # nothing listens there
    refused = _run("partners", "list", "--database-url", url, env={})
    assert refused.returncode == 2
    assert refused.stderr.startswith("tenantry: cannot use the database: ")
    assert len(refused.stderr.splitlines()) == 1, refused.stderr


def test_production_refuses_to_serve_a_sandbox_database(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path)]
    ServeProcess(*where).wait_ready().stop()  # the sandbox's development partner is in it
    env = {"TENANTRY_MASTER_KEY_FILE": str(tmp_path / "master.key")}  # the same key
    refused = tenantry("serve", "--mode", "production", *where, "--port", str(free_port()), env=env)
    assert refused.returncode != 0
    assert "holds the sandbox development partner" in refused.stderr
    assert "Traceback" not in refused.stderr
