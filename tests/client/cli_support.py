"""What the command-line tests share: an environment with none of the user's settings in it,
and one way to run the command line in-process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tenantry_client.cli import main

# Every variable the command line reads.
ENV = (
    "TENANTRY_BASE_URL",
    "TENANTRY_TENANT_ID",
    "TENANTRY_CLIENT_ID",
    "TENANTRY_CLIENT_SECRET",
    "TENANTRY_TOKEN",
    "TENANTRY_AUTHORITY",
    "TENANTRY_PROFILE",
    "TENANTRY_CERTIFICATE",
    "TENANTRY_CERTIFICATE_PASSWORD",
)


def isolate(monkeypatch: pytest.MonkeyPatch, config_home: Path) -> None:
    """No variable, profile or system keyring of the user's is read (subprocesses
    included): the configuration lives in `config_home`."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setitem(sys.modules, "keyring", None)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command; never a traceback."""
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err
