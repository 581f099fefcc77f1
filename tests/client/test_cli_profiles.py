"""Profiles: `login` saves a named connection (the secret in the system keyring, else in a
file readable by the owner only), commands use it without connection flags, `logout`
removes it. The configuration directory is a temporary XDG_CONFIG_HOME."""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
import types
import uuid
from pathlib import Path
from typing import Any

import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tests.client.cli_support import isolate, run_cli
from tests.support.server import LiveServer


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The configuration directory; no system keyring unless a test installs one."""
    isolate(monkeypatch, tmp_path / "xdg")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no prompt
    return tmp_path / "xdg" / "tenantry-client"


def _login(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "login", *argv)
    assert DEV_CLIENT_SECRET not in out + err
    return code, out, err


def _credentials(server: LiveServer, secret: str = DEV_CLIENT_SECRET) -> list[str]:
    return ["--base-url", server.base_url, "--tenant-id", DEV_TENANT_ID,
            "--client-id", DEV_CLIENT_ID, "--client-secret", secret]  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_login_use_logout(
    server: LiveServer, config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _login(capsys, "--profile", "sbx", *_credentials(server))
    assert code == 0, err
    assert f"Signed in to {server.base_url}" in out
    assert "Profile 'sbx' saved" in out
    assert "(the default profile)" in out
    assert "readable by you only" in out
    ini, secrets = config / "config.ini", config / "secrets.json"
    assert _mode(config) == 0o700
    assert _mode(ini) == _mode(secrets) == 0o600
    assert DEV_CLIENT_SECRET not in ini.read_text(encoding="utf-8")
    assert f"base_url = {server.base_url}" in ini.read_text(encoding="utf-8")
    assert json.loads(secrets.read_text(encoding="utf-8")) == {
        "secrets": {"sbx": DEV_CLIENT_SECRET}
    }

    code, out, _ = run_cli(capsys, "profiles", "list", "-o", "json")
    assert code == 0
    listed = json.loads(out)
    assert listed["default"] == "sbx"
    assert listed["items"] == [
        {"name": "sbx", "baseUrl": server.base_url, "tenantId": DEV_TENANT_ID,
         "clientId": DEV_CLIENT_ID, "authority": None, "secret": "file"},
    ]  # fmt: skip
    code, out, _ = run_cli(capsys, "profiles", "list")
    assert out.splitlines()[1].split()[:2] == ["*", "sbx"]
    assert DEV_CLIENT_SECRET not in out

    # No connection flags at all: the default profile.
    assert run_cli(capsys, "customers", "list", "--size", "1")[0] == 0

    # Its credentials are what is sent: a profile with a wrong secret cannot sign in.
    wrong = "wrong-" + uuid.uuid4().hex
    code, out, err = _login(capsys, "--profile", "bad", *_credentials(server, wrong), "--no-verify")
    assert code == 0, err
    assert "use it with --profile bad" in out
    for argv in (
        ["customers", "list", "--profile", "bad"],
        ["--profile", "bad", "customers", "list"],
    ):
        code, out, err = run_cli(capsys, *argv)
        assert code == 1
        assert err.startswith("error: could not sign in")
        assert wrong not in out + err
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TENANTRY_PROFILE", "bad")
        assert run_cli(capsys, "customers", "list")[0] == 1
    assert run_cli(capsys, "profiles", "use", "bad")[0] == 0
    assert run_cli(capsys, "customers", "list")[0] == 1

    # A profile's credentials never go to another service: the default is left out…
    elsewhere = server.base_url.replace("127.0.0.1", "localhost")
    assert run_cli(capsys, "customers", "list", "--size", "1", "--base-url", elsewhere)[0] == 0
    # …and a profile named with another base URL is refused.
    code, _, err = run_cli(capsys, "customers", "list", "--profile", "bad", "--base-url", elsewhere)
    assert code == 2
    assert "profile 'bad' is for" in err

    # An import's "To resume" line names the profile.
    source = tmp_path / "one.csv"
    with source.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["domain", "name"], ["not valid!.onmicrosoft.com", "X"]])
    code, _, err = run_cli(capsys, "customers", "import", str(source), "--no-progress",
                        "--profile", "sbx")  # fmt: skip
    assert code == 1
    assert "--resume --no-progress --profile sbx\n" in err

    # logout removes the profile and its secret; then there is no default.
    code, out, _ = run_cli(capsys, "logout", "--profile", "bad")
    assert (code, out) == (0, "Profile 'bad' removed, and its secret.\n")
    assert wrong not in secrets.read_text(encoding="utf-8")
    code, _, err = run_cli(capsys, "logout")
    assert code == 2
    assert "no default profile" in err
    assert run_cli(capsys, "logout", "--profile", "sbx")[0] == 0
    assert not secrets.exists()
    code, _, err = run_cli(capsys, "customers", "list", "--profile", "sbx")
    assert code == 2
    assert "there is no profile 'sbx'" in err
    code, out, _ = run_cli(capsys, "profiles", "list")
    assert out.startswith("No profiles")


def test_login_refused_saves_nothing(
    server: LiveServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = "wrong-" + uuid.uuid4().hex
    code, out, err = _login(capsys, *_credentials(server, wrong))
    assert code == 1
    assert err.startswith("error: could not sign in")
    assert wrong not in out + err
    assert not (config / "config.ini").exists()

    assert _login(capsys, "--token", "abc")[0] == 2
    assert _login(capsys, "--base-url", "https://pc.example.com")[0] == 2
    assert _login(capsys, "--profile", "no spaces please")[0] == 2
    code, _, err = _login(capsys, "--base-url", server.base_url, "--tenant-id", DEV_TENANT_ID)
    assert code == 2
    assert "--client-id" in err


def test_a_sandbox_profile_needs_no_secret(
    server: LiveServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _login(capsys, "--profile", "local", "--base-url", server.base_url)
    assert code == 0, err
    assert not (config / "secrets.json").exists()
    assert run_cli(capsys, "customers", "list", "--size", "1")[0] == 0


class _FakeKeyring(types.ModuleType):
    """The `keyring` package's calls, over a dict."""

    def __init__(self, backend_module: str = "keyring.backends.SecretService") -> None:
        super().__init__("keyring")
        self.passwords: dict[tuple[str, str], str] = {}
        self._backend = type("Backend", (), {"priority": 5, "__module__": backend_module})()

    def get_keyring(self) -> Any:
        return self._backend

    def set_password(self, service: str, user: str, password: str) -> None:
        self.passwords[(service, user)] = password

    def get_password(self, service: str, user: str) -> str | None:
        return self.passwords.get((service, user))

    def delete_password(self, service: str, user: str) -> None:
        del self.passwords[(service, user)]


