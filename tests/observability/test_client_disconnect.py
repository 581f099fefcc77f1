"""A client that goes away before its answer, over a real socket: logged at INFO as a client
disconnect, counted as 499 (not as a 500 with code 800003), kept in the request log without
a status, and no ERROR traceback."""

from __future__ import annotations

import json
import logging
import re
import socket
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.support import payloads
from tests.support.server import LiveServer

ADMIN_HEADER = "Tenantry-Admin-Key"


def _requests_total(server: LiveServer, status: str) -> float:
    text = httpx.get(f"{server.base_url}/metrics").text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith("tenantry_http_requests_total{"):
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if labels.get("route") == "/v1/customers" and labels.get("status") == status:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _entry(server: LiveServer, request_id: str) -> dict[str, Any]:
    """The request log's entry for `request_id`, once the server has written it."""
    headers = {ADMIN_HEADER: server.settings.admin_key}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = httpx.get(
            f"{server.base_url}/_tenantry/requests", params={"limit": 1000}, headers=headers
        )
        for item in answer.json()["items"]:
            if item["requestId"] == request_id:
                return dict(item)
        time.sleep(0.02)
    raise AssertionError(f"no request log entry for {request_id}")


def _wait_for_record(caplog: pytest.LogCaptureFixture, text: str) -> logging.LogRecord:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for record in caplog.records:
            if text in record.getMessage():
                return record
        time.sleep(0.02)
    raise AssertionError(f"nothing logged with {text!r}")


def _send_and_close(server: LiveServer, head: str, body: bytes) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        time.sleep(0.2)  # the route is reading the body when the connection goes


def _head(token: str, request_id: str, length: int) -> str:
    return (
        "POST /v1/customers HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {length}\r\n"
        f"MS-RequestId: {request_id}\r\n"
        "\r\n"
    )


def test_a_client_that_leaves_mid_body_is_no_500(
    server: LiveServer, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tenantry")
    before_499, before_500 = _requests_total(server, "499"), _requests_total(server, "500")
    request_id = str(uuid.uuid4())
    body = json.dumps(payloads.minimal()).encode()
    # The head promises more body than is ever sent; then the connection closes.
    _send_and_close(server, _head(token, request_id, len(body) + 4096), body[: len(body) // 2])

    entry = _entry(server, request_id)
    assert "status" not in entry or entry["status"] is None  # no answer was sent
    assert entry.get("code") is None
    record = _wait_for_record(caplog, f"request id {request_id}")
    assert record.levelno == logging.INFO
    assert record.name == "tenantry.api"
    assert "client disconnected" in record.getMessage()
    assert record.exc_info is None
    access = _wait_for_record(caplog, f"request {request_id}")
    assert access.name == "tenantry.access"
    assert getattr(access, "status", None) == 499
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _requests_total(server, "499") == before_499 + 1
    assert _requests_total(server, "500") == before_500


def test_a_client_that_leaves_before_the_answer_is_no_500(
    server: LiveServer, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tenantry")
    before_500 = _requests_total(server, "500")
    request_id = str(uuid.uuid4())
    body = json.dumps(payloads.minimal()).encode()
    # The whole request, then the connection closes before the answer is read. Whether
    # the route read the body before it noticed decides between a customer created (its
    # answer lost) and a disconnect; neither is a failure of the service.
    _send_and_close(server, _head(token, request_id, len(body)), body)

    entry = _entry(server, request_id)
    assert entry.get("status") in (None, 201)
    assert entry.get("code") is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert _requests_total(server, "500") == before_500
