"""Running the blocks of docs/operations.md as an operator would: one bash script, the
`tenantry` of this virtual environment on the PATH, the nodes it starts in the background
stopped afterwards. Only the values that must differ here are replaced: ports (free ones),
database and role names (unique ones, on the test's PostgreSQL server) and directories."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.process import free_port

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = ROOT / "docs" / "operations.md"
VENV_BIN = Path(sys.executable).parent


def section(title: str) -> str:
    """The text of a `## title` section of docs/operations.md, up to the next `## `."""
    text = OPERATIONS.read_text()
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, language: str) -> list[str]:
    """The fenced blocks of one language, their list indentation removed."""
    found = []
    for indent, body in re.findall(rf"^( *)```{language}\n(.*?)^\1```", text, flags=re.S | re.M):
        found.append("\n".join(line[len(indent) :] for line in body.splitlines()) + "\n")
    return found


def with_ports(script: str, ports: Mapping[int, int]) -> str:
    """The documented ports (8001, 8002, …) replaced by free ones."""
    return re.sub(r"\b(800\d)\b", lambda m: str(ports.get(int(m[1]), int(m[1]))), script)


def free_ports(*documented: int) -> dict[int, int]:
    return {port: free_port() for port in documented}


def operator_env(**extra: str) -> dict[str, str]:
    """This machine's environment, with no Tenantry setting and the tests' `tenantry`
    first on the PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def shell(script: str, cwd: Path, env: Mapping[str, str]) -> Iterator[Ran]:
    """Run `script` with `bash -euo pipefail` in a session of its own; what it started in
    the background is stopped (SIGTERM, then SIGKILL) when the block ends."""
    process = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=240)
        yield Ran(process.returncode, stdout, stderr)
    finally:
        stop_group(process.pid)


def stop_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 45
    while _alive(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(group):
        os.killpg(group, signal.SIGKILL)


def _alive(group: int) -> bool:
    """Whether a process of this group still runs (a zombie waiting to be reaped does not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # pid (comm) state ppid pgrp …; comm may hold spaces, so split after its ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) == group:
                return True
    return False


def logs(directory: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted(directory.glob("*.log")))
