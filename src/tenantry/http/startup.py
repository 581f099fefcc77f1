"""Opening the runtime for a server process without holding up its start.

When the database answers at once, the runtime is open before the server listens, as if
nothing were special. When it does not, the server listens anyway: `/healthz` answers 200,
`/readyz` 503 ("starting"), every other request 503 with Retry-After (`http/availability`),
while the runtime keeps trying to reach the database for `--db-wait` seconds. When it gives
up, or the database cannot be used (a schema this release refuses, a wrong password), the
process says so in one line on stderr and stops with a non-zero status, through the
`stop` the server installed on `Readiness`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenantry.config import Settings
from tenantry.runtime import ConfigurationError, Runtime, open_runtime

log = logging.getLogger("tenantry")


@dataclass
class Readiness:
    """What `/readyz` reports besides the database: whether the runtime is open, whether
    a shutdown began, and why the start failed."""

    ready: bool = False
    draining: bool = False
    failure: str | None = None
    # Ends the server (installed by `serving/server.py`); without one, a failed start
    # raises from the application's lifespan instead.
    stop: Callable[[], None] | None = None


class Startup:
    """Opens the runtime in a task of its own; `begin` returns as soon as it is open, has
    failed, or is waiting for the database."""

    def __init__(
        self,
        settings: Settings,
        readiness: Readiness,
        prepare: Callable[[Runtime], Awaitable[None]],
        announce: Callable[[Runtime], None] | None = None,
    ) -> None:
        self._settings = settings
        self._readiness = readiness
        self._prepare = prepare
        self._announce = announce
        self._settled = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self.runtime: Runtime | None = None

    async def begin(self) -> None:
        self._task = asyncio.create_task(self._open(), name="tenantry-startup")
        await self._settled.wait()
        if self._error is not None and self._readiness.stop is None:
            raise self._error

    async def _open(self) -> None:
        try:
            self.runtime = await open_runtime(self._settings, on_waiting=self._settled.set)
            await self._prepare(self.runtime)
            self._readiness.ready = True
            if self._announce is not None:
                self._announce(self.runtime)
        except ConfigurationError as exc:
            self._fail(exc, str(exc))
        except Exception as exc:
            log.exception("start-up failed")
            self._fail(exc, f"start-up failed: {exc}")
        finally:
            self._settled.set()

    def _fail(self, exc: BaseException, line: str) -> None:
        self._error = exc
        self._readiness.failure = line
        if self._readiness.stop is not None:
            print(f"tenantry: {line}", file=sys.stderr, flush=True)
            self._readiness.stop()

    async def end(self) -> None:
        """Stop a start still waiting for the database; close the runtime if it opened."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.runtime is not None:
            await self.runtime.close()
