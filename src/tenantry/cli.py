"""`tenantry …`: serve the API, print a development token, generate a master key."""

from __future__ import annotations

import argparse
import asyncio
import atexit
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from tenantry import admin, audit_cli, logs
from tenantry.auth import second_factor
from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.signing_keys import KeyChange
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
from tenantry.domain.audit import Action, audit_event
from tenantry.domain.models import PartnerType
from tenantry.runtime import ConfigurationError, Runtime, master_key_for, open_runtime
from tenantry.security.keys import MasterKeyError, generate_master_key
from tenantry.security.sealing import SealError
from tenantry.storage.audit_repository import SqlAuditLog

# The `azp` of tokens printed by `tenantry token --user`: they come from the operator's
# command line, not from a registered app.
CLI_CLIENT_ID = "tenantry-cli"

# `tenantry customers|domains|addresses …` are handed to tenantry_client.cli.
CLIENT_COMMANDS = frozenset({"customers", "domains", "addresses"})


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
        prog="tenantry",
        description="A wire-compatible Partner Center customer API.",
        epilog="Calls to a running service (Tenantry or Partner Center itself): "
        "`tenantry customers create|get|list|search|delete|import`, `tenantry domains check`, "
        "`tenantry addresses validate`; each has --help.",
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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="server processes sharing the port (Linux, SO_REUSEPORT; default 1). The sandbox "
        "control plane's faults, request log and limits are per process",
    )
    serve.add_argument("--log-level", default="info")
    serve.add_argument(
        "--log-format",
        choices=list(logs.FORMATS),
        default=None,
        help="server log lines: json (production default) or text (sandbox default)",
    )
    serve.add_argument(
        "--graceful-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="on SIGTERM, how long requests in flight may take to finish (default 30)",
    )

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
    _key_commands(commands)
    audit_cli.add_parser(commands, _storage_args)
    return parser


def _key_commands(commands: Any) -> None:
    keys = commands.add_parser("keys", help="list, rotate and retire the token-signing keys")
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="the signing keys, oldest first; the last one signs")
    actions.add_parser("rotate", help="add a key that signs from now on; older keys still verify")
    retire = actions.add_parser("retire", help="remove an older key: its tokens stop verifying")
    retire.add_argument("kid")
    for action in actions.choices.values():
        _storage_args(action)


async def _keys(args: argparse.Namespace) -> None:
    settings = settings_from_env(data_dir=args.data_dir, database_url=args.database_url)
    runtime = await open_runtime(settings, bootstrap=False)
    store = runtime.tokens.keys

    def record(action: Action) -> KeyChange:
        async def write(conn: AsyncConnection, kid: str) -> None:
            event = audit_event(
                admin.operator_actor(),
                action,
                datetime.now(UTC),
                target_type="signingKey",
                target_id=kid,
            )
            await SqlAuditLog(conn).record(event)

        return write

    try:
        if args.action == "rotate":
            key = await store.rotate(record(Action.SIGNING_KEY_ROTATED))
            print(f"{key.kid}  signs from now on (nodes switch within 5 minutes)")
        elif args.action == "retire":
            try:
                await store.retire(args.kid, record(Action.SIGNING_KEY_RETIRED))
            except KeyError:
                raise ConfigurationError(f"there is no signing key {args.kid!r}") from None
            except ValueError as exc:
                raise ConfigurationError(str(exc)) from None
            print(f"{args.kid}  retired")
        else:
            for key in store.listing():
                current = "  (signs)" if key.kid == store.current.kid else ""
                print(f"{key.kid}  {key.created_at:%Y-%m-%d %H:%M:%S}Z{current}")
    finally:
        await runtime.close()


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
        _storage_args(action)


def _credential_args(parser: argparse.ArgumentParser, mfa_help: str) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (else one is generated and printed once)",
    )
    parser.add_argument("--mfa", choices=list(second_factor.METHODS), default=None, help=mfa_help)


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
            issued = await admin.add_app(
                runtime, args.tenant_id, args.name, tuple(args.redirect_uri)
            )
            print(f"client id:     {issued.identifier}")
            print(f"client secret: {issued.secret}   (shown once: store it now)")
        elif args.action == "add-user":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            issued = await admin.add_user(
                runtime, args.tenant_id, args.upn, tuple(args.role), password, args.mfa
            )
            _print_user(args.upn, issued)
        elif args.action == "reset-user":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            issued = await admin.reset_user(runtime, args.upn, password, args.mfa)
            _print_user(args.upn, issued)
            print("every refresh token of this user has stopped working")
        elif args.action == "rotate-secret":
            overlap = timedelta(hours=args.overlap_hours)
            issued = await admin.rotate_secret(runtime, args.client_id, overlap)
            print(f"client id:     {issued.identifier}")
            print(f"client secret: {issued.secret}   (shown once: store it now)")
            print(f"the old secret works until {datetime.now(UTC) + overlap:%Y-%m-%d %H:%M}Z")
        elif args.action == "link-reseller":
            ship = await admin.link_reseller(
                runtime, args.provider, args.reseller, active=not args.inactive
            )
            print(f"{ship.provider_id} -> {ship.reseller_id}: {ship.state.value}")
    finally:
        await runtime.close()


