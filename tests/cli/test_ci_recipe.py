"""The README's CI recipe starts a sandbox that a client can use at once."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tenantry.testing import Sandbox
from tests.support import payloads
from tests.support.process import free_port

ROOT = Path(__file__).resolve().parents[2]


def _answers(base: str) -> bool:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.05)
    return False


def test_the_ci_recipe_works(tmp_path: Path) -> None:
    (recipe,) = re.findall(r"```ci\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    port = free_port()
    script = recipe.replace("8000", str(port))
    bin_dir = str(Path(sys.executable).parent)  # where `tenantry` is installed
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    # The recipe leaves the server running in the background: its own process group.
    shell = subprocess.Popen(
        ["bash", "-euo", "pipefail", "-c", script + "\nwait"],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _answers(base), "the recipe's sandbox never answered"
        token = Sandbox(base).token()
        created = httpx.post(
            f"{base}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert created.status_code == 201
    finally:
        os.killpg(shell.pid, signal.SIGTERM)
        shell.communicate(timeout=15)  # drains and closes the pipes
