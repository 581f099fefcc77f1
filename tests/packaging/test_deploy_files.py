"""The OCI image definition, the compose file and the systemd unit, checked without a
container engine (none runs on this machine): the files are read as their tools read them,
checked against each other and against the settings Tenantry knows, and the commands they
run are run here, with the same arguments and environment.

A container has a network of its own, so the image's command (and the unit's) runs in a
new network namespace: it binds the very port the file names without meeting anything
else on this machine, and is probed from inside that namespace. PostgreSQL is reached
there through its Unix socket; the database URL and the master key's file are the two
values that stand in for the container's own.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tenantry.commands import parser
from tenantry.config import sources
from tests.packaging.deploy_files import (
    COMPOSE,
    ENV_EXAMPLE,
    ROOT,
    UNIT,
    read_compose,
    read_env_file,
    read_image,
    read_unit,
)
from tests.support.storage import shared_postgres

VENV_BIN = Path(sys.executable).parent


def _known_variables() -> set[str]:
    names: set[str] = set()
    for source in sources().values():
        if source.env is not None:
            names.add(source.env)
        if source.file_env is not None:
            names.add(source.file_env)
    return names


def _host_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **values}


def _assert_parses(words: list[str]) -> None:
    assert words[0] == "tenantry", words
    parser().parse_args(words[1:])  # argparse exits (a failure here) on anything unknown


def test_the_compose_file_agrees_with_itself_and_the_image() -> None:
    compose = read_compose()
    image = read_image()
    services = compose["services"]
    assert set(services) == {"db", "migrate", "tenantry"}
    db, migrate, server = services["db"], services["migrate"], services["tenantry"]

    # One image, built from the repository's Dockerfile.
    assert migrate["image"] == server["image"]
    for service in (migrate, server):
        context = (COMPOSE.parent / service["build"]["context"]).resolve()
        assert context == ROOT
        assert (context / service["build"]["dockerfile"]).is_file()
    # `migrate` runs `tenantry db upgrade`; the server runs the image's own command.
    _assert_parses(image.entrypoint + migrate["command"])
    assert "command" not in server
    assert "entrypoint" not in server
    _assert_parses(image.entrypoint + image.cmd)
    assert "--no-migrate" in image.cmd
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert server["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}

    # Both read the same settings, every one of them a variable Tenantry reads.
    environment = server["environment"]
    assert migrate["environment"] == environment
    assert set(environment) <= _known_variables()
    assert set(image.env) - {"PYTHONUNBUFFERED"} <= _known_variables()
    assert environment["TENANTRY_MODE"] == "production"

    # The database URL names the db service, its user, database and password.
    url = make_url(environment["TENANTRY_DATABASE_URL"])
    postgres = db["environment"]
    assert (url.host, url.port) == ("db", 5432)
    assert url.username == postgres["POSTGRES_USER"]
    assert url.database == postgres["POSTGRES_DB"]
    assert url.password == "${POSTGRES_PASSWORD}"
    assert postgres["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert f"--username={url.username}" in db["healthcheck"]["test"]
    assert f"--dbname={url.database}" in db["healthcheck"]["test"]

    # The master key is a secret file, declared once, mounted where the variable says.
    for service in (migrate, server):
        (secret,) = service["secrets"]
        assert secret in compose["secrets"]
        assert environment["TENANTRY_MASTER_KEY_FILE"] == f"/run/secrets/{secret}"
    assert "TENANTRY_MASTER_KEY" not in environment

    # The published port is the one the image listens on.
    (published,) = server["ports"]
    container_port = int(published.split(":")[-1])
    assert image.expose == [container_port]
    assert image.cmd[image.cmd.index("--port") + 1] == str(container_port)
    assert image.cmd[image.cmd.index("--host") + 1] == "0.0.0.0"  # noqa: S104

    # The only value the operator supplies is documented in the file's header.
    text = COMPOSE.read_text()
    assert set(re.findall(r"\$\{(\w+)", text)) == {"POSTGRES_PASSWORD"}
    assert "POSTGRES_PASSWORD=" in text.split("\nname:")[0]
    assert image.user != "root"


def _socket_url(database_url: str) -> str:
    """The same database through the server's Unix socket (reachable from any network)."""
    server = shared_postgres()
    assert server is not None
    cluster = getattr(server, "_cluster_dir", None)
    directory = str(cluster) if cluster is not None else "/var/run/postgresql"
    url = make_url(database_url)
    return f"postgresql://{url.username}@/{url.database}?host={directory}&port={url.port}"


@pytest.fixture
def database() -> Iterator[str]:
    server = shared_postgres()
    assert server is not None, "PostgreSQL is needed"
    url = server.new_database()
    try:
        yield _socket_url(url)
    finally:
        server.drop_database(url)


