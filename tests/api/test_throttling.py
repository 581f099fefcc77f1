"""Throttling of the customer resource: Partner Center's 429, one budget per partner shared
by every process on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tenantry.domain.throttling import MAX_LEASE
from tenantry.testing import Sandbox
from tests.conftest import ServerFactory
from tests.support.partners import add_partner
from tests.support.process import ServeProcess
from tests.support.storage import shared_postgres

BODY = re.compile(r"Rate limit is exceeded\. Try again in (\d+) seconds\.")


def _roomy_window(seconds_needed: float = 15) -> None:
    """Wait for the next one-minute window if this one ends too soon for the test: the
    budget refills at the minute, which would let more requests through."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.05)


def _read(base_url: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{base_url}/v1/customers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"}
    )


def test_past_the_limit_partner_center_says_when_to_retry(server_factory: ServerFactory) -> None:
    server = server_factory(customer_rate_limit=3)
    token = server.token()
    _roomy_window()
    answers = [_read(server.base_url, token) for _ in range(5)]
    assert [a.status_code for a in answers] == [404, 404, 404, 429, 429]
    throttled = answers[3]
    body = throttled.json()
    assert body["statusCode"] == 429
    seconds = int(BODY.fullmatch(body["message"])[1])  # type: ignore[index]
    assert 1 <= seconds <= 60
    assert throttled.headers["retry-after"] == str(seconds)
    assert throttled.headers["ms-requestid"]  # the usual headers still come
    _, other = add_partner(server, "US")  # another partner has a budget of its own
    assert _read(server.base_url, other).status_code == 404


@contextlib.contextmanager
def _two_processes(tmp_path: Path, limit: int) -> Iterator[tuple[ServeProcess, ServeProcess, str]]:
    """Two servers on one fresh PostgreSQL database with one master key, and a token."""
    pg = shared_postgres()
    assert pg is not None
    url = pg.new_database()
    args = ["--database-url", url, "--rate-limit", str(limit)]
    first = ServeProcess(*args, "--data-dir", str(tmp_path / "a")).wait_ready()
    key = (tmp_path / "a" / "master.key").read_text()
    second = ServeProcess(
        *args, "--data-dir", str(tmp_path / "b"), env={"TENANTRY_MASTER_KEY": key}
    ).wait_ready()
    try:
        yield first, second, Sandbox(first.base_url).token()
    finally:
        first.stop()
        second.stop()
        pg.drop_database(url)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_share_one_budget(backend: str, tmp_path: Path) -> None:
    with _two_processes(tmp_path, 6) as (first, second, token):
        _roomy_window()
        statuses = [
            _read(server.base_url, token).status_code
            for _ in range(5)
            for server in (first, second)
        ]
    assert statuses.count(429) == 4  # 10 requests, one budget of 6
    assert statuses[:6] == [404] * 6


async def test_one_process_spends_exactly_its_budget_under_concurrent_reads(
    server_factory: ServerFactory,
) -> None:
    """Hits are reserved in leases, yet one process lets through exactly the limit, no more
    and no fewer, however the reads interleave."""
    server = server_factory(customer_rate_limit=120)
    token = server.token()
    headers = {"Authorization": f"Bearer {token}"}
    _roomy_window()
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:

        async def reads(n: int) -> list[int]:
            return [(await http.get(f"/v1/customers/{uuid.uuid4()}")).status_code for _ in range(n)]

        batches = await asyncio.gather(*(reads(10) for _ in range(15)))
    statuses = [s for batch in batches for s in batch]
    assert statuses.count(404) == 120
    assert statuses.count(429) == 30


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_never_exceed_the_shared_budget(backend: str, tmp_path: Path) -> None:
    """With leases, two processes together stay within one budget, and what they refuse
    early is bounded by the hits one of them reserved but did not spend."""
    with (
        _two_processes(tmp_path, 200) as (first, second, token),
        httpx.Client(base_url=first.base_url) as to_first,
        httpx.Client(base_url=second.base_url) as to_second,
    ):
        headers = {"Authorization": f"Bearer {token}"}
        # 300 reads take a second or two; a loaded machine may take many times that.
        _roomy_window(40)
        window = int(time.time() // 60)
        # The first process gets a quarter of the reads, the second the rest.
        statuses = [
            http.get(f"/v1/customers/{uuid.uuid4()}", headers=headers).status_code
            for _ in range(75)
            for http in (to_first, to_second, to_second, to_second)
        ]
        assert int(time.time() // 60) == window, "the reads outlasted the window"
    served = statuses.count(404)
    assert served + statuses.count(429) == 300
    assert 200 - 2 * MAX_LEASE <= served <= 200  # at most two leases left unspent
