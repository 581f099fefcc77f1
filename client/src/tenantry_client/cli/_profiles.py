"""Saved connections ("profiles"), as `az` and `gh` keep them.

`config.ini` in the configuration directory (`$XDG_CONFIG_HOME/tenantry-client`, else
`%APPDATA%\\tenantry-client` on Windows, else `~/.config/tenantry-client`) holds each
profile's base URL, tenant id, client id and authority, and which profile is the default.
It never holds a secret. A client secret goes to the system keyring when the `keyring`
package is installed and has a working backend; otherwise to `secrets.json` beside the
configuration. Both files are written whole (a temporary file, then a rename) and readable
and writable by the owner only (0600), in a directory only the owner may enter (0700).
"""

from __future__ import annotations

import configparser
import contextlib
import importlib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tenantry_client.cli._args import UsageError

APP = "tenantry-client"
KEYRING_SERVICE = "tenantry-client"
CONFIG_FILE = "config.ini"
SECRETS_FILE = "secrets.json"
KEYRING = "keyring"
FILE = "file"
_SETTINGS = "settings"
_PREFIX = "profile "
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_HEADER = "# tenantry-client profiles, written by `tenantry-client login`. No secrets here.\n"


def config_dir() -> Path:
    """Where profiles are kept."""
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        base = Path(xdg)
    elif os.name == "nt" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    else:
        base = Path.home() / ".config"
    return base / APP


def check_name(name: str) -> str:
    """A profile name: letters, digits, `.`, `_`, `-`; at most 64 characters."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a profile name: letters, digits, '.', '_' and '-', "
            "starting with a letter or digit, at most 64 characters"
        )
    return name


@dataclass(frozen=True)
class Profile:
    """One saved connection. `secret` says where its client secret is (`keyring`, `file`),
    or is None when it has none (a sandbox on this machine)."""

    name: str
    base_url: str
    tenant_id: str | None = None
    client_id: str | None = None
    authority: str | None = None
    secret: str | None = None


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text`, readable and writable by the owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


class ProfileStore:
    """`config.ini`: the profiles and the name of the default one."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / CONFIG_FILE

    def _load(self) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with self.path.open(encoding="utf-8") as file:
                parser.read_file(file)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, configparser.Error) as exc:
            raise UsageError(f"cannot read {self.path}: {exc}") from None
        return parser

    def _save(self, parser: configparser.ConfigParser) -> None:
        text = io.StringIO()
        parser.write(text)
        try:
            write_private(self.path, _HEADER + text.getvalue())
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror}") from None

    def profiles(self) -> list[Profile]:
        parser = self._load()
        return [
            self._profile(section[len(_PREFIX) :], parser[section])
            for section in parser.sections()
            if section.startswith(_PREFIX)
        ]

    @staticmethod
    def _profile(name: str, section: configparser.SectionProxy) -> Profile:
        return Profile(
            name=name,
            base_url=section.get("base_url", ""),
            tenant_id=section.get("tenant_id") or None,
            client_id=section.get("client_id") or None,
            authority=section.get("authority") or None,
            secret=section.get("secret") or None,
        )

    def get(self, name: str) -> Profile | None:
        parser = self._load()
        section = _PREFIX + name
        return self._profile(name, parser[section]) if parser.has_section(section) else None

    def default_name(self) -> str | None:
        """The default profile's name, if it exists."""
        parser = self._load()
        name = parser.get(_SETTINGS, "default_profile", fallback="")
        return name if name and parser.has_section(_PREFIX + name) else None

    def save(self, profile: Profile, *, make_default: bool) -> bool:
        """Add or replace a profile; returns whether it is the default now (the first
        profile saved becomes the default)."""
        parser = self._load()
        section = _PREFIX + profile.name
        parser.remove_section(section)
        parser.add_section(section)
        values = {
            "base_url": profile.base_url,
            "tenant_id": profile.tenant_id,
            "client_id": profile.client_id,
            "authority": profile.authority,
            "secret": profile.secret,
        }
        for key, value in values.items():
            if value:
                parser.set(section, key, value)
        current = parser.get(_SETTINGS, "default_profile", fallback="")
        if make_default or not current or not parser.has_section(_PREFIX + current):
            if not parser.has_section(_SETTINGS):
                parser.add_section(_SETTINGS)
            parser.set(_SETTINGS, "default_profile", profile.name)
        self._save(parser)
        return parser.get(_SETTINGS, "default_profile") == profile.name

    def remove(self, name: str) -> Profile | None:
        """Remove a profile (not its secret); returns it, or None if there was none."""
        profile = self.get(name)
        if profile is None:
            return None
        parser = self._load()
        parser.remove_section(_PREFIX + name)
        if parser.get(_SETTINGS, "default_profile", fallback="") == name:
            parser.remove_option(_SETTINGS, "default_profile")
        self._save(parser)
        return profile

    def use(self, name: str) -> None:
        """Make an existing profile the default."""
        parser = self._load()
        if not parser.has_section(_PREFIX + name):
            raise UsageError(f"there is no profile {name!r} (tenantry-client profiles list)")
        if not parser.has_section(_SETTINGS):
            parser.add_section(_SETTINGS)
        parser.set(_SETTINGS, "default_profile", name)
        self._save(parser)


