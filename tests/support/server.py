"""The test suite's live server: Tenantry's packaged threaded server, plus test helpers."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from tenantry.config import Settings
from tenantry.runtime import Runtime
from tenantry.testing import Sandbox, ThreadedServer

T = TypeVar("T")


class LiveServer(ThreadedServer):
    def __init__(
        self,
        settings: Settings,
        backend: str,
        extra_routes: dict[str, Callable[[], Any]] | None = None,
    ) -> None:
        super().__init__(settings)
        self.backend = backend
        for path, endpoint in (extra_routes or {}).items():  # test-only routes
            self.app.add_api_route(path, endpoint)
        self._sandbox = Sandbox(self.base_url, settings.admin_key)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = super().runtime
        return runtime

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        result: T = super().call(coro)
        return result

    def start(self, timeout: float = 30) -> LiveServer:  # type: ignore[override]
        super().start(timeout)
        return self

    def stop(self) -> None:
        self._sandbox.close()  # its pooled HTTP client
        super().stop()

    def token(self) -> str:
        return self._sandbox.token()

    def user_token(self) -> str:
        return self._sandbox.user_token()
