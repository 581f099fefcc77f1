"""Retiring a signing key ends its tokens on every node, cached ones included.

Two `tenantry serve` processes share one PostgreSQL database. Node B has verified (and so
cached) a token signed by the first key; the operator rotates and retires that key from the
command line, through neither node; within B's key reload interval, B answers 401 for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from tests.cli.test_rotation import _field
from tests.support.process import ServeProcess, tenantry
from tests.support.storage import database_url_for

RELOAD_SECONDS = "1"


@pytest.fixture
def database_url() -> Iterator[str]:
    with database_url_for("postgresql") as url:
        assert url is not None
        yield url


def _ok(*args: str, env: dict[str, str]) -> str:
    done = tenantry(*args, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _list(base_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{base_url}/v1/customers", headers={"Authorization": f"Bearer {token}"})


def _refused_within_reload(node: ServeProcess, token: str) -> httpx.Response:
    """The node's answer to the token once it stops accepting it, or after a bound."""
    deadline = time.monotonic() + 30  # a bound for a slow machine, not the interval
    answer = _list(node.base_url, token)
    while answer.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = _list(node.base_url, token)
    return answer


def test_a_retired_key_ends_its_cached_tokens_on_every_node(
    tmp_path: Path, database_url: str
) -> None:
    key_file = tmp_path / "master.key"
    _ok("keygen", "--output", str(key_file), env={})
    env = {
        "TENANTRY_MASTER_KEY_FILE": str(key_file),
        "TENANTRY_DATABASE_URL": database_url,
        "TENANTRY_MODE": "production",
        "TENANTRY_KEY_RELOAD": RELOAD_SECONDS,
    }
    _ok("db", "upgrade", env=env)
    tenant = _ok(
        "partners", "create", "--name", "Contoso", "--type", "direct_bill", "--country", "US",
        env=env,
    ).strip()  # fmt: skip
    app = _ok("partners", "add-app", tenant, env=env)
    credentials = {
        "grant_type": "client_credentials",
        "client_id": _field("client id", app),
        "client_secret": _field("client secret", app),
    }
    node_a = ServeProcess("--no-migrate", env=env)
    node_b = ServeProcess("--no-migrate", env=env)
    try:
        node_a.wait_ready(timeout=120)  # a bound for a busy machine
        node_b.wait_ready(timeout=120)
        token_url = f"{node_a.base_url}/{tenant}/oauth2/v2.0/token"
        old = httpx.post(token_url, data=credentials).json()["access_token"]
        old_kid = jwt.get_unverified_header(old)["kid"]
        assert _list(node_b.base_url, old).status_code == 200  # verified, and cached, on B

        rotated = _ok("keys", "rotate", env=env)
        new_kid = rotated.split()[0]
        assert "on every node within 1 s" in rotated
        too_soon = tenantry("keys", "retire", old_kid, env=env)
        assert too_soon.returncode == 2
        assert "may still be valid until" in too_soon.stderr
        assert "--force" in too_soon.stderr
        assert _list(node_b.base_url, old).status_code == 200  # nothing retired yet

        forced = tenantry("keys", "retire", old_kid, "--force", env=env)
        assert forced.returncode == 0, forced.stderr
        assert "warning" in forced.stderr
        assert "stop on every node within 1 s" in forced.stdout

        for node in (node_b, node_a):  # each reloads on its own clock
            answer = _refused_within_reload(node, old)
            assert answer.status_code == 401, answer.text
            assert "retired" in answer.json()["description"]

        fresh = httpx.post(token_url, data=credentials).json()["access_token"]
        assert jwt.get_unverified_header(fresh)["kid"] != old_kid
        assert _list(node_b.base_url, fresh).status_code == 200
        assert new_kid in _ok("keys", "list", env=env)
    finally:
        node_a.stop()
        node_b.stop()


def test_keygen_never_overwrites_a_key_file(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    assert "mode 0600" in _ok("keygen", "--output", str(key_file), env={})
    first = key_file.read_text()
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = tenantry("keygen", "--output", str(key_file))
    assert again.returncode == 2
    assert f"cannot create {key_file}" in again.stderr
    assert key_file.read_text() == first


def test_keys_on_a_database_without_a_signing_key(tmp_path: Path) -> None:
    """`tenantry db upgrade` makes the schema but no key: the first server makes one."""
    key_file = tmp_path / "master.key"
    _ok("keygen", "--output", str(key_file), env={})
    env = {"TENANTRY_MASTER_KEY_FILE": str(key_file), "TENANTRY_DATA_DIR": str(tmp_path)}
    _ok("db", "upgrade", env=env)
    listed = tenantry("keys", "list", env=env)
    assert (listed.returncode, listed.stdout) == (0, "")
    assert "no signing key yet" in listed.stderr
    retired = tenantry("keys", "retire", "k1", env=env)
    assert retired.returncode == 2
    assert "there is no signing key 'k1'" in retired.stderr
