"""The listening sockets of `tenantry serve`: the main port and, when asked for, the admin
listener (`--admin-port`) that serves the surfaces set to `admin` (`http/listener_gate.py`).

One process listens on both with one uvicorn server; with `--workers N` each worker gets
a socket of its own for each address, bound with `SO_REUSEPORT` (decision 0009).
"""

from __future__ import annotations

import socket

from tenantry.config import Exposure, Settings
from tenantry.http.listener_gate import SURFACES
from tenantry.runtime import ConfigurationError

BACKLOG = 2048


def check_listeners(settings: Settings, port: int) -> None:
    """Refuse, before anything starts, a surface sent to an admin listener that does not
    exist, or an admin listener on the main port."""
    moved = [s for s in SURFACES if settings.exposure(s) is Exposure.ADMIN]
    if moved and settings.admin_port is None:
        names = ", ".join(f"--{s} admin" for s in moved)
        raise ConfigurationError(f"{names} needs an admin listener: give --admin-port")
    if settings.admin_port is not None and settings.admin_port == port:
        raise ConfigurationError("--admin-port must differ from --port")


def admin_address(settings: Settings) -> tuple[str, int] | None:
    if settings.admin_port is None:
        return None
    return settings.admin_host, settings.admin_port


def listening_socket(host: str, port: int, *, shared: bool = False) -> socket.socket:
    """A listening TCP socket on `host:port`; with `shared`, other processes may bind the
    same address too (`SO_REUSEPORT`), and the kernel spreads connections across them."""
    infos = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE | socket.AI_ADDRCONFIG
    )
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock
