"""docs/operations.md, "Reverse proxy and TLS": `X-Forwarded-Proto` counts only from the
addresses in FORWARDED_ALLOW_IPS (loopback by default), as a running node shows in the
absolute URLs it writes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tenantry.auth.development import DEV_TENANT_ID
from tests.ops.walkthrough import operator_env, section
from tests.support.process import ServeProcess

DISCOVERY = f"/{DEV_TENANT_ID}/v2.0/.well-known/openid-configuration"
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def _token_endpoint(allowed: str | None, data_dir: str) -> str:
    env = operator_env()
    env.pop("FORWARDED_ALLOW_IPS", None)
    if allowed is not None:
        env["FORWARDED_ALLOW_IPS"] = allowed
    server = ServeProcess("--data-dir", data_dir, env=env)
    try:
        server.wait_ready()
        answer = httpx.get(f"{server.base_url}{DISCOVERY}", headers=PROXIED)
        assert answer.status_code == 200, answer.text
        endpoint: str = answer.json()["token_endpoint"]
        return endpoint
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("allowed", "scheme"),
    [
        (None, "https"),  # a proxy on the same machine: trusted by default
        ("192.0.2.10", "http"),  # the proxy is elsewhere; this connection is not it
    ],
)
def test_forwarded_proto_counts_only_from_the_allowed_addresses(
    allowed: str | None, scheme: str, tmp_path: Path
) -> None:
    assert "`FORWARDED_ALLOW_IPS`" in section("Reverse proxy and TLS")
    endpoint = _token_endpoint(allowed, str(tmp_path))
    assert endpoint.startswith(f"{scheme}://127.0.0.1:"), endpoint
