"""httpx transports for the pytest plugin's sandbox: requests carried straight into the
application when it runs in this process, plain HTTP when it runs elsewhere.

`LoopTransport` hands each request to the application on the event loop it is served on
(the in-process sandbox's own thread), as uvicorn would, but without a socket: no
connection, no HTTP parsing. The same object serves `httpx.Client` and `httpx.AsyncClient`
(and so `tenantry_client`'s `PartnerClient` and `AsyncPartnerClient`). What the client sees
is what it would see over a socket: the status, the headers, the body; an error inside the
application is a 500, as from the server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

# A call never waits longer than the SDK's own default timeout would let it.
_TIMEOUT_SECONDS = 60.0
_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class LoopTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Requests into `app` on `loop` (another thread's running loop)."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._loop = loop

    async def _answer(self, request: httpx.Request, body: bytes) -> _Answer:
        inner = httpx.Request(
            request.method, request.url, headers=request.headers.raw, content=body
        )
        response = await self._asgi.handle_async_request(inner)
        content = await response.aread()
        return response.status_code, response.headers.raw, content

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        future = asyncio.run_coroutine_threadsafe(self._answer(request, body), self._loop)
        return _response(future.result(timeout=_TIMEOUT_SECONDS), request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        future = asyncio.run_coroutine_threadsafe(self._answer(request, body), self._loop)
        answer = await asyncio.wait_for(asyncio.wrap_future(future), _TIMEOUT_SECONDS)
        return _response(answer, request)


def _response(answer: _Answer, request: httpx.Request) -> httpx.Response:
    status, headers, content = answer
    return httpx.Response(status, headers=headers, content=content, request=request)


class NetworkTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Plain HTTP, for a sandbox in another process: the same object for both clients.

    It opens one connection pool for each kind of client it serves, on first use, and each
    client closes its own: `httpx.Client.close()` calls `close()` (the sync pool),
    `httpx.AsyncClient.aclose()` calls `aclose()` (the async pool, whose connections belong
    to the event loop that opened them, so only that loop can close them). A transport given
    to both kinds of client is released once both are closed.
    """

    def __init__(self) -> None:
        self._sync: httpx.HTTPTransport | None = None
        self._async: httpx.AsyncHTTPTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._sync is None:
            self._sync = httpx.HTTPTransport()
        return self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._async is None:
            self._async = httpx.AsyncHTTPTransport()
        return await self._async.handle_async_request(request)

    def close(self) -> None:
        """Close the sync pool (the async one is closed by `aclose()`)."""
        if self._sync is not None:
            self._sync.close()
            self._sync = None

    async def aclose(self) -> None:
        """Close the async pool (the sync one is closed by `close()`)."""
        if self._async is not None:
            await self._async.aclose()
            self._async = None
