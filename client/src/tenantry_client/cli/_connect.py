"""Which service to call, and as whom: flags, then the environment, then the sandbox."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from urllib.parse import urlsplit

from tenantry_client._credentials import ClientSecretCredential, TokenCredential
from tenantry_client.cli._args import UsageError

# Tenantry's sandbox development partner, used only against a service on this machine.
SANDBOX_TENANT_ID = "7e4a47e7-de00-4000-8000-000000000001"
SANDBOX_CLIENT_ID = "7e4a47e7-de00-4000-8000-0000000000a1"
SANDBOX_CLIENT_SECRET = "tenantry-sandbox-secret-not-for-production"  # noqa: S105 (public)

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Connection:
    """The base URL and the credential (or bearer token) of one command."""

    base_url: str
    credential: TokenCredential | str


def is_local(base_url: str) -> bool:
    """True when the service runs on this machine (127.0.0.1, localhost, ::1)."""
    host = urlsplit(base_url).hostname
    return host is not None and host.lower() in _LOCAL_HOSTS


def resolve(args: argparse.Namespace) -> Connection:
    """The connection named by the flags and the environment.

    A token wins; otherwise tenant id, client id and secret (all three). With none of them,
    a service on this machine is called as the sandbox development partner, and any other
    service is refused: credentials are never guessed for a remote service."""
    base_url: str = args.base_url
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise UsageError(f"--base-url must be an http(s) URL, not {base_url!r}")
    if args.token:
        return Connection(base_url, str(args.token))
    given = {
        "--tenant-id (TENANTRY_TENANT_ID)": args.tenant_id,
        "--client-id (TENANTRY_CLIENT_ID)": args.client_id,
        "--client-secret (TENANTRY_CLIENT_SECRET)": args.client_secret,
    }
    if any(given.values()):
        missing = [name for name, value in given.items() if not value]
        if missing:
            raise UsageError("missing " + ", ".join(missing))
        return Connection(
            base_url,
            ClientSecretCredential(
                args.tenant_id, args.client_id, args.client_secret, authority=args.authority
            ),
        )
    if is_local(base_url):
        return Connection(
            base_url,
            ClientSecretCredential(
                SANDBOX_TENANT_ID,
                SANDBOX_CLIENT_ID,
                SANDBOX_CLIENT_SECRET,
                authority=args.authority,
            ),
        )
    raise UsageError(
        f"{base_url} is not on this machine: give --tenant-id, --client-id and --client-secret "
        "(or TENANTRY_TENANT_ID, TENANTRY_CLIENT_ID, TENANTRY_CLIENT_SECRET), or --token"
    )
