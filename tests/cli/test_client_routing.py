"""`tenantry` hands calls to a running service to the client's command line: by the command
word, also when connection options come first, and the saved-connection commands too."""

from __future__ import annotations

from pathlib import Path

from tests.support.process import tenantry


def test_connection_options_before_the_command() -> None:
    done = tenantry("--base-url", "http://127.0.0.1:9", "customers", "get", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: tenantry customers get" in done.stdout


def test_saved_connections_are_the_clients(tmp_path: Path) -> None:
    done = tenantry("profiles", "list", env={"XDG_CONFIG_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "No profiles" in done.stdout


def test_the_servers_own_commands_still_parse() -> None:
    done = tenantry("--help")
    assert done.returncode == 0
    assert "serve" in done.stdout
    assert "login|logout|profiles" in done.stdout.replace("\n", " ").replace("  ", " ")
