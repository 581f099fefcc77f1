"""A private PostgreSQL cluster for the benchmarks (Debian's binaries, a spare port), or
the server named by TENANTRY_BENCH_DATABASE_URL. Each server under test gets a database of
its own."""

from __future__ import annotations

import asyncio
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

import asyncpg
from sqlalchemy.engine import make_url


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:  # initdb refuses to run as root
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    admin_url: str
    how: str
    version: str = ""
    _dir: Path | None = None
    _pg_ctl: str | None = None
    _databases: list[str] = field(default_factory=list)

    def _run(self, statement: str) -> None:
        async def go() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(statement)
            finally:
                await conn.close()

        asyncio.run(go())

    def new_database(self) -> str:
        name = f"tenantry_bench_{uuid.uuid4().hex[:10]}"
        self._run(f'CREATE DATABASE "{name}"')
        self._databases.append(name)
        return str(make_url(self.admin_url).set(database=name).render_as_string(False))

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with contextlib.suppress(Exception):
            self._run(  # the name is one of ours (new_database)
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608
                f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            self._run(f'DROP DATABASE IF EXISTS "{name}"')

    def stop(self) -> None:
        for name in self._databases:
            self.drop_database(str(make_url(self.admin_url).set(database=name)))
        if self._dir is not None and self._pg_ctl is not None:
            subprocess.run(
                _as_postgres([self._pg_ctl, "-D", str(self._dir / "data"), "-m", "fast", "stop"]),
                capture_output=True,
                check=False,
            )
            shutil.rmtree(self._dir, ignore_errors=True)


def start() -> tuple[Postgres | None, str]:
    """A PostgreSQL server for the run, or None and why there is none."""
    given = os.environ.get("TENANTRY_BENCH_DATABASE_URL")
    if given:
        server = Postgres(given, "TENANTRY_BENCH_DATABASE_URL")
        server.version = _version(given)
        return server, ""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        return None, "no PostgreSQL binaries in /usr/lib/postgresql/*/bin"
    bindir = Path(found[-1]).parent
    base = Path(tempfile.mkdtemp(prefix="tenantry-bench-pg-"))
    os.chmod(base, 0o755)  # noqa: S103 - the postgres user must reach its data dir
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    data, options = str(base / "data"), f"-p {port} -k {base} -c listen_addresses=127.0.0.1"
    steps = [
        [str(bindir / "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        [str(bindir / "pg_ctl"), "-D", data, "-l", str(base / "log.txt"), "-o", options, "-w"],
    ]
    steps[0].append("--locale=C.UTF-8")
    steps[1].append("start")
    for step in steps:
        done = subprocess.run(_as_postgres(step), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(base, ignore_errors=True)
            return None, f"could not start a private cluster: {done.stderr.strip()[:300]}"
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    server = Postgres(
        url,
        f"a private cluster ({bindir}, default settings)",
        _dir=base,
        _pg_ctl=str(bindir / "pg_ctl"),
    )
    server.version = _version(url)
    return server, ""


def _version(url: str) -> str:
    async def go() -> str:
        conn = await asyncpg.connect(url)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    try:
        return asyncio.run(go())
    except Exception as exc:  # reported, not fatal: the run says which server it used
        return f"unknown ({exc})"
