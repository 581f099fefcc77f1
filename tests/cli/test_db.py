"""`tenantry db upgrade|check|downgrade` and `serve --no-migrate`, as an operator runs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import psycopg

from tenantry.storage.migrate import HEAD
from tests.storage.historical import load
from tests.support.process import ServeProcess, free_port, tenantry


def _where(storage_args: list[str]) -> tuple[Path, str | None]:
    data_dir = Path(storage_args[storage_args.index("--data-dir") + 1])
    url = storage_args[-1] if "--database-url" in storage_args else None
    return data_dir, url


def _url(storage_args: list[str]) -> str:
    data_dir, url = _where(storage_args)
    return url or f"sqlite:///{data_dir / 'tenantry.db'}"


def _execute(storage_args: list[str], sql: str) -> None:
    data_dir, url = _where(storage_args)
    if url is None:
        with sqlite3.connect(data_dir / "tenantry.db") as conn:
            conn.execute(sql)
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.encode())


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_check_changes_nothing_and_upgrade_creates_the_schema(
    storage_args: list[str], backend: str
) -> None:
    data_dir, _ = _where(storage_args)
    empty = tenantry("db", "check", *storage_args)
    assert empty.returncode == 1
    assert "tenantry db upgrade" in _one_line(empty.stderr)
    if backend == "sqlite":
        assert not data_dir.exists()  # no SQLite file made, no master key

    upgraded = tenantry("db", "upgrade", *storage_args)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"empty → {HEAD} (schema created)"
    current = tenantry("db", "check", *storage_args)
    assert current.returncode == 0, current.stderr
    assert "current" in _one_line(current.stdout)
    again = tenantry("db", "upgrade", *storage_args)
    assert again.stdout.strip() == f"{HEAD} → {HEAD} (nothing to do)"
    assert not (data_dir / "master.key").exists()


def test_no_migrate_refuses_an_old_database_until_it_is_upgraded(
    storage_args: list[str], backend: str
) -> None:
    data_dir, _ = _where(storage_args)
    data_dir.mkdir(parents=True)
    load("3c177f7-then-91e4fc5", backend, _url(storage_args))
    behind = tenantry("db", "check", *storage_args)
    assert behind.returncode == 1
    assert "revision 0003, behind" in _one_line(behind.stderr)

    port = str(free_port())
    for flags, env in ((["--no-migrate"], {}), ([], {"TENANTRY_NO_MIGRATE": "1"})):
        refused = tenantry("serve", "--port", port, *flags, *storage_args, env=env)
        assert refused.returncode == 2, refused.stderr
        line = _one_line(refused.stderr)
        assert line.startswith("tenantry: --no-migrate: refusing to start: "), line
        assert "revision 0003, behind" in line

    upgraded = tenantry("db", "upgrade", *storage_args)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stdout.strip() == f"0003 → {HEAD}"
    assert "created table throttle_windows" in upgraded.stderr
    assert tenantry("db", "check", *storage_args).returncode == 0

    server = ServeProcess("--no-migrate", *storage_args).wait_ready()
    try:
        assert httpx.get(f"{server.base_url}/readyz", timeout=10).status_code == 200
    finally:
        server.stop()


def test_drift_and_newer_revisions_are_reported_in_one_line(
    storage_args: list[str], tmp_path: Path
) -> None:
    assert tenantry("db", "upgrade", *storage_args).returncode == 0
    _execute(storage_args, "DROP INDEX ix_customers_partner_domain")
    drift = tenantry("db", "check", *storage_args)
    assert drift.returncode == 1
    assert "customers: index ix_customers_partner_domain is missing" in _one_line(drift.stderr)

    _execute(storage_args, "UPDATE alembic_version SET version_num = '0009'")
    ahead = tenantry("db", "check", *storage_args)
    assert ahead.returncode == 1
    assert f"revision 0009, newer than this release's {HEAD}" in _one_line(ahead.stderr)
    key = tenantry("keygen").stdout.strip()
    production = {"TENANTRY_MASTER_KEY": key, "TENANTRY_MODE": "production"}
    refused = tenantry("serve", "--port", str(free_port()), *storage_args, env=production)
    assert refused.returncode == 2
    line = _one_line(refused.stderr)
    assert "revision 0009" in line
    assert HEAD in line
    assert "Can't locate" not in line


def test_downgrade_goes_back_only_as_far_as_the_schema_allows(storage_args: list[str]) -> None:
    assert tenantry("db", "upgrade", *storage_args).returncode == 0
    too_far = tenantry("db", "downgrade", "0002", *storage_args)
    assert too_far.returncode == 2
    assert "restore a backup" in _one_line(too_far.stderr)
    back = tenantry("db", "downgrade", "0003", *storage_args)
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == f"{HEAD} → 0003"
    assert tenantry("db", "check", *storage_args).returncode == 1
