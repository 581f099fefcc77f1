"""A real Tenantry server on a real socket, run by uvicorn in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import uvicorn

from tenantry.app import create_app
from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import Settings
from tenantry.runtime import Runtime

T = TypeVar("T")


class LiveServer:
    def __init__(
        self,
        settings: Settings,
        backend: str,
        extra_routes: dict[str, Callable[[], Any]] | None = None,
    ) -> None:
        self.settings = settings
        self.backend = backend
        self._runtime: Runtime | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.app = create_app(settings, on_ready=self._ready)
        for path, endpoint in (extra_routes or {}).items():  # test-only routes
            self.app.add_api_route(path, endpoint)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1024)
        self.port = int(self._sock.getsockname()[1])
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="on", timeout_keep_alive=30
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def _ready(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._loop = asyncio.get_running_loop()

    @property
    def runtime(self) -> Runtime:
        assert self._runtime is not None
        return self._runtime

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's own event loop (its engine lives there)."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=30)

    def start(self) -> LiveServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the server thread died during start-up")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 30 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()

    def token(self) -> str:
        response = httpx.post(
            f"{self.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": DEV_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRET,
                "scope": "https://api.partnercenter.microsoft.com/.default",
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def user_token(self) -> str:
        """An App+User token for the development partner's user (sandbox password grant)."""
        response = httpx.post(
            f"{self.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
            data={
                "grant_type": "password",
                "client_id": DEV_CLIENT_ID,
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation offline_access",
            },
        )
        response.raise_for_status()
        return str(response.json()["access_token"])
