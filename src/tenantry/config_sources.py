"""Where a setting's value comes from besides its default: a `TENANTRY_*` variable (or, for
a secret, a file it names), a flag, or a key of the TOML config file.

`config.py` says which settings exist, with a `Source` in each field's metadata; this module
reads that text and checks it. Every refusal is a `SettingsError` with a one-line message
naming the variable, or the file and the key; a secret's value never appears in one.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

SOURCE_KEY = "tenantry.source"


class SettingsError(ValueError):
    """A setting cannot be read or is not valid; the message (one line) says which and why."""


class Kind(Enum):
    """What a setting's value is in the config file."""

    TEXT = "a string"
    INTEGER = "an integer"
    NUMBER = "a number"
    SWITCH = "true or false"


@dataclass(frozen=True)
class Source:
    """Where a setting comes from besides its default. `parse` turns the variable's or the
    flag's text into the value (and its error is the one the user sees). A flag for a
    `bool` setting is a switch: present means true."""

    env: str | None = None
    flag: str | None = None
    parse: Callable[[str], object] = str
    help: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    secret: bool = False  # also read from a file (`…_FILE`, `…_file`); never shown
    switch: bool = False  # set from the field's default: a bool
    key: str = ""  # in the config file: set from the flag, else the variable

    @property
    def file_env(self) -> str | None:
        """The variable naming a file that holds a secret's value."""
        return f"{self.env}_FILE" if self.secret and self.env else None

    @property
    def kind(self) -> Kind:
        if self.switch:
            return Kind.SWITCH
        if self.parse is int:
            return Kind.INTEGER
        return Kind.NUMBER if self.parse is float else Kind.TEXT


def source(
    *,
    env: str | None = None,
    flag: str | None = None,
    parse: Callable[[str], object] = str,
    help: str | None = None,
    metavar: str | None = None,
    choices: tuple[str, ...] | None = None,
    secret: bool = False,
) -> dict[str, Source]:
    """The `metadata` of a `Settings` field that the environment, the command line or the
    config file sets."""
    return {SOURCE_KEY: Source(env, flag, parse, help, metavar, choices, secret)}


def config_key(name: str, source: Source) -> str:
    """A setting's key in the config file: its flag's name, else its variable's, snake case."""
    if source.flag is not None:
        return source.flag.removeprefix("--").replace("-", "_")
    if source.env is not None:
        return source.env.removeprefix("TENANTRY_").lower()
    return name


def yes_or_no(name: str, text: str) -> bool:
    """A switch read from the environment: 1/true/yes/on or 0/false/no/off."""
    word = text.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={text!r}: expected yes or no (1/0, true/false, on/off)")


def _parsed(source: Source, text: str, where: str) -> object:
    """The setting's value read from text, or `SettingsError` naming `where`."""
    try:
        return source.parse(text)
    except ValueError as exc:
        if source.choices is not None:
            why = "expected one of " + ", ".join(source.choices)
        elif source.kind is Kind.INTEGER:
            why = "expected an integer"
        elif source.kind is Kind.NUMBER:
            why = "expected a number"
        else:
            why = str(exc)
        if why.startswith(where):  # the parse named it already
            raise SettingsError(why) from None
        shown = "" if source.secret else f"={text!r}"
        raise SettingsError(f"{where}{shown}: {why}") from None


def read_secret_file(where: str, path: Path) -> str:
    """A secret kept in a file: its text without the trailing line break."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"{where}={path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{where}={path}: not UTF-8 text") from None
    text = text.removesuffix("\n").removesuffix("\r")
    if not text.strip():
        raise SettingsError(f"{where}={path}: the file is empty")
    return text


def environment_values(sources: Mapping[str, Source]) -> dict[str, object]:
    """The settings the `TENANTRY_*` variables set (an empty variable counts as unset)."""
    values: dict[str, object] = {}
    for name, source in sources.items():
        if source.env is None:
            continue
        text = os.environ.get(source.env) or None
        file_env = source.file_env
        path = os.environ.get(file_env) if file_env is not None else None
        if file_env is not None and path:
            if text is not None:
                raise SettingsError(f"{source.env} and {file_env} are both set: keep one")
            text = read_secret_file(file_env, Path(path))
        if text is not None:
            values[name] = _parsed(source, text, source.env)
    return values


def _toml_type(value: object) -> str:
    for kind, words in (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (dict, "a table"),
        (list, "an array"),
    ):
        if isinstance(value, kind):
            return words
    return "a date or time"


def _checked(value: object, kind: Kind, where: str) -> object:
    fits = {
        Kind.TEXT: isinstance(value, str),
        Kind.INTEGER: isinstance(value, int) and not isinstance(value, bool),
        Kind.NUMBER: isinstance(value, int | float) and not isinstance(value, bool),
        Kind.SWITCH: isinstance(value, bool),
    }[kind]
    if not fits:
        raise SettingsError(f"{where}: expected {kind.value}, found {_toml_type(value)}")
    if kind is Kind.NUMBER:
        assert isinstance(value, int | float)
        return float(value)
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise SettingsError(f"config file {path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError:
        raise SettingsError(f"config file {path}: not valid TOML (not UTF-8 text)") from None


def config_keys(sources: Mapping[str, Source]) -> dict[str, str]:
    """The config file's keys, each with its setting; a secret also has `…_file`."""
    keys: dict[str, str] = {}
    for name, source in sources.items():
        keys[source.key] = name
        if source.secret:
            keys[f"{source.key}_file"] = name
    return keys


def config_file_values(path: Path, sources: Mapping[str, Source]) -> dict[str, object]:
    """The settings a TOML config file sets. Unknown keys, values of the wrong type and a
    secret given both inline and as `…_file` are refused; relative paths in it are taken
    from the file's folder."""
    table = _read_toml(path)
    keys = config_keys(sources)
    values: dict[str, object] = {}
    for key, value in table.items():
        where = f"{path}: {key}"
        name = keys.get(key)
        if name is None:
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SettingsError(f"{where}: unknown setting{hint}")
        source = sources[name]
        if key != source.key:  # `…_file`: the secret is in that file
            if source.key in table:
                raise SettingsError(f"{path}: {source.key} and {key} are both set: keep one")
            named = _checked(value, Kind.TEXT, where)
            text = read_secret_file(where, path.parent / str(named))
            values[name] = _parsed(source, text, where)
            continue
        found = _checked(value, source.kind, where)
        if source.kind is Kind.TEXT:
            found = _parsed(source, str(found), where)
            if isinstance(found, Path):
                found = path.parent / found
        values[name] = found
    return values
