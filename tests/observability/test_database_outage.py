"""Losing and regaining PostgreSQL under a running `tenantry serve`: a private cluster is
stopped and started again, and its database dropped and restored, while the server runs.

While the database is away the API, the control plane and the portal answer 503 with
Retry-After (the portal with a page), `/readyz` 503 and `/healthz` 200; once it is back
the same server answers again without a restart.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tenantry.config import DEV_ADMIN_KEY
from tenantry.testing import Sandbox
from tests.support import payloads
from tests.support.pg_cluster import PrivateCluster, binaries, private_cluster
from tests.support.portal import signed_in
from tests.support.process import ServeProcess

pytestmark = pytest.mark.skipif(binaries() is None, reason="no PostgreSQL binaries")

ADMIN = {"Tenantry-Admin-Key": DEV_ADMIN_KEY}


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    with private_cluster() as started:
        yield started


@pytest.fixture
def serving(cluster: PrivateCluster) -> Iterator[ServeProcess]:
    if not cluster.running:  # a test that failed while it was stopped
        cluster.start()
    cluster.drop_database("tenantry")
    cluster.drop_database("backup")
    cluster.create_database("tenantry")
    process = ServeProcess("--database-url", cluster.url("tenantry"), "--ephemeral")
    try:
        yield process.wait_ready()
    finally:
        process.stop()


def _api(process: ServeProcess) -> httpx.Client:
    with Sandbox(process.base_url) as sandbox:
        token = sandbox.token()
    return httpx.Client(
        base_url=process.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def _create(api: httpx.Client) -> httpx.Response:
    return api.post(
        "/v1/customers", json=payloads.minimal(), headers={"MS-RequestId": str(uuid.uuid4())}
    )


def _assert_unavailable(answer: httpx.Response) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == 880060
    assert answer.json()["source"] == "PartnerFD"
    assert int(answer.headers["Retry-After"]) > 0


def test_a_restarted_server_is_served_again_without_a_restart(
    cluster: PrivateCluster, serving: ServeProcess
) -> None:
    with _api(serving) as api, signed_in(serving.base_url) as browser:
        created = _create(api)
        assert created.status_code == 201, created.text
        customer = created.json()["id"]

        cluster.stop()
        _assert_unavailable(_create(api))
        _assert_unavailable(api.get(f"/v1/customers/{customer}"))
        _assert_unavailable(api.get("/_tenantry/export", headers=ADMIN))
        page = browser.get("/portal/customers")
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert "cannot reach its database" in page.text
        assert int(page.headers["Retry-After"]) > 0
        ready = api.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
        assert api.get("/healthz").status_code == 200

        cluster.start()
        assert api.get(f"/v1/customers/{customer}").status_code == 200
        assert _create(api).status_code == 201
        assert api.get("/readyz").status_code == 200
        assert browser.get("/portal/customers").status_code == 200
    assert "Traceback" not in serving.output()


def test_a_dropped_and_restored_database_is_served_again(
    cluster: PrivateCluster, serving: ServeProcess
) -> None:
    with _api(serving) as api:
        created = _create(api)
        assert created.status_code == 201, created.text
        customer = created.json()["id"]
        cluster.copy_database("tenantry", "backup")
        cluster.drop_database("tenantry")
        _assert_unavailable(api.get(f"/v1/customers/{customer}"))
        assert api.get("/readyz").status_code == 503
        assert api.get("/healthz").status_code == 200

        cluster.copy_database("backup", "tenantry")  # restored from the copy
        assert api.get(f"/v1/customers/{customer}").status_code == 200
        assert api.get("/readyz").status_code == 200


def test_a_server_started_before_its_database_waits_for_it(cluster: PrivateCluster) -> None:
    """The server listens at once; until the database comes, `/readyz` says "starting" and
    calls answer 503; then it serves, with no restart."""
    cluster.drop_database("tenantry")
    cluster.create_database("tenantry")
    cluster.stop()
    process = ServeProcess(
        "--database-url", cluster.url("tenantry"), "--ephemeral", "--db-wait", "120"
    )
    try:
        starting = _first_answer(process, "/readyz")
        assert (starting.status_code, starting.json()) == (503, {"status": "starting"})
        assert httpx.get(f"{process.base_url}/healthz").status_code == 200
        _assert_unavailable(httpx.get(f"{process.base_url}/v1/customers"))
        page = httpx.get(f"{process.base_url}/portal/signin")
        assert page.status_code == 503
        assert "cannot reach its database" in page.text

        cluster.start()
        process.wait_ready(timeout=60)
        with _api(process) as api:
            assert _create(api).status_code == 201
        assert process.output().count("attempt 1,") == 1  # one line per attempt
    finally:
        process.stop()
        if not cluster.running:
            cluster.start()


def _first_answer(process: ServeProcess, path: str) -> httpx.Response:
    for _ in range(600):
        assert process.proc.poll() is None, process.output()
        try:
            return httpx.get(f"{process.base_url}{path}", timeout=5)
        except httpx.TransportError:
            threading.Event().wait(0.05)
    raise AssertionError(f"tenantry serve never listened:\n{process.output()}")
