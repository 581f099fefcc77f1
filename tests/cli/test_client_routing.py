"""`tenantry` hands calls to a running service to the client's command line: by the command
word, also when connection options come first, and the saved-connection commands too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenantry.commands import main
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


def test_a_group_parses_alone_but_refuses_in_the_whole_lines_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`tenantry keys …` parses only its group; a word it does not know is refused with
    the whole command line's usage, as when every group was parsed."""
    with pytest.raises(SystemExit) as exited:
        main(["keys", "list", "--bogus"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "usage: tenantry [-h] {serve,token,keygen,partners,keys,audit,db}" in err
    assert "error: unrecognized arguments: --bogus" in err
