"""`tenantry serve` as a process: its JSON log lines, no secret in logs or database, and a
graceful shutdown that finishes the request in flight."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import DEV_ADMIN_KEY
from tests.support import payloads
from tests.support.process import ServeProcess, tenantry
from tests.support.storage import shared_postgres

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}


@pytest.fixture
def served(backend: str, tmp_path: Path) -> Iterator[tuple[ServeProcess, str, Path]]:
    database_url = None
    if backend == "postgresql":
        pg = shared_postgres()
        assert pg is not None
        database_url = pg.new_database()
    where = ["--data-dir", str(tmp_path)]
    if database_url is not None:
        where += ["--database-url", database_url]
    process = ServeProcess(*where, "--log-format", "json").wait_ready()
    try:
        yield process, database_url or "", tmp_path
    finally:
        process.stop()
        if database_url is not None:
            pg = shared_postgres()
            assert pg is not None
            pg.drop_database(database_url)


def _database_text(database_url: str, data_dir: Path) -> str:
    """Every value of every column of every table, as text."""
    values: list[str] = []
    if database_url:
        plain = make_url(database_url).set(drivername="postgresql")
        with psycopg.connect(plain.render_as_string(hide_password=False)) as conn:
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
            for (table,) in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                    values += [_text(v) for v in row]
    else:
        with sqlite3.connect(data_dir / "tenantry.db") as conn:
            names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            for (table,) in names:
                for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                    values += [_text(v) for v in row]
    return "\n".join(values)


def _text(value: Any) -> str:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("latin-1")
    return json.dumps(value, default=str) if isinstance(value, (dict, list)) else str(value)


def test_no_secret_reaches_the_logs_or_the_database(
    served: tuple[ServeProcess, str, Path],
) -> None:
    process, database_url, data_dir = served
    base = process.base_url
    secrets: list[str] = []  # the development password is public (the banner shows it)
    token_url = f"{base}/{DEV_TENANT_ID}/oauth2/v2.0/token"
    grant = httpx.post(
        token_url,
        data={
            "grant_type": "password",
            "client_id": DEV_CLIENT_ID,
            "username": DEV_USER_UPN,
            "password": DEV_USER_PASSWORD,
            "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation offline_access",
        },
    ).json()
    secrets.append(grant["access_token"])
    if "refresh_token" in grant:
        secrets.append(grant["refresh_token"])
        refreshed = httpx.post(
            token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": DEV_CLIENT_ID,
                "refresh_token": grant["refresh_token"],
                "scope": f"{PARTNER_CENTER_AUDIENCE}/user_impersonation offline_access",
            },
        ).json()
        secrets += [refreshed.get("access_token", ""), refreshed.get("refresh_token", "")]
    bad = httpx.post(token_url, data={**grant, "grant_type": "password", "password": "x" * 20})
    assert bad.status_code == 400
    auth = {"Authorization": f"Bearer {grant['access_token']}"}
    for _ in range(3):
        created = httpx.post(
            f"{base}/v1/customers",
            json=payloads.minimal(),
            headers={**auth, "MS-RequestId": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        secrets.append(created.json()["userCredentials"]["password"])
    # A request whose token is garbage: the token must not be echoed into a log line.
    httpx.get(f"{base}/v1/customers/{uuid.uuid4()}", headers={"Authorization": "Bearer eyJx.y.z"})
    where = ["--data-dir", str(data_dir)] + (["--database-url", database_url] * bool(database_url))
    partner = tenantry(
        "partners", "create", "--name", "P", "--type", "direct_bill", "--country", "US", *where
    ).stdout.strip()
    app = tenantry("partners", "add-app", partner, *where).stdout
    secrets.append(app.split("client secret:")[1].split()[0])
    secrets = [s for s in secrets if s]

    process.stop()
    logs = process.output()
    stored = _database_text(database_url, data_dir)

    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "tenantry.access"]
    assert len(requests) >= 7
    create = next(line for line in requests if line["route"] == "/v1/customers")
    assert {"method", "status", "duration_ms", "request_id", "correlation_id", "cv"} <= set(create)
    assert create["partner_id"] == DEV_TENANT_ID
    for secret in secrets:
        assert secret not in logs
        assert secret not in stored
    assert "eyJx.y.z" not in logs
    assert DEV_USER_PASSWORD not in stored


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    process = ServeProcess("--data-dir", str(tmp_path)).wait_ready()
    try:
        fault = {"route": "POST /v1/customers", "kind": "latency", "milliseconds": 2000}
        added = httpx.post(f"{process.base_url}/_tenantry/faults", json=fault, headers=ADMIN)
        assert added.status_code == 201, added.text
        token = httpx.post(
            f"{process.base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": DEV_CLIENT_ID,
                "client_secret": DEV_CLIENT_SECRET,
                "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
            },
        ).json()["access_token"]
        answers: list[httpx.Response] = []

        def create() -> None:
            answers.append(
                httpx.post(
                    f"{process.base_url}/v1/customers",
                    json=payloads.minimal(),
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
            )

        slow = threading.Thread(target=create)
        slow.start()
        ready = httpx.get(f"{process.base_url}/readyz")
        assert ready.status_code == 200
        threading.Event().wait(0.7)  # the request is now inside its injected latency
        process.proc.send_signal(signal.SIGTERM)
        slow.join(timeout=30)
        assert answers, "the request in flight got no answer"
        assert answers[0].status_code == 201, answers[0].text
        assert process.proc.wait(timeout=30) == -signal.SIGTERM  # 143 in a shell
    finally:
        process.stop()
