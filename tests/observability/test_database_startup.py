"""`tenantry serve` with a database it cannot use: after the bounded wait (or at once, for
what waiting cannot mend) it stops with one line naming the database and the reason, no
traceback, and a non-zero status."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.process import free_port, tenantry

MASTER_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def _one_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("tenantry:")]
    assert len(lines) == 1, stderr
    return lines[0]


def test_an_unreachable_server_is_waited_for_then_given_up(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://postgres@127.0.0.1:{port}/tenantry"
    result = tenantry(
        "serve", "--data-dir", str(tmp_path), "--database-url", url, "--db-wait", "1.5",
        "--port", str(free_port()),
    )  # fmt: skip
    assert result.returncode != 0
    line = _one_line(result.stderr)
    assert f"127.0.0.1:{port}/tenantry" in line
    assert "Connection refused" in line
    assert "after waiting 1.5 s" in line
    assert result.stderr.count("not reachable") >= 2  # it tried more than once, saying so


def test_production_gives_up_the_same_way(tmp_path: Path) -> None:
    port = free_port()
    url = f"postgresql://postgres@127.0.0.1:{port}/tenantry"
    result = tenantry(
        "serve", "--mode", "production", "--data-dir", str(tmp_path), "--database-url", url,
        "--port", str(free_port()),
        env={"TENANTRY_MASTER_KEY": MASTER_KEY, "TENANTRY_DB_WAIT": "0"},
    )  # fmt: skip
    assert result.returncode != 0
    line = _one_line(result.stderr)
    assert f"127.0.0.1:{port}/tenantry" in line
    assert "Connection refused" in line
    assert "not reachable" not in result.stderr  # no wait asked for: one attempt


def test_an_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "tenantry.db").mkdir()  # a folder where the file should be
    result = tenantry("serve", "--data-dir", str(tmp_path), "--port", str(free_port()))
    assert result.returncode != 0
    line = _one_line(result.stderr)
    assert str(tmp_path / "tenantry.db") in line
    assert "unable to open database file" in line


def _refused_after(tmp_path: Path, statement: str) -> str:
    """The one line `tenantry serve` stops with on a current database changed by
    `statement`."""
    assert tenantry("db", "upgrade", "--data-dir", str(tmp_path)).returncode == 0
    with sqlite3.connect(tmp_path / "tenantry.db") as db:
        db.execute(statement)
    result = tenantry("serve", "--data-dir", str(tmp_path), "--port", str(free_port()))
    assert result.returncode != 0
    return _one_line(result.stderr)


def test_a_newer_incompatible_schema_is_one_line(tmp_path: Path) -> None:
    line = _refused_after(tmp_path, "UPDATE alembic_version SET version_num = '9999'")
    assert "9999" in line
    assert "newer than this release's" in line


def test_tables_not_made_by_tenantry_are_one_line(tmp_path: Path) -> None:
    line = _refused_after(tmp_path, "DROP TABLE alembic_version")
    assert "no Alembic revision" in line
