"""`tenantry token [--user UPN]`: print an access token, for scripts and tests."""

from __future__ import annotations

import argparse
from typing import Any

from tenantry.commands._operator import opened, run_operator, storage_args


def add_parser(commands: Any) -> None:
    token = commands.add_parser(
        "token", help="print an access token (the development partner's app, or a user's)"
    )
    storage_args(token)
    token.add_argument(
        "--user",
        default=None,
        metavar="UPN",
        help="an App+User token for this partner user instead of the app-only token",
    )
    token.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_operator(_print_token(args))


async def _print_token(args: argparse.Namespace) -> None:
    async with opened(args) as runtime:
        if args.user:
            token = await runtime.operator_tokens.user_token(args.user)
        else:
            token = await runtime.operator_tokens.development_token()
        print(token)
