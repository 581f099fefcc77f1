"""Shared fixtures: a live server per storage backend (SQLite and PostgreSQL)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

from tenantry.config import Settings
from tests.support.server import LiveServer
from tests.support.storage import (
    postgres_looked_for,
    shared_postgres,
    stop_shared_postgres,
    storage_arguments,
    why_no_postgres,
)

BACKENDS = ["sqlite", "postgresql"]

# No per-example time limit: on a busy machine Hypothesis's default 200 ms deadline fails
# properties that hold (a timing assertion in disguise).
settings.register_profile("tenantry", deadline=None)
settings.load_profile("tenantry")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Under pytest-xdist each worker looks for PostgreSQL; it tells the controller (below).
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None and postgres_looked_for():
        server = shared_postgres()
        worker_output["postgres"] = (server.how, True) if server else (why_no_postgres(), False)
    stop_shared_postgres()


# What each pytest-xdist worker said of PostgreSQL: (how it ran, or why not; whether it ran).
_WORKERS_POSTGRES: list[tuple[str, bool]] = []


def pytest_testnodedown(node: Any, error: object) -> None:
    said = getattr(node, "workeroutput", {}).get("postgres")
    if said is not None:
        _WORKERS_POSTGRES.append((str(said[0]), bool(said[1])))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    said = list(_WORKERS_POSTGRES)
    if postgres_looked_for():
        server = shared_postgres()
        said.append((server.how, True) if server else (why_no_postgres(), False))
    for text in sorted({text for text, ran in said if not ran}):
        terminalreporter.write_line("PostgreSQL tests could NOT run: " + text, red=True, bold=True)
    for text in sorted({text for text, ran in said if ran}):
        terminalreporter.write_line(f"PostgreSQL tests ran against {text}.", green=True)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    if name == "postgresql" and shared_postgres() is None:
        pytest.skip("PostgreSQL unavailable: " + why_no_postgres())
    return name


ServerFactory = Callable[..., LiveServer]


@pytest.fixture(scope="session")
def server_factory(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerFactory]:
    """Start extra servers with custom settings on the current backend."""
    started = _STARTED.setdefault(backend, [])

    def start(
        extra_routes: dict[str, Callable[[], Any]] | None = None, **overrides: Any
    ) -> LiveServer:
        data_dir = tmp_path_factory.mktemp("tenantry")
        database_url = None
        if backend == "postgresql":
            pg = shared_postgres()
            assert pg is not None
            database_url = pg.new_database()
        # No customer cap unless a test asks for one: the suite creates far more than 75.
        base = Settings(
            data_dir=data_dir, database_url=database_url, customer_cap=0, customer_rate_limit=0
        )
        settings = dataclasses.replace(base, **overrides)
        server = LiveServer(settings, backend, extra_routes=extra_routes).start()
        started.append((server, database_url))
        return server

    yield start
    for server, database_url in started:
        server.stop()
        if database_url is not None:
            pg = shared_postgres()
            assert pg is not None
            pg.drop_database(database_url)
    started.clear()


# Servers started by `server_factory`, per backend; they live until the session ends.
_STARTED: dict[str, list[tuple[LiveServer, str | None]]] = {}


@pytest.fixture(autouse=True, scope="module")
def _idle_connections_closed() -> Iterator[None]:
    """After each module, the live PostgreSQL servers close their idle pooled connections
    (they reopen on demand). Dozens of servers live for the whole session, and each keeps
    what its busiest test opened: together they would exhaust the shared server's
    `max_connections` before the last modules run."""
    yield
    for server, database_url in _STARTED.get("postgresql", []):
        if database_url is not None and server.running:
            server.call(server.runtime.engine.dispose())


@pytest.fixture(scope="session")
def server(server_factory: ServerFactory) -> LiveServer:
    """The default sandbox server for the current backend, shared by a whole session."""
    return server_factory()


@pytest.fixture(scope="session")
def token(server: LiveServer) -> str:
    return server.token()


@pytest.fixture(scope="session")
def user_token(server: LiveServer) -> str:
    return server.user_token()


@pytest.fixture
async def user_client(server: LiveServer, user_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """Signed in as the development partner's user (App+User)."""
    async with httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {user_token}"},
        timeout=60,
    ) as http:
        yield http


@pytest.fixture
async def client(server: LiveServer, token: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=60,
    ) as http:
        yield http


@pytest.fixture
def storage_args(backend: str, tmp_path: Path) -> Iterator[list[str]]:
    """Command-line arguments that put a `tenantry` process's data on the current backend."""
    with storage_arguments(backend, tmp_path / "data") as args:
        yield args