@pytest.fixture
def master_key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secrets" / "master.key"
    path.parent.mkdir()
    keygen = [VENV_BIN / "tenantry", "keygen", "--output", path]  # mode 0600
    subprocess.run(keygen, capture_output=True, text=True, check=True)
    return path


class OwnNetwork:
    """A command in a new network namespace (with its loopback up), probed from inside."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        self.log = cwd / "serve.log"
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            ["unshare", "--net", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *command],
            cwd=cwd,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def inside(self, *command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["nsenter", f"--net=/proc/{self.proc.pid}/ns/net", *command],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            check=False,
        )

    def status(self, url: str, env: dict[str, str]) -> str:
        return self.inside(
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url, env=env
        ).stdout

    def wait_for(self, url: str, env: dict[str, str]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()
            if self.status(url, env) == "200":
                return
            time.sleep(0.2)
        raise AssertionError(f"no 200 from {url}:\n{self.log.read_text()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        status = self.proc.wait(timeout=60)
        self._out.close()
        return status


def _migrate(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """The deployment's one-off `tenantry db upgrade`, which must succeed."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_images_command_runs_on_the_host(
    database: str, master_key_file: Path, tmp_path: Path
) -> None:
    image = read_image()
    compose = read_compose()["services"]
    environment = dict(compose["tenantry"]["environment"])
    # The container's own values: its database host and its secret's mount.
    environment["TENANTRY_DATABASE_URL"] = database
    environment["TENANTRY_MASTER_KEY_FILE"] = str(master_key_file)
    env = _host_env(**{**image.env, **environment})  # compose overrides the image
    workdir = tmp_path / "workdir"  # stands in for the image's WORKDIR
    workdir.mkdir()

    _migrate(image.entrypoint + compose["migrate"]["command"], workdir, env)
    port = image.cmd[image.cmd.index("--port") + 1]
    served = OwnNetwork(image.entrypoint + image.cmd, env, workdir)
    try:
        served.wait_for(f"http://127.0.0.1:{port}/readyz", env)
        health = served.inside(*image.healthcheck, env=env)
        assert health.returncode == 0, health.stderr
        # Production mode: no sandbox control plane.
        assert served.status(f"http://127.0.0.1:{port}/_tenantry/worker", env) == "404"
    finally:
        status = served.stop()
    assert status in (-signal.SIGTERM, 128 + signal.SIGTERM), served.log.read_text()
    assert "Tenantry production listening on http://0.0.0.0:8000" in served.log.read_text()


def _installed_unit(tmp_path: Path) -> tuple[Path, Path]:
    """The unit as installed here: the virtual environment for /opt/tenantry, a directory
    of the test for /etc/tenantry."""
    etc = tmp_path / "etc"
    etc.mkdir()
    text = UNIT.read_text()
    text = text.replace("/opt/tenantry/bin/", f"{VENV_BIN}/").replace("/etc/tenantry/", f"{etc}/")
    unit = tmp_path / "tenantry.service"
    unit.write_text(text)
    return unit, etc


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    unit, etc = _installed_unit(tmp_path)
    (etc / "tenantry.env").write_text(ENV_EXAMPLE.read_text())
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not even a warning (an unknown key, say)
    assert set(read_env_file(ENV_EXAMPLE)) <= _known_variables()


def test_the_units_command_runs_on_the_host(
    database: str, master_key_file: Path, tmp_path: Path
) -> None:
    unit = read_unit()
    environment = read_env_file(ENV_EXAMPLE)
    environment["TENANTRY_DATABASE_URL"] = database  # the operator's own
    credentials = master_key_file.parent  # systemd's %d: where LoadCredential= puts them
    (credential,) = unit.get("Service", "LoadCredential")
    name, _, source = credential.partition(":")
    assert source == "/etc/tenantry/master.key"
    (master_key_file.parent / name).write_text(master_key_file.read_text())
    for assignment in unit.get("Service", "Environment"):
        key, _, value = assignment.partition("=")
        environment[key] = value.replace("%d", str(credentials))
    assert environment["TENANTRY_MASTER_KEY_FILE"] == f"{credentials}/{name}"
    env = _host_env(**environment)
    command = unit.one("Service", "ExecStart").split()
    assert command[0] == "/opt/tenantry/bin/tenantry"
    command[0] = str(VENV_BIN / "tenantry")
    state = tmp_path / "state"  # StateDirectory= and WorkingDirectory=
    state.mkdir()
    _migrate([command[0], "db", "upgrade"], state, env)
    served = OwnNetwork(command, env, state)
    port = command[command.index("--port") + 1]
    try:
        served.wait_for(f"http://127.0.0.1:{port}/readyz", env)
    finally:
        status = served.stop()
    # systemd counts death by SIGTERM as a clean stop, and 143 by SuccessExitStatus=.
    assert unit.one("Service", "SuccessExitStatus") == "143"
    assert status in (-signal.SIGTERM, 143), served.log.read_text()
