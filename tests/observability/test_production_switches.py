"""Production switches: `/docs`, `/openapi.json`, `/portal` and `/metrics` each served on
the main port, only on the admin listener, or nowhere; with real `tenantry serve`
processes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.observability.test_metrics_and_probes import _sample
from tests.support.process import ServeProcess, free_port, tenantry

SURFACES = {
    "docs": "/docs",
    "openapi": "/openapi.json",
    "portal": "/portal/signin",
    "metrics": "/metrics",
}


def _served(base_url: str, path: str) -> bool:
    """True when the surface answers; False for the 404 of a path no route serves."""
    response = httpx.get(f"{base_url}{path}", timeout=30)
    if response.status_code == 404:
        assert response.json()["code"] == 1000, response.text  # Partner Center's envelope
        return False
    assert response.status_code == 200, (path, response.status_code, response.text)
    return True


def _exposed(base_url: str) -> dict[str, bool]:
    return {name: _served(base_url, path) for name, path in SURFACES.items()}


def _production(tmp_path: Path, *args: str) -> ServeProcess:
    key = tenantry("keygen").stdout.strip()
    return ServeProcess(
        "--mode", "production", "--data-dir", str(tmp_path), *args,
        env={"TENANTRY_MASTER_KEY": key},
    ).wait_ready(60)  # fmt: skip


def test_production_hides_the_docs_unless_asked(tmp_path: Path) -> None:
    server = _production(tmp_path)
    try:
        exposed = _exposed(server.base_url)
    finally:
        server.stop()
    assert exposed == {"docs": False, "openapi": False, "portal": True, "metrics": True}

    asked = _production(tmp_path / "asked", "--docs", "public")  # the docs page brings its document
    try:
        exposed = _exposed(asked.base_url)
    finally:
        asked.stop()
    assert exposed == {"docs": True, "openapi": True, "portal": True, "metrics": True}


def test_each_surface_can_be_turned_off(tmp_path: Path) -> None:
    every_one = ServeProcess("--data-dir", str(tmp_path)).wait_ready(60)
    try:
        assert all(_exposed(every_one.base_url).values())  # the sandbox serves them all
    finally:
        every_one.stop()
    none = ServeProcess(
        "--data-dir", str(tmp_path), "--docs", "off", "--openapi", "off", "--portal", "off",
        env={"TENANTRY_METRICS": "off"},  # the environment sets them as well
    ).wait_ready(60)  # fmt: skip
    try:
        exposed = _exposed(none.base_url)
        api = httpx.get(f"{none.base_url}/v1/customers", timeout=30)
    finally:
        none.stop()
    assert exposed == dict.fromkeys(SURFACES, False)
    assert api.status_code == 401  # the API itself is there


def _listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on `port` (from /proc/net/tcp)."""
    found: set[str] = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def test_the_admin_listener_serves_what_was_moved_and_nothing_else(tmp_path: Path) -> None:
    admin_port = free_port()
    # The main port on every interface, to show that the admin listener is not.
    server = _production(
        tmp_path, "--host", "0.0.0.0", "--admin-port", str(admin_port),  # noqa: S104
        "--docs", "admin", "--openapi", "admin", "--portal", "admin", "--metrics", "admin",
    )  # fmt: skip
    admin = f"http://127.0.0.1:{admin_port}"
    try:
        public = _exposed(server.base_url)
        moved = _exposed(admin)
        styles = httpx.get(f"{admin}/static/tenantry.css", timeout=30).status_code
        probe = httpx.get(f"{admin}/readyz", timeout=30).status_code
        api = httpx.get(f"{admin}/v1/customers", timeout=30).json()["code"]
        listening = _listening_addresses(admin_port)
    finally:
        server.stop()
    banner = f"admin listener: {admin} (/healthz, /readyz, /docs, /openapi.json, /portal, /metrics)"
    assert banner in server.output()
    assert public == dict.fromkeys(SURFACES, False)
    assert moved == dict.fromkeys(SURFACES, True)
    assert (styles, probe, api) == (200, 200, 1000)  # the portal's files, the probes only
    assert listening == {"127.0.0.1"}  # the admin listener stays local by default


def test_workers_scrape_every_worker_on_the_admin_listener(tmp_path: Path) -> None:
    admin_port = free_port()
    server = ServeProcess(
        "--workers", "2", "--data-dir", str(tmp_path),
        "--metrics", "admin", "--admin-port", str(admin_port),
    ).wait_ready(60)  # fmt: skip
    try:
        for _ in range(20):  # /healthz: waiting for the start polled /readyz already
            assert httpx.get(f"{server.base_url}/healthz", timeout=30).status_code == 200
        public = _served(server.base_url, "/metrics")
        text = httpx.get(f"http://127.0.0.1:{admin_port}/metrics", timeout=30).text
    finally:
        code = server.stop()
    assert not public
    alive = {"route": "/healthz", "method": "GET", "status": "200"}
    assert _sample(text, "tenantry_http_requests_total", **alive) == 20  # both workers
    assert code < 0, server.output()  # ended by the signal, not by an error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics", "admin"], "--metrics admin needs an admin listener"),
        (["--admin-port", "{port}", "--port", "{port}"], "--admin-port must differ from --port"),
    ],
)
def test_an_admin_listener_that_cannot_work_is_refused(
    args: list[str], message: str, tmp_path: Path
) -> None:
    port = str(free_port())
    result = tenantry("serve", "--data-dir", str(tmp_path), *[a.format(port=port) for a in args])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
