"""A Tenantry sandbox for your test suite: a pytest plugin, like moto's for AWS.

Installed with Tenantry (the `pytest11` entry point `tenantry`), it adds two fixtures:

- `tenantry_sandbox` (session): a sandbox started once per test session, in-process on a
  free port by default (`--tenantry-mode subprocess` runs `tenantry serve` instead), or an
  already running one (`--tenantry-url http://127.0.0.1:8000`);
- `tenantry` (per test): the same sandbox, reset to its first-start state before the test.

Both hand out the development partner's tokens:

    def test_create(tenantry):
        token = tenantry.token()
        response = httpx.post(f"{tenantry.base_url}/v1/customers", json=..., headers=...)

Nothing heavy is imported until a fixture is used.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import DEV_ADMIN_KEY

if TYPE_CHECKING:
    from tenantry.config import Settings

ADMIN_HEADER = "Tenantry-Admin-Key"


class Sandbox:
    """A running sandbox: its URL, its credentials, and a way back to a clean state."""

    def __init__(self, base_url: str, admin_key: str = DEV_ADMIN_KEY) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_key = admin_key
        self.tenant_id = DEV_TENANT_ID

    def _post(self, path: str, data: dict[str, str]) -> Any:
        import httpx

        response = httpx.post(f"{self.base_url}{path}", data=data, timeout=30)
        response.raise_for_status()
        return response.json()

    def token(self) -> str:
        """An App-only access token for the development partner."""
        body = self._post(
            f"/{DEV_TENANT_ID}/oauth2/v2.0/token",
            {
                "grant_type": "client_credentials",
                "client_id": DEV_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRET,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
            },
        )
        return str(body["access_token"])

    def user_token(self) -> str:
        """An App+User access token for the development partner's user."""
        body = self._post(
            f"/{DEV_TENANT_ID}/oauth2/v2.0/token",
            {
                "grant_type": "password",
                "client_id": DEV_CLIENT_ID,
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation",
            },
        )
        return str(body["access_token"])

    def reset(self, *, empty: bool = False) -> None:
        """Back to the first-start state (or no partner at all): every customer, fault and
        recorded request is gone, and the limits are back to no cap and no delay."""
        import httpx

        headers = {ADMIN_HEADER: self.admin_key}
        response = httpx.post(
            f"{self.base_url}/_tenantry/reset",
            params={"empty": "true"} if empty else None,
            headers=headers,
            timeout=30,
        )
        response.raise_for_status()
        limits = httpx.put(
            f"{self.base_url}/_tenantry/limits",
            json={"customerCap": 0, "provisioningDelaySeconds": 0},
            headers=headers,
            timeout=30,
        )
        limits.raise_for_status()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """Tenantry served by uvicorn on a real socket, in a background thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from tenantry.app import create_app

        self.settings = settings
        self.app = create_app(settings, on_ready=self._ready)
        self._runtime: Any = None
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.port = int(self._sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def _ready(self, runtime: Any) -> None:
        import asyncio

        self._runtime = runtime
        self._loop = asyncio.get_running_loop()

    @property
    def runtime(self) -> Any:
        """The server's `tenantry.runtime.Runtime` (its engine lives on the server's loop)."""
        return self._runtime

    @property
    def running(self) -> bool:
        """Whether the server's thread still serves."""
        return bool(self._thread.is_alive())

    def call(self, coro: Any) -> Any:
        """Run a coroutine on the server's own event loop and wait for its result."""
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def start(self, timeout: float = 30) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the Tenantry server thread died during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Tenantry did not start within {timeout:.0f} s")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()


def _wait_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("tenantry serve exited during start-up")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"tenantry serve did not become ready within {timeout:.0f} s")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tenantry", "Tenantry sandbox")
    group.addoption(
        "--tenantry-url",
        default=os.environ.get("TENANTRY_URL"),
        help="use this running sandbox instead of starting one (env TENANTRY_URL)",
    )
    group.addoption(
        "--tenantry-mode",
        choices=("inprocess", "subprocess"),
        default="inprocess",
        help="start the sandbox in this process (default) or as `tenantry serve`",
    )


@pytest.fixture(scope="session")
def tenantry_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox for the whole test session (see the module docstring)."""
    url = request.config.getoption("--tenantry-url")
    if url:
        yield Sandbox(url, os.environ.get("TENANTRY_ADMIN_KEY", DEV_ADMIN_KEY))
        return
    data_dir = Path(tempfile.mkdtemp(prefix="tenantry-pytest-"))
    try:
        if request.config.getoption("--tenantry-mode") == "subprocess":
            port = free_port()
            # The tests' own TENANTRY_* settings (a database URL, a key) must not reach
            # a sandbox whose state is wiped before every test.
            env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "tenantry",
                    "serve",
                    "--port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                    "--customer-cap",
                    "0",
                    "--log-level",
                    "warning",
                    "--admin-key",
                    DEV_ADMIN_KEY,
                ],
                env=env,
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                _wait_ready(base_url, process)
                yield Sandbox(base_url)
            finally:
                process.terminate()
                process.wait(timeout=15)
        else:
            from tenantry.config import Settings

            server = ThreadedServer(
                Settings(data_dir=data_dir, customer_cap=0, customer_rate_limit=0)
            )
            server.start()
            try:
                yield Sandbox(server.base_url)
            finally:
                server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def tenantry(tenantry_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset to its first-start state before this test."""
    tenantry_sandbox.reset()
    return tenantry_sandbox
