"""The layers of docs/ARCHITECTURE.md, checked on the source: which package may import which,
that the edges never open the database, and that modules (the SDK's too) stay small."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tenantry"
# The SDK is held to the same size rule (it has no layers of its own to check).
CLIENT_SRC = ROOT / "client" / "src" / "tenantry_client"

# What each package may import (besides itself), as docs/ARCHITECTURE.md's table says.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "security": set(),
    "config_sources": set(),
    "config": {"domain", "config_sources"},
    "auth": {"domain", "security"},
    "sandbox": {"domain", "auth"},
    "storage": {"domain", "auth", "sandbox", "security"},
    "runtime": {"config", "domain", "security", "auth", "sandbox", "storage"},
    "http": {"runtime", "config", "domain", "auth"},
    "api": {"http", "runtime", "domain", "auth"},
    "web": {"http", "runtime", "domain", "auth", "security"},
    "control": {"http", "runtime", "sandbox", "domain", "auth"},
}
EDGES = ("api", "web", "control", "commands", "serving", "app")
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn", "jinja2", "httpx")
MAX_LINES = 400


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _modules() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, including those only imported for type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in _modules():
        source = _package(path)
        for module in _imports(path):
            if module.startswith("tenantry."):
                target = module.split(".")[1]
                if target != source:
                    graph.setdefault(source, set()).add(target)
    return graph


def test_packages_import_only_what_their_layer_allows() -> None:
    graph = _graph()
    wrong = {
        package: sorted(graph.get(package, set()) - allowed)
        for package, allowed in ALLOWED.items()
        if graph.get(package, set()) - allowed
    }
    assert wrong == {}


def test_the_package_graph_has_no_cycle() -> None:
    graph = _graph()

    def reaches(start: str, goal: str) -> bool:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in graph.get(todo.pop(), set()):
                if nxt == goal:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return False

    loops = sorted(p for p in graph if reaches(p, p))
    assert loops == []


def test_the_domain_imports_no_framework() -> None:
    offenders = {
        str(path.relative_to(SRC)): sorted(m for m in _imports(path) if m.startswith(FRAMEWORKS))
        for path in (SRC / "domain").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


# `sqlalchemy.engine.make_url` only parses a URL: the commands read database URLs.
_DATABASE = re.compile(r"\.uow\(|(?<!sqlalchemy)\.engine\b|SharedTransaction|AsyncConnection")


@pytest.mark.parametrize("edge", EDGES)
def test_edges_never_open_the_database(edge: str) -> None:
    paths = [SRC / f"{edge}.py"] if (SRC / f"{edge}.py").exists() else (SRC / edge).rglob("*.py")
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if _DATABASE.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []


def test_no_module_is_over_400_lines() -> None:
    modules = [*_modules(), *CLIENT_SRC.rglob("*.py")]
    assert len(modules) > len(_modules())  # the SDK was found
    long = {
        str(path.relative_to(ROOT)): n
        for path in modules
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
