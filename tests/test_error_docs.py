"""docs/errors.md and the error catalogue agree, and every code has a test producing it."""

from __future__ import annotations

import re
from pathlib import Path

from tenantry.domain.errors import Errors

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| (\d+) \| (\d{3}) \|", re.M)


def _documented() -> dict[int, int]:
    text = (ROOT / "docs" / "errors.md").read_text()
    return {int(code): int(status) for code, status in ROW.findall(text)}


def test_docs_list_exactly_the_catalogue() -> None:
    assert _documented() == {spec.code: spec.status for spec in Errors.all()}


def test_codes_are_unique() -> None:
    codes = [spec.code for spec in Errors.all()]
    assert len(codes) == len(set(codes))


def test_every_documented_code_appears_in_the_http_tests() -> None:
    """A guard against a documented code nobody produces: each code is named by a test that
    goes over HTTP (tests/api, tests/auth, tests/cli, tests/control, tests/conformance, …),
    where the assertions on responses live."""
    sources = "\n".join(
        p.read_text()
        for folder in ("api", "auth", "cli", "control", "audit", "observability", "conformance")
        for p in (ROOT / "tests" / folder).rglob("test_*.py")
    )
    missing = [code for code in _documented() if not _produced(code, sources)]
    assert missing == []


def _produced(code: int, sources: str) -> bool:
    """The code is asserted on a response: an envelope check, a `["code"] == N` comparison,
    or a parametrized expectation (a row ending in the code, an id naming it)."""
    patterns = (
        rf"assert_envelope\([^)]*, {code}\)",
        rf'\["code"\] == {code}\b',
        rf"\b{code}\),?$",
        rf"^\s*{code},$",
        rf'"{code}"',
    )
    return any(re.search(p, sources, flags=re.M) for p in patterns)
