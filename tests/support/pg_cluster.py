"""A private PostgreSQL cluster a test owns: it can stop it, start it again on the same
port, and drop and re-create a database in it, as an operator's outage would.

Built from Debian's PostgreSQL binaries (`/usr/lib/postgresql/*/bin`), with trust
authentication on 127.0.0.1 only; run as the `postgres` user when the tests run as root,
since `initdb` refuses root. Tests that need one skip when there are no binaries.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

from tests.support.postgres import as_postgres
from tests.support.process import free_port


def binaries() -> Path | None:
    """The newest Debian PostgreSQL `bin` folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivateCluster:
    def __init__(self, bindir: Path) -> None:
        self._bin = bindir
        self.base = Path(tempfile.mkdtemp(prefix="tenantry-outage-pg-"))
        os.chmod(self.base, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        self.port = free_port()
        self._run(
            "initdb",
            "-D",
            str(self.base / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.running = False

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            as_postgres([str(self._bin / tool), *args]),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.base / "data"),
            "-l",
            str(self.base / "log.txt"),
            "-o",
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        )
        self.running = True

    def stop(self) -> None:
        """A fast shutdown, as `systemctl stop postgresql` does: sessions are ended."""
        self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "stop")
        self.running = False

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self, name: str, template: str | None = None) -> None:
        with self._admin() as conn:
            copy = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{copy}')

    def copy_database(self, source: str, target: str) -> None:
        """`target` as a copy of `source` (a backup, fast); the sessions on `source` are
        ended first, since PostgreSQL copies only a database nobody uses."""
        with self._admin() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (source,),
            )
            conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')

    def drop_database(self, name: str) -> None:
        """Drop it, ending the sessions still connected to it."""
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def remove(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A started private cluster, removed when the block ends (None of it is shared)."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql")
    cluster = PrivateCluster(bindir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
