"""What one scrape of `/metrics` reports: this process's metrics, or every worker's.

With `tenantry serve --workers N` the parent gives each worker the same private directory
in `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's multiprocess mode: each process writes
its values to files of its own there). A scrape, whichever worker it reaches, then adds up
the files of all of them: counters and histograms sum over every worker that ever ran
(a replaced worker's counts stay), and the database pool gauges sum over the live workers
(the parent marks a dead worker's gauges gone). In one process the variable is not set and
the metrics are that process's own, as always.

The variable must be in the environment before prometheus_client is first imported; the
parent sets it before it starts the workers, which import everything afresh.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import event
from sqlalchemy.pool import Pool

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

POOL_READINGS = (
    ("tenantry_db_pool_size", "Connections the pool keeps open.", "size"),
    ("tenantry_db_pool_checked_out", "Connections in use by requests.", "checkedout"),
    ("tenantry_db_pool_overflow", "Connections opened beyond the pool size.", "overflow"),
)
# SQLAlchemy pool events after which the readings may have changed.
_POOL_EVENTS = ("connect", "checkout", "checkin", "close", "invalidate")


def multiprocess_dir() -> str | None:
    """The shared directory when this process is one of several workers."""
    return os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None


def pool_reading(pool: Any, method: str) -> float | None:
    """One reading of a SQLAlchemy pool (None when this kind of pool has no such reading);
    overflow() is negative while the pool is not full yet, reported as 0."""
    reader = getattr(pool, method, None)
    return float(max(0, reader())) if callable(reader) else None


class SharedPoolGauges:
    """The pool gauges of one worker, written to the shared directory whenever its pool
    changes (a scrape in another worker cannot ask this one's pool), summed over the
    live workers."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._gauges = [
            (Gauge(name, doc, registry=registry, multiprocess_mode="livesum"), method)
            for name, doc, method in POOL_READINGS
        ]

    def watch(self, pool: Any) -> None:
        def refresh() -> None:
            for gauge, method in self._gauges:
                value = pool_reading(pool, method)
                if value is not None:
                    gauge.set(value)

        def soon(*_args: object) -> None:
            # The pool counts a connection back in only after its "checkin" event: read it
            # once the pool's own bookkeeping is done.
            try:
                asyncio.get_running_loop().call_soon(refresh)
            except RuntimeError:  # no event loop in this thread
                refresh()

        if isinstance(pool, Pool):
            for name in _POOL_EVENTS:
                event.listen(pool, name, soon)
        refresh()


def exposition(registry: CollectorRegistry) -> bytes:
    """The text of one scrape: `registry`'s metrics in one process, every worker's with
    several."""
    path = multiprocess_dir()
    if path is None:
        return generate_latest(registry)
    everyone = CollectorRegistry()
    MultiProcessCollector(everyone, path)  # type: ignore[no-untyped-call]
    return generate_latest(everyone)
