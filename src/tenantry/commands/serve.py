"""`tenantry serve`: run the REST service, in one process or as `--workers N`.

The settings' flags come from `Settings` itself (`config.add_flags`); the flags here are
the ones about the server process: where it listens, how many processes, how it logs and
how long it drains. Uvicorn and the application are imported only once the command runs,
after a fresh sandbox's first signing key has started (`--ephemeral`).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import gc
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from tenantry import logs
from tenantry.auth.development import (
    DEV_CLIENT_ID,
    DEV_CLIENT_SECRET,
    DEV_TENANT_ID,
    DEV_USER_PASSWORD,
    DEV_USER_UPN,
)
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tenantry.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEV_ADMIN_KEY,
    Exposure,
    Settings,
    add_flags,
    settings_from_args,
)
from tenantry.http.listener_gate import PROBES, SURFACES, placement
from tenantry.runtime import (
    ConfigurationError,
    Runtime,
    master_key_for,
    open_runtime,
    refuse_unless_current,
)
from tenantry.security.keys import MasterKeyError
from tenantry.security.sealing import SealError

if TYPE_CHECKING:
    from tenantry.serving.server import ServerOptions


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the REST service")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    add_flags(serve)  # every setting that has a flag, data dir and database URL first
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
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.ephemeral:  # a fresh database: its first signing key is made while Python imports
        from tenantry.auth.signing_keys import pregenerate

        pregenerate()
    from tenantry.app import create_app
    from tenantry.serving.listeners import check_listeners
    from tenantry.serving.server import run_server

    # The collector was paused while the modules were imported (`commands.main`): it
    # would have walked all they made several times over (about 0.1 s of a start). They
    # live as long as the process, so they are frozen out of its later passes.
    gc.freeze()
    gc.enable()
    if args.workers != 1:
        from tenantry.serving.workers import WorkersRefused, check_workers

        try:  # the settings that matter here are known before the temporary directory
            check_workers(settings_from_args(args), args.workers)
        except WorkersRefused as exc:
            print(f"tenantry: {exc}", file=sys.stderr)
            return 2
    data_dir = None  # the --data-dir flag, the environment or the default
    if args.ephemeral:
        data_dir = Path(tempfile.mkdtemp(prefix="tenantry-"))
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)  # if start-up fails
    settings = settings_from_args(args, data_dir=data_dir)
    host = f"[{args.host}]" if ":" in args.host else args.host
    try:
        master_key_for(settings)  # refuse bad key settings before binding the port
        check_listeners(settings, args.port)  # an admin-only surface needs --admin-port
        if args.workers > 1:  # migrations, keys and the seed once, before any worker
            asyncio.run(_preflight(settings, seed=True))
        elif not settings.sandbox:  # and a production database that would not be safe
            asyncio.run(_preflight(settings))
        elif settings.no_migrate:  # a database that is not current: one line, no traceback
            asyncio.run(refuse_unless_current(settings))
    except (ConfigurationError, MasterKeyError, SealError) as exc:
        print(f"tenantry: {exc}", file=sys.stderr)
        return 2
    if args.workers > 1:
        return _serve_workers(args, settings, host)
    app = create_app(settings, on_ready=_banner(f"http://{host}:{args.port}"))
    return 0 if run_server(app, _server_options(args, settings), args.host, args.port) else 1


def _server_options(args: argparse.Namespace, settings: Settings) -> ServerOptions:
    from tenantry.serving.server import ServerOptions

    log_format = args.log_format or logs.default_format(sandbox=settings.sandbox)
    return ServerOptions(args.log_level, log_format, args.graceful_timeout)


async def _preflight(settings: Settings, *, seed: bool = False) -> None:
    runtime = await open_runtime(settings)
    try:
        if seed and settings.seed_file is not None:
            from tenantry.control.state import load_seed_file

            await load_seed_file(runtime, settings.seed_file)
    finally:
        await runtime.close()


def _serve_workers(args: argparse.Namespace, settings: Settings, host: str) -> int:
    from tenantry.serving.workers import serve_workers

    def announce(port: int, pids: list[int]) -> None:
        listed = ", ".join(str(pid) for pid in pids)
        extra = [f"  workers:       {len(pids)} processes sharing the port (pids {listed})"]
        if settings.sandbox:
            extra.append("  (sandbox faults, request log and limits are kept per process)")
        _print_banner(settings, f"http://{host}:{port}", tuple(extra))

    try:
        return serve_workers(
            settings, args.host, args.port, args.workers, announce, _server_options(args, settings)
        )
    except OSError as exc:  # the address is taken or cannot be bound
        print(f"tenantry: cannot listen on {host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1


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
    if s.admin_port is not None:
        moved = [name for name, listeners in placement(s).items() if Exposure.ADMIN in listeners]
        served = [*PROBES, *(SURFACES[name][0] for name in moved)]
        lines.append(
            f"  admin listener: http://{s.admin_host}:{s.admin_port} ({', '.join(served)})"
        )
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
