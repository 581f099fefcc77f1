"""Both distributions build with `python -m build`, and each installs on its own.

The source is copied first (what a checkout of this working tree holds: tracked files and
new ones not ignored), so the builds see no `build/` or egg-info of the developer's tree
and write none into it. Builds and installs use the machine's configured package index for
the build backend and the runtime dependencies, with the project's constraints.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tenantry.auth.tokens import PARTNER_CENTER_AUDIENCE
from tests.support import payloads
from tests.support.process import free_port, wait_ready

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"
VERSION = "0.1.0"


def _run(*command: str | Path, cwd: Path | None = None, timeout: float = 300) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_clean_env(),
        check=False,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without this test run's Python or Tenantry settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TENANTRY_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    return {**env, **extra}


def _checkout(into: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file may be deleted in the working tree
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _checkout(tmp_path_factory.mktemp("checkout"))


@pytest.fixture(scope="module")
def dist(checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, checkout)
    _run(sys.executable, "-m", "build", "--outdir", out, checkout / "client")
    return out


def _new_venv(where: Path, *requirements: str | Path) -> Path:
    """A new virtual environment with `requirements` installed by this environment's pip
    (`--python`), pinned by the project's constraints."""
    _run(sys.executable, "-m", "venv", "--without-pip", where)
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", where / "bin" / "python"]
    _run(*pip, "install", "--quiet", "--no-compile", "-c", CONSTRAINTS, *requirements)
    return where / "bin"


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _metadata(wheel: Path, distribution: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(f"{distribution}-{VERSION}.dist-info/METADATA").decode()


def test_both_projects_build_a_wheel_and_an_sdist(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [
        f"tenantry-{VERSION}-py3-none-any.whl",
        f"tenantry-{VERSION}.tar.gz",
        f"tenantry_client-{VERSION}-py3-none-any.whl",
        f"tenantry_client-{VERSION}.tar.gz",
    ]
    server = _names(dist / f"tenantry-{VERSION}-py3-none-any.whl")
    for carried in (
        "tenantry/py.typed",
        "tenantry/storage/migrations/versions/0001_initial.py",
        "tenantry/locales/zh_CN/LC_MESSAGES/tenantry.po",
        "tenantry/web/templates/base.html",
        "tenantry_client/py.typed",
        "tenantry_client/cli/__init__.py",
    ):
        assert carried in server
    requires = [
        line.split(":", 1)[1].strip()
        for line in _metadata(
            dist / f"tenantry-{VERSION}-py3-none-any.whl", "tenantry"
        ).splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert not [r for r in requires if r.startswith("tenantry")]
    assert {"httpx==0.28.1", "rich==15.0.0"} <= set(requires)

    client = _names(dist / f"tenantry_client-{VERSION}-py3-none-any.whl")
    assert {name.split("/")[0] for name in client} == {
        "tenantry_client",
        f"tenantry_client-{VERSION}.dist-info",
    }
    with tarfile.open(dist / f"tenantry-{VERSION}.tar.gz") as sdist:
        members = set(sdist.getnames())
    assert f"tenantry-{VERSION}/client/src/tenantry_client/cli/__init__.py" in members
    assert f"tenantry-{VERSION}/src/tenantry/web/static/tenantry.css" in members


@pytest.fixture(scope="module")
def served(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`tenantry serve` from a new virtual environment holding the `tenantry` wheel alone."""
    home = tmp_path_factory.mktemp("installed")
    bin_dir = _new_venv(home / "venv", dist / f"tenantry-{VERSION}-py3-none-any.whl")
    port = free_port()
    log = (home / "serve.log").open("w")
    process = subprocess.Popen(
        [bin_dir / "tenantry", "serve", "--port", str(port), "--data-dir", home / "data"],
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_clean_env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, (home / "serve.log").read_text, timeout=60)
        yield bin_dir, base
    finally:
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=60)
        log.close()
        assert status == -signal.SIGTERM, (home / "serve.log").read_text()


def _connection(base: str) -> list[str]:
    options = {
        "--base-url": base,
        "--tenant-id": DEV_TENANT_ID,
        "--client-id": DEV_CLIENT_ID,
        "--client-secret": DEV_CLIENT_SECRET,
    }
    return [word for option in options.items() for word in option]


def _create_customer(base: str) -> tuple[str, str]:
    token = httpx.post(
        f"{base}/{DEV_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEV_CLIENT_ID,
            "client_secret": DEV_CLIENT_SECRET,
            "scope": f"{PARTNER_CENTER_AUDIENCE}/.default",
        },
    ).json()["access_token"]
    body = payloads.minimal()
    created = httpx.post(
        f"{base}/v1/customers", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], body["companyProfile"]["domain"]


def test_the_server_wheel_installs_alone_and_serves(served: tuple[Path, str]) -> None:
    bin_dir, base = served
    where = _run(
        bin_dir / "python",
        "-c",
        "import tenantry, tenantry_client; print(tenantry.__file__); "
        "print(tenantry_client.__file__)",
    )
    assert all(line.startswith(str(bin_dir.parent)) for line in where.splitlines())
    customer_id, domain = _create_customer(base)
    # `tenantry customers …` reaches the SDK's command line carried by the same wheel.
    shown = _run(bin_dir / "tenantry", "customers", "get", customer_id, *_connection(base))
    assert domain in shown


def test_the_client_wheel_installs_alone_and_calls_the_server(
    served: tuple[Path, str], dist: Path, tmp_path: Path
) -> None:
    _, base = served
    wheel = dist / f"tenantry_client-{VERSION}-py3-none-any.whl"
    bin_dir = _new_venv(tmp_path / "venv", f"tenantry-client[cli] @ {wheel.as_uri()}")
    absent = subprocess.run(
        [bin_dir / "python", "-c", "import tenantry"], capture_output=True, check=False
    )
    assert absent.returncode == 1  # the SDK alone: no server in this environment
    customer_id, domain = _create_customer(base)
    shown = _run(bin_dir / "tenantry-client", "customers", "get", customer_id, *_connection(base))
    assert domain in shown


def test_pip_installs_from_a_git_url_with_the_index_alone(checkout: Path, tmp_path: Path) -> None:
    repository = tmp_path / "repository"
    shutil.copytree(checkout, repository)
    identity = ["-c", "user.name=Tenantry", "-c", "user.email=tenantry@example.com"]
    _run("git", "init", "--quiet", repository)
    _run("git", "-C", repository, "add", "--all")
    _run("git", *identity, "-C", repository, "commit", "--quiet", "-m", "snapshot")
    report = tmp_path / "report.json"
    resolve: list[str | Path] = ["install", "--quiet", "--dry-run", "--ignore-installed"]
    resolve += ["--report", report]
    _run(sys.executable, "-m", "pip", *resolve, "-c", CONSTRAINTS, f"git+{repository.as_uri()}")
    planned = {
        item["metadata"]["name"].lower(): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert planned["tenantry"] == VERSION
    assert "tenantry-client" not in planned
    assert {"httpx", "rich", "fastapi", "uvicorn"} <= set(planned)
