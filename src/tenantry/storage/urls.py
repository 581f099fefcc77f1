"""libpq-style PostgreSQL URLs, as managed services document them, turned into what asyncpg
takes.

asyncpg's `connect()` takes keyword arguments, not libpq's query parameters: a URL such as
`postgresql://u@db.example.com/app?sslmode=require` would reach it as `sslmode=...` and
fail. `connect_parts` takes the parameters off the URL and maps them:

- `sslmode=disable`: `ssl=False`.
- `sslmode=allow`, `prefer` (the default): `ssl="allow"`, `"prefer"`, TLS if the server
  offers it, else plain.
- `sslmode=require`: an `SSLContext` that encrypts without checking the certificate,
  unless `sslrootcert` is given: then the chain is verified (as libpq does).
- `sslmode=verify-ca`: an `SSLContext` that verifies the chain; `verify-full` also the
  host name against the certificate.
- `sslrootcert`: the CA file, or `system` for the system's CAs; without it,
  `~/.postgresql/root.crt` when it exists, else the system's CAs.
- `sslcert`, `sslkey`, `sslpassword`: the client certificate, loaded into the context;
  `sslcrl`: a revocation list checked for the chain; `ssl_min_protocol_version`: the
  lowest TLS version (default TLSv1.2).
- `connect_timeout`: asyncpg's `timeout` (seconds; 0 = none; libpq's minimum of 2
  applies). Without it, 10 seconds.
- `application_name`, `options` (`-c name=value …`): `server_settings`;
  `target_session_attrs`: the same argument.
- `host`, `port`, `user`, `password`, `dbname`: the URL's own parts.

Certificate files are read here, once, so a missing or unreadable file is a configuration
error at start rather than at every connection. Any other parameter is refused
(`UrlRefused`, one line naming it), as are a client certificate with `allow` or `prefer`,
which asyncpg cannot combine with falling back to an unencrypted connection.
"""

from __future__ import annotations

import os
import shlex
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

# Without `connect_timeout`, a connection attempt gives up after this long (libpq would
# wait for ever, asyncpg a minute): a request waits at most this for an unreachable server.
DEFAULT_CONNECT_TIMEOUT = 10.0

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
SESSION_ATTRS = ("any", "primary", "standby", "prefer-standby", "read-write", "read-only")
_TLS_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
_SSL_FILES = ("sslrootcert", "sslcert", "sslkey", "sslcrl")
_MAPPED = (
    "sslmode",
    *_SSL_FILES,
    "sslpassword",
    "ssl_min_protocol_version",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
)
_URL_PARTS = {"port": "port", "user": "username", "password": "password", "dbname": "database"}
# libpq knows these, but Tenantry's driver has no equivalent: refused by name.
_UNSUPPORTED = (
    "channel_binding",
    "client_encoding",
    "fallback_application_name",
    "gssdelegation",
    "gssencmode",
    "gsslib",
    "hostaddr",
    "keepalives",
    "keepalives_count",
    "keepalives_idle",
    "keepalives_interval",
    "krbsrvname",
    "load_balance_hosts",
    "passfile",
    "replication",
    "require_auth",
    "requirepeer",
    "service",
    "ssl_max_protocol_version",
    "sslcertmode",
    "sslcompression",
    "sslnegotiation",
    "sslsni",
    "tcp_user_timeout",
)


class UrlRefused(ValueError):
    """The database URL cannot be used as given; the message (one line) says why."""


@dataclass(frozen=True)
class ConnectParts:
    """The URL for SQLAlchemy (no libpq parameters left on it) and asyncpg's arguments."""

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)


def connect_parts(url: str | URL) -> ConnectParts:
    """Map a PostgreSQL URL's libpq query parameters for asyncpg; `UrlRefused` otherwise."""
    parsed = make_url(url)
    query = {name: _single(name, value) for name, value in parsed.query.items()}
    for name in query:
        if name in _UNSUPPORTED:
            raise UrlRefused(f"database URL: the libpq parameter {name!r} is not supported")
        if name not in (*_MAPPED, *_URL_PARTS, "host"):
            raise UrlRefused(f"database URL: unknown parameter {name!r}")
    parts: dict[str, Any] = {}
    for name, attribute in _URL_PARTS.items():
        if name in query:
            parts[attribute] = _port(query[name]) if name == "port" else query[name]
    kept = {"host": query["host"]} if "host" in query else {}  # SQLAlchemy reads it itself
    clean = parsed.set(query=kept, **parts)
    args: dict[str, Any] = {"timeout": _timeout(query.get("connect_timeout"))}
    settings = _server_settings(query)
    if settings:
        args["server_settings"] = settings
    if "target_session_attrs" in query:
        attrs = query["target_session_attrs"]
        if attrs not in SESSION_ATTRS:
            raise UrlRefused(
                f"database URL: target_session_attrs={attrs!r} is not one of "
                + ", ".join(SESSION_ATTRS)
            )
        args["target_session_attrs"] = attrs
    tls = _ssl(query)
    if tls is not None:
        args["ssl"] = tls
    return ConnectParts(clean, args)


