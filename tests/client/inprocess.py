"""In-process transports: httpx's ASGI transport, reporting a cut-off answer the way a socket
does, and a blocking variant that runs the app on an event loop in a background thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

T = TypeVar("T")


class InProcessTransport(httpx.ASGITransport):
    """httpx's ASGI transport, except that an answer the app leaves unfinished (the
    sandbox's `drop` fault outside uvicorn) is a `RemoteProtocolError`, as over a socket,
    rather than the transport's internal assertion."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except AssertionError as exc:
            raise httpx.RemoteProtocolError(
                "the server stopped before its answer was complete", request=request
            ) from exc


class ThreadedASGITransport(httpx.BaseTransport):
    """Serves `app` (lifespan included) without a socket, for `httpx.Client`."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._inner = InProcessTransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stack = contextlib.AsyncExitStack()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    def start(self) -> ThreadedASGITransport:
        self._thread.start()
        self._run(self._stack.enter_async_context(self._app.router.lifespan_context(self._app)))
        return self

    def stop(self) -> None:
        self._run(self._stack.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)
        self._loop.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return self._run(send())
