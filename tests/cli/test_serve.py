"""`tenantry serve`, `tenantry token` and `tenantry keygen` as a user runs them."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tests.support import payloads
from tests.support.process import ServeProcess, tenantry


def test_sandbox_starts_prints_credentials_and_serves(storage_args: list[str]) -> None:
    server = ServeProcess(*storage_args).wait_ready()
    try:
        banner = server.output()
        for value in (DEV_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET, server.base_url):
            assert value in banner
        token = tenantry("token", *storage_args)
        assert token.returncode == 0, token.stderr
        response = httpx.post(
            f"{server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token.stdout.strip()}"},
        )
        assert response.status_code == 201, response.text
    finally:
        # uvicorn shuts down gracefully, then re-raises SIGTERM: -15 is a clean stop.
        assert server.stop() in (0, -15)
    assert "Traceback" not in server.output()
    assert DEV_CLIENT_SECRET not in token.stderr


def test_data_survives_a_restart(storage_args: list[str]) -> None:
    first = ServeProcess(*storage_args).wait_ready()
    try:
        token = tenantry("token", *storage_args).stdout.strip()
        created = httpx.post(
            f"{first.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    finally:
        first.stop()
    second = ServeProcess(*storage_args).wait_ready()
    try:
        # The token from before the restart still verifies: keys live in the database.
        read = httpx.get(
            f"{second.base_url}/v1/customers/{created['id']}",
            headers={"Authorization": f"Bearer {token}"},
        )
    finally:
        second.stop()
    assert read.status_code == 200
    assert read.json()["companyProfile"]["domain"] == created["companyProfile"]["domain"]
    assert "already exists" not in second.output()


def test_production_refuses_to_start_without_a_master_key(tmp_path: Path) -> None:
    result = tenantry(
        "serve",
        "--mode",
        "production",
        "--data-dir",
        str(tmp_path),
        env={"TENANTRY_MASTER_KEY": ""},
    )
    assert result.returncode == 2
    assert "TENANTRY_MASTER_KEY" in result.stderr


def test_production_has_no_development_partner(tmp_path: Path) -> None:
    key = tenantry("keygen").stdout.strip()
    server = ServeProcess(
        "--mode", "production", "--data-dir", str(tmp_path), env={"TENANTRY_MASTER_KEY": key}
    ).wait_ready()
    try:
        response = httpx.post(
            f"{server.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": DEV_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRET,
            },
        )
        assert DEV_CLIENT_SECRET not in server.output()
    finally:
        server.stop()
    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"


def test_a_malformed_master_key_is_refused(tmp_path: Path) -> None:
    result = tenantry(
        "serve", "--data-dir", str(tmp_path), env={"TENANTRY_MASTER_KEY": "not base64!"}
    )
    assert result.returncode == 2
    assert "TENANTRY_MASTER_KEY" in result.stderr


def test_token_without_a_development_partner_says_why(tmp_path: Path) -> None:
    key = tenantry("keygen").stdout.strip()
    assert tenantry("db", "upgrade", "--data-dir", str(tmp_path)).returncode == 0
    result = tenantry(
        "token",
        "--data-dir",
        str(tmp_path),
        env={"TENANTRY_MASTER_KEY": key, "TENANTRY_MODE": "production"},
    )
    assert result.returncode == 2
    assert "development partner" in result.stderr


def test_production_refuses_a_database_that_held_the_sandbox(tmp_path: Path) -> None:
    sandbox = ServeProcess("--data-dir", str(tmp_path)).wait_ready()
    sandbox.stop()
    key = (tmp_path / "master.key").read_text()
    result = tenantry(
        "serve",
        "--mode",
        "production",
        "--data-dir",
        str(tmp_path),
        env={"TENANTRY_MASTER_KEY": key},
    )
    assert result.returncode == 2
    assert "development partner" in result.stderr
    assert "Traceback" not in result.stderr


def test_ephemeral_sandbox_leaves_nothing_behind() -> None:
    server = ServeProcess("--ephemeral").wait_ready()
    banner = server.output()
    assert server.stop() in (0, -15)
    (database,) = re.findall(r"database:\s+(\S+)", banner)
    data_dir = Path(database).parent
    assert data_dir.name.startswith("tenantry-")
    assert not data_dir.exists()


def test_token_for_a_user_is_app_and_user(storage_args: list[str]) -> None:
    server = ServeProcess(*storage_args).wait_ready()
    try:
        token = tenantry("token", *storage_args, "--user", "ADMIN@tenantrysandbox.onmicrosoft.com")
        assert token.returncode == 0, token.stderr
        created = httpx.post(
            f"{server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token.stdout.strip()}"},
        ).json()
        company = httpx.get(
            f"{server.base_url}/v1/customers/{created['id']}/profiles/company",
            headers={"Authorization": f"Bearer {token.stdout.strip()}"},
        )
        unknown = tenantry("token", *storage_args, "--user", "nobody@example.com")
    finally:
        server.stop()
    assert company.status_code == 200  # an App+User-only call
    assert unknown.returncode == 2
    assert "nobody@example.com" in unknown.stderr


def test_production_with_another_master_key_says_why(tmp_path: Path) -> None:
    first = tenantry("keygen").stdout.strip()
    assert tenantry("db", "upgrade", "--data-dir", str(tmp_path)).returncode == 0
    created = tenantry(  # the first signing key, sealed with the first master key
        "keys", "rotate", "--data-dir", str(tmp_path), env={"TENANTRY_MASTER_KEY": first}
    )
    assert created.returncode == 0, created.stderr
    other = tenantry("keygen").stdout.strip()
    listed = tenantry(
        "partners", "list", "--data-dir", str(tmp_path), env={"TENANTRY_MASTER_KEY": other}
    )
    assert listed.returncode == 2
    assert "master key the database was created with" in listed.stderr
    result = tenantry(
        "serve",
        "--mode",
        "production",
        "--data-dir",
        str(tmp_path),
        env={"TENANTRY_MASTER_KEY": other},
    )
    assert result.returncode == 2
    assert "master key the database was created with" in result.stderr
    assert "Traceback" not in result.stderr
