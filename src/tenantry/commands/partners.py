"""`tenantry partners …`: register partners, their apps and users, and partnerships.

The operator's way to set up a production deployment (the sandbox can also be seeded from a
file). The use cases are `PartnerAdministration`'s (`auth/administration.py`); this module
reads the arguments, names the operator as the actor, and prints what was made. Secrets are
printed once; only their hashes are stored.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from tenantry.auth import second_factor
from tenantry.auth.administration import Issued
from tenantry.commands._operator import opened, operator_actor, run_operator, storage_args
from tenantry.domain.models import PartnerType
from tenantry.runtime import Runtime


def add_parser(commands: Any) -> None:
    partners = commands.add_parser("partners", help="register partners, apps, users, partnerships")
    actions = partners.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="register a partner")
    create.add_argument("--name", required=True)
    create.add_argument("--type", required=True, choices=[t.value for t in PartnerType])
    create.add_argument("--country", required=True, help="ISO 3166-1 alpha-2; sets the market")
    create.add_argument("--tenant-id", default=None, help="default: a new GUID")
    actions.add_parser("list", help="list the partners")
    app = actions.add_parser("add-app", help="register an app; prints its secret once")
    app.add_argument("tenant_id")
    app.add_argument("--name", default="App")
    app.add_argument(
        "--redirect-uri",
        action="append",
        default=[],
        metavar="URI",
        help="where the sign-in page may send users back (repeatable; loopback needs none)",
    )
    user = actions.add_parser("add-user", help="add a partner user (App+User sign-in)")
    user.add_argument("tenant_id")
    user.add_argument("--upn", required=True)
    user.add_argument("--role", action="append", default=[], help="repeatable, e.g. 'Admin agent'")
    _credential_args(
        user,
        "the second factor at sign-in: totp (production default; prints the authenticator "
        "URI once), sandbox (sandbox default), or none (tokens without MFA)",
    )
    reset = actions.add_parser(
        "reset-user",
        help="a new password and second factor for a partner user; ends their sign-ins",
    )
    reset.add_argument("upn")
    _credential_args(
        reset, "change the second factor (default: keep the method; totp gets a new secret)"
    )
    rotate = actions.add_parser(
        "rotate-secret", help="a new client secret for an app; prints it once"
    )
    rotate.add_argument("client_id")
    rotate.add_argument(
        "--overlap-hours",
        type=float,
        default=24.0,
        help="how long the old secret keeps working (default 24; 0 ends it now)",
    )
    link = actions.add_parser("link-reseller", help="a provider's partnership with a reseller")
    link.add_argument("provider")
    link.add_argument("reseller")
    link.add_argument("--inactive", action="store_true")
    for action in (create, app, user, reset, rotate, link, actions.choices["list"]):
        storage_args(action)
    partners.set_defaults(run=run)


def _credential_args(parser: argparse.ArgumentParser, mfa_help: str) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else one is generated and printed once)",
    )
    parser.add_argument("--mfa", choices=list(second_factor.METHODS), default=None, help=mfa_help)


def run(args: argparse.Namespace) -> int:
    return run_operator(_partners(args))


async def _partners(args: argparse.Namespace) -> None:
    async with opened(args) as runtime:
        await _ACTIONS[args.action](runtime, args)


async def _create(runtime: Runtime, args: argparse.Namespace) -> None:
    partner = await runtime.administration.create_partner(
        args.name, PartnerType(args.type), args.country, args.tenant_id, actor=operator_actor()
    )
    print(partner.tenant_id)


async def _list(runtime: Runtime, args: argparse.Namespace) -> None:
    for p in await runtime.administration.list_partners():
        print(f"{p.tenant_id}  {p.partner_type.value:<17}  {p.country}  {p.name}")


async def _add_app(runtime: Runtime, args: argparse.Namespace) -> None:
    issued = await runtime.administration.add_app(
        args.tenant_id, args.name, tuple(args.redirect_uri), actor=operator_actor()
    )
    print(f"client id:     {issued.identifier}")
    print(f"client secret: {issued.secret}   (shown once: store it now)")


async def _add_user(runtime: Runtime, args: argparse.Namespace) -> None:
    issued = await runtime.administration.add_user(
        args.tenant_id,
        args.upn,
        tuple(args.role),
        _password(args),
        args.mfa,
        actor=operator_actor(),
    )
    _print_user(args.upn, issued)


async def _reset_user(runtime: Runtime, args: argparse.Namespace) -> None:
    issued = await runtime.administration.reset_user(
        args.upn, _password(args), args.mfa, actor=operator_actor()
    )
    _print_user(args.upn, issued)
    print("every refresh token of this user has stopped working")


async def _rotate_secret(runtime: Runtime, args: argparse.Namespace) -> None:
    overlap = timedelta(hours=args.overlap_hours)
    issued = await runtime.administration.rotate_secret(
        args.client_id, overlap, actor=operator_actor()
    )
    print(f"client id:     {issued.identifier}")
    print(f"client secret: {issued.secret}   (shown once: store it now)")
    print(f"the old secret works until {datetime.now(UTC) + overlap:%Y-%m-%d %H:%M}Z")


async def _link_reseller(runtime: Runtime, args: argparse.Namespace) -> None:
    ship = await runtime.administration.link_reseller(
        args.provider, args.reseller, active=not args.inactive, actor=operator_actor()
    )
    print(f"{ship.provider_id} -> {ship.reseller_id}: {ship.state.value}")


_ACTIONS = {
    "create": _create,
    "list": _list,
    "add-app": _add_app,
    "add-user": _add_user,
    "reset-user": _reset_user,
    "rotate-secret": _rotate_secret,
    "link-reseller": _link_reseller,
}


def _password(args: argparse.Namespace) -> str | None:
    """The password typed on standard input, or None: one is generated and printed."""
    return sys.stdin.readline().rstrip("\n") if args.password_stdin else None


def _print_user(upn: str, issued: Issued) -> None:
    print(f"user:          {upn}")
    if issued.secret is not None:
        print(f"password:      {issued.secret}   (shown once: store it now)")
    if issued.totp_uri is not None:
        print(f"authenticator: {issued.totp_uri}")
        print("               (shown once: add it to the user's authenticator app now)")
