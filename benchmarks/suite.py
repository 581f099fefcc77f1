"""Tenantry against its baseline, in one run: `./benchmarks/run [--quick | --full]`.

Measured, each at least twice (rounds), every Tenantry figure beside the baseline's from
the same run:
- create throughput and p50/p99 latency at 4 and 32 connections, 1 and 2 processes, on
  SQLite and PostgreSQL (wrk, a unique domain per request, keep-alive connections);
- get-by-id throughput, with the per-partner throttle off and on (its write per request);
- list and search page latency with a million customers, first page against page 5,000;
- start to first successful create (`startup.py`);
- what a test pays for the pytest fixture, beside moto's `mock_aws` (`fixture.py`);
- resident memory after 100 k creates;
- `tenantry customers import` of 10 k rows against the server's own create throughput.

Servers run on this machine beside the load generator, so both share its cores; the CPU
time of every server process and of wrk is recorded with each figure.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

import bulk_load  # noqa: E402
import fixture  # noqa: E402
import pg  # noqa: E402
import startup  # noqa: E402

from tenantry.auth.development import DEV_TENANT_ID  # noqa: E402
from tenantry.config import DEV_ADMIN_KEY  # noqa: E402
from tenantry.domain.continuation import ContinuationCodec  # noqa: E402
from tenantry.domain.listing import Cursor, CustomerFilter, SearchField  # noqa: E402
from tenantry.security.keys import MasterKey  # noqa: E402
from tenantry.security.tamper import TamperProof  # noqa: E402
from tenantry.testing import Sandbox  # noqa: E402

PYTHON = sys.executable
CUSTOMER_BODY = HERE / "wrk" / "customer.json"
ORDER_BODY = HERE / "wrk" / "order.json"
CREATE_LUA = HERE / "wrk" / "create.lua"
GET_LUA = HERE / "wrk" / "get.lua"
HUGE_RATE_LIMIT = 1_000_000_000  # the throttle counts every request but never refuses one


@dataclass(frozen=True)
class Profile:
    name: str
    rounds: int
    seconds: float  # each wrk run
    warmup: float
    list_rows: int
    list_samples: int
    memory_creates: int
    startup_rounds: int
    import_rows: int
    fixture_tests: int  # tests in each generated pytest run


PROFILES = {
    "quick": Profile("quick", 2, 2, 1, 20_000, 10, 3_000, 2, 300, 30),
    "full": Profile("full", 2, 10, 3, 1_000_000, 20, 100_000, 5, 10_000, 100),
}
IMPORT_COLUMNS = (
    "domain",
    "name",
    "contact-email",
    "contact-first-name",
    "contact-last-name",
    "culture",
    "language",
    "billing-address-line1",
    "billing-address-city",
    "billing-address-state",
    "billing-address-postal-code",
    "billing-address-country",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- machine readings -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, IndexError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": _wrk_version(),
    }


def _wrk_version() -> str:
    done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode in (0, 1) else ""


def commit() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head or 'unknown'}{' + uncommitted changes' if dirty else ''}"


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def _machine_ticks() -> tuple[int, int]:
    fields_ = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields_[3] + fields_[4]
    return sum(fields_) - idle, sum(fields_)


def _process_tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def rss_mb(root: int) -> float:
    total = 0
    for pid in _process_tree(root):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


# --- servers ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    system: str  # "tenantry" | "baseline"
    backend: str  # "sqlite" | "postgresql"
    procs: int
    db: str  # the SQLite file or the PostgreSQL URL
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    token: str = ""
    workers: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def server_pids(self) -> list[int]:
        return _process_tree(self.process.pid)


def _clean_env(master_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
    env["TENANTRY_MASTER_KEY"] = master_key
    return env


def start_server(
    system: str,
    backend: str,
    procs: int,
    db: str,
    workdir: Path,
    master_key: str,
    *,
    rate_limit: int = 0,
) -> Server:
    port = free_port()
    logfile = workdir / f"{system}-{backend}-{procs}-{port}.log"
    if system == "tenantry":
        command = [PYTHON, "-m", "tenantry", "serve", "--port", str(port)]
        if backend == "postgresql":  # the data directory then holds nothing of note
            command += ["--database-url", db, "--data-dir", str(workdir / "pg-data-dir")]
        else:
            command += ["--data-dir", str(Path(db).parent)]
        # No sandbox customer cap; the throttle only when asked for (see docs/benchmarks.md).
        command += ["--customer-cap", "0", "--rate-limit", str(rate_limit)]
        command += ["--log-level", "warning"]
        if procs > 1:
            command += ["--workers", str(procs)]
    else:
        command = [PYTHON, str(HERE / "baseline_app.py"), str(port), db, "--workers", str(procs)]
    with logfile.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=_clean_env(master_key), cwd=ROOT
        )
    server = Server(system, backend, procs, db, process, port, logfile)
    _wait_ready(server)
    if system == "tenantry":
        server.token = Sandbox(server.base).token()
    return server


def _wait_ready(server: Server, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    seen: set[int] = set()
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.system} exited during start:\n{server.log.read_text()}")
        try:
            if server.system == "tenantry" and server.procs == 1:
                if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                    server.workers = [server.process.pid]
                    return
            else:  # each probe a new connection, until every process has answered one
                url = "/_tenantry/worker" if server.system == "tenantry" else "/healthz"
                answer = httpx.get(
                    f"{server.base}{url}", headers={"Tenantry-Admin-Key": DEV_ADMIN_KEY}, timeout=2
                )
                if answer.status_code == 200:
                    seen.add(int(answer.json()["pid"]))
            if seen and len(seen) >= server.procs:
                server.workers = sorted(seen)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.system} did not become ready:\n{server.log.read_text()}")


# --- databases --------------------------------------------------------------------------


@dataclass
class Databases:
    workdir: Path
    postgres: pg.Postgres | None
    counter: int = 0

    def fresh(self, backend: str, system: str) -> str:
        self.counter += 1
        if backend == "sqlite":
            folder = self.workdir / f"{system}-{self.counter}"
            folder.mkdir()
            return str(folder / ("tenantry.db" if system == "tenantry" else "baseline.db"))
        assert self.postgres is not None
        return self.postgres.new_database()

    def drop(self, backend: str, db: str) -> None:
        if backend == "postgresql" and self.postgres is not None:
            self.postgres.drop_database(db)


def query(backend: str, db: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    if backend == "sqlite":
        conn = sqlite3.connect(db, timeout=60)
        try:
            for n in (3, 2, 1):
                sql = sql.replace(f"${n}", "?")
            return list(conn.execute(sql, args))
        finally:
            conn.close()
    import asyncio

    import asyncpg

    async def go() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(db)
        try:
            return [tuple(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    return asyncio.run(go())


def row_count(server: Server) -> int:
    table = "customers" if server.system == "tenantry" else "orders"
    return int(query(server.backend, server.db, f"SELECT count(*) FROM {table}")[0][0])  # noqa: S608


def settled_row_count(server: Server) -> int:
    """The row count once requests still in flight when wrk stopped have finished."""
    count = row_count(server)
    for _ in range(50):
        time.sleep(0.1)
        again = row_count(server)
        if again == count:
            return count
        count = again
    return count


# --- load -------------------------------------------------------------------------------


def _wrk(
    server: Server, script: Path, env: dict[str, str], conns: int, seconds: float
) -> dict[str, Any]:
    pids = server.server_pids()
    before = {pid: startup.cpu_seconds(pid) for pid in pids}
    busy0, total0 = _machine_ticks()
    children0 = _children_cpu_seconds()
    started = time.monotonic()
    process = subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{conns}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            server.base,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = process.communicate()
    elapsed = time.monotonic() - started
    wrk_cpu = _children_cpu_seconds() - children0  # no other child ends meanwhile
    busy1, total1 = _machine_ticks()
    after = {pid: startup.cpu_seconds(pid) for pid in pids}
    lines = [line for line in out.decode().splitlines() if line.startswith("WRKJSON ")]
    if not lines:
        raise RuntimeError(f"wrk failed: {err.decode()}\n{out.decode()}")
    raw = json.loads(lines[-1].split(" ", 1)[1])
    seconds_run = raw["duration_us"] / 1e6
    per_process = {str(pid): round(after[pid] - before[pid], 2) for pid in pids}
    errors = sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "non_2xx": raw["status_errors"],
        "socket_errors": errors,
        "machine_cpu_pct": round(100 * (busy1 - busy0) / max(1, total1 - total0), 1),
        "server_cpu_s": round(sum(after.values()) - sum(before.values()), 2),
        # Less sensitive to other work on the machine than req/s: what one request costs.
        "server_cpu_ms_per_request": round(
            1000 * (sum(after.values()) - sum(before.values())) / max(1, raw["requests"]), 3
        ),
        "server_cpu_by_pid": per_process,
        "worker_pids": [str(pid) for pid in server.workers],
        "wrk_cpu_s": round(wrk_cpu, 2),
        "wall_s": round(elapsed, 2),
    }


def _children_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_create(server: Server, conns: int, seconds: float, tag: str) -> dict[str, Any]:
    rows_before = settled_row_count(server)
    body = CUSTOMER_BODY if server.system == "tenantry" else ORDER_BODY
    env = {
        "BENCH_BODY_FILE": str(body),
        "BENCH_PATH": "/v1/customers" if server.system == "tenantry" else "/orders",
        "BENCH_PREFIX": tag,
        "BENCH_TOKEN": server.token,
    }
    result = _wrk(server, CREATE_LUA, env, conns, seconds)
    created = settled_row_count(server) - rows_before
    result["rows_created"] = created
    # Every answered request created a row, and no row was created twice or lost.
    result["counts_match"] = result["requests"] <= created <= result["requests"] + conns
    return result


def run_get(server: Server, conns: int, seconds: float, ids_file: Path) -> dict[str, Any]:
    env = {
        "BENCH_IDS_FILE": str(ids_file),
        "BENCH_PATH": "/v1/customers/" if server.system == "tenantry" else "/orders/",
        "BENCH_TOKEN": server.token,
    }
    return _wrk(server, GET_LUA, env, conns, seconds)


def write_ids(server: Server, path: Path, limit: int = 20_000) -> int:
    if server.system == "tenantry":
        rows = query(server.backend, server.db, "SELECT id FROM customers LIMIT $1", limit)
    else:
        rows = query(server.backend, server.db, "SELECT id FROM orders LIMIT $1", limit)
    path.write_text("\n".join(str(r[0]) for r in rows) + "\n")
    return len(rows)


def warm_up(server: Server, seconds: float, tag: str) -> None:
    run_create(server, 32, seconds, tag)


# --- phases -----------------------------------------------------------------------------


@dataclass
class Run:
    profile: Profile
    workdir: Path
    dbs: Databases
    master_key: str
    backends: list[str]
    procs: list[int] = field(default_factory=lambda: [1, 2])
    measurements: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tags: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    def tag(self) -> str:
        return f"r{secrets.token_hex(3)}{next(self.tags)}x"

    def record(self, **figures: Any) -> None:
        self.measurements.append(figures)
        keys = ("rps", "p50_ms", "p99_ms", "non_2xx", "machine_cpu_pct")
        shown = ", ".join(f"{k}={figures[k]}" for k in keys if k in figures)
        label = " ".join(
            str(figures[k])
            for k in ("phase", "system", "backend", "procs", "kind", "conns", "round")
            if k in figures
        )
        log(f"  {label}: {shown}")


def throughput_phase(run: Run, backend: str) -> None:
    p = run.profile
    for round_ in range(1, p.rounds + 1):
        for system in ("baseline", "tenantry"):
            for procs in run.procs:
                db = run.dbs.fresh(backend, system)
                server = start_server(system, backend, procs, db, run.workdir, run.master_key)
                try:
                    warm_up(server, p.warmup, run.tag())
                    common = {
                        "phase": "throughput",
                        "system": system,
                        "backend": backend,
                        "procs": procs,
                        "round": round_,
                    }
                    for conns in (4, 32):
                        figures = run_create(server, conns, p.seconds, run.tag())
                        run.record(**common, kind="create", conns=conns, **figures)
                    if procs == 1:
                        ids = run.workdir / f"ids-{system}-{backend}.txt"
                        write_ids(server, ids)
                        figures = run_get(server, 32, p.seconds, ids)
                        kind = "get" if system == "baseline" else "get (throttle off)"
                        run.record(**common, kind=kind, conns=32, **figures)
                finally:
                    server.stop()
                if system == "tenantry" and procs == 1:
                    # The same database, served again with the throttle counting every read.
                    throttled = start_server(
                        system,
                        backend,
                        1,
                        db,
                        run.workdir,
                        run.master_key,
                        rate_limit=HUGE_RATE_LIMIT,
                    )
                    try:
                        run_get(throttled, 32, p.warmup, ids)
                        figures = run_get(throttled, 32, p.seconds, ids)
                        run.record(**common, kind="get (throttle on)", conns=32, **figures)
                    finally:
                        throttled.stop()
                run.dbs.drop(backend, db)


def _codec(master_key: str) -> ContinuationCodec:
    return ContinuationCodec(
        TamperProof(MasterKey.from_base64(master_key).derive("tenantry/continuation"))
    )


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def _cursor_at(server: Server, position: int, prefix: str | None) -> Cursor:
    """The customer at `position` (0 = newest) of the partner's list (or search)."""
    where = "partner_id = $1 AND relationship_to_partner = 'reseller'"
    args: list[Any] = [DEV_TENANT_ID]
    if prefix is not None:
        low = prefix.casefold()
        where += " AND company_name_key >= $2 AND company_name_key < $3"
        args += [low, low[:-1] + chr(ord(low[-1]) + 1)]
    rows = query(
        server.backend,
        server.db,
        f"SELECT created_at, id FROM customers WHERE {where} "  # noqa: S608
        f"ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET {int(position)}",
        *args,
    )
    return Cursor(_parse_time(rows[0][0]), str(rows[0][1]))


