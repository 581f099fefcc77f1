"""What the operator's commands share: they open the database themselves (no server needed),
act as the person at the command line, and turn a refusal into one line and exit code 2.

They create nothing on the way: no schema (a database that is not current is refused, with
`tenantry db upgrade` named), no master key, no signing key, no development partner. Their
mode is the database's: one that holds the development partner is a sandbox's (a sandbox
server made it), any other is production's; a mode given that contradicts it is refused.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import os
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from tenantry.auth.errors import AdministrationError
from tenantry.config import STORAGE_SETTINGS, Mode, Settings, add_flags, resolve
from tenantry.domain.audit import OPERATOR, Actor
from tenantry.runtime import (
    ConfigurationError,
    Runtime,
    holds_development_partner,
    open_runtime,
    schema_status,
)
from tenantry.security.keys import MasterKeyError
from tenantry.security.sealing import SealError

# What an operator's command may be refused with; the message is printed as it is.
REFUSALS = (ConfigurationError, AdministrationError, MasterKeyError, SealError)


def storage_args(parser: argparse.ArgumentParser) -> None:
    """`--config`, `--data-dir`, `--database-url` and `--mode`: which database the command
    opens, and the mode it expects that database to be in."""
    add_flags(parser, *STORAGE_SETTINGS)


_NOT_PRODUCTION = (
    "production mode was given, but this database holds the sandbox's development partner, "
    "whose credentials are public: a sandbox uses it. Leave the mode out to act on it as a "
    "sandbox; production needs a database of its own"
)
_NOT_SANDBOX = (
    "sandbox mode was given, but this database has no development partner, so it is taken "
    "for production's (where users must not get the sandbox's fixed second factor). Leave "
    "the mode out to act on it as production, or start `tenantry serve --mode sandbox` on "
    "it once to make it a sandbox"
)


async def _command_settings(args: argparse.Namespace) -> Settings:
    """The settings, with the database's mode; refused when the database is not current or
    the mode given contradicts it."""
    resolved = resolve(args)
    settings = resolved.settings
    found = await schema_status(settings)
    if not found.runnable:
        raise ConfigurationError(found.reason)
    mode = Mode.SANDBOX if await holds_development_partner(settings) else Mode.PRODUCTION
    if "mode" in resolved.given and settings.mode is not mode:
        raise ConfigurationError(_NOT_SANDBOX if mode is Mode.PRODUCTION else _NOT_PRODUCTION)
    return dataclasses.replace(settings, mode=mode)


@asynccontextmanager
async def opened(args: argparse.Namespace) -> AsyncIterator[Runtime]:
    """The database named by the storage flags (or the environment, or the config file),
    as it is, in its own mode: nothing is migrated or created."""
    runtime = await open_runtime(await _command_settings(args), bootstrap=False)
    try:
        yield runtime
    finally:
        await runtime.close()


def run_operator(command: Coroutine[Any, Any, None]) -> int:
    """Run an operator's command: 0 when done, 2 (and why, on standard error) if refused."""
    try:
        asyncio.run(command)
    except REFUSALS as exc:
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError) as exc:
        print(f"tenantry: cannot use the database: {first_line(exc)}", file=sys.stderr)
        return 2
    return 0


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def operator_actor() -> Actor:
    """The person at the command line, by their operating-system user name."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        name = f"uid {os.getuid()}"
    return Actor(OPERATOR, name)
