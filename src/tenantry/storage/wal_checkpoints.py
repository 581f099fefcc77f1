"""WAL checkpoints of a SQLite file, run on a thread of their own.

SQLite copies its write-ahead log back into the database file ("checkpoints") inside the
commit that fills the log past `wal_autocheckpoint` pages, and syncs the file to disk
there. Tenantry's connections run inline on the event loop (`sqlite_inline`), so that
commit held up every request the process was serving: about one commit in sixty took
5–12 ms instead of 0.06 ms on this project's machines. With `background=True`,
`storage.db.create_engine` turns the automatic checkpoints off for the server's
connections, and this thread checkpoints instead, with its own connection: the `sqlite3`
module lets go of the GIL while SQLite works, so the loop goes on serving meanwhile.

A PASSIVE checkpoint never waits for a reader or writer; what it cannot copy now is copied
by the next one. The log therefore stays about as short as SQLite's own policy keeps it.

Starting the log over (RESTART) holds SQLite's write lock for its few milliseconds. A
write refused meanwhile would give up its turn of the event loop (`sqlite_inline`), tens
of milliseconds under load, so each such checkpoint put a handful of requests at the back
of the queue. The checkpoint's *gate* (`restart_gate`) is closed while it runs: a write
refused then waits for the gate on the loop's thread, for those milliseconds, and tries
again at once. See docs/decisions/0028-wal-checkpoints-off-the-loop.md.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading

log = logging.getLogger("tenantry")

# How often the log is looked at; a checkpoint runs only when it has changed since.
INTERVAL_SECONDS = 0.1
# From this many frames in the log (SQLite's own threshold), the log is started over.
RESTART_FRAMES = 1000

# Per database file: set while no restart runs. Waiting on it is bounded: the restart's
# own busy timeout (its connection's `timeout`) ends it if a reader keeps it waiting.
_GATES: dict[str, threading.Event] = {}


def restart_gate(path: str) -> threading.Event | None:
    """The gate of the checkpointer of the file at `path`, if this process runs one."""
    return _GATES.get(path)


class WalCheckpointer:
    """One daemon thread per server process checkpointing the database at `path`."""

    def __init__(self, path: str, interval: float = INTERVAL_SECONDS) -> None:
        self._path = path
        self._wal = path + "-wal"
        self._interval = interval
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._gate = threading.Event()
        self._gate.set()
        self.checkpoints = 0  # how many ran, for the tests

    def start(self) -> None:
        if self._thread is None:
            _GATES[self._path] = self._gate
            self._thread = threading.Thread(
                target=self._run, name="tenantry-wal-checkpoints", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the thread after a last checkpoint of what the log holds."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
            if _GATES.get(self._path) is self._gate:
                del _GATES[self._path]

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=0.01, isolation_level=None)
        try:
            last = self._stamp()
            while not self._stopped.wait(self._interval):
                stamp = self._stamp()
                if stamp != last:
                    last = stamp
                    self._checkpoint(conn)
            self._checkpoint(conn)
        finally:
            conn.close()

    def _stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self._wal)
        except FileNotFoundError:
            return None
        return info.st_mtime_ns, info.st_size

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        try:
            _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if frames >= RESTART_FRAMES:
                self._gate.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                finally:
                    self._gate.set()
            self.checkpoints += 1
        except sqlite3.Error:
            # A busy or vanished database (a reset, a test's teardown): the next turn
            # tries again; the log is only longer meanwhile.
            log.debug("WAL checkpoint skipped", exc_info=True)


def checkpointing(path: str | None) -> WalCheckpointer | None:
    """A started checkpointer for the inline SQLite file at `path`; None without one."""
    if path is None:
        return None
    checkpointer = WalCheckpointer(path)
    checkpointer.start()
    return checkpointer
