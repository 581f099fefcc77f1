"""`tenantry …`: serve the API, print a development token, generate a master key."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from tenantry import admin
from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import (
    DEFAULT_DATA_DIR,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEV_ADMIN_KEY,
    Mode,
    Settings,
    settings_from_env,
)
from tenantry.domain.models import PartnerType
from tenantry.runtime import ConfigurationError, Runtime, master_key_for, open_runtime
from tenantry.security.keys import MasterKeyError, generate_master_key
from tenantry.security.sealing import SealError

# The `azp` of tokens printed by `tenantry token --user`: they come from the operator's
# command line, not from a registered app.
CLI_CLIENT_ID = "tenantry-cli"


def _storage_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"where the SQLite file and the master key live (default: {DEFAULT_DATA_DIR})",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql://user@host:port/db to use PostgreSQL instead of SQLite",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tenantry", description="A wire-compatible Partner Center customer API."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the REST service")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    _storage_args(serve)
    serve.add_argument("--mode", choices=[m.value for m in Mode], default=None)
    serve.add_argument("--server-id", default=None, help="value of the MS-ServerId header")
    serve.add_argument(
        "--strict-headers",
        action="store_true",
        help="answer 400 when MS-RequestId or MS-CorrelationId is missing",
    )
    serve.add_argument(
        "--strict-idempotency",
        action="store_true",
        help="answer 422 when an MS-RequestId is reused with a different body",
    )
    serve.add_argument(
        "--idempotency-retention",
        type=int,
        default=None,
        metavar="SECONDS",
        help="how long an answer is kept for replay by MS-RequestId (default: 86400)",
    )
    serve.add_argument(
        "--lock-wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long a request waits for a database lock before giving up (default: 10)",
    )
    serve.add_argument(
        "--seed",
        type=Path,
        default=None,
        metavar="FILE",
        help="load partners, partnerships and customers from a JSON or YAML file at start",
    )
    serve.add_argument(
        "--customer-cap",
        type=int,
        default=None,
        metavar="N",
        help="sandbox: customers per partner before 800018 (default 75; 0 = no cap)",
    )
    serve.add_argument(
        "--provisioning-delay",
        type=float,
        default=None,
        metavar="SECONDS",
        help="sandbox: a new customer reads as not found for this long (default 0)",
    )
    serve.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="customer-resource requests a minute per partner before 429 (default 500; 0 = none)",
    )
    serve.add_argument(
        "--ephemeral",
        action="store_true",
        help="keep everything in a temporary directory, removed on exit (for CI)",
    )
    serve.add_argument(
        "--trust-issuers",
        type=Path,
        default=None,
        metavar="FILE",
        help="JSON list of external OpenID Connect issuers whose tokens are accepted",
    )
    serve.add_argument(
        "--admin-key",
        default=None,
        help="the sandbox control plane's key (Tenantry-Admin-Key header)",
    )
    serve.add_argument("--log-level", default="info")

    token = commands.add_parser(
        "token", help="print an access token (the development partner's app, or a user's)"
    )
    _storage_args(token)
    token.add_argument(
        "--user",
        default=None,
        metavar="UPN",
        help="an App+User token for this partner user instead of the app-only token",
    )

    commands.add_parser("keygen", help="print a new master key for TENANTRY_MASTER_KEY")
    _partner_commands(commands)
    return parser


def _partner_commands(commands: Any) -> None:
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
    user = actions.add_parser("add-user", help="add a partner user (App+User sign-in)")
    user.add_argument("tenant_id")
    user.add_argument("--upn", required=True)
    user.add_argument("--role", action="append", default=[], help="repeatable, e.g. 'Admin agent'")
    user.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else one is generated and printed once)",
    )
    link = actions.add_parser("link-reseller", help="a provider's partnership with a reseller")
    link.add_argument("provider")
    link.add_argument("reseller")
    link.add_argument("--inactive", action="store_true")
    for action in (create, app, user, link, actions.choices["list"]):
        _storage_args(action)


async def _partners(args: argparse.Namespace) -> None:
    settings = settings_from_env(data_dir=args.data_dir, database_url=args.database_url)
    runtime = await open_runtime(settings, bootstrap=False)
    try:
        if args.action == "create":
            partner = await admin.create_partner(
                runtime, args.name, PartnerType(args.type), args.country, args.tenant_id
            )
            print(partner.tenant_id)
        elif args.action == "list":
            for p in await admin.list_partners(runtime):
                print(f"{p.tenant_id}  {p.partner_type.value:<17}  {p.country}  {p.name}")
        elif args.action == "add-app":
            issued = await admin.add_app(runtime, args.tenant_id, args.name)
            print(f"client id:     {issued.identifier}")
            print(f"client secret: {issued.secret}   (shown once: store it now)")
        elif args.action == "add-user":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            issued = await admin.add_user(
                runtime, args.tenant_id, args.upn, tuple(args.role), password
            )
            print(f"user:          {args.upn}")
            if issued.secret is not None:
                print(f"password:      {issued.secret}   (shown once: store it now)")
        elif args.action == "link-reseller":
            ship = await admin.link_reseller(
                runtime, args.provider, args.reseller, active=not args.inactive
            )
            print(f"{ship.provider_id} -> {ship.reseller_id}: {ship.state.value}")
    finally:
        await runtime.close()


def _banner(base_url: str) -> Callable[[Runtime], None]:
    def show(runtime: Runtime) -> None:
        s = runtime.settings
        where = (
            make_url(s.database_url).render_as_string(hide_password=True)
            if s.database_url
            else str((s.data_dir / "tenantry.db").resolve())
        )
        lines = [
            f"Tenantry {s.mode.value} listening on {base_url}",
            f"  database:      {where}",
        ]
        if s.sandbox:
            lines += [
                "  development partner (well-known, sandbox only):",
                f"    tenant id:     {DEV_TENANT_ID}",
                f"    client id:     {DEV_CLIENT_ID}",
                f"    client secret: {DEV_CLIENT_SECRET}",
                f"    token URL:     {base_url}/{DEV_TENANT_ID}/oauth2/v2.0/token",
                f"    scope:         {PARTNER_CENTER_AUDIENCE}/.default",
                f"    partner user:  {DEV_USER_UPN} / {DEV_USER_PASSWORD}",
                "  control plane:   /_tenantry/ with header "
                + (
                    "Tenantry-Admin-Key: " + s.admin_key
                    if s.admin_key == DEV_ADMIN_KEY
                    else "Tenantry-Admin-Key: (the key given with --admin-key)"
                ),
            ]
        print("\n".join(lines), flush=True)

    return show


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from tenantry.app import create_app

    data_dir = args.data_dir
    if args.ephemeral:
        data_dir = Path(tempfile.mkdtemp(prefix="tenantry-"))
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)  # if start-up fails
    settings = settings_from_env(
        mode=Mode(args.mode) if args.mode else None,
        data_dir=data_dir,
        database_url=args.database_url,
        server_id=args.server_id,
        strict_headers=args.strict_headers or None,
        strict_idempotency=args.strict_idempotency or None,
        idempotency_retention_seconds=args.idempotency_retention,
        lock_wait_seconds=args.lock_wait,
        seed_file=args.seed,
        trusted_issuers_file=args.trust_issuers,
        admin_key=args.admin_key,
        ephemeral=args.ephemeral or None,
        customer_cap=args.customer_cap,
        customer_rate_limit=args.rate_limit,
        provisioning_delay_seconds=args.provisioning_delay,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host
    try:
        master_key_for(settings)  # refuse bad key settings before binding the port
        if not settings.sandbox:  # and a production database that would not be safe
            asyncio.run(_preflight(settings))
    except (ConfigurationError, MasterKeyError, SealError) as exc:
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
    app = create_app(settings, on_ready=_banner(f"http://{host}:{args.port}"))
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


async def _preflight(settings: Settings) -> None:
    runtime = await open_runtime(settings)
    await runtime.close()


async def _print_token(args: argparse.Namespace) -> None:
    settings = settings_from_env(data_dir=args.data_dir, database_url=args.database_url)
    runtime = await open_runtime(settings, bootstrap=False)
    try:
        if args.user:
            async with runtime.uow() as work:
                user = await work.partners.get_user(args.user)
            if user is None:
                raise ConfigurationError(f"there is no partner user {args.user!r} here")
            token, _ = runtime.tokens.issue_user_token(
                user.partner_id, CLI_CLIENT_ID, user, PARTNER_CENTER_AUDIENCE
            )
        else:
            if await runtime.partner(DEV_TENANT_ID) is None:
                raise ConfigurationError("there is no development partner here (production mode?)")
            token, _ = runtime.tokens.issue_app_token(
                DEV_TENANT_ID, DEV_CLIENT_ID, PARTNER_CENTER_AUDIENCE
            )
        print(token)
    finally:
        await runtime.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "token":
        try:
            asyncio.run(_print_token(args))
        except (ConfigurationError, MasterKeyError, SealError) as exc:
            print(f"tenantry: {exc}", file=sys.stderr)
            return 2
        return 0
    if args.command == "keygen":
        print(generate_master_key())
        return 0
    if args.command == "partners":
        try:
            asyncio.run(_partners(args))
        except (ConfigurationError, MasterKeyError, SealError) as exc:
            print(f"tenantry: {exc}", file=sys.stderr)
            return 2
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
