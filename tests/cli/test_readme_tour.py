"""The README's first commands and its tour work as written (only the port differs)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.process import ServeProcess

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _tour_blocks() -> list[str]:
    tour = README.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", tour, flags=re.S)


def _documents(text: str) -> list[Any]:
    """The JSON documents curl printed one after another."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        value, at = decoder.raw_decode(text, at)
        found.append(value)
    return found


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    assert blocks[0].strip() == "./dev serve"
    assert blocks[1].strip() == "./dev test"
    assert "./dev test" in (ROOT / ".ci" / "run").read_text().splitlines()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_tour_works_with_curl_only(backend: str, tmp_path: Path) -> None:
    server = ServeProcess("--data-dir", str(tmp_path / "data")).wait_ready()
    blocks = [b.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}") for b in _tour_blocks()]
    token, head, create, read, localized, user_token, agreement, order, rename, user = blocks
    try:

        def run(script: str) -> str:
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert result.returncode == 0, result.stderr
            return result.stdout

        prelude = token + "\n"
        assert run(prelude + head).strip() == "404"
        first = run(prelude + create)
        headers = (tmp_path / "headers.txt").read_text()
        assert headers.startswith("HTTP/1.1 201")
        assert '"password":"' in first
        again = run(prelude + create)
        assert again == first
        assert "idempotent-replayed: true" in (tmp_path / "headers.txt").read_text().lower()
        assert run(prelude + head).strip() == "200"
        customer = run(prelude + read)
        assert '"domain":"wingtiptour.onmicrosoft.com"' in customer
        assert "password" not in customer
        assert "900118" in run(prelude + localized)
        assert "GUID" in run(prelude + localized)

        # After create: confirm the agreement, order, list and rename, add a user.
        prelude += read.split("\ncurl", 1)[0] + "\n" + user_token + "\n"
        confirmed = json.loads(run(prelude + agreement))
        assert confirmed["type"] == "MicrosoftCustomerAgreement"
        ordered = json.loads(run(prelude + order))
        assert ordered["lineItems"][0]["quantity"] == 10
        assert run(prelude + order) == json.dumps(ordered, separators=(",", ":"))
        listed, renamed = _documents(run(prelude + rename))
        assert [s["id"] for s in listed["items"]] == [ordered["lineItems"][0]["subscriptionId"]]
        assert renamed["friendlyName"] == "Wingtip sales seats"
        added = run(prelude + user)
        assert json.loads(added)["userPrincipalName"] == "jo@wingtiptour.onmicrosoft.com"
        assert "Corr3ct-Horse!" not in added
    finally:
        server.stop()


def test_the_control_plane_example_works(tmp_path: Path) -> None:
    (example,) = re.findall(r"```control\n(.*?)```", README, flags=re.S)
    server = ServeProcess("--data-dir", str(tmp_path / "data")).wait_ready()
    try:
        script = example.replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"customerCap": 5, "provisioningDelaySeconds": 90.0}