def test_the_secret_goes_to_the_system_keyring_when_there_is_one(
    server: LiveServer,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyring = _FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    monkeypatch.setattr(sys, "stdin", io.StringIO(DEV_CLIENT_SECRET + "\n"))
    code, out, err = _login(
        capsys, "--base-url", server.base_url, "--tenant-id", DEV_TENANT_ID,
        "--client-id", DEV_CLIENT_ID, "--client-secret-stdin",
    )  # fmt: skip
    assert code == 0, err
    assert "Its secret is in the system keyring." in out
    assert keyring.passwords == {("tenantry-client", "default"): DEV_CLIENT_SECRET}
    assert not (config / "secrets.json").exists()
    assert "secret = keyring" in (config / "config.ini").read_text(encoding="utf-8")
    assert run_cli(capsys, "customers", "list", "--size", "1")[0] == 0

    # Without the keyring now, the profile says where its secret is.
    monkeypatch.setitem(sys.modules, "keyring", None)
    code, _, err = run_cli(capsys, "customers", "list")
    assert code == 2
    assert "system keyring, which is not available" in err
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    assert run_cli(capsys, "logout")[0] == 0
    assert keyring.passwords == {}

    # A keyring whose backend is the `fail` one is no keyring: the file is used.
    monkeypatch.setitem(sys.modules, "keyring", _FakeKeyring("keyring.backends.fail"))
    code, out, _ = _login(capsys, *_credentials(server), "--no-verify")
    assert code == 0
    assert "readable by you only (no system keyring)" in out
