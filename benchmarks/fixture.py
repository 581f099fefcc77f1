"""What a test pays for the `tenantry` pytest fixture, beside moto's `mock_aws` as the peer.

Four generated test files, each run by pytest in a fresh process, the runs interleaved:

- `empty`: tests that take no fixture (pytest's own per-test cost);
- `reset`: tests that only take `tenantry` (the sandbox reset before each);
- `create`: tests that take `tenantry` and create one customer with the SDK
  (`tenantry_client`) over the fixture's in-process transport;
- `moto`: tests decorated with `mock_aws` that create one S3 bucket with a new boto3
  client, the way moto's documentation writes them.

A hook in each run records every test's wall time (set-up, call and tear-down); the figure
per kind is the median over the tests, the first test (which starts the sandbox or imports
boto3) left out. Part of `./benchmarks/run` (phase `fixture`); alone:
`.venv/bin/python benchmarks/fixture.py [--tests N --rounds R]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import startup  # the create body every benchmark sends

KINDS = ("empty", "reset", "create", "moto")

CONFTEST = """
import json, os, time
import pytest

_times = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    _times.append(time.perf_counter() - started)

def pytest_sessionfinish(session):
    with open(os.environ["BENCH_TIMES"], "w") as out:
        json.dump(_times, out)
"""

BODIES = {
    "empty": """
def test_{n}():
    assert True
""",
    "reset": """
def test_{n}(tenantry):
    assert tenantry.base_url
""",
    "create": """
def test_{n}(tenantry):
    with PartnerClient(
        tenantry.token(), base_url=tenantry.base_url, transport=tenantry.asgi_transport()
    ) as client:
        assert client.customers.create(CUSTOMER).id
""",
    "moto": """
@mock_aws
def test_{n}():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="bench-{n}")
    assert s3.list_buckets()["Buckets"][0]["Name"] == "bench-{n}"
""",
}

HEADERS = {
    "empty": "",
    "reset": "",
    "create": f"""
from tenantry_client import Customer, PartnerClient

CUSTOMER = Customer.from_wire({startup.BODY!r})
""",
    "moto": """
import boto3
from moto import mock_aws
""",
}


def _write_suite(folder: Path, kind: str, tests: int) -> Path:
    suite = folder / kind
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST)
    body = HEADERS[kind] + "".join(BODIES[kind].format(n=n) for n in range(tests))
    (suite / f"test_{kind}.py").write_text(textwrap.dedent(body))
    return suite


def _run(suite: Path, times: Path) -> list[float]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
    env["BENCH_TIMES"] = str(times)
    # moto reads these; without them botocore looks for credentials on the machine.
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")  # noqa: S106
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pytest failed for {suite.name}:\n{done.stdout}\n{done.stderr}")
    return [float(x) for x in json.loads(times.read_text())]


def main(tests: int = 100, rounds: int = 3, *, quiet: bool = False) -> dict[str, Any]:
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(prefix="tenantry-fixture-bench-") as tmp:
        folder = Path(tmp)
        suites = {kind: _write_suite(folder, kind, tests) for kind in KINDS}
        for round_ in range(rounds):
            for kind in KINDS:
                per_test = _run(suites[kind], folder / f"{kind}-{round_}.json")[1:]
                median_ms = 1000 * statistics.median(per_test)
                samples[kind].append(round(median_ms, 2))
                if not quiet:
                    print(f"round {round_ + 1} {kind}: {median_ms:.2f} ms a test", file=sys.stderr)
    medians = {kind: statistics.median(values) for kind, values in samples.items()}
    return {
        "tests_per_run": tests,
        "rounds": rounds,
        "per_test_ms": samples,
        "median_ms": medians,
        # What the fixture adds to a test, over pytest's own cost for an empty test.
        "reset_overhead_ms": round(medians["reset"] - medians["empty"], 2),
        "create_over_moto": round(medians["create"] / medians["moto"], 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(main(args.tests, args.rounds), indent=2))
