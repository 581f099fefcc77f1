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

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import weakref
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
    import httpx

    from tenantry.asgi_transport import LoopTransport, NetworkTransport
    from tenantry.config import Settings

ADMIN_HEADER = "Tenantry-Admin-Key"
# A cached token is handed out until this long before it expires.
_TOKEN_MARGIN_SECONDS = 60.0


class Sandbox:
    """A running sandbox: its URL, its credentials, and a way back to a clean state.

    One HTTP client serves all its calls; tokens are kept until a minute before they expire
    (and while the sandbox still holds the key that signed them). With `server` (the
    in-process sandbox) `reset()` runs on the server's loop without HTTP, and
    `asgi_transport()` carries requests into the application without a socket.
    """

    def __init__(
        self, base_url: str, admin_key: str = DEV_ADMIN_KEY, *, server: ThreadedServer | None = None
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.admin_key = admin_key
        self.tenant_id = DEV_TENANT_ID
        self._server = server
        self._client: httpx.Client | None = None
        self._closer: weakref.finalize[Any, Any] | None = None
        self._tokens: dict[str, tuple[str, float]] = {}
        self._keys_checked = True

    def asgi_transport(self) -> LoopTransport | NetworkTransport:
        """An httpx transport (sync and async) for `httpx.Client`, `httpx.AsyncClient` and
        `tenantry_client`'s clients: straight into the application, no socket, when the
        sandbox runs in this process; plain HTTP otherwise."""
        from tenantry.asgi_transport import LoopTransport, NetworkTransport

        if self._server is None:
            return NetworkTransport()
        return LoopTransport(self._server.app, self._server.loop)

    def _http(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                base_url=self.base_url, transport=self.asgi_transport(), timeout=30
            )
            # A Sandbox dropped without close() still closes its connections (no
            # ResourceWarning for an unclosed socket later, in some other test).
            self._closer = weakref.finalize(self, self._client.close)
        return self._client

    def close(self) -> None:
        """Close the pooled HTTP client (the session fixture does it at the end)."""
        if self._closer is not None:
            self._closer()
            self._client = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cached_token(self, kind: str, form: dict[str, str]) -> str:
        # After a reset, check the cached tokens' keys once: a sandbox elsewhere may have
        # been restarted with new keys, or had a key retired, since they were issued.
        if not self._keys_checked:
            self._keys_checked = True
            self._forget_tokens_of_retired_keys()
        cached = self._tokens.get(kind)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        response = self._http().post(f"/{DEV_TENANT_ID}/oauth2/v2.0/token", data=form)
        response.raise_for_status()
        body = response.json()
        lifetime = float(body.get("expires_in", 0)) - _TOKEN_MARGIN_SECONDS
        token = str(body["access_token"])
        if lifetime > 0:
            self._tokens[kind] = (token, time.monotonic() + lifetime)
        return token

    def _forget_tokens_of_retired_keys(self) -> None:
        if not self._tokens:
            return
        response = self._http().get(f"/{DEV_TENANT_ID}/discovery/v2.0/keys")
        response.raise_for_status()
        kids = {key.get("kid") for key in response.json().get("keys", [])}
        self._tokens = {k: v for k, v in self._tokens.items() if _kid(v[0]) in kids}

    def token(self) -> str:
        """An App-only access token for the development partner."""
        return self._cached_token(
            "app",
            {
                "grant_type": "client_credentials",
                "client_id": DEV_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRET,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
            },
        )

    def user_token(self) -> str:
        """An App+User access token for the development partner's user."""
        return self._cached_token(
            "user",
            {
                "grant_type": "password",
                "client_id": DEV_CLIENT_ID,
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation",
            },
        )

    def reset(self, *, empty: bool = False) -> None:
        """Back to the first-start state (or no partner at all): every customer, fault and
        recorded request is gone, and the limits are back to no cap and no delay."""
        self._keys_checked = False
        if self._server is not None:
            self._server.call(_reset_in_process(self._server.app, self._server.runtime, empty))
            return
        headers = {ADMIN_HEADER: self.admin_key}
        response = self._http().post(
            "/_tenantry/reset", params={"empty": "true"} if empty else None, headers=headers
        )
        response.raise_for_status()
        limits = self._http().put(
            "/_tenantry/limits",
            json={"customerCap": 0, "provisioningDelaySeconds": 0},
            headers=headers,
        )
        limits.raise_for_status()


async def _reset_in_process(app: Any, runtime: Any, empty: bool) -> None:
    """What `POST /_tenantry/reset` and `PUT /_tenantry/limits` (no cap, no delay) do,
    called on the server's loop."""
    from tenantry.control.state import reset_sandbox
    from tenantry.domain.audit import SANDBOX, Actor

    actor = Actor(SANDBOX, "control plane", str(uuid.uuid4()), str(uuid.uuid4()))
    await reset_sandbox(app, runtime, actor, empty=empty)
    runtime.limits.customer_cap = 0
    runtime.limits.provisioning_delay_seconds = 0.0


def _kid(token: str) -> str | None:
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except ValueError:
        return None
    kid = decoded.get("kid") if isinstance(decoded, dict) else None
    return kid if isinstance(kid, str) else None


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
    def loop(self) -> Any:
        """The server's running event loop (set once it has started)."""
        return self._loop

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
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)  # after a 503 (database not reached yet) too, not only a refusal
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
        remote = Sandbox(url, os.environ.get("TENANTRY_ADMIN_KEY", DEV_ADMIN_KEY))
        yield remote
        remote.close()
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
                sandbox = Sandbox(base_url)
                yield sandbox
                sandbox.close()
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
                sandbox = Sandbox(server.base_url, server=server)
                yield sandbox
                sandbox.close()
            finally:
                server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def tenantry(tenantry_sandbox: Sandbox) -> Sandbox:
    """The session's sandbox, reset to its first-start state before this test."""
    tenantry_sandbox.reset()
    return tenantry_sandbox