def system_keyring() -> Any | None:
    """The `keyring` module when it is installed and has a working backend, else None."""
    try:
        module = importlib.import_module("keyring")
    except ImportError:
        return None
    try:
        backend = module.get_keyring()
    except Exception:  # a backend that cannot even be named is not one to trust
        return None
    kind = type(backend).__module__
    if kind.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return None
    priority = getattr(backend, "priority", 1)
    return module if isinstance(priority, int | float) and priority > 0 else None


class SecretStore:
    """Client secrets: in the system keyring (service `tenantry-client`, user the profile
    name), or in `secrets.json` when there is no keyring."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or config_dir()
        self.path = self.directory / SECRETS_FILE

    def _read_file(self) -> dict[str, str]:
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read {self.path}: {exc}") from None
        secrets = loaded.get("secrets") if isinstance(loaded, dict) else None
        if not isinstance(secrets, dict):
            raise UsageError(f"{self.path} is not a tenantry-client secrets file")
        return {str(k): str(v) for k, v in secrets.items()}

    def _write_file(self, secrets: dict[str, str]) -> None:
        if not secrets:
            self.path.unlink(missing_ok=True)
            return
        text = json.dumps({"secrets": secrets}, indent=2, sort_keys=True) + "\n"
        try:
            write_private(self.path, text)
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror}") from None

    def put(self, name: str, secret: str) -> str:
        """Store a profile's secret; returns where (`keyring` or `file`)."""
        keyring = system_keyring()
        if keyring is not None:
            try:
                keyring.set_password(KEYRING_SERVICE, name, secret)
            except Exception:  # a locked or unreachable keyring: fall back to the file
                keyring = None
        if keyring is not None:
            self._forget_file(name)
            return KEYRING
        secrets = self._read_file()
        secrets[name] = secret
        self._write_file(secrets)
        return FILE

    def get(self, profile: Profile) -> str:
        """The profile's secret (UsageError when it cannot be found)."""
        if profile.secret == KEYRING:
            keyring = system_keyring()
            if keyring is None:
                raise UsageError(
                    f"profile {profile.name!r} keeps its secret in the system keyring, which "
                    f"is not available now: run `tenantry-client login --profile {profile.name}`"
                )
            try:
                secret = keyring.get_password(KEYRING_SERVICE, profile.name)
            except Exception as exc:
                raise UsageError(f"the system keyring refused: {type(exc).__name__}") from None
        else:
            secret = self._read_file().get(profile.name)
        if not secret:
            raise UsageError(
                f"profile {profile.name!r} has lost its secret: "
                f"run `tenantry-client login --profile {profile.name}` again"
            )
        return str(secret)

    def delete(self, profile: Profile) -> None:
        """Forget a profile's secret, wherever it is."""
        if profile.secret == KEYRING:
            keyring = system_keyring()
            if keyring is not None:
                with contextlib.suppress(Exception):  # already gone
                    keyring.delete_password(KEYRING_SERVICE, profile.name)
        self._forget_file(profile.name)

    def _forget_file(self, name: str) -> None:
        if not self.path.exists():
            return
        secrets = self._read_file()
        if secrets.pop(name, None) is not None:
            self._write_file(secrets)
