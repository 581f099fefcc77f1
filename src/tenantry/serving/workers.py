"""`tenantry serve --workers N`: N server processes on one port, spread by the kernel.

The parent process brings the database up to date once (migrations, signing keys, the
development partner, a seed file), then starts N worker processes. Each worker gets a
listening socket of its own, bound to the same address with `SO_REUSEPORT`, so the kernel
hashes every new connection to one of them: keep-alive clients that open all their
connections at once are spread too, which one shared listening socket does not do (the
first worker to wake up tends to accept them all). See docs/decisions/0009-workers.md.
An admin listener (`--admin-port`) is bound the same way, a socket per worker.

SIGTERM or SIGINT to the parent stops every worker gracefully: each one takes in what is
queued on its sockets and answers every request it took (`serving/drain.py`). Then the
parent ends by the same signal, as one process does (exit status 143 after SIGTERM). A
worker that dies after start-up is replaced; one that fails during start-up stops them all.

The workers share a private directory for Prometheus' multiprocess mode, so that one scrape
of `/metrics` sees them all (`http/metrics_registry.py`); the parent removes it at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import orjson
from sqlalchemy.engine import make_url
from starlette.requests import Request
from starlette.responses import Response

from tenantry.config import Settings
from tenantry.control.auth import AdminDep
from tenantry.http.errors import JSON_TYPE
from tenantry.http.metrics_registry import MULTIPROCESS_DIR_VARIABLE
from tenantry.serving.listeners import admin_address, listening_socket
from tenantry.serving.server import ServerOptions

log = logging.getLogger("tenantry.workers")

WORKER_PATH = "/_tenantry/worker"
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0  # past the graceful timeout
# A worker that keeps dying is not replaced forever: more than this many replacements
# within RESTART_WINDOW_SECONDS stop the server.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 60.0


class WorkersRefused(ValueError):
    """These settings cannot run as several processes; the message says why."""


def check_workers(settings: Settings, workers: int) -> None:
    """Refuse what cannot work with several processes, before anything starts."""
    if workers < 1:
        raise WorkersRefused("--workers must be 1 or more")
    if workers == 1:
        return
    if settings.ephemeral:
        raise WorkersRefused(
            "--workers cannot be combined with --ephemeral: every worker would remove the "
            "shared temporary data directory when it stops. Use --data-dir with a directory "
            "of your own instead."
        )
    if not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"):
        raise WorkersRefused(
            "--workers needs Linux, whose SO_REUSEPORT spreads connections across processes; "
            "elsewhere run one `tenantry serve` per port behind a load balancer"
        )
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise WorkersRefused(
            "--workers needs a database every process can open; an in-memory SQLite "
            "database belongs to one process"
        )


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker process needs; pickled into the child."""

    settings: Settings
    index: int  # 1..N, stable across replacements
    workers: int
    options: ServerOptions


