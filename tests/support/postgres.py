"""Finding a PostgreSQL server for the tests, in order of preference:

1. `TENANTRY_TEST_DATABASE_URL`, when given;
2. the server on 127.0.0.1:5432, when one answers;
3. a private cluster started from Debian's PostgreSQL binaries, stopped at the end.

Each live server under test gets a fresh database of its own in that server.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.support.process import free_port


@dataclass
class PostgresServer:
    admin_url: str  # a database we may connect to in order to create others
    how: str
    _cluster_dir: Path | None = None
    _pg_ctl: str | None = None
    _created: list[str] = field(default_factory=list)

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.admin_url, autocommit=True)

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        name = f"tenantry_t_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return str(
            make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        )

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with contextlib.suppress(psycopg.Error), self._admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

    def stop(self) -> None:
        if self._cluster_dir is not None and self._pg_ctl is not None:
            subprocess.run(
                as_postgres(
                    [
                        self._pg_ctl,
                        "-D",
                        str(self._cluster_dir / "data"),
                        "-m",
                        "fast",
                        "-w",
                        "stop",
                    ]
                ),
                check=False,
                capture_output=True,
            )
            shutil.rmtree(self._cluster_dir, ignore_errors=True)


def _answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _can_login(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _start_private_cluster() -> PostgresServer | None:
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        return None
    bindir = Path(bins[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="tenantry-pg-"))
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = free_port()
    initdb = as_postgres(
        [
            str(bindir / "initdb"),
            "-D",
            str(base / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    start = as_postgres(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(base / "data"),
            "-l",
            str(base / "log.txt"),
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        ]
    )
    for cmd in (initdb, start):
        if subprocess.run(cmd, capture_output=True, check=False).returncode != 0:
            shutil.rmtree(base, ignore_errors=True)
            return None
    return PostgresServer(
        admin_url=f"postgresql://postgres@127.0.0.1:{port}/postgres",
        how=f"a private cluster from {bindir} on port {port}",
        _cluster_dir=base,
        _pg_ctl=str(bindir / "pg_ctl"),
    )


def find_postgres() -> tuple[PostgresServer | None, str]:
    """A server to test against, or None and the reason there is none."""
    given = os.environ.get("TENANTRY_TEST_DATABASE_URL")
    if given:
        if _can_login(given):
            return PostgresServer(given, "TENANTRY_TEST_DATABASE_URL"), ""
        return None, f"TENANTRY_TEST_DATABASE_URL={given!r} does not accept connections"
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    if _answers("127.0.0.1", 5432) and _can_login(local):
        return PostgresServer(local, "the server on 127.0.0.1:5432"), ""
    cluster = _start_private_cluster()
    if cluster is not None:
        return cluster, ""
    return None, (
        "no TENANTRY_TEST_DATABASE_URL, nothing on 127.0.0.1:5432, and no Debian PostgreSQL "
        "binaries (/usr/lib/postgresql/*/bin) to start a private cluster"
    )
