"""The test suite's PostgreSQL discovery works as the README says, on this machine."""

from __future__ import annotations

import psycopg
import pytest

from tests.support import postgres


def test_a_private_cluster_starts_from_debian_binaries_and_stops() -> None:
    cluster = postgres._start_private_cluster()
    if cluster is None:
        pytest.skip("no Debian PostgreSQL binaries on this machine")
    try:
        with psycopg.connect(cluster.admin_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        url = cluster.new_database()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone()[0] in url  # type: ignore[index]
    finally:
        cluster.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(cluster.admin_url, connect_timeout=2)


def test_the_environment_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENANTRY_TEST_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    server, reason = postgres.find_postgres()
    assert server is None
    assert "TENANTRY_TEST_DATABASE_URL" in reason
