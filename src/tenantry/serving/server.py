"""The uvicorn server `tenantry serve` runs: graceful shutdown that readiness can see.

On SIGTERM or SIGINT the server stops accepting connections without resetting those the
kernel had queued (`serving/drain.py`), lets the requests in flight finish (for at most the
graceful timeout), then runs the application's shutdown; uvicorn then re-raises the signal,
which is the exit status. This subclass also turns `/readyz` to 503 at the signal, and
gives the application a way to end the server when its start fails after it began
listening (the database never came: `http/startup.py`).

`run_server` (over `server_config`, the one place uvicorn's settings are chosen) runs it,
for the single process and for each worker of `--workers N` alike.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from dataclasses import dataclass
from types import FrameType
from typing import cast

import uvicorn
from fastapi import FastAPI

from tenantry import logs
from tenantry.config import DEFAULT_HOST, DEFAULT_PORT
from tenantry.http.context import MAX_HEADER_BYTES
from tenantry.http.startup import Readiness
from tenantry.serving import drain
from tenantry.serving.listeners import listening_socket

drain_log = logging.getLogger("uvicorn.error")  # where uvicorn says what its shutdown does

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
        self._readiness.stop = self._start_failed

    def _start_failed(self) -> None:
        self.should_exit = True

    @property
    def failed(self) -> bool:
        """Whether the application's start failed (the reason is on stderr)."""
        return self._readiness.failure is not None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._readiness.draining = True
        super().handle_exit(sig, frame)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, but no request the kernel accepted is dropped
        (`serving/drain.py`)."""
        drain_log.info("Shutting down")
        config = self.config

        def protocol() -> asyncio.Protocol:
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state
            )

        await drain.stop_listening(self.servers, sockets or [], protocol)
        await drain.close_connections(self.server_state.connections)  # type: ignore[arg-type]
        try:
            await asyncio.wait_for(
                self._wait_tasks_to_complete(), timeout=config.timeout_graceful_shutdown
            )
        except TimeoutError:
            drain_log.error(
                "Cancel %s running task(s), timeout graceful shutdown exceeded",
                len(self.server_state.tasks),
            )
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()


def run_server(
    app: FastAPI,
    options: ServerOptions,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    sockets: list[socket.socket] | None = None,
) -> bool:
    """Serve `app` until SIGTERM or SIGINT, on `host:port` or on `sockets` already bound.
    False if it never started (the address was taken, say) or its start failed (the
    database never answered)."""
    admin = getattr(app.state, "admin_listener", None)
    if sockets is None and admin is not None:  # two listeners: bind both here
        try:
            sockets = [listening_socket(host, port), listening_socket(*admin)]
        except OSError as exc:
            print(f"tenantry: cannot listen: {exc.strerror}", file=sys.stderr, flush=True)
            return False
    server = DrainingServer(server_config(app, options, host, port), app)
    server.run(sockets=sockets)
    return server.started and not server.failed