def _timed(client: httpx.Client, url: str, headers: dict[str, str], samples: int) -> list[float]:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
    return times


def list_phase(run: Run, backend: str) -> None:
    p = run.profile
    rows = p.list_rows
    pages = 5000
    list_size = max(1, rows // pages)
    search_size = max(1, rows // 2 // pages)
    tdb = run.dbs.fresh(backend, "tenantry")
    bdb = run.dbs.fresh(backend, "baseline")
    tenantry = start_server("tenantry", backend, 1, tdb, run.workdir, run.master_key)
    baseline = start_server("baseline", backend, 1, bdb, run.workdir, run.master_key)
    try:
        log(f"  loading {rows:,} customers into each database ({backend})")
        started = time.monotonic()
        if backend == "sqlite":
            bulk_load.load_tenantry_sqlite(tdb, DEV_TENANT_ID, rows)
            bulk_load.load_baseline_sqlite(bdb, rows)
        else:
            bulk_load.load_tenantry_postgres(tdb, DEV_TENANT_ID, rows)
            bulk_load.load_baseline_postgres(bdb, rows)
        load_seconds = round(time.monotonic() - started, 1)
        codec = _codec(run.master_key)
        prefix = bulk_load.search_prefix()
        search = CustomerFilter.starts_with(SearchField.COMPANY_NAME, prefix)
        search_filter = json.dumps(
            {"Field": "CompanyName", "Value": prefix, "Operator": "starts_with"}
        )
        auth = {"Authorization": f"Bearer {tenantry.token}"}
        deep_list = codec.encode(
            DEV_TENANT_ID, list_size, None, _cursor_at(tenantry, (pages - 1) * list_size - 1, None)
        )
        deep_search = codec.encode(
            DEV_TENANT_ID,
            search_size,
            search,
            _cursor_at(tenantry, (pages - 1) * search_size - 1, prefix),
        )
        newest = int(query(backend, bdb, "SELECT max(id) FROM orders")[0][0])
        cases: list[tuple[str, str, Server, str, dict[str, str], int]] = [
            ("list", "first", tenantry, f"/v1/customers?size={list_size}", auth, list_size),
            (
                "list",
                f"page {pages}",
                tenantry,
                "/v1/customers?seekOperation=Next",
                {**auth, "MS-ContinuationToken": deep_list},
                list_size,
            ),
            (
                "search",
                "first",
                tenantry,
                "/v1/customers?" + str(httpx.QueryParams(size=search_size, filter=search_filter)),
                auth,
                search_size,
            ),
            (
                "search",
                f"page {pages}",
                tenantry,
                "/v1/customers?seekOperation=Next",
                {**auth, "MS-ContinuationToken": deep_search},
                search_size,
            ),
            ("list", "first", baseline, f"/orders?limit={list_size}", {}, list_size),
            (
                "list",
                f"page {pages}",
                baseline,
                f"/orders?limit={list_size}&before={newest - (pages - 1) * list_size + 1}",
                {},
                list_size,
            ),
            ("list", "first", baseline, f"/orders?limit={search_size}", {}, search_size),
            (
                "list",
                f"page {pages}",
                baseline,
                f"/orders?limit={search_size}&before={newest - (pages - 1) * search_size + 1}",
                {},
                search_size,
            ),
        ]
        clients = {id(s): httpx.Client(base_url=s.base, timeout=120) for s in (tenantry, baseline)}
        try:
            for kind, page, server, url, headers, size in cases:  # correctness, and warm-up
                answer = clients[id(server)].get(url, headers=headers).json()
                items = answer["items"]
                if len(items) != size:
                    raise RuntimeError(f"{server.system} {kind} {page}: {len(items)} items")
                # The last page: full, and no continuation after it.
                last = server.system == "tenantry" and page != "first"
                if last and answer.get("continuationToken"):
                    raise RuntimeError(f"{kind} {page} is not the last page")
                _timed(clients[id(server)], url, headers, 2)
            for round_ in range(1, p.rounds + 1):
                for kind, page, server, url, headers, size in cases:
                    times = _timed(clients[id(server)], url, headers, p.list_samples)
                    run.record(
                        phase="pages",
                        system=server.system,
                        backend=backend,
                        kind=kind,
                        page=page,
                        size=size,
                        rows=rows,
                        round=round_,
                        p50_ms=round(statistics.median(times), 2),
                        p90_ms=round(statistics.quantiles(times, n=10)[-1], 2),
                        samples=len(times),
                        load_seconds=load_seconds,
                    )
        finally:
            for client in clients.values():
                client.close()
    finally:
        tenantry.stop()
        baseline.stop()
        run.dbs.drop(backend, tdb)
        run.dbs.drop(backend, bdb)


def memory_phase(run: Run, backend: str) -> None:
    target = run.profile.memory_creates
    checkpoints = [round(target * f) for f in (0.01, 0.25, 0.5, 0.75, 1.0)]
    for system in ("baseline", "tenantry"):
        db = run.dbs.fresh(backend, system)
        server = start_server(system, backend, 1, db, run.workdir, run.master_key)
        try:
            readings = [{"creates": 0, "rss_mb": rss_mb(server.process.pid)}]
            created, rate = 0, 500.0
            for checkpoint in checkpoints:
                while created < checkpoint:
                    seconds = max(1.0, min(15.0, (checkpoint - created) / rate))
                    figures = run_create(server, 32, seconds, run.tag())
                    if figures["non_2xx"] or figures["socket_errors"]:
                        raise RuntimeError(f"memory phase: failed creates {figures}")
                    created = row_count(server)
                    rate = max(50.0, figures["rps"])
                readings.append({"creates": created, "rss_mb": rss_mb(server.process.pid)})
            run.record(
                phase="memory",
                system=system,
                backend=backend,
                target=target,
                readings=readings,
                rss_mb=readings[-1]["rss_mb"],
            )
        finally:
            server.stop()
            run.dbs.drop(backend, db)


def _import_file(path: Path, rows: int, tag: str) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(IMPORT_COLUMNS)
        for i in range(rows):
            writer.writerow(
                [
                    f"{tag}{i}.onmicrosoft.com",
                    f"Wingtip Toys {i}",
                    "gena@wingtiptoys.com",
                    "Gena",
                    "Soto",
                    "en-US",
                    "en",
                    "One Microsoft Way",
                    "Redmond",
                    "WA",
                    "98052",
                    "US",
                ]
            )


def import_phase(run: Run, backend: str) -> None:
    """`tenantry customers import` of a CSV file (concurrency 8, its default) against a
    server's own create throughput at 32 connections, measured just before on it."""
    p = run.profile
    for round_ in range(1, p.rounds + 1):
        db = run.dbs.fresh(backend, "tenantry")
        server = start_server("tenantry", backend, 1, db, run.workdir, run.master_key)
        try:
            warm_up(server, p.warmup, run.tag())
            reference = run_create(server, 32, p.seconds, run.tag())
            source = run.workdir / f"import-{backend}-{round_}.csv"
            _import_file(source, p.import_rows, run.tag())
            before = settled_row_count(server)
            command = [PYTHON, "-m", "tenantry", "customers", "import", str(source)]
            command += ["--no-progress", "--base-url", server.base, "--token", server.token]
            started = time.monotonic()
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                env=_clean_env(run.master_key),
                cwd=ROOT,
                check=False,
                timeout=3600,
            )
            seconds = time.monotonic() - started
            if done.returncode != 0 and "invalid choice" in done.stderr:
                run.notes.append("CLI bulk import not measured: `tenantry customers` is missing")
                return
            created = settled_row_count(server) - before
            run.record(
                phase="import",
                system="tenantry",
                backend=backend,
                round=round_,
                rows=p.import_rows,
                exit_code=done.returncode,
                rows_created=created,
                counts_match=done.returncode == 0 and created == p.import_rows,
                seconds=round(seconds, 2),
                rps=round(p.import_rows / seconds, 1),
                create_rps=reference["rps"],
                ratio=round(p.import_rows / seconds / reference["rps"], 2),
            )
        finally:
            server.stop()
            run.dbs.drop(backend, db)


def startup_phase(run: Run) -> None:
    result = startup.main(run.profile.startup_rounds, quiet=True)
    run.record(phase="startup", **result)


def fixture_phase(run: Run) -> None:
    result = fixture.main(run.profile.fixture_tests, run.profile.rounds, quiet=True)
    run.record(phase="fixture", **result)


# --- summary ----------------------------------------------------------------------------


def _spread(values: list[float]) -> float:
    if len(values) < 2 or not statistics.median(values):
        return 0.0
    return round(100 * (max(values) - min(values)) / statistics.median(values), 1)


def summarise(measurements: list[dict[str, Any]]) -> dict[str, Any]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for m in measurements:
        if m["phase"] == "throughput":
            key = ("throughput", m["system"], m["backend"], m["procs"], m["kind"], m["conns"])
        elif m["phase"] == "pages":
            key = ("pages", m["system"], m["backend"], m["kind"], m["page"], m["size"])
        else:
            continue
        groups.setdefault(key, []).append(m)
    cells: list[dict[str, Any]] = []
    for key, ms in sorted(groups.items(), key=lambda kv: str(kv[0])):
        cell: dict[str, Any] = {"key": list(key)}
        metrics = ("rps", "p50_ms", "p99_ms", "machine_cpu_pct", "server_cpu_ms_per_request")
        for metric in metrics:
            values = [m[metric] for m in ms if metric in m]
            if values:
                cell[metric] = round(statistics.median(values), 2)
                cell[f"{metric}_runs"] = values
                cell[f"{metric}_spread_pct"] = _spread(values)
        if key[0] == "throughput":
            cell["failures"] = sum(m["non_2xx"] + m["socket_errors"] for m in ms)
            cell["counts_match"] = all(m.get("counts_match", True) for m in ms)
            shares = []
            for m in ms:  # the busier worker's share of the workers' CPU time (50 % = even)
                cpu = [m["server_cpu_by_pid"].get(pid, 0.0) for pid in m.get("worker_pids", [])]
                if len(cpu) >= 2 and sum(cpu) > 0:
                    shares.append(round(100 * max(cpu) / sum(cpu), 0))
            if shares:
                cell["busiest_worker_cpu_share_pct"] = shares
        cells.append(cell)
    return {"cells": cells}


def _cell(summary: dict[str, Any], *key: Any) -> dict[str, Any] | None:
    """The summary cell whose key starts with `key`."""
    for cell in summary["cells"]:
        if cell["key"][: len(key)] == list(key):
            found: dict[str, Any] = cell
            return found
    return None


def targets(
    summary: dict[str, Any], measurements: list[dict[str, Any]], backends: list[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(name: str, value: float | None, goal: str, ok: bool | None, note: str = "") -> None:
        rows.append({"target": name, "value": value, "goal": goal, "met": ok, "note": note})

    for backend in backends:
        for conns in (4, 32):
            t = _cell(summary, "throughput", "tenantry", backend, 1, "create", conns)
            b = _cell(summary, "throughput", "baseline", backend, 1, "create", conns)
            if t and b:
                ratio = round(t["rps"] / b["rps"], 2)
                add(
                    f"create c{conns} {backend}, 1 process (× baseline)",
                    ratio,
                    "≥ 0.35",
                    ratio >= 0.35,
                )
        for kind in ("create", "get (throttle off)"):  # the tail against its own median
            t = _cell(summary, "throughput", "tenantry", backend, 1, kind, 32)
            if t and t["p50_ms"]:
                ratio = round(t["p99_ms"] / t["p50_ms"], 2)
                add(f"{kind} c32 {backend}: p99 / p50", ratio, "≤ 3", ratio <= 3)
        b = _cell(summary, "throughput", "baseline", backend, 1, "get", 32)
        for kind in ("get (throttle off)", "get (throttle on)"):
            t = _cell(summary, "throughput", "tenantry", backend, 1, kind, 32)
            if t and b:
                ratio = round(t["rps"] / b["rps"], 2)
                add(f"{kind} c32 {backend} (× baseline)", ratio, "≥ 0.6", ratio >= 0.6)
        for conns in (4, 32):
            one = _cell(summary, "throughput", "tenantry", backend, 1, "create", conns)
            two = _cell(summary, "throughput", "tenantry", backend, 2, "create", conns)
            if one and two:
                ratio = round(two["rps"] / one["rps"], 2)
                add(f"create c{conns} {backend}: 2 processes / 1", ratio, "≥ 1.6", ratio >= 1.6)
        for kind in ("list", "search"):
            first = _cell(summary, "pages", "tenantry", backend, kind, "first")
            last = _cell(summary, "pages", "tenantry", backend, kind, "page 5000")
            if first and last:
                ratio = round(last["p50_ms"] / first["p50_ms"], 2)
                add(f"{kind} {backend}: page 5000 / first page", ratio, "≤ 1.5", ratio <= 1.5)
    for m in measurements:
        if m["phase"] == "startup":
            value = m["tenantry"]["median_s"]
            add("cold start to first 201 (s)", value, "≤ 0.8", value <= 0.8)
        if m["phase"] == "fixture":
            value = m["reset_overhead_ms"]
            add("pytest fixture: reset-only test over an empty one (ms)", value, "≤ 5", value <= 5)
            ratio = m["create_over_moto"]
            add("pytest fixture: a create test / moto's bucket test", ratio, "≤ 1", ratio <= 1)
        if m["phase"] == "memory" and m["system"] == "tenantry":
            readings = m["readings"]
            quarter = next((r for r in readings if r["creates"] >= m["target"] * 0.25), None)
            growth = (
                None if quarter is None else round(readings[-1]["rss_mb"] - quarter["rss_mb"], 1)
            )
            ok = m["rss_mb"] <= 150 and growth is not None and growth <= 15
            add(
                f"RSS after {readings[-1]['creates']:,} creates, {m['backend']} (MB)",
                m["rss_mb"],
                "≤ 150, flat",
                ok,
                f"+{growth} MB since a quarter of the creates",
            )
    imports = [m for m in measurements if m["phase"] == "import"]
    if imports:
        ratio = round(statistics.median(m["ratio"] for m in imports), 2)
        ok = ratio >= 0.5 and all(m["counts_match"] for m in imports)
        rows_ = imports[0]["rows"]
        add(f"CLI bulk import, {rows_:,} rows (× the server's create)", ratio, "≥ 0.5", ok)
    else:
        add("CLI bulk import (× the server's create)", None, "≥ 0.5", None, "not measured")
    return rows


# --- main -------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument(
        "--only",
        default="throughput,pages,memory,import,startup,fixture",
        help="comma-separated phases to run (throughput, pages, memory, import, startup, fixture)",
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--procs", default="1,2", help="process counts to measure, e.g. 1")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--list-rows", type=int, default=None)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    profile = PROFILES[args.profile]
    overrides = {
        k: v
        for k, v in {
            "rounds": args.rounds,
            "seconds": args.seconds,
            "list_rows": args.list_rows,
        }.items()
        if v is not None
    }
    if overrides:
        profile = Profile(**{**profile.__dict__, **overrides})
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    started = time.monotonic()
    result: dict[str, Any] = {
        "benchmark": "suite",
        "profile": profile.__dict__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "loadavg_start": loadavg(),
        "notes": [],
    }
    postgres = None
    if "postgresql" in backends:
        postgres, why = pg.start()
        if postgres is None:
            backends.remove("postgresql")
            result["notes"].append(f"PostgreSQL not measured: {why}")
        else:
            result["postgres"] = {"version": postgres.version, "how": postgres.how}
    result["backends"] = backends
    master_key = base64.b64encode(secrets.token_bytes(32)).decode()
    with tempfile.TemporaryDirectory(prefix="tenantry-bench-") as tmp:
        workdir = Path(tmp)
        run = Run(profile, workdir, Databases(workdir, postgres), master_key, backends)
        run.procs = [int(n) for n in args.procs.split(",")]
        try:
            for backend in backends:
                if "throughput" in phases:
                    log(f"throughput, {backend}")
                    throughput_phase(run, backend)
                if "pages" in phases:
                    log(f"list and search pages, {backend}")
                    list_phase(run, backend)
            if "memory" in phases:
                log("memory, sqlite")
                memory_phase(run, "sqlite")
            if "import" in phases:
                log("CLI bulk import, sqlite")
                import_phase(run, "sqlite")
            if "startup" in phases:
                log("start to first create")
                startup_phase(run)
            if "fixture" in phases:
                log("the pytest fixture's per-test cost")
                fixture_phase(run)
        finally:
            if postgres is not None:
                postgres.stop()
    summary = summarise(run.measurements)
    result.update(
        {
            "measurements": run.measurements,
            "summary": summary,
            "targets": targets(summary, run.measurements, backends),
            "loadavg_end": loadavg(),
            "duration_s": round(time.monotonic() - started, 1),
        }
    )
    result["notes"] += run.notes
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    log(f"done in {result['duration_s']:.0f} s: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
