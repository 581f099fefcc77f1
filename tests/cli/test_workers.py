"""`tenantry serve --workers N`: several processes on one port, as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tenantry.config import DEV_ADMIN_KEY
from tenantry.serving.workers import WORKER_PATH
from tenantry.testing import Sandbox
from tests.support import payloads
from tests.support.process import ServeProcess, tenantry

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
# Each probe opens a new connection; the kernel hashes each one to a worker, so with 64 of
# them the chance that one of two workers gets none is 2**-63.
PROBES = 64
EXAMPLE_SEED = Path(__file__).resolve().parents[2] / "examples" / "sandbox-seed.yaml"


def _token(base_url: str) -> str:
    sandbox = Sandbox(base_url)
    try:
        return sandbox.token()
    finally:
        sandbox.close()  # its pooled connection, not left for the garbage collector


def _worker_of_new_connection(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}{WORKER_PATH}", headers=ADMIN, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _worker_pids(base_url: str) -> set[int]:
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: _worker_of_new_connection(base_url), range(PROBES)))
    return {answer["pid"] for answer in answers}


def _banner_of(server: ServeProcess) -> str:
    """The parent's banner, printed once every worker is ready (a worker may answer
    /healthz before the other one is)."""
    deadline = time.monotonic() + 60
    while "processes sharing the port" not in server.output():
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.05)
    return server.output()


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _post(base_url: str, token: str, body: str, request_id: str | None = None) -> httpx.Response:
    """A create on a connection of its own."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if request_id is not None:
        headers["MS-RequestId"] = request_id
    return httpx.post(f"{base_url}/v1/customers", content=body, headers=headers, timeout=60)


def _posts_per_worker(base_url: str, pids: set[int]) -> dict[int, int]:
    """How many creates each worker's own request log holds (the log is per process)."""
    seen: dict[int, int] = {}
    for _ in range(PROBES):
        with httpx.Client(base_url=base_url, headers=ADMIN, timeout=30) as http:
            pid = http.get(WORKER_PATH).json()["pid"]  # the same connection answers both
            if pid in seen:
                continue
            log = http.get("/_tenantry/requests", params={"limit": 1000}).json()
            seen[pid] = sum(
                1
                for item in log["items"]
                if item["method"] == "POST" and item["path"] == "/v1/customers"
            )
        if set(seen) == pids:
            break
    return seen


def test_two_workers_share_the_load_without_duplicates(storage_args: list[str]) -> None:
    server = ServeProcess(
        "--workers", "2", "--customer-cap", "0", "--rate-limit", "0", *storage_args
    ).wait_ready(60)
    try:
        # (a) connections reach both workers, and they are the parent's children.
        pids = _worker_pids(server.base_url)
        assert len(pids) == 2, pids
        assert server.proc.pid not in pids
        assert {_parent_of(pid) for pid in pids} == {server.proc.pid}
        banner = _banner_of(server)
        for pid in pids:
            assert str(pid) in banner  # the banner names them

        token = _token(server.base_url)
        with ThreadPoolExecutor(16) as pool:
            # (b) distinct creates, each on its own connection.
            distinct = list(
                pool.map(lambda _: _post(server.base_url, token, payloads.seed_000()), range(48))
            )
            # One domain asked for by ten requests at once: exactly one gets it.
            domain = payloads.unique_prefix("race")
            same_domain = list(
                pool.map(
                    lambda _: _post(server.base_url, token, payloads.seed_000(domain)), range(10)
                )
            )
            # One request retried ten times at once: one customer, the same answer to all.
            body, request_id = payloads.seed_000(), str(uuid.uuid4())
            twins = list(
                pool.map(lambda _: _post(server.base_url, token, body, request_id), range(10))
            )

        assert [r.status_code for r in distinct] == [201] * 48, [r.text for r in distinct]
        assert len({r.json()["id"] for r in distinct}) == 48
        statuses = sorted(r.status_code for r in same_domain)
        assert statuses == [201] + [409] * 9, [r.text for r in same_domain]
        assert {r.json()["code"] for r in same_domain if r.status_code == 409} == {880001}
        assert [r.status_code for r in twins] == [201] * 10, [r.text for r in twins]
        assert len({r.json()["id"] for r in twins}) == 1
        assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in twins) == 9

        listed = httpx.get(
            f"{server.base_url}/v1/customers",
            params={"size": 500},
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        ).json()
        domains = [item["companyProfile"]["domain"] for item in listed["items"]]
        assert listed["totalCount"] == 48 + 1 + 1
        assert len(set(domains)) == len(domains)

        # Both workers served creates: each process's own request log shows some.
        per_worker = _posts_per_worker(server.base_url, pids)
        assert set(per_worker) == pids
        assert all(count > 0 for count in per_worker.values()), per_worker
        assert sum(per_worker.values()) == 48 + 10 + 10
    finally:
        code = server.stop()  # (c) SIGTERM to the parent stops every worker
    assert code == -signal.SIGTERM, server.output()  # 143 in a shell, as one process
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} outlived the parent"
    assert "Traceback" not in server.output()


def test_a_worker_that_dies_is_replaced(tmp_path: Path) -> None:
    server = ServeProcess(
        "--workers", "2", "--data-dir", str(tmp_path), "--seed", str(EXAMPLE_SEED)
    ).wait_ready(60)
    try:
        first = _worker_pids(server.base_url)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        pids = first
        while time.monotonic() < deadline:
            pids = _worker_pids(server.base_url)
            if victim not in pids and len(pids) == 2:
                break
            time.sleep(0.2)
        assert victim not in pids, (first, pids)
        assert len(pids) == 2, (first, pids)
        assert "starting a new one" in server.output()
        # The seed was applied once, before the workers started.
        export = httpx.get(f"{server.base_url}/_tenantry/export", headers=ADMIN, timeout=30)
        names = [p["name"] for p in export.json()["tables"]["partners"]]
        assert names.count("Contoso Distribution") == 1
    finally:
        code = server.stop()
    assert code == -signal.SIGTERM, server.output()  # 143 in a shell, as one process


def test_workers_log_json_lines_naming_their_process(tmp_path: Path) -> None:
    """--log-format json reaches every worker: each request is one JSON line, and lines of
    different workers carry different process ids."""
    server = ServeProcess(
        "--workers", "2", "--data-dir", str(tmp_path), "--log-format", "json"
    ).wait_ready(60)
    try:
        pids = _worker_pids(server.base_url)
        token = _token(server.base_url)
        created = _post(server.base_url, token, json.dumps(payloads.minimal()), str(uuid.uuid4()))
        assert created.status_code == 201, created.text
    finally:
        code = server.stop()
    assert code == -signal.SIGTERM, server.output()  # 143 in a shell, as one process
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "tenantry.access"]
    create = next(line for line in requests if line["route"] == "/v1/customers")
    assert create["request_id"] == created.headers["MS-RequestId"]
    assert {line["pid"] for line in requests} == pids


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--workers", "2", "--ephemeral"], "--ephemeral"),
        (["--workers", "0"], "--workers must be 1 or more"),
    ],
)
def test_workers_refuse_what_cannot_work(extra: list[str], message: str) -> None:
    result = tenantry("serve", *extra)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_in_memory_database_is_refused(tmp_path: Path) -> None:
    result = tenantry("serve", "--workers", "2", "--database-url", "sqlite:///:memory:")
    assert result.returncode == 2
    assert "in-memory" in result.stderr
