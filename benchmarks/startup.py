"""Start to first successful create: Tenantry against the baseline app, in one run.

Each sample starts a fresh process and times, from the moment it is spawned, until the
first create answers 201 (for Tenantry: the token request and the create itself, as a
CI job does). Part of ./benchmarks/run; alone: python benchmarks/startup.py [ROUNDS]
[--source].

Tenantry's modules are byte-compiled first, as pip does when it installs Tenantry: a CI
job starts an installed Tenantry. This checkout's editable install, run with
PYTHONDONTWRITEBYTECODE=1 as here, would otherwise compile all of Tenantry's source
(about 850 kB) on every start, a cost no installed copy pays. `--source` leaves the
bytecode out (the method of the entries before 2026-12-05).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BODY = {
    "CompanyProfile": {"Domain": "bench.onmicrosoft.com"},
    "BillingProfile": {
        "Culture": "en-US",
        "Email": "gena@wingtiptoys.com",
        "Language": "en",
        "CompanyName": "Wingtip Toys",
        "DefaultAddress": {
            "FirstName": "Gena",
            "LastName": "Soto",
            "AddressLine1": "One Microsoft Way",
            "City": "Redmond",
            "State": "WA",
            "PostalCode": "98052",
            "Country": "US",
        },
    },
}
ORDER = {
    "domain": "bench.onmicrosoft.com",
    "email": "gena@wingtiptoys.com",
    "companyName": "Wingtip Toys",
    "culture": "en-US",
    "language": "en",
    "address": {
        k[0].lower() + k[1:]: v
        for k, v in BODY["BillingProfile"]["DefaultAddress"].items()  # type: ignore[index]
    },
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _until(ok: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ok():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.005)
    raise RuntimeError("no successful create before the timeout")


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, Linux's /proc; 0 elsewhere): less
    distorted by other work on the machine than the wall time. The other benchmarks'
    measure too (`suite.py`, `request_cpu.py`)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tenantry_sample(cpu: list[float] | None = None) -> float:
    from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
    from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE

    form = {
        "grant_type": "client_credentials",
        "client_id": DEV_CLIENT_ID,
        "client_secret": DEV_CLIENT_SECRET,
        "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The client is made before the clock starts and serves every attempt: a new httpx
    # client per attempt loads the CA bundle each time (tens of ms of CPU), which on two
    # cores competes with the server being timed.
    client = httpx.Client(base_url=base)
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tenantry",
            "serve",
            "--ephemeral",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:

        def created() -> bool:
            answer = client.post(f"/{DEV_TENANT_ID}/oauth2/v2.0/token", data=form)
            token = answer.raise_for_status().json()["access_token"]
            response = client.post(
                "/v1/customers", json=BODY, headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code == 201

        _until(created)
        elapsed = time.perf_counter() - start
        if cpu is not None:
            cpu.append(cpu_seconds(process.pid))
        return elapsed
    finally:
        process.terminate()
        process.wait(timeout=15)
        client.close()


def baseline_sample(cpu: list[float] | None = None) -> float:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp, httpx.Client() as client:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(HERE / "baseline_app.py"), str(port), f"{tmp}/b.db"]
        )
        try:
            url = f"http://127.0.0.1:{port}/orders"
            _until(lambda: client.post(url, json=ORDER).status_code == 201)
            elapsed = time.perf_counter() - start
            if cpu is not None:
                cpu.append(cpu_seconds(process.pid))
            return elapsed
        finally:
            process.terminate()
            process.wait(timeout=15)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
    }


def byte_compile() -> None:
    """Tenantry's bytecode, as `pip install` writes it (an installed copy never compiles
    its source at start)."""
    import compileall

    import tenantry

    compileall.compile_dir(str(Path(tenantry.__file__).parent), quiet=1)


def main(rounds: int = 5, *, quiet: bool = False, source: bool = False) -> dict[str, Any]:
    if not source:
        byte_compile()
    tenantry: list[float] = []
    baseline: list[float] = []
    cpu: dict[str, list[float]] = {"tenantry": [], "baseline": []}
    for _ in range(rounds):  # interleaved, so drift affects both alike
        baseline.append(baseline_sample(cpu["baseline"]))
        tenantry.append(tenantry_sample(cpu["tenantry"]))
    result: dict[str, Any] = {
        "benchmark": "start to first successful create",
        "rounds": rounds,
        "bytecode": not source,
        "tenantry": summary(tenantry),
        "baseline": summary(baseline),
        "ratio_median": round(statistics.median(tenantry) / statistics.median(baseline), 2),
        "samples": {"tenantry": tenantry, "baseline": baseline},
        # The server process's CPU time until its first 201 (median), each sample's in
        # `cpu_samples`.
        "cpu_median_s": {k: round(statistics.median(v), 3) for k, v in cpu.items() if v},
        "cpu_samples": cpu,
    }
    if not quiet:
        print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    main(numbers[0] if numbers else 5, source="--source" in sys.argv)
