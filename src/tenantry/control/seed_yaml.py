"""Reading a YAML seed into the same key-folded object the JSON reader gives.

Safe YAML only (no Python objects), and no anchors or aliases: a few lines of aliases can
otherwise stand for billions of nodes once walked.
"""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints

from tenantry.sandbox.seeds import malformed


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _NoAliasLoader(yaml.SafeLoader):  # type: ignore[misc]
    """yaml.SafeLoader, refusing aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed in a seed", event.start_mark
            )
        return super().compose_node(parent, index)


def _folded(value: Any, path: str = "") -> Any:
    if isinstance(value, dict):
        folded: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise malformed(f"{_join(path, str(key))}: member names must be strings")
            if key.lower() in folded:
                raise malformed(f"{_join(path, key)} is given more than once")
            folded[key.lower()] = _folded(item, _join(path, key))
        return folded
    if isinstance(value, list):
        return [_folded(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def parse_yaml(raw: bytes) -> dict[str, Any]:
    """A YAML seed as a key-folded object (the JSON reader folds keys the same way)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise malformed(f"the YAML is not valid UTF-8 (byte {exc.start})") from exc
    try:
        value = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError as exc:
        raise malformed("the YAML is nested too deeply") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise malformed(f"invalid YAML{where}: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise malformed(f"invalid YAML: {exc}") from exc
    if value is None:
        raise malformed("the seed is empty")
    if not isinstance(value, dict):
        raise malformed("the seed must be a mapping with partners, partnerships, customers")
    try:
        folded: dict[str, Any] = _folded(value)
    except RecursionError as exc:
        raise malformed("the YAML is nested too deeply") from exc
    return folded
