"""Throttling of the customer resource: Partner Center's 429, one budget per partner shared
by every process on the same database."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest

from tenantry.testing import Sandbox
from tests.conftest import ServerFactory, _postgres
from tests.support.partners import add_partner
from tests.support.process import ServeProcess

BODY = re.compile(r"Rate limit is exceeded\. Try again in (\d+) seconds\.")


def _read(base_url: str, token: str) -> httpx.Response:
    return httpx.get(
        f"{base_url}/v1/customers/{uuid.uuid4()}", headers={"Authorization": f"Bearer {token}"}
    )


def test_past_the_limit_partner_center_says_when_to_retry(server_factory: ServerFactory) -> None:
    server = server_factory(customer_rate_limit=3)
    token = server.token()
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


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_share_one_budget(backend: str, tmp_path: Path) -> None:
    pg = _postgres()
    assert pg is not None
    url = pg.new_database()
    args = ["--database-url", url, "--rate-limit", "6"]
    first = ServeProcess(*args, "--data-dir", str(tmp_path / "a")).wait_ready()
    key = (tmp_path / "a" / "master.key").read_text()
    second = ServeProcess(
        *args, "--data-dir", str(tmp_path / "b"), env={"TENANTRY_MASTER_KEY": key}
    ).wait_ready()
    try:
        token = Sandbox(first.base_url).token()
        statuses = [
            _read(server.base_url, token).status_code
            for _ in range(5)
            for server in (first, second)
        ]
    finally:
        first.stop()
        second.stop()
        pg.drop_database(url)
    assert statuses.count(429) == 4  # 10 requests, one budget of 6
    assert statuses[:6] == [404] * 6
