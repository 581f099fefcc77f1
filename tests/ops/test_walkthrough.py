"""docs/operations.md, "From nothing to two nodes", run as written: the SQL as a superuser
with psql, then every shell block in order, in one bash session. Two production nodes on
one PostgreSQL database, a customer created on A and read on B, a pg_dump restored into a
new database and read back by a third node with the same master key."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.ops.walkthrough import blocks, free_ports, logs, operator_env, section, shell, with_ports
from tests.support.storage import shared_postgres

WALKTHROUGH = section("From nothing to two nodes")


@pytest.fixture
def names() -> Iterator[dict[str, str]]:
    """A role and two databases of the walkthrough's, under unique names; dropped after."""
    server = shared_postgres()
    assert server is not None, "PostgreSQL is needed"
    role = f"walkthrough_{uuid.uuid4().hex[:10]}"
    admin = make_url(server.admin_url)
    yield {"role": role, "restored": f"{role}_restored", "host": f"{admin.host}:{admin.port}"}
    for database in (f"{role}_restored", role):
        server.drop_database(admin.set(database=database).render_as_string(hide_password=False))
    subprocess.run(
        ["psql", server.admin_url, "-c", f'DROP ROLE IF EXISTS "{role}"'],
        capture_output=True,
        check=False,
    )


def _renamed(text: str, names: dict[str, str]) -> str:
    role, restored, host = names["role"], names["restored"], names["host"]
    documented = r"postgresql://tenantry:change-me@127\.0\.0\.1:5432/"
    for pattern, replacement in (
        (documented + r"tenantry_restored\b", f"postgresql://{role}:change-me@{host}/{restored}"),
        (documented + r"tenantry\b", f"postgresql://{role}:change-me@{host}/{role}"),
        (r"\bDATABASE tenantry_restored\b", f"DATABASE {restored}"),
        (r"\b(ROLE|DATABASE|OWNER) tenantry\b", rf"\1 {role}"),
    ):
        text = re.sub(pattern, replacement, text)
    assert "tenantry_restored" not in text, text
    assert "5432/tenantry" not in text, text
    return text


def test_from_nothing_to_two_nodes(names: dict[str, str], tmp_path: Path) -> None:
    server = shared_postgres()
    assert server is not None
    (sql,) = blocks(WALKTHROUGH, "sql")
    created = subprocess.run(
        ["psql", server.admin_url, "-v", "ON_ERROR_STOP=1", "-q", "-f", "-"],
        input=_renamed(sql, names),
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    ports = free_ports(8001, 8002, 8003)
    script = "".join(with_ports(_renamed(b, names), ports) for b in blocks(WALKTHROUGH, "sh"))
    assert script.count("tenantry serve") == 3

    with shell(script, tmp_path, operator_env()) as ran:
        assert ran.returncode == 0, f"{ran.stderr}\n{logs(tmp_path)}"
        answers = [json.loads(line) for line in ran.stdout.splitlines() if line.startswith("{")]
        from_b, from_c = answers  # step 6 on node B, step 7 on the restored node
        assert from_b["companyProfile"]["domain"] == "walkthrough.onmicrosoft.com"
        assert from_c == from_b
        assert "current" in ran.stdout  # `tenantry db check`, twice
        assert ran.stdout.count("current") == 2

    # The key was written for its owner alone, and no node logged an error.
    assert stat.S_IMODE((tmp_path / "master.key").stat().st_mode) == 0o600
    for node in ("node-a", "node-b", "node-c"):
        text = (tmp_path / f"{node}.log").read_text()
        assert "Traceback" not in text, text
