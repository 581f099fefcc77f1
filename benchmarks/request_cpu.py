"""Server CPU time per create and per get, one request at a time, and where it goes.

    .venv/bin/python benchmarks/request_cpu.py                   # Tenantry and the baseline
    .venv/bin/python benchmarks/request_cpu.py --only tenantry --profile /tmp/prof
    .venv/bin/python benchmarks/request_cpu.py --backend postgresql

Each round starts the server as `benchmarks/suite.py` does (`tenantry serve --customer-cap 0
--rate-limit 0 --log-level warning` on a fresh SQLite file; the baseline on its own), warms
it up (`--backend postgresql`: a database of its own on the benchmarks' private cluster,
`benchmarks/pg.py`), then sends N creates and N gets of the created ids, one at a time on
one keep-alive connection, and divides the server process's CPU time (user + system, from
/proc) by the requests. CPU time is what other work on a busy machine distorts least; the
client's own time is not counted. The median of the rounds is reported.

`--tree DIR` adds Tenantry served from another source tree, e.g. the last commit's, for a
before/after comparison in the same rounds (`git archive HEAD src | tar -x -C /tmp/before`,
then `--tree /tmp/before/src`): the server runs with `PYTHONPATH=DIR`.

`--profile DIR` adds a round per server under py-spy (`record -f raw`, 500 samples a
second, `--nonblocking`) and prints the functions with the most samples: by own time
("self") and including what they call ("total"). The raw files stay in DIR
(`<system>-create.raw`, `<system>-get.raw`), ready for a flame graph.
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pg  # noqa: E402
import startup  # noqa: E402
import suite  # noqa: E402

TENANTRY_BODY = (HERE / "wrk" / "customer.json").read_text().strip()
BASELINE_BODY = (HERE / "wrk" / "order.json").read_text().strip()
PY_SPY = Path(sys.executable).parent / "py-spy"


class Client:
    """One keep-alive connection; the answers are checked, not timed."""

    def __init__(self, server: suite.Server) -> None:
        self.tenantry = server.system == "tenantry"
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        self.headers = {"Content-Type": "application/json"}
        if server.token:
            self.headers["Authorization"] = f"Bearer {server.token}"
        self.counter = 0
        self.prefix = secrets.token_hex(4)

    def _send(self, method: str, path: str, body: str | None, expect: int) -> bytes:
        self.conn.request(method, path, body=body, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status != expect:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return data

    def create(self) -> str:
        self.counter += 1
        label = f"b{self.prefix}x{self.counter}"
        template = TENANTRY_BODY if self.tenantry else BASELINE_BODY
        body = template.replace("DOMAIN", label, 1)
        data = self._send("POST", "/v1/customers" if self.tenantry else "/orders", body, 201)
        return str(json.loads(data)["id"])

    def get(self, ident: str) -> None:
        path = f"/v1/customers/{ident}" if self.tenantry else f"/orders/{ident}"
        self._send("GET", path, None, 200)


def _measure(pid: int, work: collections.abc.Callable[[], None], count: int) -> float:
    before = startup.cpu_seconds(pid)
    for _ in range(count):
        work()
    return 1000 * (startup.cpu_seconds(pid) - before) / count


def _record(pid: int, out: Path) -> subprocess.Popen[bytes]:
    command = [str(PY_SPY), "record", "-p", str(pid), "-r", "500", "--nonblocking"]
    command += ["-f", "raw", "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # py-spy attaches
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)


def one_round(
    system: str,
    workdir: Path,
    master_key: str,
    count: int,
    profile: Path | None,
    postgres: pg.Postgres | None,
) -> tuple[float, float]:
    """`system`: "tenantry", "baseline" or "tenantry@<source tree>"; on PostgreSQL when
    `postgres` is given, else on a fresh SQLite file."""
    app, _, tree = system.partition("@")
    if postgres is not None:
        db = postgres.new_database()
    else:
        path = workdir / f"{app}-{secrets.token_hex(3)}" / "tenantry.db"
        path.parent.mkdir()
        db = str(path)
    saved = os.environ.get("PYTHONPATH")
    if tree:
        os.environ["PYTHONPATH"] = tree
    try:
        backend = "sqlite" if postgres is None else "postgresql"
        server = suite.start_server(app, backend, 1, db, workdir, master_key)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    try:
        client = Client(server)
        pid = server.process.pid
        warm = [client.create() for _ in range(200)]
        for ident in warm:
            client.get(ident)
        ids: list[str] = []
        label = "before" if tree else app
        spy = _record(pid, profile / f"{label}-create.raw") if profile else None
        create_ms = _measure(pid, lambda: ids.append(client.create()), count)
        if spy:
            _stop(spy)
        it = iter(ids)
        spy = _record(pid, profile / f"{label}-get.raw") if profile else None
        get_ms = _measure(pid, lambda: client.get(next(it)), count)
        if spy:
            _stop(spy)
        client.conn.close()
        return create_ms, get_ms
    finally:
        server.stop()
        if postgres is not None:
            postgres.drop_database(db)


def _frame(text: str) -> str:
    # py-spy raw frames: "function (path/to/module.py:line)"; keep the module's tail.
    name, _, where = text.partition(" (")
    where = where.rstrip(")")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/src/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def summarise(raw: Path, top: int) -> str:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = [_frame(f) for f in stack.split(";")]
        if frames and frames[0].startswith("process "):
            frames = frames[1:]
        if frames and frames[0].startswith("thread "):
            frames = frames[1:]
        if not frames:
            continue
        hits = int(n)
        samples += hits
        own[frames[-1]] += hits
        for name in set(frames):
            total[name] += hits
    lines = [f"{raw.name}: {samples} samples"]
    lines.append("  self:")
    lines += [f"    {100 * c / samples:5.1f}%  {name}" for name, c in own.most_common(top)]
    lines.append("  total:")
    lines += [f"    {100 * c / samples:5.1f}%  {name}" for name, c in total.most_common(top * 2)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="creates (and gets) a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=("tenantry", "baseline"))
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--tree", type=Path, help="also Tenantry from this source tree")
    parser.add_argument("--profile", type=Path, help="directory for py-spy's raw profiles")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    systems = [args.only] if args.only else ["tenantry", "baseline"]
    if args.tree:
        systems.insert(0, f"tenantry@{args.tree.resolve()}")
    master_key = base64.b64encode(secrets.token_bytes(32)).decode()
    workdir = Path(tempfile.mkdtemp(prefix="tenantry-request-cpu-"))
    results: dict[str, list[tuple[float, float]]] = {s: [] for s in systems}
    postgres = None
    if args.backend == "postgresql":
        postgres, why = pg.start()
        if postgres is None:
            sys.exit(f"no PostgreSQL: {why}")
    try:
        for _ in range(args.rounds):  # the systems interleaved, so both see the same load
            for system in systems:
                figures = one_round(system, workdir, master_key, args.requests, None, postgres)
                results[system].append(figures)
        print(
            f"server CPU ms per request on {args.backend}, {args.requests} requests, "
            f"{args.rounds} rounds"
        )
        if args.tree:
            print(f"before = Tenantry from {args.tree}")
        print(f"load average {' '.join(f'{x:.2f}' for x in suite.loadavg())}")
        for system, rounds in results.items():
            name = "before" if "@" in system else system
            creates = [r[0] for r in rounds]
            gets = [r[1] for r in rounds]
            print(
                f"{name:9} create {statistics.median(creates):.3f} "
                f"({' '.join(f'{x:.3f}' for x in creates)})  "
                f"get {statistics.median(gets):.3f} ({' '.join(f'{x:.3f}' for x in gets)})"
            )
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            for system in systems:
                one_round(system, workdir, master_key, args.requests, args.profile, postgres)
                label = "before" if "@" in system else system
                for phase in ("create", "get"):
                    print(summarise(args.profile / f"{label}-{phase}.raw", args.top))
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
