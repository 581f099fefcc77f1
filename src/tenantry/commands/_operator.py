"""What the operator's commands share: they open the database themselves (no server needed),
act as the person at the command line, and turn a refusal into one line and exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from tenantry.auth.errors import AdministrationError
from tenantry.config import STORAGE_SETTINGS, add_flags, settings_from_args
from tenantry.domain.audit import OPERATOR, Actor
from tenantry.runtime import ConfigurationError, Runtime, open_runtime
from tenantry.security.keys import MasterKeyError
from tenantry.security.sealing import SealError

# What an operator's command may be refused with; the message is printed as it is.
REFUSALS = (ConfigurationError, AdministrationError, MasterKeyError, SealError)


def storage_args(parser: argparse.ArgumentParser) -> None:
    """`--data-dir` and `--database-url`: which database the command opens."""
    add_flags(parser, *STORAGE_SETTINGS)


@asynccontextmanager
async def opened(args: argparse.Namespace) -> AsyncIterator[Runtime]:
    """The database named by the storage flags (or the environment), as it is: no
    migrations, keys or development partner are set up."""
    runtime = await open_runtime(settings_from_args(args), bootstrap=False)
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
    return 0


def operator_actor() -> Actor:
    """The person at the command line, by their operating-system user name."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no name for this uid (a bare container)
        name = f"uid {os.getuid()}"
    return Actor(OPERATOR, name)