def _watch_parent(parent: int) -> None:
    """Stop this worker if the parent disappears (killed with SIGKILL, say), instead of
    serving on as an orphan nobody will stop."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _add_worker_route(app: Any, spec: WorkerSpec) -> None:
    """`GET /_tenantry/worker` (sandbox, admin key): which process answered. The sandbox
    control plane's state (faults, request log, limits) is per process, so a test talking
    to several workers can see which one it reached."""

    async def worker(request: Request, _admin: AdminDep) -> Response:
        body = {"pid": os.getpid(), "worker": spec.index, "workers": spec.workers}
        return Response(orjson.dumps(body), media_type=JSON_TYPE)

    app.add_api_route(WORKER_PATH, worker, methods=["GET"], include_in_schema=False)


def run_worker(spec: WorkerSpec, sockets: list[socket.socket], ready: Connection) -> None:
    """The body of one worker process: uvicorn on the sockets the parent bound (the main
    port, and the admin listener if there is one). It says "ready" on the pipe once the
    database and keys are open."""
    from tenantry.app import create_app
    from tenantry.serving.server import run_server

    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()

    def on_ready(_runtime: object) -> None:
        ready.send(os.getpid())
        ready.close()

    app = create_app(spec.settings, on_ready=on_ready)
    if spec.settings.sandbox:
        _add_worker_route(app, spec)
    # The same server and settings as `tenantry serve` in one process.
    started = run_server(app, spec.options, sockets=sockets)
    sys.exit(0 if started else 1)


@dataclass
class _Worker:
    index: int
    process: BaseProcess
    ready: Connection  # the parent's end of the worker's "ready" pipe
    is_ready: bool = False


class Supervisor:
    """Starts the workers, replaces those that die, and stops them all on a signal."""

    def __init__(
        self,
        settings: Settings,
        host: str,
        port: int,
        workers: int,
        options: ServerOptions,
    ) -> None:
        self._settings = settings
        self._host = host
        self._port = port
        self._count = workers
        self._options = options
        self._context = multiprocessing.get_context("spawn")
        self._workers: dict[int, _Worker] = {}
        self._restarts: list[float] = []
        self._signals = 0
        self.signal: int | None = None  # the first SIGTERM or SIGINT
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)

    @property
    def port(self) -> int:
        return self._port

    def pids(self) -> list[int]:
        return [w.process.pid for _, w in sorted(self._workers.items()) if w.process.pid]

    def _start(self, index: int) -> None:
        sockets = [listening_socket(self._host, self._port, shared=True)]
        try:
            self._port = int(sockets[0].getsockname()[1])  # the real port, if 0 was asked for
            if (admin := admin_address(self._settings)) is not None:
                sockets.append(listening_socket(*admin, shared=True))
            spec = WorkerSpec(
                # The parent loaded the seed file once; workers must not load it again.
                settings=dataclasses.replace(self._settings, seed_file=None),
                index=index,
                workers=self._count,
                options=self._options,
            )
            ours, theirs = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=run_worker, args=(spec, sockets, theirs), name=f"tenantry-worker-{index}"
            )
            try:
                process.start()
            finally:
                theirs.close()
        finally:
            # The child holds its own copies now; closing ours means the sockets leave the
            # port's group as soon as its worker exits.
            for sock in sockets:
                sock.close()
        self._workers[index] = _Worker(index, process, ours)

    @property
    def interrupted(self) -> bool:
        """Whether SIGTERM or SIGINT arrived."""
        return self._signals > 0

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        if self.signal is None:
            self.signal = signum
        with contextlib.suppress(OSError):
            os.write(self._wake_write, b"x")

    def _wait_ready(self, worker: _Worker) -> None:
        with contextlib.suppress(EOFError, OSError):
            worker.ready.recv()
            worker.is_ready = True
        worker.ready.close()

    def start(self) -> bool:
        """Start every worker and wait until each is ready. False if one failed."""
        for index in range(1, self._count + 1):
            self._start(index)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not all(w.is_ready for w in self._workers.values()):
            pending = {w.ready: w for w in self._workers.values() if not w.is_ready}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print(
                    f"tenantry: the workers were not ready within {START_TIMEOUT_SECONDS:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                return False
            # A pipe is readable when its worker said "ready" or exited (end of file).
            for done in multiprocessing.connection.wait(
                [*pending, self._wake_read], timeout=remaining
            ):
                if done in pending:
                    self._wait_ready(pending[done])
            if self._signals:
                return False
            for worker in pending.values():
                if worker.ready.closed and not worker.is_ready:
                    worker.process.join(timeout=5)
                    print(
                        f"tenantry: worker {worker.index} exited during start-up "
                        f"(exit code {worker.process.exitcode})",
                        file=sys.stderr,
                        flush=True,
                    )
                    return False
        return True

    def _replace(self, worker: _Worker) -> bool:
        """Start a new worker in place of one that died. False when it keeps dying."""
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_SECONDS]
        if len(self._restarts) >= MAX_RESTARTS:
            print(
                f"tenantry: workers died {MAX_RESTARTS} times within "
                f"{RESTART_WINDOW_SECONDS:.0f} s; stopping",
                file=sys.stderr,
                flush=True,
            )
            return False
        self._restarts.append(now)
        _mark_dead(worker.process.pid)
        print(
            f"tenantry: worker {worker.index} (pid {worker.process.pid}) exited "
            f"(exit code {worker.process.exitcode}); starting a new one",
            file=sys.stderr,
            flush=True,
        )
        self._start(worker.index)
        return True

    def supervise(self) -> int:
        """Wait for a signal (0 after a clean stop) or for workers that die."""
        while not self._signals:
            waiting: dict[Any, _Worker] = {}
            for worker in self._workers.values():
                waiting[worker.process.sentinel] = worker
                if not worker.is_ready and not worker.ready.closed:  # a replacement starting
                    waiting[worker.ready] = worker
            for done in multiprocessing.connection.wait([*waiting, self._wake_read]):
                starting = waiting.get(done)
                if starting is not None and done is starting.ready:
                    self._wait_ready(starting)
            if self._signals:
                break
            for worker in list(self._workers.values()):
                if worker.process.is_alive():
                    continue
                worker.process.join()
                if not worker.ready.closed:
                    worker.ready.close()
                if not self._replace(worker):
                    return 1
        return 0

    def stop(self) -> None:
        """SIGTERM to every worker, then wait; SIGKILL after the timeout or a second
        signal to the parent."""
        signals_at_stop = self._signals
        for worker in self._workers.values():
            if worker.process.is_alive() and worker.process.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.process.pid, signal.SIGTERM)
        # Each worker lets its requests in flight finish for the graceful timeout first.
        deadline = time.monotonic() + self._options.graceful_timeout + STOP_TIMEOUT_SECONDS
        for worker in self._workers.values():
            while worker.process.is_alive():
                if time.monotonic() > deadline or self._signals > max(signals_at_stop, 1):
                    worker.process.kill()
                worker.process.join(timeout=0.1)
            _mark_dead(worker.process.pid)
        os.close(self._wake_read)
        os.close(self._wake_write)

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)


def serve_workers(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    announce: Callable[[int, list[int]], None],
    options: ServerOptions,
) -> int:
    """Run `workers` server processes until SIGTERM or SIGINT. The caller has prepared the
    database (migrations, keys, seed) already. `announce(port, pids)` runs once all
    workers are ready."""
    metrics_dir = tempfile.mkdtemp(prefix="tenantry-metrics-")
    os.environ[MULTIPROCESS_DIR_VARIABLE] = metrics_dir  # inherited by every worker
    supervisor = Supervisor(settings, host, port, workers, options)
    supervisor.install_signal_handlers()
    try:
        if not supervisor.start():
            code = 1
        else:
            announce(supervisor.port, supervisor.pids())
            code = supervisor.supervise()
    finally:
        supervisor.stop()
        del os.environ[MULTIPROCESS_DIR_VARIABLE]
        shutil.rmtree(metrics_dir, ignore_errors=True)
    if supervisor.signal is not None:
        _end_by(supervisor.signal)
    return code


def _mark_dead(pid: int | None) -> None:
    """Drop a dead worker's pool gauges from what a scrape sums; its counters stay."""
    path = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if pid is not None and path:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid, path)  # type: ignore[no-untyped-call]


def _end_by(signum: int) -> None:
    """End this process by the signal that stopped it, as uvicorn does in one process: the
    exit status is then 128 + the signal's number (143 after SIGTERM, 130 after SIGINT).
    Where the signal is ignored with its default action (process 1 of a container), this
    returns and the caller exits 0."""
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