def _single(name: str, value: str | tuple[str, ...]) -> str:
    if isinstance(value, tuple):
        raise UrlRefused(f"database URL: the parameter {name!r} is given more than once")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise UrlRefused(f"database URL: port={text!r} is not a port number")
    return int(text)


def _timeout(text: str | None) -> float | None:
    if text is None:
        return DEFAULT_CONNECT_TIMEOUT
    try:
        seconds = int(text)
    except ValueError:
        raise UrlRefused(
            f"database URL: connect_timeout={text!r} is not a whole number of seconds"
        ) from None
    return None if seconds <= 0 else float(max(seconds, 2))


def _server_settings(query: dict[str, str]) -> dict[str, str]:
    settings: dict[str, str] = {}
    if "options" in query:
        settings.update(_options(query["options"]))
    if "application_name" in query:
        settings["application_name"] = query["application_name"]
    return settings


def _options(text: str) -> dict[str, str]:
    """libpq's `options`: command-line switches for the server, `-c name=value` (or
    `--name=value`) each; only run-time settings can be passed this way."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise UrlRefused(f"database URL: options={text!r} cannot be read: {exc}") from None
    found: dict[str, str] = {}
    pending = False
    for word in words:
        if pending:
            setting, pending = word, False
        elif word == "-c":
            pending = True
            continue
        elif word.startswith("-c") or word.startswith("--"):
            setting = word[2:]
        else:
            raise UrlRefused(
                f"database URL: options may only hold '-c name=value' settings, not {word!r}"
            )
        name, equals, value = setting.partition("=")
        if not equals or not name:
            raise UrlRefused(f"database URL: options: {setting!r} is not name=value")
        found[name.replace("-", "_")] = value
    if pending:
        raise UrlRefused("database URL: options ends with '-c' and no setting")
    return found


def _ssl(query: dict[str, str]) -> ssl.SSLContext | str | bool | None:
    mode = query.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise UrlRefused(f"database URL: sslmode={mode!r} is not one of " + ", ".join(SSL_MODES))
    for name in _SSL_FILES:
        if name in query and query[name] != "system" and not _readable(query[name]):
            raise UrlRefused(f"database URL: {name}={query[name]!r} is not a readable file")
    if mode == "disable":
        return False
    if mode in (None, "allow", "prefer"):
        if "sslcert" in query or "sslkey" in query:
            given = f"sslmode={mode}" if mode else "sslmode=prefer (the default)"
            raise UrlRefused(
                f"database URL: {given} cannot be combined with a client certificate "
                "(sslcert, sslkey): use sslmode=require, verify-ca or verify-full"
            )
        return mode  # None: asyncpg's own default, prefer (plain over a Unix socket)
    return _context(mode, query)


def _readable(path: str) -> bool:
    return os.access(path, os.R_OK) and Path(path).is_file()


def _context(mode: str, query: dict[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = mode == "verify-full"
    root = query.get("sslrootcert")
    if mode == "require" and root is None:
        context.verify_mode = ssl.CERT_NONE
    else:
        context.verify_mode = ssl.CERT_REQUIRED
        _load_roots(context, root)
    if "sslcrl" in query:
        try:
            context.load_verify_locations(cafile=query["sslcrl"])
        except ssl.SSLError as exc:
            raise UrlRefused(
                f"database URL: sslcrl={query['sslcrl']!r} is not a revocation list: {exc}"
            ) from None
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
    if "sslcert" in query:
        password = query.get("sslpassword")
        try:
            context.load_cert_chain(
                query["sslcert"], keyfile=query.get("sslkey"), password=password
            )
        except (ssl.SSLError, OSError) as exc:
            raise UrlRefused(
                f"database URL: the client certificate sslcert={query['sslcert']!r} "
                f"cannot be loaded: {exc}"
            ) from None
    elif "sslkey" in query:
        raise UrlRefused("database URL: sslkey is given without sslcert")
    minimum = query.get("ssl_min_protocol_version", "TLSv1.2")
    if minimum not in _TLS_VERSIONS:
        raise UrlRefused(
            f"database URL: ssl_min_protocol_version={minimum!r} is not one of "
            + ", ".join(_TLS_VERSIONS)
        )
    context.minimum_version = _TLS_VERSIONS[minimum]
    return context


def _load_roots(context: ssl.SSLContext, root: str | None) -> None:
    if root is None:
        default = Path.home() / ".postgresql" / "root.crt"
        root = str(default) if default.is_file() else "system"
    if root == "system":
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        return
    try:
        context.load_verify_locations(cafile=root)
    except ssl.SSLError as exc:
        raise UrlRefused(
            f"database URL: sslrootcert={root!r} holds no usable certificate: {exc}"
        ) from None
