"""Start to first successful create: Tenantry against the baseline app, in one run.

Each sample starts a fresh process and times, from the moment it is spawned, until the
first create answers 201 (for Tenantry: the token request and the create itself, as a
CI job does). Part of ./benchmarks/run; alone: python benchmarks/startup.py
"""

from __future__ import annotations

import json
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


def tenantry_sample() -> float:
    from tenantry.testing import Sandbox

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
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
            token = Sandbox(base).token()
            response = httpx.post(
                f"{base}/v1/customers", json=BODY, headers={"Authorization": f"Bearer {token}"}
            )
            return response.status_code == 201

        _until(created)
        return time.perf_counter() - start
    finally:
        process.terminate()
        process.wait(timeout=15)


def baseline_sample() -> float:
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(HERE / "baseline_app.py"), str(port), f"{tmp}/b.db"]
        )
        try:
            url = f"http://127.0.0.1:{port}/orders"
            _until(lambda: httpx.post(url, json=ORDER).status_code == 201)
            return time.perf_counter() - start
        finally:
            process.terminate()
            process.wait(timeout=15)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(samples), 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
    }


def main(rounds: int = 5, *, quiet: bool = False) -> dict[str, Any]:
    tenantry, baseline = [], []
    for _ in range(rounds):  # interleaved, so drift affects both alike
        baseline.append(baseline_sample())
        tenantry.append(tenantry_sample())
    result: dict[str, Any] = {
        "benchmark": "start to first successful create",
        "rounds": rounds,
        "tenantry": summary(tenantry),
        "baseline": summary(baseline),
        "ratio_median": round(statistics.median(tenantry) / statistics.median(baseline), 2),
        "samples": {"tenantry": tenantry, "baseline": baseline},
    }
    if not quiet:
        print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
