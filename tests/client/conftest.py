"""Harnesses that drive the SDK against the real app in four ways: the sync and the async
client, each over a real socket (the live `server`) and in-process (no socket: httpx's
ASGI transport, run on a background event loop for the sync client)."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tenantry_client import AsyncPartnerClient, ClientSecretCredential, PartnerClient

from tenantry.app import create_app
from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.config import DEV_ADMIN_KEY, Settings
from tests.client.inprocess import InProcessTransport, ThreadedASGITransport
from tests.support.server import LiveServer
from tests.support.storage import shared_postgres

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}
IN_PROCESS_URL = "http://tenantry.test"
MODES = ["sync-socket", "async-socket", "sync-inprocess", "async-inprocess"]

Client = PartnerClient | AsyncPartnerClient


def dev_credential() -> ClientSecretCredential:
    """The development partner's app; the authority is the client's own base URL."""
    return ClientSecretCredential(DEV_TENANT_ID, DEV_CLIENT_ID, DEV_CLIENT_SECRET)


def _settings(backend: str, data_dir: Path) -> tuple[Settings, str | None]:
    database_url = None
    if backend == "postgresql":
        pg = shared_postgres()
        assert pg is not None
        database_url = pg.new_database()
    settings = Settings(
        data_dir=data_dir, database_url=database_url, customer_cap=0, customer_rate_limit=0
    )
    return settings, database_url


def _drop(database_url: str | None) -> None:
    if database_url is not None:
        pg = shared_postgres()
        assert pg is not None
        pg.drop_database(database_url)


@pytest.fixture(scope="session")
async def asgi_app(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    """The app in this process, its lifespan run on the tests' own event loop."""
    settings, database_url = _settings(backend, tmp_path_factory.mktemp("inprocess"))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
    _drop(database_url)


@pytest.fixture(scope="session")
def threaded_app(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadedASGITransport]:
    """The app in this process on an event loop of its own, for blocking clients."""
    settings, database_url = _settings(backend, tmp_path_factory.mktemp("threaded"))
    transport = ThreadedASGITransport(create_app(settings)).start()
    yield transport
    transport.stop()
    _drop(database_url)


class Harness:
    """One way of driving the SDK. `run` calls a client method and awaits it if needed,
    so that one test body covers the sync and the async client."""

    def __init__(self, mode: str, request: pytest.FixtureRequest) -> None:
        self.mode = mode
        self.is_async = mode.startswith("async")
        self.socket = mode.endswith("socket")
        self._closers: list[Callable[[], Any]] = []
        if self.socket:
            self.server: LiveServer | None = request.getfixturevalue("server")
            self.base_url = self.server.base_url
            self._admin: httpx.Client | httpx.AsyncClient = (
                httpx.AsyncClient(base_url=self.base_url, timeout=60)
                if self.is_async
                else httpx.Client(base_url=self.base_url, timeout=60)
            )
        else:
            self.server = None
            self.base_url = IN_PROCESS_URL
            if self.is_async:
                self._app: FastAPI = request.getfixturevalue("asgi_app")
                self._admin = self._asgi_http()
            else:
                self._threaded: ThreadedASGITransport = request.getfixturevalue("threaded_app")
                self._admin = httpx.Client(transport=self._threaded, base_url=IN_PROCESS_URL)
        self._closers.append(self._admin.aclose if self.is_async else self._admin.close)  # type: ignore[union-attr]

    def _asgi_http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=InProcessTransport(app=self._app), base_url=IN_PROCESS_URL
        )

    def client(self, credential: Any = "app", **options: Any) -> Any:
        """A client of this harness's kind; `credential="app"` is the development app."""
        if credential == "app":
            credential = dev_credential()
        options.setdefault("base_url", self.base_url)
        if self.socket:
            client: Client = (AsyncPartnerClient if self.is_async else PartnerClient)(
                credential, **options
            )
        elif self.is_async:
            client = AsyncPartnerClient(
                credential, transport=InProcessTransport(app=self._app), **options
            )
        else:
            client = PartnerClient(credential, transport=self._threaded, **options)
        self._closers.append(client.close)
        return client

    async def run(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def collect(self, pager: Any, limit: int | None = None) -> list[Any]:
        """The items of a pager (at most `limit`)."""
        items: list[Any] = []
        if self.is_async:
            async for item in pager:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        else:
            for item in pager:
                items.append(item)
                if limit is not None and len(items) >= limit:
                    break
        return items

    async def pages(self, pager: Any, continuation_token: str | None = None) -> list[Any]:
        if self.is_async:
            return [page async for page in pager.by_page(continuation_token)]
        return list(pager.by_page(continuation_token))

    async def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A plain HTTP call to the same app (the control plane, the token endpoint)."""
        response: httpx.Response = await self.run(self._admin.request, method, path, **kwargs)
        return response

    async def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        kwargs["headers"] = {**ADMIN, **kwargs.get("headers", {})}
        return await self.raw(method, path, **kwargs)

    async def add_fault(self, **spec: Any) -> dict[str, Any]:
        response = await self.admin("POST", "/_tenantry/faults", json=spec)
        assert response.status_code == 201, response.text
        fault: dict[str, Any] = response.json()
        return fault

    async def requests_with(self, request_id: str) -> list[dict[str, Any]]:
        """The recorded requests that carried this MS-RequestId, oldest first."""
        response = await self.admin("GET", "/_tenantry/requests", params={"limit": 1000})
        assert response.status_code == 200, response.text
        items = [r for r in response.json()["items"] if r["requestId"] == request_id]
        return items[::-1]

    async def user_token(self) -> str:
        """An App+User token of the development partner's user (the sandbox password grant)."""
        response = await self.raw(
            "POST",
            f"/{DEV_TENANT_ID}/oauth2/v2.0/token",
            data={
                "grant_type": "password",
                "client_id": DEV_CLIENT_ID,
                "username": DEV_USER_UPN,
                "password": DEV_USER_PASSWORD,
                "scope": "https://api.partnercenter.microsoft.com/user_impersonation",
            },
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def close(self) -> None:
        await self.admin("DELETE", "/_tenantry/faults")
        for close in reversed(self._closers):
            await self.run(close)


@pytest.fixture(params=MODES)
def _harness(request: pytest.FixtureRequest, backend: str) -> Harness:
    # Synchronous, so that it may start the session's servers and apps on demand.
    return Harness(request.param, request)


@pytest.fixture
async def harness(_harness: Harness) -> AsyncIterator[Harness]:
    yield _harness
    await _harness.close()


@pytest.fixture
def sdk(harness: Harness) -> Any:
    """A client of the harness's kind signed in as the development partner's app."""
    return harness.client()


@pytest.fixture
async def user_sdk(harness: Harness) -> Any:
    """A client signed in as the development partner's user (App+User)."""
    return harness.client(await harness.user_token())


def no_wait() -> tuple[list[float], Callable[[float], Any]]:
    """A recording `sleep` for sync or async clients: retries happen at once."""
    waits: list[float] = []

    def sleep(seconds: float) -> Any:
        waits.append(seconds)
        return _done()

    return waits, sleep


class _done:
    """An awaitable that is already finished (and harmless when not awaited)."""

    def __await__(self) -> Iterator[None]:
        return iter(())


@pytest.fixture
def faults(server: LiveServer) -> Iterator[httpx.Client]:
    """The sandbox's fault injection, cleared after the test."""
    with httpx.Client(base_url=server.base_url, headers=ADMIN, timeout=30) as admin:
        yield admin
        admin.delete("/_tenantry/faults")
