"""The baseline every Tenantry figure is compared with: a minimal FastAPI + pydantic app
that inserts one SQLite row per POST. Run: python benchmarks/baseline_app.py PORT DB"""

from __future__ import annotations

import json
import sqlite3
import sys

import uvicorn
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr


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


def build(db_path: str) -> FastAPI:
    app = FastAPI()
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, body TEXT)")

    @app.post("/orders", status_code=201)
    def create(order: Order) -> Order:
        conn.execute("INSERT INTO orders (body) VALUES (?)", (json.dumps(order.model_dump()),))
        return order

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    port, db = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(build(db), host="127.0.0.1", port=port, log_level="warning")
