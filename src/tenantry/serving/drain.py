"""How a server process stops taking work without dropping a request it already took.

uvicorn's own shutdown closes the listening sockets and then, at once, every connection that
is not in the middle of a request. Two kinds of request were lost that way, one per busy
client at the moment of the signal, with one process as with `--workers N`:

- connections the kernel had completed but the process had not accepted yet: closing a
  listening socket resets every connection still in its queue;
- connections accepted a moment before, whose request had arrived but was not read yet:
  to uvicorn they looked idle, and were closed under the request.

So here the listening sockets are emptied (accepted until the kernel has nothing queued)
right before each is closed, and a connection that has not carried a request yet gets a
short grace to deliver its first one. A keep-alive connection idle between requests is
closed at once, as before: its client has sent nothing.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Callable, Iterable

# How long a connection that has carried no request may take to send its first one once
# the server stops. On loopback the request is there within microseconds; over a network
# it follows the handshake by one round trip.
FIRST_REQUEST_GRACE_SECONDS = 0.5
_POLL_SECONDS = 0.01


def _accept_queued(fileno: int) -> list[socket.socket]:
    """Every connection waiting in the queue of the listening socket `fileno`."""
    listener = socket.socket(fileno=os.dup(fileno))
    accepted: list[socket.socket] = []
    try:
        listener.setblocking(False)
        while True:
            try:
                conn, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return accepted
            accepted.append(conn)
    finally:
        listener.close()  # our duplicate only; the server's own descriptor closes next


async def stop_listening(
    servers: Iterable[asyncio.AbstractServer],
    sockets: Iterable[socket.socket],
    protocol: Callable[[], asyncio.BaseProtocol],
) -> None:
    """Close every listening socket, after taking in the connections queued on it, and
    serve those with `protocol` like any other."""
    loop = asyncio.get_running_loop()
    taken: list[socket.socket] = []
    for server in servers:
        listeners = [s.fileno() for s in getattr(server, "sockets", ()) or ()]
        for fileno in listeners:
            taken += _accept_queued(fileno)
        server.close()  # right after: nothing can queue in between but a few microseconds
    for sock in sockets:
        sock.close()
    for conn in taken:
        await loop.connect_accepted_socket(protocol, conn)


def _fresh(connection: object) -> bool:
    """Whether a uvicorn connection has not begun a request yet (its `cycle` is the
    request in progress, or the last one)."""
    return getattr(connection, "cycle", None) is None


async def close_connections(connections: set[object]) -> None:
    """Ask every connection to close once its request is answered (uvicorn's
    `shutdown()`); one that has carried no request yet may deliver its first one within
    the grace."""
    deadline = time.monotonic() + FIRST_REQUEST_GRACE_SECONDS
    asked: set[int] = set()
    while True:
        waiting = False
        for connection in list(connections):
            if id(connection) in asked:
                continue
            if _fresh(connection) and time.monotonic() < deadline:
                waiting = True
            else:
                asked.add(id(connection))
                connection.shutdown()  # type: ignore[attr-defined]
        if not waiting:
            return
        await asyncio.sleep(_POLL_SECONDS)
