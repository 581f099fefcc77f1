"""Which service to call, and as whom.

Each setting comes from its flag, else its environment variable, else the profile, else
the built-in default. The profile is the one `--profile` (`TENANTRY_PROFILE`) names, else
the default profile; a profile's credentials are only ever sent to its own base URL, so the
default profile is left out when another base URL is given, and a named one refuses it.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tenantry_client._certificate import CertificateCredential
from tenantry_client._client import PartnerClient
from tenantry_client._credentials import ClientSecretCredential, TokenCredential
from tenantry_client._errors import CredentialError
from tenantry_client._user_credentials import DeviceCodeCredential
from tenantry_client.cli._args import CONNECTION, DEFAULT_CLI_BASE_URL, UsageError
from tenantry_client.cli._profiles import Profile, ProfileStore, SecretStore

# Tenantry's sandbox development partner, used only against a service on this machine.
SANDBOX_TENANT_ID = "7e4a47e7-de00-4000-8000-000000000001"
SANDBOX_CLIENT_ID = "7e4a47e7-de00-4000-8000-0000000000a1"
SANDBOX_CLIENT_SECRET = "tenantry-sandbox-secret-not-for-production"  # noqa: S105 (public)

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_ENV = {option.dest: option.env for option in CONNECTION if option.env}
PASSWORD_ENV = "TENANTRY_CERTIFICATE_PASSWORD"  # noqa: S105 (a variable's name)


@dataclass(frozen=True)
class Connection:
    """The base URL and the credential (or bearer token) of one command, and the profile
    it came from, if any."""

    base_url: str
    credential: TokenCredential | str
    profile: str | None = None

    def client(self) -> PartnerClient:
        """A blocking client for this connection (close it, or use it in `with`)."""
        return PartnerClient(self.credential, base_url=self.base_url)


def is_local(base_url: str) -> bool:
    """True when the service runs on this machine (127.0.0.1, localhost, ::1)."""
    host = urlsplit(base_url).hostname
    return host is not None and host.lower() in _LOCAL_HOSTS


def same_service(a: str, b: str) -> bool:
    """Whether two base URLs name the same service (scheme and host in any case, and a
    trailing slash, do not matter)."""

    def key(url: str) -> tuple[str, str, int | None, str]:
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            port = None
        return (parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/"))

    return key(a) == key(b)


def given(args: argparse.Namespace, name: str) -> str | None:
    """A connection setting from its flag or its environment variable (None if neither)."""
    value = getattr(args, name, None)
    if value:
        return str(value)
    env = _ENV.get(name)
    return (os.environ.get(env) or None) if env else None


def switch(args: argparse.Namespace, name: str) -> bool:
    """Whether a connection switch (`--device-code`, …) was given."""
    return bool(getattr(args, name, False))


def check_base_url(base_url: str) -> str:
    if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).hostname:
        raise UsageError(f"--base-url must be an http(s) URL, not {base_url!r}")
    return base_url


def _profile(args: argparse.Namespace, base_url: str | None) -> Profile | None:
    store = ProfileStore()
    name = given(args, "profile")
    if name is not None:
        profile = store.get(name)
        if profile is None:
            raise UsageError(
                f"there is no profile {name!r}: save one with "
                f"`tenantry-client login --profile {name}` (see `tenantry-client profiles list`)"
            )
        if base_url is not None and not same_service(base_url, profile.base_url):
            raise UsageError(
                f"profile {name!r} is for {profile.base_url}, not {base_url}: "
                "its credentials are not sent elsewhere"
            )
        return profile
    default = store.default_name()
    profile = store.get(default) if default else None
    if (
        profile is not None
        and base_url is not None
        and not same_service(base_url, profile.base_url)
    ):
        return None  # the default profile is for another service
    return profile


def _certificate_password(args: argparse.Namespace) -> str | None:
    if switch(args, "certificate_password_stdin"):
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("no certificate password on stdin")
        return password
    return os.environ.get(PASSWORD_ENV) or None


def _certificate(
    args: argparse.Namespace, path: str, tenant_id: str, client_id: str, authority: str | None
) -> CertificateCredential:
    file = Path(path).expanduser()
    if not file.is_file():
        raise UsageError(f"--certificate {path}: no such file")
    password = _certificate_password(args)
    try:
        return CertificateCredential(
            tenant_id, client_id, file, password=password, authority=authority
        )
    except CredentialError as exc:  # unreadable, not PEM or PKCS#12, a wrong password, …
        hint = ""
        if password is None and "password" in str(exc).lower():
            hint = f" (give the password: --certificate-password-stdin or {PASSWORD_ENV})"
        raise UsageError(f"--certificate {path}: {exc}{hint}") from None


_IDS = ("--tenant-id (TENANTRY_TENANT_ID)", "--client-id (TENANTRY_CLIENT_ID)")


def _user_or_certificate(
    args: argparse.Namespace,
    chosen: str,
    certificate: str | None,
    tenant_id: str | None,
    client_id: str | None,
    authority: str | None,
) -> TokenCredential:
    """The credential of `--certificate` or `--device-code` (`chosen`)."""
    if not tenant_id or not client_id:
        missing = [
            flag for flag, value in zip(_IDS, (tenant_id, client_id), strict=True) if not value
        ]
        raise UsageError(f"{chosen} needs " + " and ".join(missing))
    if certificate is not None:
        return _certificate(args, certificate, tenant_id, client_id, authority)
    # App+User: the user is told where to sign in on stderr, so stdout stays the answer.
    return DeviceCodeCredential(tenant_id, client_id, authority=authority)


def resolve(args: argparse.Namespace) -> Connection:
    """The connection named by the flags, the environment and the profile.

    A token wins over a secret; otherwise tenant id and client id with exactly one of a
    secret, a certificate (`--certificate`) or a device code sign-in (`--device-code`). With
    none of them, a service on this machine is called as the sandbox development partner,
    and any other service is refused: credentials are never guessed for a remote service."""
    base_url = given(args, "base_url")
    if base_url is not None:
        check_base_url(base_url)
    profile = _profile(args, base_url)
    base_url = check_base_url(base_url or (profile.base_url if profile else DEFAULT_CLI_BASE_URL))
    name = profile.name if profile else None
    authority = given(args, "authority") or (profile.authority if profile else None)
    secret = given(args, "client_secret")
    certificate = given(args, "certificate")
    device_code = switch(args, "device_code")
    if switch(args, "certificate_password_stdin") and certificate is None:
        raise UsageError("--certificate-password-stdin needs --certificate")
    kinds = {
        "--client-secret (TENANTRY_CLIENT_SECRET)": secret is not None,
        "--certificate (TENANTRY_CERTIFICATE)": certificate is not None,
        "--device-code": device_code,
    }
    chosen = [flag for flag, on in kinds.items() if on]
    if len(chosen) > 1:
        raise UsageError(
            "give one of --client-secret, --certificate or --device-code, not "
            + " and ".join(chosen)
        )
    token = given(args, "token")
    if token:
        if certificate is not None or device_code:
            raise UsageError("--token is sent as it is: give no --certificate or --device-code")
        return Connection(base_url, token, name)
    tenant_id = given(args, "tenant_id") or (profile.tenant_id if profile else None)
    client_id = given(args, "client_id") or (profile.client_id if profile else None)
    if certificate is not None or device_code:
        credential = _user_or_certificate(
            args, chosen[0].split()[0], certificate, tenant_id, client_id, authority
        )
        return Connection(base_url, credential, name)
    if secret is None and profile is not None and profile.secret:
        secret = SecretStore().get(profile)
    settings = {
        "--tenant-id (TENANTRY_TENANT_ID)": tenant_id,
        "--client-id (TENANTRY_CLIENT_ID)": client_id,
        "--client-secret (TENANTRY_CLIENT_SECRET)": secret,
    }
    if any(settings.values()):
        missing = [flag for flag, value in settings.items() if not value]
        if missing:
            raise UsageError("missing " + ", ".join(missing))
        credential = ClientSecretCredential(
            str(tenant_id), str(client_id), str(secret), authority=authority
        )
        return Connection(base_url, credential, name)
    if is_local(base_url):
        credential = ClientSecretCredential(
            SANDBOX_TENANT_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, authority=authority
        )
        return Connection(base_url, credential, name)
    raise UsageError(
        f"{base_url} is not on this machine: give --tenant-id and --client-id (or "
        "TENANTRY_TENANT_ID, TENANTRY_CLIENT_ID) with --client-secret (TENANTRY_CLIENT_SECRET), "
        "--certificate or --device-code; or --token; or save them with `tenantry-client login`"
    )
