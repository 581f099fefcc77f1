"""Server logs: one JSON object a line (production default) or plain text (sandbox default).

Redaction is by construction: the request log line is built from a fixed list of fields
(method, route template, status, error code, duration, request and correlation ids, MS-CV,
partner id) and never from headers, query strings or bodies. As a second line of defence
every rendered record is scrubbed of anything shaped like a JWT or a bearer credential.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import orjson

JSON = "json"
TEXT = "text"
FORMATS = (JSON, TEXT)

# Extra attributes a record may carry that the JSON line includes, in this order.
FIELDS = (
    "method",
    "route",
    "status",
    "code",
    "duration_ms",
    "request_id",
    "correlation_id",
    "cv",
    "partner_id",
)

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")


def scrub(text: str) -> str:
    """`text` without anything that looks like a token or an Authorization credential."""
    text = _JWT.sub("[redacted token]", text)
    return _BEARER.sub(r"\1 [redacted]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,  # tells the workers of `serve --workers N` apart
            "message": scrub(record.getMessage()),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = scrub(self.formatException(record.exc_info))
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def default_format(*, sandbox: bool) -> str:
    return TEXT if sandbox else JSON


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` document for uvicorn's `log_config`: Tenantry's and
    uvicorn's loggers to standard error in one format. uvicorn's access log stays off: the
    request line of `tenantry.access` replaces it."""
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}")
    level = level.upper()
    formatter = {"()": f"{__name__}.{'JsonFormatter' if log_format == JSON else 'TextFormatter'}"}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "tenantry": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["main"], "level": "WARNING", "propagate": False},
        },
    }
