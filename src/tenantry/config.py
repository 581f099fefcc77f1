"""Typed settings for one Tenantry process, from the command line and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from tenantry.domain.sandbox import PARTNER_CENTER_SANDBOX_CAP


class Mode(StrEnum):
    """Sandbox: development partner, delete allowed. Production: none of that."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"


DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DATA_DIR = Path(".tenantry")
MAX_BODY_BYTES = 64 * 1024
# The sandbox control plane's well-known key, like the development credentials: public on
# purpose, sandbox only. `--admin-key` sets another one.
DEV_ADMIN_KEY = "tenantry-sandbox-admin-not-for-production"


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs. Built by the CLI or by tests."""

    mode: Mode = Mode.SANDBOX
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = field(default=None, repr=False)  # may hold a password
    server_id: str = "tenantry01"
    strict_headers: bool = False
    strict_idempotency: bool = False
    idempotency_retention_seconds: int = 24 * 3600
    lock_wait_seconds: float = 10.0
    token_lifetime_seconds: int = 3600
    refresh_token_lifetime_seconds: int = 90 * 24 * 3600  # Partner Center: 90 days
    master_key: str | None = field(default=None, repr=False)
    admin_key: str = field(default=DEV_ADMIN_KEY, repr=False)
    # `GET /_tenantry/audit` exists only when this is set (both modes).
    audit_key: str | None = field(default=None, repr=False)
    customer_cap: int = PARTNER_CENTER_SANDBOX_CAP
    provisioning_delay_seconds: float = 0.0
    customer_rate_limit: int = 500  # requests a minute per partner; 0 = none
    seed_file: Path | None = None
    trusted_issuers_file: Path | None = None
    ephemeral: bool = False

    @property
    def sandbox(self) -> bool:
        return self.mode is Mode.SANDBOX

    def resolved_database_url(self) -> str:
        """The SQLAlchemy async URL: the SQLite file in the data dir unless one was given."""
        url = self.database_url or f"sqlite:///{(self.data_dir / 'tenantry.db').resolve()}"
        return to_async_url(url)


def to_async_url(url: str) -> str:
    """Accept the URLs people type (`postgresql://`, `sqlite:///`) and pick async drivers."""
    for prefix, replacement in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(prefix):
            return replacement + url[len(prefix) :]
    return url


def settings_from_env(**overrides: object) -> Settings:
    """Settings with `TENANTRY_*` environment variables applied under explicit overrides."""
    env: dict[str, object] = {}
    if value := os.environ.get("TENANTRY_MODE"):
        env["mode"] = Mode(value)
    if value := os.environ.get("TENANTRY_DATA_DIR"):
        env["data_dir"] = Path(value)
    if value := os.environ.get("TENANTRY_DATABASE_URL"):
        env["database_url"] = value
    if value := os.environ.get("TENANTRY_SERVER_ID"):
        env["server_id"] = value
    if value := os.environ.get("TENANTRY_MASTER_KEY"):
        env["master_key"] = value
    if value := os.environ.get("TENANTRY_IDEMPOTENCY_RETENTION"):
        env["idempotency_retention_seconds"] = int(value)
    if value := os.environ.get("TENANTRY_TRUSTED_ISSUERS"):
        env["trusted_issuers_file"] = Path(value)
    if value := os.environ.get("TENANTRY_ADMIN_KEY"):
        env["admin_key"] = value
    if value := os.environ.get("TENANTRY_AUDIT_KEY"):
        env["audit_key"] = value
    if value := os.environ.get("TENANTRY_LOCK_WAIT"):
        env["lock_wait_seconds"] = float(value)
    env.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**env)  # type: ignore[arg-type]
