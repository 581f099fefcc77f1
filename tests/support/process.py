"""`tenantry serve` as a child process, as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(
    base_url: str,
    proc: subprocess.Popen[Any],
    output: Callable[[], str],
    timeout: float = 30,
) -> None:
    """Return once the server at `base_url` answers `/readyz` with 200; `RuntimeError`
    with what it printed (`output()`) if it exits or is not ready within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tenantry serve exited early:\n{output()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"tenantry serve did not become ready:\n{output()}")


def tenantry(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run a short `tenantry` command and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "tenantry", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


class ServeProcess:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        fd, name = tempfile.mkstemp(prefix="tenantry-serve-", suffix=".log")
        self.log = Path(name)
        self._out = os.fdopen(fd, "w")
        self._final: str | None = None
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tenantry", "serve", "--port", str(self.port), *args],
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )

    def wait_ready(self, timeout: float = 30) -> ServeProcess:
        wait_ready(self.base_url, self.proc, self.output, timeout)
        return self

    def output(self) -> str:
        """Everything the process printed so far (kept after it stops)."""
        if self._final is not None:
            return self._final
        self._out.flush()
        return self.log.read_text()

    def stop(self) -> int:
        self.proc.terminate()
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._final = self.output()
        self._out.close()
        self.log.unlink(missing_ok=True)
        return code
