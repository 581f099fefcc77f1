"""SIGTERM in the middle of a stream of requests, to one process and to `--workers 2`.

Each request opens a connection of its own and writes its request at once, as a client
behind no proxy does. Once the server has the signal, a connection attempt may be refused
(the port is closed: nothing was sent, the client may go elsewhere); but a request whose
connection was accepted by the kernel must get an answer, never a reset or an end of file.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.process import ServeProcess

THREADS = 12
ANSWERED_BEFORE_SIGNAL = 100  # then SIGTERM; the stream goes on until the port refuses
ANSWERED = "answered"
REFUSED = "refused"
DROPPED = "dropped"


def _request(port: int) -> str:
    """One GET on a new connection, classified by what the client saw."""
    try:
        conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    except ConnectionRefusedError:
        return REFUSED
    with conn:
        try:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: tenantry\r\nConnection: close\r\n\r\n")
            head = b""
            while b"\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return DROPPED  # end of file before any answer
                head += chunk
        except (ConnectionResetError, BrokenPipeError):
            return DROPPED
    return ANSWERED if head.startswith(b"HTTP/1.1 ") else DROPPED


def _stream_across_sigterm(server: ServeProcess) -> Counter[str]:
    """Requests from several threads until each one meets a refused connection; SIGTERM
    to the (parent) process once enough were answered."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    signalled = threading.Event()

    def client() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            outcome = _request(server.port)
            with lock:
                outcomes[outcome] += 1
                if not signalled.is_set() and outcomes[ANSWERED] >= ANSWERED_BEFORE_SIGNAL:
                    signalled.set()
                    server.proc.send_signal(signal.SIGTERM)
            if outcome == REFUSED:
                return

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert signalled.is_set(), outcomes
    return outcomes


@pytest.mark.parametrize("workers", [1, 2])
def test_every_request_the_server_accepted_is_answered(workers: int, tmp_path: Path) -> None:
    server = ServeProcess("--workers", str(workers), "--data-dir", str(tmp_path)).wait_ready(60)
    try:
        outcomes = _stream_across_sigterm(server)
        code = server.proc.wait(timeout=60)
    finally:
        server.stop()
    assert outcomes[DROPPED] == 0, (outcomes, server.output())
    assert outcomes[ANSWERED] > ANSWERED_BEFORE_SIGNAL  # the stream crossed the signal
    assert outcomes[REFUSED] == THREADS  # and went on until the port closed
    assert code == -signal.SIGTERM, server.output()
    assert "Traceback" not in server.output()
