"""docs/operations.md, "Backup and restore", SQLite: both online backups taken as written
while a production node serves and writes, each restored as written and read back with the
same master key; with another key the restored database is refused."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tests.ops.walkthrough import (
    blocks,
    free_ports,
    logs,
    operator_env,
    section,
    shell,
    with_ports,
)
from tests.support import payloads
from tests.support.process import ServeProcess

BACKUP, RESTORE = blocks(section("Backup and restore").split("### SQLite", 1)[1], "sh")


def _tenantry(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["tenantry", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _key(path: Path, env: dict[str, str]) -> Path:
    path.write_text(_tenantry("keygen", env=env))
    path.chmod(0o600)
    return path


class Node:
    """A production node on SQLite with a partner, its app and a token."""

    def __init__(self, root: Path) -> None:
        self.root = root
        data = root / "var" / "lib" / "tenantry"
        data.mkdir(parents=True)
        (root / "var" / "backups").mkdir()
        self.env = operator_env(TENANTRY_MODE="production")
        self.env["TENANTRY_MASTER_KEY_FILE"] = str(_key(root / "master.key", self.env))
        where = ["--data-dir", str(data)]
        _tenantry("db", "upgrade", *where, env=self.env)
        tenant = _tenantry(
            "partners",
            "create",
            "--name",
            "Contoso",
            "--type",
            "direct_bill",
            "--country",
            "US",
            *where,
            env=self.env,
        ).strip()
        app = _tenantry("partners", "add-app", tenant, *where, env=self.env)
        self.server = ServeProcess("--no-migrate", *where, env=self.env).wait_ready()
        self.token = httpx.post(
            f"{self.server.base_url}/{tenant}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": re.findall(r"client id:\s+(\S+)", app)[0],
                "client_secret": re.findall(r"client secret:\s+(\S+)", app)[0],
                "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
            },
        ).json()["access_token"]

    def create(self) -> dict[str, object]:
        created = httpx.post(
            f"{self.server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {self.token}", "MS-RequestId": str(uuid.uuid4())},
            timeout=30,
        )
        assert created.status_code == 201, created.text
        body: dict[str, object] = created.json()
        body.pop("userCredentials", None)
        return body


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    running = Node(tmp_path)
    try:
        yield running
    finally:
        running.server.stop()


def _here(script: str, root: Path) -> str:
    """The documented directories under /var, in the test's directory instead."""
    return script.replace("/var/", f"{root}/var/")


def test_online_backups_restore_and_read_back(node: Node) -> None:
    customer = node.create()
    writing = threading.Event()
    stop = threading.Event()

    def keep_writing() -> None:  # the service writes while the backups run
        while not stop.is_set():
            node.create()
            writing.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        writing.wait(timeout=30)
        with shell(_here(BACKUP, node.root), node.root, node.env) as ran:
            assert ran.returncode == 0, ran.stderr
    finally:
        stop.set()
        writer.join(timeout=60)

    backups = node.root / "var" / "backups"
    for copy in ("tenantry.db", "tenantry-python.db"):
        with sqlite3.connect(backups / copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    env = {**node.env, "CUSTOMER_ID": str(customer["id"]), "TOKEN": node.token}
    restores = {
        "tenantry.db": _here(RESTORE, node.root),
        "tenantry-python.db": _here(RESTORE, node.root)
        .replace("/tenantry.db", "/tenantry-python.db", 1)
        .replace("tenantry-restored", "tenantry-restored-python"),
    }
    for copy, script in restores.items():
        script = with_ports(script, free_ports(8004))
        with shell(script, node.root, env) as ran:
            assert ran.returncode == 0, f"{copy}: {ran.stderr}\n{logs(node.root)}"
            (line,) = [line for line in ran.stdout.splitlines() if line.startswith("{")]
            assert json.loads(line) == customer


def test_a_restored_database_needs_the_same_master_key(node: Node, tmp_path: Path) -> None:
    node.create()
    with shell(_here(BACKUP, node.root), node.root, node.env) as ran:
        assert ran.returncode == 0, ran.stderr
    restored = tmp_path / "elsewhere"
    restored.mkdir()
    (restored / "tenantry.db").write_bytes((tmp_path / "var/backups/tenantry.db").read_bytes())
    other = {**node.env, "TENANTRY_MASTER_KEY_FILE": str(_key(tmp_path / "other.key", node.env))}
    refused = subprocess.run(
        ["tenantry", "serve", "--no-migrate", "--data-dir", str(restored), "--port", "9"],
        capture_output=True,
        text=True,
        env=other,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert "do not open with this master key" in refused.stderr
    assert "Traceback" not in refused.stderr
