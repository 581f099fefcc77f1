"""`/metrics` with `tenantry serve --workers 2`: whichever worker a scrape reaches, it
reports the requests of both (Prometheus' multiprocess mode, in a directory the parent
makes and removes)."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tenantry.config import DEV_ADMIN_KEY
from tenantry.serving.workers import WORKER_PATH
from tests.observability.test_metrics_and_probes import _sample
from tests.support.process import ServeProcess

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
REQUESTS = 80
WORKER_ROUTE = {"route": WORKER_PATH, "method": "GET", "status": "200", "code": ""}


def _which_worker(base_url: str) -> int:
    """One request on a connection of its own: the pid of the worker that answered."""
    response = httpx.get(f"{base_url}{WORKER_PATH}", headers=ADMIN, timeout=30)
    assert response.status_code == 200, response.text
    pid: int = response.json()["pid"]
    return pid


def _scrape(base_url: str) -> tuple[int, str]:
    """One scrape, and the pid of the worker that answered it (same connection)."""
    with httpx.Client(base_url=base_url, headers=ADMIN, timeout=30) as http:
        pid: int = http.get(WORKER_PATH).json()["pid"]
        response = http.get("/metrics")
    assert response.status_code == 200
    return pid, response.text


def _metrics_dir(pid: int) -> Path:
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    found = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"PROMETHEUS_MULTIPROC_DIR=")]
    assert found, "the worker runs without the shared metrics directory"
    return Path(os.fsdecode(found[0]))


def test_one_scrape_counts_the_requests_of_every_worker(tmp_path: Path) -> None:
    server = ServeProcess("--workers", "2", "--data-dir", str(tmp_path)).wait_ready(60)
    try:
        with ThreadPoolExecutor(8) as pool:
            answered_by = Counter(
                pool.map(lambda _: _which_worker(server.base_url), range(REQUESTS))
            )
        assert len(answered_by) == 2, answered_by  # both workers answered some
        shared = _metrics_dir(next(iter(answered_by)))
        assert shared.is_dir()

        # Every scrape, whichever worker answers it, counts all requests so far: the
        # REQUESTS above and the one request on the scrape's own connection before it.
        scraped_by: set[int] = set()
        for scrape in range(1, 40):
            pid, text = _scrape(server.base_url)
            scraped_by.add(pid)
            assert (
                _sample(text, "tenantry_http_requests_total", **WORKER_ROUTE) == REQUESTS + scrape
            )
            assert _sample(text, "tenantry_db_pool_size") > 0
            if scraped_by == set(answered_by):
                break
        assert scraped_by == set(answered_by)  # scrapes reached both workers

        # A worker that dies is replaced; what it counted still counts.
        victim = max(answered_by)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while "starting a new one" not in server.output():
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.1)
        server_total = _sample(
            _scrape(server.base_url)[1], "tenantry_http_requests_total", **WORKER_ROUTE
        )
        assert server_total == REQUESTS + scrape + 1
    finally:
        server.stop()
    assert not shared.exists()  # the parent removed the directory
