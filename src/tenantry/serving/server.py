"""The uvicorn server `tenantry serve` runs: graceful shutdown that readiness can see.

On SIGTERM or SIGINT uvicorn stops accepting connections, lets the requests in flight
finish (for at most the graceful timeout), then runs the application's shutdown. This
subclass also turns `/readyz` to 503 at the signal, before anything else happens.

`run_server` (over `server_config`, the one place uvicorn's settings are chosen) runs it,
for the single process and for each worker of `--workers N` alike.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from types import FrameType
from typing import cast

import uvicorn
from fastapi import FastAPI

from tenantry import logs
from tenantry.api.routes.health import Readiness
from tenantry.config import DEFAULT_HOST, DEFAULT_PORT
from tenantry.http.context import MAX_HEADER_BYTES

# With the h11 parser, a request head (request line and headers) larger than this is
# refused (400) before the application sees it; the application refuses headers over
# MAX_HEADER_BYTES whichever parser runs.
MAX_REQUEST_HEAD_BYTES = MAX_HEADER_BYTES + 8 * 1024


@dataclass(frozen=True)
class ServerOptions:
    """How a server process logs and stops (`--log-level`, `--log-format`,
    `--graceful-timeout`); pickled into each worker."""

    log_level: str
    log_format: str
    graceful_timeout: float


def server_config(
    app: FastAPI, options: ServerOptions, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> uvicorn.Config:
    """The uvicorn configuration of one server process. A worker serves on a socket its
    parent bound, so `host` and `port` do not matter there."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=options.log_level,
        log_config=logs.logging_config(options.log_format, options.log_level),
        access_log=False,
        server_header=False,
        # uvicorn waits with asyncio.wait_for, which takes seconds as a float.
        timeout_graceful_shutdown=cast(int, options.graceful_timeout),
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
    )


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._readiness: Readiness = app.state.readiness

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._readiness.draining = True
        super().handle_exit(sig, frame)


def run_server(
    app: FastAPI,
    options: ServerOptions,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    sockets: list[socket.socket] | None = None,
) -> bool:
    """Serve `app` until SIGTERM or SIGINT, on `host:port` or on `sockets` already bound.
    False if it never started (the address was taken, say)."""
    server = DrainingServer(server_config(app, options, host, port), app)
    server.run(sockets=sockets)
    return server.started
