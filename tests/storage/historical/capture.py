"""Record the schema that each historical release of Tenantry left in a database.

Not a test: the snapshots it writes (`<state>.sqlite.sql`, `<state>.postgresql.sql`) are
what tests/storage/test_historical_upgrades.py loads. Run from the repository root:

    .venv/bin/python -m tests.storage.historical.capture

For every state in `STATES`, each commit's tree is exported to a temporary directory
(`git archive`) and that release's own `upgrade_to_head` is run on one database, in order,
with this virtualenv's interpreter and `PYTHONPATH` set to the exported `src` (so the code
is exactly the release's, and its migrations are the ones it shipped). The schema is then
dumped: SQLite's `sqlite_master` in creation order; PostgreSQL's `pg_dump --schema-only`
with the session settings and comments left out. The Alembic revision goes last.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.support.postgres import find_postgres

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent

# State name → the releases (commits) that started on the database, oldest first.
STATES: dict[str, tuple[str, ...]] = {
    "8747c51": ("8747c51",),  # first release
    "4c339a2": ("4c339a2",),  # 0001 edited: company_name_key 1024 wide
    "3c177f7": ("3c177f7",),  # 0001 edited: partner_users, request_hash, collation "C"
    "9c852d9": ("9c852d9",),  # 0001 edited: partnerships
    "e016c04": ("e016c04",),  # 0001 edited: ix_customers_associated_created
    "4b478fb": ("4b478fb",),  # 0001 edited: throttle_windows (0001 as it is today)
    "999a201": ("999a201",),  # 0002
    "8b3c27e": ("8b3c27e",),  # 0003, built by the migrations
    "67bf6b6": ("67bf6b6",),  # 0003, built from tables.py and stamped
    # Made by an edited 0001, then "upgraded" to 0003 by the last release before 0004.
    "3c177f7-then-91e4fc5": ("3c177f7", "91e4fc5"),
    "9c852d9-then-91e4fc5": ("9c852d9", "91e4fc5"),
    "e016c04-then-91e4fc5": ("e016c04", "91e4fc5"),
}

_RUN = """
import asyncio, sys
from tenantry.storage.db import create_engine
from tenantry.storage.migrate import upgrade_to_head

async def main(url):
    engine = create_engine(url, lock_wait_seconds=10)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()

asyncio.run(main(sys.argv[1]))
"""


def _export(commit: str, into: Path) -> Path:
    target = into / commit
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def _start(commit: str, url: str, trees: Path) -> None:
    src = _export(commit, trees)
    env = {**os.environ, "PYTHONPATH": str(src)}
    subprocess.run([sys.executable, "-c", _RUN, url], check=True, env=env, cwd=trees)


def _sqlite_dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
        ).fetchall()
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return [*(row[0] for row in rows), f"INSERT INTO alembic_version VALUES ('{version}')"]


def _pg_dump(url: str) -> list[str]:
    text = subprocess.run(
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--no-comments", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kept = [
        line
        for line in text.splitlines()
        if line.strip()
        and not line.startswith(("--", "SET ", "SELECT pg_catalog.set_config", "\\"))
    ]
    statements = [s.strip() for s in "\n".join(kept).split(";\n") if s.strip()]
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert row is not None
    return [s.rstrip(";") for s in statements] + [
        f"INSERT INTO public.alembic_version VALUES ('{row[0]}')"
    ]


def _write(name: str, backend: str, releases: tuple[str, ...], statements: list[str]) -> None:
    header = (
        f"-- The schema a {backend} database has after starting release(s) "
        f"{' then '.join(releases)}.\n-- Written by tests/storage/historical/capture.py; "
        "do not edit.\n"
    )
    body = "".join(f"{statement};\n\n" for statement in statements)
    (HERE / f"{name}.{backend}.sql").write_text(header + body)


def main() -> None:
    server, why = find_postgres()
    if server is None:
        raise SystemExit(f"no PostgreSQL: {why}")
    try:
        with tempfile.TemporaryDirectory(prefix="tenantry-history-") as tmp:
            trees = Path(tmp)
            for name, releases in STATES.items():
                db = trees / f"{name}.db"
                pg = server.new_database()
                try:
                    for commit in releases:
                        _start(commit, f"sqlite+aiosqlite:///{db}", trees)
                        async_pg = make_url(pg).set(drivername="postgresql+asyncpg")
                        _start(commit, async_pg.render_as_string(hide_password=False), trees)
                    _write(name, "sqlite", releases, _sqlite_dump(db))
                    _write(name, "postgresql", releases, _pg_dump(pg))
                finally:
                    server.drop_database(pg)
                print(f"{name}: recorded")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
