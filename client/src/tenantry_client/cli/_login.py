"""`login`, `logout`, `profiles list|use`: saved connections (see `_profiles`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from dataclasses import replace

import httpx

from tenantry_client._credentials import ClientSecretCredential
from tenantry_client.cli._args import DEFAULT_CLI_BASE_URL, UsageError
from tenantry_client.cli._connect import check_base_url, given, is_local
from tenantry_client.cli._output import emit_json, table
from tenantry_client.cli._profiles import (
    KEYRING,
    Profile,
    ProfileStore,
    SecretStore,
    check_name,
)


def _profile_name(args: argparse.Namespace, default: str | None) -> str:
    name = given(args, "profile") or default
    if name is None:
        raise UsageError("there is no default profile: name one with --profile")
    return check_name(name)


def _secret(args: argparse.Namespace) -> str | None:
    if args.client_secret_stdin:
        if getattr(args, "client_secret", None):
            raise UsageError("give --client-secret or --client-secret-stdin, not both")
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise UsageError("no secret on stdin")
        return secret
    secret = given(args, "client_secret")
    if secret is None and sys.stdin.isatty():
        secret = getpass.getpass("Client secret (not shown): ") or None
    return secret


def _verify(profile: Profile, secret: str) -> None:
    """Sign in once with the credentials; CredentialError if the service refuses them."""
    credential = ClientSecretCredential(
        str(profile.tenant_id), str(profile.client_id), secret, authority=profile.authority
    )
    with httpx.Client(timeout=30.0) as http:
        credential.get_token(http, base_url=profile.base_url)


def login(args: argparse.Namespace) -> int:
    """Save (or replace) a profile; its secret goes to the keyring or the secrets file."""
    if getattr(args, "token", None):
        raise UsageError("login saves client credentials, not a token (--token)")
    if getattr(args, "certificate", None) or getattr(args, "device_code", False):
        raise UsageError(
            "login saves a client secret: give --certificate or --device-code on each command"
        )
    name = _profile_name(args, "default")
    base_url = check_base_url(given(args, "base_url") or DEFAULT_CLI_BASE_URL)
    tenant_id, client_id = given(args, "tenant_id"), given(args, "client_id")
    secret: str | None = None
    if tenant_id or client_id or args.client_secret_stdin or given(args, "client_secret"):
        if not (tenant_id and client_id):
            raise UsageError("give both --tenant-id and --client-id (or neither)")
        secret = _secret(args)
        if not secret:
            raise UsageError("give the app's secret: --client-secret, --client-secret-stdin")
    elif not is_local(base_url):
        raise UsageError(
            f"{base_url} is not on this machine: give --tenant-id, --client-id and the secret"
        )
    profile = Profile(
        name=name,
        base_url=base_url.rstrip("/"),
        tenant_id=tenant_id,
        client_id=client_id,
        authority=given(args, "authority"),
    )
    if secret is not None and not args.no_verify:
        _verify(profile, secret)
        print(f"Signed in to {profile.base_url} as app {client_id} of tenant {tenant_id}.")
    profiles, secrets = ProfileStore(), SecretStore()
    previous = profiles.get(name)
    if previous is not None:
        secrets.delete(previous)
    where = secrets.put(name, secret) if secret is not None else None
    is_default = profiles.save(replace(profile, secret=where), make_default=args.default)
    done = "replaced" if previous is not None else "saved"
    print(
        f"Profile {name!r} {done} in {profiles.path}"
        + (" (the default profile)." if is_default else f"; use it with --profile {name}.")
    )
    if where == KEYRING:
        print("Its secret is in the system keyring.")
    elif where is not None:
        print(f"Its secret is in {secrets.path}, readable by you only (no system keyring).")
    return 0


def logout(args: argparse.Namespace) -> int:
    """Remove a profile and its secret."""
    profiles = ProfileStore()
    name = _profile_name(args, profiles.default_name())
    profile = profiles.remove(name)
    if profile is None:
        raise UsageError(f"there is no profile {name!r} (tenantry-client profiles list)")
    SecretStore().delete(profile)
    print(f"Profile {name!r} removed, and its secret.")
    return 0


def profiles_command(args: argparse.Namespace) -> int:
    """`profiles list` and `profiles use NAME`."""
    store = ProfileStore()
    if args.command == "use":
        store.use(check_name(args.name))
        print(f"Profile {args.name!r} is the default now.")
        return 0
    default = store.default_name()
    env_profile = os.environ.get("TENANTRY_PROFILE")
    rows = store.profiles()
    if args.output == "json":
        emit_json(
            {
                "default": default,
                "configFile": str(store.path),
                "items": [
                    {
                        "name": p.name,
                        "baseUrl": p.base_url,
                        "tenantId": p.tenant_id,
                        "clientId": p.client_id,
                        "authority": p.authority,
                        "secret": p.secret,
                    }
                    for p in rows
                ],
            }
        )
        return 0
    if not rows:
        print(f"No profiles ({store.path}): save one with `tenantry-client login`.")
        return 0
    table(
        ["", "NAME", "BASE URL", "TENANT ID", "CLIENT ID", "SECRET"],
        [
            [
                "*" if p.name == default else "",
                p.name,
                p.base_url,
                p.tenant_id or "",
                p.client_id or "",
                p.secret or "",
            ]
            for p in rows
        ],
    )
    if env_profile:
        print(f"(TENANTRY_PROFILE={env_profile} overrides the default)", file=sys.stderr)
    return 0
