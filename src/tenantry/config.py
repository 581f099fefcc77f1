"""Typed settings for one Tenantry process, from the command line, the environment and a
config file.

Each setting is described once, as a field of `Settings`: its type, its default, and where
else it may come from (a `TENANTRY_*` environment variable, a `tenantry serve` flag, or
both), with the function that reads that text. The environment, the flags (`add_flags`,
`flag_values`) and the keys of a TOML config file (`--config` / `TENANTRY_CONFIG`; the key is
the flag's name, else the variable's, in snake case) are all derived from those fields, so a
new setting is one new field. One precedence rule: flag, then variable, then config file,
then default. A setting marked `secret` may also be read from a file (`TENANTRY_X_FILE`,
`x_file = "…"`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from tenantry.config_sources import (
    SOURCE_KEY,
    Source,
    config_file_values,
    config_key,
    environment_values,
    source,
    yes_or_no,
)
from tenantry.domain.sandbox import PARTNER_CENTER_SANDBOX_CAP


class Mode(StrEnum):
    """Sandbox: development partner, delete allowed. Production: none of that."""

    SANDBOX = "sandbox"
    PRODUCTION = "production"


class Exposure(StrEnum):
    """Where `/docs`, `/openapi.json`, `/portal` or `/metrics` is served: on the main port,
    only on the admin listener (`--admin-port`), or nowhere."""

    PUBLIC = "public"
    ADMIN = "admin"
    OFF = "off"


def _exposure(surface: str, what: str) -> dict[str, Source]:
    help = f"{what}: public, admin (on --admin-port only) or off"
    choices = tuple(e.value for e in Exposure)
    env = f"TENANTRY_{surface.upper()}"
    return source(env=env, flag=f"--{surface}", parse=Exposure, choices=choices, help=help)


DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"
DEFAULT_DATA_DIR = Path(".tenantry")
MAX_BODY_BYTES = 64 * 1024
# The sandbox control plane's well-known key, like the development credentials: public on
# purpose, sandbox only. `--admin-key` sets another one.
DEV_ADMIN_KEY = "tenantry-sandbox-admin-not-for-production"

# The settings every command that opens the database takes as flags.
STORAGE_SETTINGS = ("data_dir", "database_url", "mode")
# The config file's variable; `--config PATH` beats it. There is no default location.
CONFIG_ENV = "TENANTRY_CONFIG"


@dataclass(frozen=True)
class Settings:
    """Everything `create_app` needs. Built by the CLI or by tests.

    The fields with a flag are listed in the order `tenantry serve --help` shows them."""

    data_dir: Path = field(
        default=DEFAULT_DATA_DIR,
        metadata=source(
            env="TENANTRY_DATA_DIR",
            flag="--data-dir",
            parse=Path,
            help=f"where the SQLite file and the master key live (default: {DEFAULT_DATA_DIR})",
        ),
    )
    database_url: str | None = field(
        default=None,
        repr=False,  # may hold a password
        metadata=source(
            env="TENANTRY_DATABASE_URL",
            flag="--database-url",
            help="postgresql://user@host:port/db to use PostgreSQL instead of SQLite",
            secret=True,
        ),
    )
    mode: Mode = field(
        default=Mode.SANDBOX,
        metadata=source(
            env="TENANTRY_MODE",
            flag="--mode",
            parse=Mode,
            choices=tuple(m.value for m in Mode),
            help="sandbox (the default) or production; the operator's commands act in the "
            "database's mode and refuse one that contradicts it",
        ),
    )
    server_id: str = field(
        default="tenantry01",
        metadata=source(
            env="TENANTRY_SERVER_ID",
            flag="--server-id",
            help="value of the MS-ServerId header",
        ),
    )
    strict_headers: bool = field(
        default=False,
        metadata=source(
            flag="--strict-headers",
            help="answer 400 when MS-RequestId or MS-CorrelationId is missing",
        ),
    )
    strict_idempotency: bool = field(
        default=False,
        metadata=source(
            flag="--strict-idempotency",
            help="answer 422 when an MS-RequestId is reused with a different body",
        ),
    )
    idempotency_retention_seconds: int = field(
        default=24 * 3600,
        metadata=source(
            env="TENANTRY_IDEMPOTENCY_RETENTION",
            flag="--idempotency-retention",
            parse=int,
            metavar="SECONDS",
            help="how long an answer is kept for replay by MS-RequestId (default: 86400)",
        ),
    )
    lock_wait_seconds: float = field(
        default=10.0,
        metadata=source(
            env="TENANTRY_LOCK_WAIT",
            flag="--lock-wait",
            parse=float,
            metavar="SECONDS",
            help="how long a request waits for a database lock before giving up (default: 10)",
        ),
    )
    db_wait_seconds: float = field(
        default=30.0,
        metadata=source(
            env="TENANTRY_DB_WAIT",
            flag="--db-wait",
            parse=float,
            metavar="SECONDS",
            help="at start, how long to wait for an unreachable PostgreSQL server before "
            "giving up (default: 30; 0 = one attempt)",
        ),
    )
    key_reload_seconds: float = field(
        default=60.0,
        metadata=source(
            env="TENANTRY_KEY_RELOAD",
            flag="--key-reload",
            parse=float,
            metavar="SECONDS",
            help="how often each process re-reads the signing keys: a rotated key signs and a "
            "retired key's tokens stop within this time (default: 60)",
        ),
    )
    no_migrate: bool = field(
        default=False,
        metadata=source(
            env="TENANTRY_NO_MIGRATE",
            flag="--no-migrate",
            parse=lambda text: yes_or_no("TENANTRY_NO_MIGRATE", text),
            help="start only on a database that is already current: migrate beforehand with "
            "`tenantry db upgrade` (docs/operations.md, Upgrades)",
        ),
    )
    seed_file: Path | None = field(
        default=None,
        metadata=source(
            flag="--seed",
            parse=Path,
            metavar="FILE",
            help="load partners, partnerships and customers from a JSON or YAML file at start",
        ),
    )
    customer_cap: int = field(
        default=PARTNER_CENTER_SANDBOX_CAP,
        metadata=source(
            flag="--customer-cap",
            parse=int,
            metavar="N",
            help="sandbox: customers per partner before 800018 (default 75; 0 = no cap)",
        ),
    )
    provisioning_delay_seconds: float = field(
        default=0.0,
        metadata=source(
            flag="--provisioning-delay",
            parse=float,
            metavar="SECONDS",
            help="sandbox: a new customer reads as not found for this long (default 0)",
        ),
    )
    customer_rate_limit: int = field(  # requests a minute per partner; 0 = none
        default=500,
        metadata=source(
            flag="--rate-limit",
            parse=int,
            metavar="N",
            help="customer-resource requests a minute per partner before 429 "
            "(default 500; 0 = none)",
        ),
    )
    ephemeral: bool = field(
        default=False,
        metadata=source(
            flag="--ephemeral",
            help="keep everything in a temporary directory, removed on exit (for CI)",
        ),
    )
    trusted_issuers_file: Path | None = field(
        default=None,
        metadata=source(
            env="TENANTRY_TRUSTED_ISSUERS",
            flag="--trust-issuers",
            parse=Path,
            metavar="FILE",
            help="JSON list of external OpenID Connect issuers whose tokens are accepted",
        ),
    )
    admin_key: str = field(
        default=DEV_ADMIN_KEY,
        repr=False,
        metadata=source(
            env="TENANTRY_ADMIN_KEY",
            flag="--admin-key",
            help="the sandbox control plane's key (Tenantry-Admin-Key header)",
            secret=True,
        ),
    )
    master_key: str | None = field(
        default=None, repr=False, metadata=source(env="TENANTRY_MASTER_KEY", secret=True)
    )
    # `GET /_tenantry/audit` exists only when this is set (both modes).
    audit_key: str | None = field(
        default=None, repr=False, metadata=source(env="TENANTRY_AUDIT_KEY", secret=True)
    )
    # Production switches (docs/operations.md); None: public, but docs off in production.
    docs: Exposure | None = field(default=None, metadata=_exposure("docs", "Swagger UI"))
    openapi: Exposure | None = field(default=None, metadata=_exposure("openapi", "OpenAPI"))
    portal: Exposure | None = field(default=None, metadata=_exposure("portal", "the portal"))
    metrics: Exposure | None = field(default=None, metadata=_exposure("metrics", "/metrics"))
    admin_host: str = field(
        default=DEFAULT_HOST, metadata=source(env="TENANTRY_ADMIN_HOST", flag="--admin-host")
    )
    admin_port: int | None = field(
        default=None,
        metadata=source(
            env="TENANTRY_ADMIN_PORT", flag="--admin-port", parse=int, metavar="PORT",
            help="a second listener (on --admin-host, default 127.0.0.1) for what is set to admin",
        ),
    )  # fmt: skip
    token_lifetime_seconds: int = 3600
    refresh_token_lifetime_seconds: int = 90 * 24 * 3600  # Partner Center: 90 days

    @property
    def sandbox(self) -> bool:
        return self.mode is Mode.SANDBOX

    def exposure(self, surface: str) -> Exposure:
        """Where `surface` (docs, openapi, portal, metrics) is served."""
        hidden = surface in ("docs", "openapi") and not self.sandbox
        return getattr(self, surface) or (Exposure.OFF if hidden else Exposure.PUBLIC)

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


@cache
def sources() -> dict[str, Source]:
    """Every setting that may come from the environment, a flag or the config file, by
    field name, in the order of the fields."""
    found: dict[str, Source] = {}
    for f in dataclasses.fields(Settings):
        if SOURCE_KEY in f.metadata:
            given: Source = f.metadata[SOURCE_KEY]
            found[f.name] = dataclasses.replace(
                given, switch=isinstance(f.default, bool), key=config_key(f.name, given)
            )
            if found[f.name].switch and found[f.name].env and found[f.name].parse is str:
                raise TypeError(f"{f.name}: a bool read from the environment needs a yes/no parse")
    return found


@dataclass(frozen=True)
class Resolved:
    """The settings, and which of them were given (not left at their default)."""

    settings: Settings
    given: frozenset[str]


def config_path(args: argparse.Namespace | None) -> Path | None:
    """The config file: `--config`, else `TENANTRY_CONFIG`, else none."""
    named = getattr(args, "config_file", None) or os.environ.get(CONFIG_ENV)
    return Path(named) if named else None


def resolve(args: argparse.Namespace | None = None, **overrides: object) -> Resolved:
    """Flags in `args`, then `TENANTRY_*` variables, then the config file, then defaults;
    `overrides` that are not None beat all of them. `SettingsError` if any is not valid."""
    values: dict[str, object] = {}
    path = config_path(args)
    if path is not None:
        values.update(config_file_values(path, sources()))
    values.update(environment_values(sources()))
    if args is not None:
        values.update(flag_values(args))
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Resolved(Settings(**values), frozenset(values))  # type: ignore[arg-type]


def settings_from_env(**overrides: object) -> Settings:
    """Settings from `TENANTRY_*` variables (and `TENANTRY_CONFIG`'s file) under explicit
    overrides (an override of None does not count)."""
    return resolve(None, **overrides).settings


def add_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """`--config` and the flags of these settings (all that have one when none are named),
    in field order. A flag left out stays None in the parsed arguments, so the environment,
    the config file and then the default apply."""
    parser.add_argument(
        "--config",
        dest="config_file",
        default=None,
        metavar="FILE",
        help=f"a TOML file of settings (or {CONFIG_ENV}); flags and variables beat it",
    )
    for name, described in sources().items():
        if described.flag is None or (names and name not in names):
            continue
        if described.switch:
            parser.add_argument(described.flag, dest=name, action="store_true", help=described.help)
            continue
        options: dict[str, Any] = {"dest": name, "default": None, "help": described.help}
        if described.choices is not None:  # argparse checks the text; `parse` runs afterwards
            options["choices"] = list(described.choices)
        else:
            options["type"] = described.parse
        if described.metavar is not None:
            options["metavar"] = described.metavar
        parser.add_argument(described.flag, **options)


def flag_values(args: argparse.Namespace) -> dict[str, object]:
    """The settings given as flags (added with `add_flags`), parsed; the others left out."""
    values: dict[str, object] = {}
    for name, described in sources().items():
        value = getattr(args, name, None) if described.flag is not None else None
        if value is None or value is False:
            continue
        values[name] = described.parse(value) if described.choices is not None else value
    return values


def settings_from_args(args: argparse.Namespace, **overrides: object) -> Settings:
    """Settings from the flags in `args`, then `TENANTRY_*` variables, then the config
    file, then the defaults; `overrides` that are not None beat all of them."""
    return resolve(args, **overrides).settings
