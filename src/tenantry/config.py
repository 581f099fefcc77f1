"""Typed settings for one Tenantry process, from the command line and the environment.

Each setting is described once, as a field of `Settings`: its type, its default, and where
else it may come from (a `TENANTRY_*` environment variable, a `tenantry serve` flag, or
both), with the function that reads that text. `settings_from_env` and the command line's
flags (`add_flags`, `flag_values`) are both derived from those fields, so a new setting is
one new field. A flag beats its variable, which beats the default.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

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

# The settings every command that opens the database takes as flags.
STORAGE_SETTINGS = ("data_dir", "database_url")

_SOURCE = "tenantry.source"


@dataclass(frozen=True)
class Source:
    """Where a setting comes from besides its default. `parse` turns the variable's or the
    flag's text into the value (and its error is the one the user sees). A flag for a
    `bool` setting is a switch: present means true."""

    env: str | None = None
    flag: str | None = None
    parse: Callable[[str], object] = str
    help: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    switch: bool = False  # set from the field's default: a bool


def source(
    *,
    env: str | None = None,
    flag: str | None = None,
    parse: Callable[[str], object] = str,
    help: str | None = None,
    metavar: str | None = None,
    choices: tuple[str, ...] | None = None,
) -> dict[str, Source]:
    """The `metadata` of a `Settings` field that the environment or the command line sets."""
    return {_SOURCE: Source(env, flag, parse, help, metavar, choices)}


def yes_or_no(name: str, text: str) -> bool:
    """A switch read from the environment: 1/true/yes/on or 0/false/no/off."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={text!r}: expected yes or no (1/0, true/false, on/off)")


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
        ),
    )
    mode: Mode = field(
        default=Mode.SANDBOX,
        metadata=source(
            env="TENANTRY_MODE",
            flag="--mode",
            parse=Mode,
            choices=tuple(m.value for m in Mode),
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
        ),
    )
    master_key: str | None = field(
        default=None, repr=False, metadata=source(env="TENANTRY_MASTER_KEY")
    )
    # `GET /_tenantry/audit` exists only when this is set (both modes).
    audit_key: str | None = field(
        default=None, repr=False, metadata=source(env="TENANTRY_AUDIT_KEY")
    )
    token_lifetime_seconds: int = 3600
    refresh_token_lifetime_seconds: int = 90 * 24 * 3600  # Partner Center: 90 days

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


@cache
def sources() -> dict[str, Source]:
    """Every setting that may come from the environment or a flag, by field name, in the
    order of the fields."""
    found: dict[str, Source] = {}
    for f in dataclasses.fields(Settings):
        if _SOURCE in f.metadata:
            found[f.name] = dataclasses.replace(
                f.metadata[_SOURCE], switch=isinstance(f.default, bool)
            )
            if found[f.name].switch and found[f.name].env and found[f.name].parse is str:
                raise TypeError(f"{f.name}: a bool read from the environment needs a yes/no parse")
    return found


def settings_from_env(**overrides: object) -> Settings:
    """Settings with `TENANTRY_*` environment variables applied under explicit overrides
    (an override of None does not count)."""
    values: dict[str, object] = {}
    for name, source in sources().items():
        if source.env is not None and (text := os.environ.get(source.env)):
            values[name] = source.parse(text)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)  # type: ignore[arg-type]


def add_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """The flags of these settings (all that have one when none are named), in field
    order. A flag left out stays None in the parsed arguments, so the environment and then
    the default apply."""
    for name, source in sources().items():
        if source.flag is None or (names and name not in names):
            continue
        if source.switch:
            parser.add_argument(source.flag, dest=name, action="store_true", help=source.help)
            continue
        options: dict[str, Any] = {"dest": name, "default": None, "help": source.help}
        if source.choices is not None:  # argparse checks the text; `parse` runs afterwards
            options["choices"] = list(source.choices)
        else:
            options["type"] = source.parse
        if source.metavar is not None:
            options["metavar"] = source.metavar
        parser.add_argument(source.flag, **options)


def flag_values(args: argparse.Namespace) -> dict[str, object]:
    """The settings given as flags (added with `add_flags`), parsed; the others left out."""
    values: dict[str, object] = {}
    for name, source in sources().items():
        value = getattr(args, name, None) if source.flag is not None else None
        if value is None or value is False:
            continue
        values[name] = source.parse(value) if source.choices is not None else value
    return values


def settings_from_args(args: argparse.Namespace, **overrides: object) -> Settings:
    """Settings from the flags in `args`, then `TENANTRY_*` variables, then the defaults;
    `overrides` that are not None beat all three."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return settings_from_env(**{**flag_values(args), **given})
