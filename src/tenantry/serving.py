"""The uvicorn server `tenantry serve` runs: graceful shutdown that readiness can see.

On SIGTERM or SIGINT uvicorn stops accepting connections, lets the requests in flight
finish (for at most the graceful timeout), then runs the application's shutdown. This
subclass also turns `/readyz` to 503 at the signal, before anything else happens.
"""

from __future__ import annotations

from types import FrameType

import uvicorn
from fastapi import FastAPI

from tenantry.api.routes.health import Readiness
from tenantry.http.context import MAX_HEADER_BYTES

# With the h11 parser, a request head (request line and headers) larger than this is
# refused (400) before the application sees it; the application refuses headers over
# MAX_HEADER_BYTES whichever parser runs.
MAX_REQUEST_HEAD_BYTES = MAX_HEADER_BYTES + 8 * 1024


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self._readiness: Readiness = app.state.readiness

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._readiness.draining = True
        super().handle_exit(sig, frame)
