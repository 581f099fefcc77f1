"""Crash consistency: `tenantry serve` killed with SIGKILL under create load, restarted on the
same data, loses nothing it acknowledged and creates nothing twice.

The kill moments come from a seeded random generator; the seed is printed (run pytest with
`-s` to see it) and `TENANTRY_CRASH_SEED=<seed>` replays the same schedule.
`TENANTRY_CRASH_KILLS=<n>` raises the number of kills (20 by default).
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx

from tenantry.config import Settings
from tenantry.testing import Sandbox
from tests.support import payloads
from tests.support.database import query
from tests.support.process import ServeProcess
from tests.support.server import LiveServer

KILLS = int(os.environ.get("TENANTRY_CRASH_KILLS", "20"))
WORKERS = 6  # concurrent clients, each with one request in flight
LOAD_SECONDS = (0.05, 0.5)  # how long the load runs before each kill


@dataclass
class Attempt:
    """One create as a client sees it: its MS-RequestId and body never change on retry."""

    request_id: str
    body: dict[str, Any]
    acknowledged: dict[str, Any] | None = None  # the 201 body the client received
    acknowledged_raw: bytes = b""
    interruptions: int = 0

    @property
    def domain(self) -> str:
        return str(self.body["companyProfile"]["domain"])


@dataclass
class Ledger:
    attempts: list[Attempt] = field(default_factory=list)
    retry: list[Attempt] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> Attempt:
        with self.lock:
            if self.retry:
                return self.retry.pop()
            attempt = Attempt(
                str(uuid.uuid4()),
                payloads.minimal(payloads.unique_prefix("crash"), enableGDAPByDefault=True),
            )
            self.attempts.append(attempt)
            return attempt


def _database(args: list[str]) -> LiveServer:
    """Enough of a server for `query`: where its data lives."""
    options = dict(zip(args[::2], args[1::2], strict=True))
    settings = Settings(
        data_dir=Path(options["--data-dir"]), database_url=options.get("--database-url")
    )
    return cast(LiveServer, SimpleNamespace(settings=settings))


def _start(args: list[str], probe: httpx.Client) -> ServeProcess:
    """Start the server and wait until it answers (one reused client for the polling:
    a new client per poll would compete with the server's start for the CPU)."""
    flags = ["--customer-cap", "0", "--rate-limit", "0", "--log-level", "warning"]
    server = ServeProcess(*args, *flags)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.output()
        try:
            if probe.get(f"{server.base_url}/readyz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise AssertionError(f"tenantry serve did not start:\n{server.output()}")


def _send(http: httpx.Client, attempt: Attempt, url: str = "/v1/customers") -> httpx.Response:
    return http.post(
        url,
        json=attempt.body,
        headers={"MS-RequestId": attempt.request_id, "MS-CorrelationId": str(uuid.uuid4())},
    )


def _drive(http: httpx.Client, url: str, ledger: Ledger, stop: threading.Event) -> None:
    """Create customers until the server dies; remember what was acknowledged."""
    while not stop.is_set():
        attempt = ledger.next()
        try:
            response = _send(http, attempt, url)
        except httpx.TransportError:
            attempt.interruptions += 1
            with ledger.lock:
                ledger.retry.append(attempt)
            continue
        if response.status_code == 201:
            if attempt.acknowledged is not None and response.content != attempt.acknowledged_raw:
                ledger.unexpected.append(f"{attempt.domain}: a second, different 201")
            attempt.acknowledged = response.json()
            attempt.acknowledged_raw = response.content
        else:
            ledger.unexpected.append(f"{attempt.domain}: {response.status_code} {response.text}")


def _settle(http: httpx.Client, ledger: Ledger) -> None:
    """After the last restart: retry every interrupted request once, without a kill."""
    for attempt in ledger.retry:
        response = _send(http, attempt)
        if response.status_code != 201:
            ledger.unexpected.append(f"{attempt.domain}: {response.status_code} {response.text}")
            continue
        if attempt.acknowledged is not None and response.content != attempt.acknowledged_raw:
            ledger.unexpected.append(f"{attempt.domain}: the retry answered another body")
        attempt.acknowledged = response.json()
        attempt.acknowledged_raw = response.content
    ledger.retry.clear()


def test_sigkill_under_load_loses_nothing_and_creates_nothing_twice(
    storage_args: list[str], backend: str
) -> None:
    seed = int(os.environ.get("TENANTRY_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    print(f"\n[crash/{backend}] seed {seed}: rerun with TENANTRY_CRASH_SEED={seed}")
    rng = random.Random(seed)
    ledger = Ledger()
    kills = 0
    started = time.monotonic()

    probe = httpx.Client()
    server = _start(storage_args, probe)
    token = Sandbox(server.base_url).token()
    # One client per worker for the whole run: the URL changes with each restart's port.
    clients = [
        httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        for _ in range(WORKERS)
    ]
    try:
        while kills < KILLS:
            stop = threading.Event()
            url = f"{server.base_url}/v1/customers"
            threads = [
                threading.Thread(target=_drive, args=(c, url, ledger, stop), daemon=True)
                for c in clients
            ]
            for thread in threads:
                thread.start()
            time.sleep(rng.uniform(*LOAD_SECONDS))
            server.proc.kill()  # SIGKILL: no shutdown handler, no flush, no rollback
            server.proc.wait()
            kills += 1
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
                assert not thread.is_alive()
            server.stop()
            assert ledger.unexpected == [], server.output()[-4000:]
            # Restart on the same data; the same token still verifies (keys are stored).
            server = _start(storage_args, probe)

        with httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            looped = time.monotonic()
            _settle(http, ledger)
            assert ledger.unexpected == [], server.output()[-4000:]
            _check(http, ledger, _database(storage_args))
    finally:
        server.stop()
        for c in [*clients, probe]:
            c.close()

    acknowledged = sum(a.acknowledged is not None for a in ledger.attempts)
    interrupted = sum(a.interruptions > 0 for a in ledger.attempts)
    print(
        f"[crash/{backend}] {kills} kills survived, {len(ledger.attempts)} creates "
        f"({interrupted} interrupted and retried), {acknowledged} customers, "
        f"{looped - started:.1f} s of kills and restarts, "
        f"{time.monotonic() - looped:.1f} s of checks"
    )
    assert kills >= KILLS
    assert interrupted, "no request was ever cut off: the kills missed the load"


def _check(http: httpx.Client, ledger: Ledger, db: LiveServer) -> None:
    # Every request the client sent was answered 201 in the end, exactly once per domain.
    domains = {a.domain.lower() for a in ledger.attempts}
    assert all(a.acknowledged is not None for a in ledger.attempts)
    rows = query(db, "SELECT domain_key, count(*) FROM customers GROUP BY domain_key")
    stored = {key: n for key, n in rows if key.startswith("crash")}
    assert stored == dict.fromkeys(domains, 1)

    # Every 201 is readable with what it said, and its admin user exists.
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(lambda attempt: _readable(http, attempt), ledger.attempts))

    # Replaying an acknowledged request returns the very same bytes, password included.
    for attempt in ledger.attempts[:: max(1, len(ledger.attempts) // 20)]:
        again = _send(http, attempt)
        assert again.status_code == 201
        assert again.content == attempt.acknowledged_raw
        assert again.headers["Idempotent-Replayed"] == "true"

    # Nothing half-written: every customer has its admin user, relationship and GDAP record.
    orphans = query(
        db,
        "SELECT c.domain FROM customers c WHERE "
        "NOT EXISTS (SELECT 1 FROM users u WHERE u.customer_id = c.id) OR "
        "NOT EXISTS (SELECT 1 FROM relationships r WHERE r.customer_id = c.id) OR "
        "NOT EXISTS (SELECT 1 FROM gdap_relationships g WHERE g.customer_id = c.id)",
    )
    assert orphans == []
    # And no side record without its customer.
    for table in ("users", "relationships", "gdap_relationships"):
        stray = query(
            db,
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
            "(SELECT 1 FROM customers c WHERE c.id = t.customer_id)",
        )[0][0]
        assert stray == 0, table


def _readable(http: httpx.Client, attempt: Attempt) -> None:
    created = attempt.acknowledged
    assert created is not None
    read = http.get(f"/v1/customers/{created['id']}")
    assert read.status_code == 200, read.text
    got = read.json()
    assert got["id"] == created["id"]
    assert got["companyProfile"]["domain"] == created["companyProfile"]["domain"]
    assert got["companyProfile"]["domain"].lower() == attempt.domain.lower()
    assert got["billingProfile"]["companyName"] == created["billingProfile"]["companyName"]
    assert got["billingProfile"] == created["billingProfile"]
    assert created["userCredentials"]["password"]
    users = http.get(f"/v1/customers/{created['id']}/users")
    assert users.status_code == 200, users.text
    upns = [u["userPrincipalName"].lower() for u in users.json()["items"]]
    admin = created["userCredentials"]["userName"].split("@")[0].lower()
    assert f"{admin}@{attempt.domain.lower()}" in upns, upns
