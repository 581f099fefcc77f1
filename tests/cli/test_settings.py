"""The settings' one description: `TENANTRY_*` variables and `tenantry serve` flags."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import httpx
import pytest

from tenantry.config import (
    Mode,
    Settings,
    add_flags,
    resolve,
    settings_from_args,
    settings_from_env,
    sources,
)
from tenantry.config_sources import SettingsError
from tests.support.process import ServeProcess, tenantry

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _serve_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_flags(parser)
    return parser.parse_args(argv)


def test_every_variable_and_flag_is_documented() -> None:
    for name, source in sources().items():
        assert source.env is None or f"`{source.env}`" in README, name
        assert source.flag is None or f"[{source.flag}" in README, name


def test_variables_are_read_with_their_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENANTRY_MODE", "production")
    monkeypatch.setenv("TENANTRY_LOCK_WAIT", "2.5")
    monkeypatch.setenv("TENANTRY_IDEMPOTENCY_RETENTION", "60")
    monkeypatch.setenv("TENANTRY_TRUSTED_ISSUERS", "issuers.json")
    monkeypatch.setenv("TENANTRY_SERVER_ID", "")  # empty counts as unset
    settings = settings_from_env()
    assert settings.mode is Mode.PRODUCTION
    assert settings.lock_wait_seconds == 2.5
    assert settings.idempotency_retention_seconds == 60
    assert settings.trusted_issuers_file == Path("issuers.json")
    assert settings.server_id == Settings().server_id


def test_a_malformed_variable_says_which_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TENANTRY_LOCK_WAIT", "soon")
    with pytest.raises(ValueError, match="'soon'"):
        settings_from_env()


def test_a_flag_beats_its_variable_and_an_absent_flag_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TENANTRY_MODE", "production")
    monkeypatch.setenv("TENANTRY_ADMIN_KEY", "from-env")
    settings = settings_from_args(_serve_args("--mode", "sandbox", "--customer-cap", "0"))
    assert settings.mode is Mode.SANDBOX
    assert settings.admin_key == "from-env"
    assert settings.customer_cap == 0
    assert not settings.strict_headers


def test_switches_and_explicit_overrides() -> None:
    args = _serve_args("--strict-headers", "--ephemeral", "--data-dir", "given")
    settings = settings_from_args(args, data_dir=Path("elsewhere"), seed_file=None)
    assert settings.strict_headers
    assert settings.ephemeral
    assert not settings.strict_idempotency
    assert settings.data_dir == Path("elsewhere")


def test_a_bad_choice_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _serve_args("--mode", "staging")
    assert "invalid choice: 'staging'" in capsys.readouterr().err


OPERATIONS = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tenantry.toml"
    path.write_text(text)
    return path


def test_config_keys_and_secret_files_are_documented() -> None:
    for name, source in sources().items():
        if source.flag is None or source.secret:  # the others' keys follow their flags
            assert f"`{source.key}`" in OPERATIONS, name
        if source.file_env is not None:
            assert f"`{source.file_env}`" in OPERATIONS, name
            assert f"`{source.key}_file`" in OPERATIONS, name
    secrets = {name for name, source in sources().items() if source.secret}
    assert secrets == {"database_url", "admin_key", "master_key", "audit_key"}


def test_one_precedence_flag_then_variable_then_config_file_then_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(
        tmp_path,
        'mode = "production"\nserver_id = "from-file"\nlock_wait = 3\n'
        'data_dir = "state"\nstrict_headers = true\n',
    )
    monkeypatch.setenv("TENANTRY_SERVER_ID", "from-env")
    monkeypatch.setenv("TENANTRY_LOCK_WAIT", "4.5")
    resolved = resolve(_serve_args("--config", str(config), "--lock-wait", "6"))
    settings = resolved.settings
    assert settings.mode is Mode.PRODUCTION  # the file, nothing else set it
    assert settings.server_id == "from-env"  # the variable beats the file
    assert settings.lock_wait_seconds == 6  # the flag beats both
    assert settings.data_dir == tmp_path / "state"  # relative to the file's folder
    assert settings.strict_headers
    assert settings.customer_cap == Settings().customer_cap  # the default
    assert {"mode", "server_id", "lock_wait_seconds"} <= resolved.given
    assert "customer_cap" not in resolved.given

    monkeypatch.setenv("TENANTRY_CONFIG", str(config))  # the variable names it too
    assert settings_from_env().mode is Mode.PRODUCTION


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lock_wiat = 3\n", "lock_wiat: unknown setting (did you mean 'lock_wait'?)"),
        ('lock_wait = "soon"\n', "lock_wait: expected a number, found a string"),
        ("rate_limit = 1.5\n", "rate_limit: expected an integer, found a float"),
        ('strict_headers = "yes"\n', "strict_headers: expected true or false, found a string"),
        ('mode = "staging"\n', "mode='staging': expected one of sandbox, production"),
        ("[server]\nport = 1\n", "server: unknown setting"),
        ('master_key = "a"\nmaster_key_file = "b"\n', "master_key and master_key_file are both"),
        ("mode = \n", "not valid TOML"),
    ],
)
def test_a_config_file_is_refused_in_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    config = _config(tmp_path, text)
    with pytest.raises(SettingsError) as refused:
        resolve(_serve_args("--config", str(config)))
    assert str(config) in str(refused.value)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_missing_config_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read it"):
        resolve(_serve_args("--config", str(tmp_path / "nowhere.toml")))


def test_secrets_come_from_files_without_their_line_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "master").write_text("bWFzdGVyIGtleQ==\n")
    (tmp_path / "admin").write_text("admin secret\r\n")
    (tmp_path / "url").write_text("postgresql://tenantry:pw@db/tenantry\n")
    monkeypatch.setenv("TENANTRY_MASTER_KEY_FILE", str(tmp_path / "master"))
    monkeypatch.setenv("TENANTRY_ADMIN_KEY_FILE", str(tmp_path / "admin"))
    config = _config(tmp_path, 'database_url_file = "url"\naudit_key = "audit secret"\n')
    settings = resolve(_serve_args("--config", str(config))).settings
    assert settings.master_key == "bWFzdGVyIGtleQ=="
    assert settings.admin_key == "admin secret"
    assert settings.database_url == "postgresql://tenantry:pw@db/tenantry"
    assert settings.audit_key == "audit secret"
    shown = repr(settings)
    for secret in ("bWFzdGVyIGtleQ==", "admin secret", ":pw@", "audit secret"):
        assert secret not in shown


def test_secret_files_refuse_clearly_and_never_show_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTRY_MASTER_KEY", "inline")
    monkeypatch.setenv("TENANTRY_MASTER_KEY_FILE", str(tmp_path / "master"))
    with pytest.raises(SettingsError, match="TENANTRY_MASTER_KEY and TENANTRY_MASTER_KEY_FILE"):
        settings_from_env()
    monkeypatch.delenv("TENANTRY_MASTER_KEY")
    with pytest.raises(SettingsError) as unreadable:
        settings_from_env()
    assert str(unreadable.value) == (
        f"TENANTRY_MASTER_KEY_FILE={tmp_path / 'master'}: cannot read it "
        "(No such file or directory)"
    )
    (tmp_path / "master").write_text("\n")
    with pytest.raises(SettingsError, match="the file is empty"):
        settings_from_env()


def test_a_malformed_variable_is_named_and_its_value_quoted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TENANTRY_MODE", "staging")
    with pytest.raises(SettingsError, match=r"TENANTRY_MODE='staging': expected one of"):
        settings_from_env()


def test_every_command_takes_the_config_file_and_the_mode(tmp_path: Path) -> None:
    config = _config(tmp_path, "lock_wiat = 3\n")
    commands = [
        ("serve",),
        ("token",),
        ("keygen",),
        ("partners", "list"),
        ("keys", "retire", "k"),
        ("audit",),
        ("db", "check"),
    ]
    for words in commands:
        done = tenantry(*words, "--mode", "production", "--config", str(config))
        assert done.returncode == 2, words
        expected = f"tenantry: {config}: lock_wiat: unknown setting (did you mean 'lock_wait'?)"
        assert done.stderr == expected + "\n", words


def test_a_served_node_takes_its_settings_from_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "master.secret").write_text(tenantry("keygen").stdout)
    config = _config(
        tmp_path,
        'mode = "production"\ndata_dir = "state"\nmaster_key_file = "master.secret"\n'
        'server_id = "from-file"\n',
    )
    node = ServeProcess(env={"TENANTRY_CONFIG": str(config)}).wait_ready()
    try:
        answer = httpx.get(f"{node.base_url}/v1/customers")
    finally:
        node.stop()
    assert answer.headers["MS-ServerId"] == "from-file"
    assert "Tenantry production listening" in node.output()
    assert (tmp_path / "state" / "tenantry.db").exists()
    assert not (tmp_path / "state" / "master.key").exists()


def test_every_secret_is_left_out_of_the_settings_repr() -> None:
    hidden = {f.name for f in dataclasses.fields(Settings) if not f.repr}
    assert {name for name, source in sources().items() if source.secret} <= hidden