def _print_user(upn: str, issued: admin.Issued) -> None:
    print(f"user:          {upn}")
    if issued.secret is not None:
        print(f"password:      {issued.secret}   (shown once: store it now)")
    if issued.totp_uri is not None:
        print(f"authenticator: {issued.totp_uri}")
        print("               (shown once: add it to the user's authenticator app now)")


def _banner(base_url: str) -> Callable[[Runtime], None]:
    def show(runtime: Runtime) -> None:
        _print_banner(runtime.settings, base_url)

    return show


def _print_banner(s: Settings, base_url: str, extra: tuple[str, ...] = ()) -> None:
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
    print("\n".join([*lines, *extra]), flush=True)


def _serve(args: argparse.Namespace) -> int:
    if args.ephemeral:  # a fresh database: its first signing key is made while Python imports
        from tenantry.auth.signing_keys import pregenerate

        pregenerate()
    import uvicorn

    from tenantry.app import create_app

    data_dir = args.data_dir
    if args.workers != 1:
        from tenantry.workers import WorkersRefused, check_workers

        try:  # the settings that matter here are known before the temporary directory
            check_workers(
                settings_from_env(database_url=args.database_url, ephemeral=args.ephemeral),
                args.workers,
            )
        except WorkersRefused as exc:
            print(f"tenantry: {exc}", file=sys.stderr)
            return 2
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
        if args.workers > 1:  # migrations, keys and the seed once, before any worker
            asyncio.run(_preflight(settings, seed=True))
        elif not settings.sandbox:  # and a production database that would not be safe
            asyncio.run(_preflight(settings))
    except (ConfigurationError, MasterKeyError, SealError) as exc:
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1:
        return _serve_workers(args, settings, host)
    from tenantry.serving import MAX_REQUEST_HEAD_BYTES, DrainingServer

    app = create_app(settings, on_ready=_banner(f"http://{host}:{args.port}"))
    log_format = args.log_format or logs.default_format(sandbox=settings.sandbox)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=logs.logging_config(log_format, args.log_level),
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=args.graceful_timeout,
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
    )
    server = DrainingServer(config, app)
    server.run()
    return 0 if server.started else 1


async def _preflight(settings: Settings, *, seed: bool = False) -> None:
    runtime = await open_runtime(settings)
    try:
        if seed and settings.seed_file is not None:
            from tenantry.control.state import load_seed_file

            await load_seed_file(runtime, settings.seed_file)
    finally:
        await runtime.close()


def _serve_workers(args: argparse.Namespace, settings: Settings, host: str) -> int:
    from tenantry.workers import serve_workers

    def announce(port: int, pids: list[int]) -> None:
        listed = ", ".join(str(pid) for pid in pids)
        extra = [f"  workers:       {len(pids)} processes sharing the port (pids {listed})"]
        if settings.sandbox:
            extra.append("  (sandbox faults, request log and limits are kept per process)")
        _print_banner(settings, f"http://{host}:{port}", tuple(extra))

    try:
        return serve_workers(
            settings,
            args.host,
            args.port,
            args.workers,
            announce,
            log_level=args.log_level,
            log_format=args.log_format or logs.default_format(sandbox=settings.sandbox),
            graceful_timeout=args.graceful_timeout,
        )
    except OSError as exc:  # the address is taken or cannot be bound
        print(f"tenantry: cannot listen on {host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1


async def _print_token(args: argparse.Namespace) -> None:
    settings = settings_from_env(data_dir=args.data_dir, database_url=args.database_url)
    runtime = await open_runtime(settings, bootstrap=False)
    try:
        if args.user:
            async with runtime.uow() as work:
                user = await work.partners.get_user(args.user)
            if user is None:
                raise ConfigurationError(f"there is no partner user {args.user!r} here")
            # The operator vouches for the user, except one set up to have no second factor.
            token, _ = runtime.tokens.issue_user_token(
                user.partner_id,
                CLI_CLIENT_ID,
                user,
                PARTNER_CENTER_AUDIENCE,
                mfa=user.mfa != second_factor.NONE,
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
    words = sys.argv[1:] if argv is None else argv
    if words and words[0] in CLIENT_COMMANDS:
        # Calls to a running service: the client's CLI, over the SDK (tenantry-client[cli]).
        from tenantry_client.cli import main as client_main

        return client_main(words, prog="tenantry")
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
    if args.command in ("partners", "keys", "audit"):
        runs = {"partners": _partners, "keys": _keys, "audit": audit_cli.run}
        try:
            asyncio.run(runs[args.command](args))
        except (ConfigurationError, MasterKeyError, SealError) as exc:
            print(f"tenantry: {exc}", file=sys.stderr)
            return 2
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
