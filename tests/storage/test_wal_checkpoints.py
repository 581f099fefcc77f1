"""A server's SQLite file is checkpointed by a thread of its own, not inside commits."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from tenantry.config import Settings
from tenantry.runtime import open_runtime
from tenantry.storage import sqlite_inline
from tenantry.storage import tables as t
from tenantry.storage.db import create_engine
from tenantry.storage.wal_checkpoints import WalCheckpointer


def _log_frames(path: Path) -> tuple[int, int]:
    """(frames in the write-ahead log, frames of it already copied to the database), as a
    passive checkpoint of nothing new reports them."""
    with sqlite3.connect(path, timeout=0) as db:
        _busy, frames, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return frames, copied


def _wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def _rows_in_the_file(path: Path, tmp_path: Path) -> int:
    """The events the database file itself holds, without what is only in its log."""
    copy = tmp_path / "file-only.sqlite"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as db:
        return int(db.execute("SELECT count(*) FROM audit_events").fetchone()[0])


async def _write_events(url: str, count: int, *, background: bool, first: int = 0) -> None:
    engine = create_engine(url, lock_wait_seconds=1, background_checkpoints=background)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(t.metadata.create_all)
            automatic = (await conn.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one()
            assert automatic == (0 if background else 1000)
        for n in range(first, first + count):
            async with engine.begin() as conn:
                await conn.execute(
                    insert(t.audit_events),
                    {
                        "id": f"event-{n}",
                        "occurred_at": datetime.now(UTC),
                        "action": "a",
                        "actor_type": "app",
                        "actor_id": "x" * 200,
                        "target_type": "customer",
                        "target_id": "y" * 200,
                        "details": {"padding": "z" * 3000},
                    },
                )
    finally:
        await engine.dispose()


async def test_the_thread_checkpoints_what_the_connections_leave(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    await _write_events(url, 1, background=True)
    checkpointer = WalCheckpointer(str(path), interval=0.02)
    checkpointer.start()
    try:
        # Well past SQLite's own threshold of 1,000 pages, which no commit acts on here.
        await _write_events(url, 1500, background=True, first=1)
        _wait_until(lambda: checkpointer.checkpoints >= 2)
    finally:
        checkpointer.stop()
    assert checkpointer.checkpoints >= 2
    frames, copied = _log_frames(path)
    assert frames == copied  # nothing is left only in the log
    # The log restarts once copied: it never held the ~1,500 pages written.
    assert frames < 1500


async def test_stopping_checkpoints_what_was_written_last(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    url = f"sqlite+aiosqlite:///{path}"
    checkpointer = WalCheckpointer(str(path), interval=3600)  # only the last one runs
    await _write_events(url, 1, background=True)
    # While a connection stays open, closing the engine's does not checkpoint the log.
    keep_open = sqlite3.connect(path)
    try:
        keep_open.execute("SELECT count(*) FROM audit_events").fetchone()
        await _write_events(url, 20, background=True, first=1)
        assert _rows_in_the_file(path, tmp_path) <= 1
        checkpointer.start()
        checkpointer.stop()
        assert checkpointer.checkpoints == 1
        assert _rows_in_the_file(path, tmp_path) == 21
    finally:
        keep_open.close()


async def test_a_server_checkpoints_in_a_thread_and_a_command_does_not(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, customer_cap=0)
    server = await open_runtime(settings)
    try:
        assert server.checkpointer is not None
        async with server.engine.connect() as conn:
            pragma = await conn.execute(text("PRAGMA wal_autocheckpoint"))
            assert pragma.scalar_one() == 0
    finally:
        await server.close()
    command = await open_runtime(Settings(data_dir=tmp_path, customer_cap=0), bootstrap=False)
    try:
        assert command.checkpointer is None
        async with command.engine.connect() as conn:
            pragma = await conn.execute(text("PRAGMA wal_autocheckpoint"))
            assert pragma.scalar_one() == 1000
    finally:
        await command.close()


def test_a_checkpoint_that_fails_is_skipped_and_the_thread_still_stops(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database"
    path.write_bytes(b"not SQLite " * 1000)
    checkpointer = WalCheckpointer(str(path), interval=3600)
    checkpointer.start()
    checkpointer.stop()  # its last checkpoint meets "file is not a database"
    assert checkpointer.checkpoints == 0
    assert path.read_bytes() == b"not SQLite " * 1000


async def _write_while_locked(path: Path, *, restarting: bool) -> tuple[float, int]:
    """Insert an event while another connection holds the write lock for 0.3 s, as the
    checkpoint thread does while it restarts the log (`restarting`) or as any other
    writer would. (Seconds the insert took, turns of the event loop meanwhile.)"""
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url, lock_wait_seconds=10, background_checkpoints=True)
    checkpointer = WalCheckpointer(str(path), interval=3600)
    checkpointer.start()
    holder = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    turns = 0
    done = asyncio.Event()

    async def count_turns() -> None:
        nonlocal turns
        while not done.is_set():
            turns += 1
            await asyncio.sleep(0)

    def release() -> None:
        time.sleep(0.3)
        holder.execute("COMMIT")
        checkpointer._gate.set()

    try:
        async with engine.begin() as conn:
            await conn.run_sync(t.metadata.create_all)
        holder.execute("BEGIN IMMEDIATE")
        if restarting:
            checkpointer._gate.clear()
        releaser = threading.Thread(target=release)
        releaser.start()
        ticker = asyncio.create_task(count_turns())
        await asyncio.sleep(0)
        started, before = time.monotonic(), turns
        async with engine.begin() as conn:
            await conn.execute(
                insert(t.audit_events),
                {
                    "id": "event",
                    "occurred_at": datetime.now(UTC),
                    "action": "a",
                    "actor_type": "app",
                    "actor_id": "x",
                    "target_type": "customer",
                    "target_id": "y",
                    "details": {},
                },
            )
        took, during = time.monotonic() - started, turns - before
        done.set()
        await ticker
        releaser.join()
        return took, during
    finally:
        holder.close()
        checkpointer.stop()
        await engine.dispose()


async def test_a_write_refused_while_the_log_restarts_waits_without_giving_up_its_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restart of the log holds the write lock for milliseconds; under load a write that
    gave up its turn of the loop waited tens of them. It waits for the restart instead
    (here a long one: the bound on that wait, 50 ms, is raised to keep the test steady)."""
    monkeypatch.setattr(sqlite_inline, "_RESTART_WAIT", 5.0)
    took, turns = await _write_while_locked(tmp_path / "restart.sqlite", restarting=True)
    assert took >= 0.25
    # A write that meets no lock takes a few turns of its own; waiting by turns took
    # hundreds in 0.3 s.
    assert turns < 10
    # Any other holder of the lock (another process, say) is waited for as before: the
    # loop goes on serving meanwhile.
    took, turns = await _write_while_locked(tmp_path / "other.sqlite", restarting=False)
    assert took >= 0.25
    assert turns > 50
