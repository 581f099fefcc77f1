"""SQLAlchemy's asyncio extension loads without the ORM, and every one of its names still
resolves."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy

CHECK = """
import json, sys

from tenantry import sqlalchemy_asyncio

sqlalchemy_asyncio.install()  # as `tenantry serve` does
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

core_only = "sqlalchemy.orm" not in sys.modules
from sqlalchemy.ext import asyncio as extension

names = json.loads(sys.argv[1])
resolved = [name for name in names if getattr(extension, name, None) is not None]
print(json.dumps({"core_only": core_only, "resolved": resolved}))
"""


def _package_names() -> list[str]:
    """Every name the package's own `__init__` imports (`from .x import Y as Y`)."""
    init = Path(sqlalchemy.__file__).parent / "ext" / "asyncio" / "__init__.py"
    return re.findall(r"^from \.\w+ import (\w+) as \1$", init.read_text(), re.MULTILINE)


def test_importing_tenantry_leaves_sqlalchemy_alone() -> None:
    """The pytest plugin imports `tenantry` in a partner's test run: no finder there."""
    check = (
        "import sys, tenantry, tenantry.testing\n"
        "print(any(type(f).__module__.startswith('tenantry') for f in sys.meta_path))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_engine_comes_without_the_orm_and_the_session_when_asked() -> None:
    names = _package_names()
    assert "AsyncSession" in names
    assert "AsyncEngine" in names
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(names)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout)
    assert answer["core_only"] is True
    assert answer["resolved"] == names
