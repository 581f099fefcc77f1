"""The baseline every Tenantry figure is compared with: a minimal FastAPI + pydantic app.

- `POST /orders`: a body of about the size of a create-customer request, parsed into a
  pydantic model (nested address, `EmailStr`), one INSERT, 201 with the stored order;
- `GET /orders/{id}`: one primary-key read, the row parsed back through pydantic;
- `GET /orders?limit=N&before=ID`: one keyset page, newest first.

SQLite: the stdlib `sqlite3` module called inline (WAL, `synchronous=NORMAL`,
`busy_timeout=5000`, one connection per process), the fastest way measured on this
machine (`TOOLING.md` §6). PostgreSQL: an asyncpg pool of 10 per process.
`--workers N` starts N processes, each with its own `SO_REUSEPORT` listening socket.

Run: python benchmarks/baseline_app.py PORT DB [--workers N]
(DB: a SQLite file path or a postgresql:// URL)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException, Path, Query
from pydantic import BaseModel, EmailStr

MAX_ID = 2**63 - 1


class Address(BaseModel):
    country: str
    city: str
    state: str
    addressLine1: str
    postalCode: str
    firstName: str
    lastName: str


class Order(BaseModel):
    domain: str
    email: EmailStr
    companyName: str
    culture: str
    language: str
    address: Address


class StoredOrder(Order):
    id: int
    createdAt: datetime


class OrderPage(BaseModel):
    items: list[StoredOrder]
    next: int | None


def _is_postgres(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


SQLITE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS orders "
    "(id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, email TEXT NOT NULL, body TEXT NOT NULL)"
)
PG_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS orders (id BIGSERIAL PRIMARY KEY, "
    "created_at TIMESTAMPTZ NOT NULL, email TEXT NOT NULL, body JSONB NOT NULL)"
)


def prepare(db: str) -> None:
    """Create the table once, before any worker starts."""
    if _is_postgres(db):
        import asyncpg

        async def create() -> None:
            conn = await asyncpg.connect(db)
            try:
                await conn.execute(PG_SCHEMA)
            finally:
                await conn.close()

        asyncio.run(create())
        return
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(SQLITE_SCHEMA)
    conn.close()


class SqliteStore:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
            self.conn.execute(f"PRAGMA {pragma}")

    async def insert(self, created_at: datetime, email: str, body: str) -> int:
        cursor = self.conn.execute(
            "INSERT INTO orders (created_at, email, body) VALUES (?, ?, ?)",
            (created_at.isoformat(), email, body),
        )
        return int(cursor.lastrowid or 0)

    async def get(self, order_id: int) -> tuple[int, str, str] | None:
        row = self.conn.execute(
            "SELECT id, created_at, body FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    async def page(self, before: int, limit: int) -> list[tuple[int, str, str]]:
        rows = self.conn.execute(
            "SELECT id, created_at, body FROM orders WHERE id < ? ORDER BY id DESC LIMIT ?",
            (before, limit),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    async def close(self) -> None:
        self.conn.close()


class PostgresStore:
    def __init__(self, pool: Any) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        import asyncpg

        return cls(await asyncpg.create_pool(url, min_size=10, max_size=10))

    async def insert(self, created_at: datetime, email: str, body: str) -> int:
        return int(
            await self.pool.fetchval(
                "INSERT INTO orders (created_at, email, body) VALUES ($1, $2, $3) RETURNING id",
                created_at,
                email,
                body,
            )
        )

    async def get(self, order_id: int) -> tuple[int, str, str] | None:
        row = await self.pool.fetchrow(
            "SELECT id, created_at, body::text AS body FROM orders WHERE id = $1", order_id
        )
        return None if row is None else (row["id"], row["created_at"].isoformat(), row["body"])

    async def page(self, before: int, limit: int) -> list[tuple[int, str, str]]:
        rows = await self.pool.fetch(
            "SELECT id, created_at, body::text AS body FROM orders WHERE id < $1 "
            "ORDER BY id DESC LIMIT $2",
            before,
            limit,
        )
        return [(r["id"], r["created_at"].isoformat(), r["body"]) for r in rows]

    async def close(self) -> None:
        await self.pool.close()


def _stored(order_id: int, created_at: str, body: str) -> StoredOrder:
    return StoredOrder.model_validate({**json.loads(body), "id": order_id, "createdAt": created_at})


def build(db: str) -> FastAPI:
    store: Any = None

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        nonlocal store
        store = await PostgresStore.open(db) if _is_postgres(db) else SqliteStore(db)
        try:
            yield
        finally:
            await store.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/orders", status_code=201)
    async def create(order: Order) -> StoredOrder:
        now = datetime.now(UTC)
        body = order.model_dump_json()
        order_id = await store.insert(now, order.email, body)
        return StoredOrder(**order.model_dump(), id=order_id, createdAt=now)

    @app.get("/orders/{order_id}")
    async def read(order_id: int = Path(ge=1, le=MAX_ID)) -> StoredOrder:
        row = await store.get(order_id)
        if row is None:
            raise HTTPException(404)
        return _stored(*row)

    @app.get("/orders")
    async def page(
        limit: int = Query(100, ge=1, le=500), before: int = Query(MAX_ID, ge=1, le=MAX_ID)
    ) -> OrderPage:
        rows = await store.page(before, limit)
        items = [_stored(*row) for row in rows]
        return OrderPage(items=items, next=items[-1].id if len(items) == limit else None)

    @app.get("/healthz")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "pid": os.getpid()}

    return app


def _config(db: str) -> uvicorn.Config:
    # The same uvicorn settings as `tenantry serve`: uvloop and httptools when installed.
    return uvicorn.Config(build(db), log_level="warning", access_log=False, server_header=False)


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    return sock


def _worker(db: str, sock: socket.socket) -> None:
    uvicorn.Server(_config(db)).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("db")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    prepare(args.db)
    if args.workers == 1:
        sock = _listening_socket(args.port)
        uvicorn.Server(_config(args.db)).run(sockets=[sock])
        return
    context = multiprocessing.get_context("spawn")
    processes = []
    for _ in range(args.workers):
        sock = _listening_socket(args.port)
        process = context.Process(target=_worker, args=(args.db, sock))
        process.start()
        sock.close()
        processes.append(process)

    def stop(*_: object) -> None:
        for process in processes:
            process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.join()


if __name__ == "__main__":
    main()
