"""The settings' one description: `TENANTRY_*` variables and `tenantry serve` flags."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tenantry.config import (
    Mode,
    Settings,
    add_flags,
    settings_from_args,
    settings_from_env,
    sources,
)

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
