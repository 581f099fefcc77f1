"""Reset, seed, export and import of the sandbox's whole state (docs/sandbox-state.md).

- `POST /_tenantry/reset` — back to the first start: everything deleted, the development
  partner re-created (`?empty=true`: no partner at all), faults and the request log
  cleared. Signing keys are kept, so tokens already issued still verify.
- `GET /_tenantry/export` / `POST /_tenantry/import` — the whole state as one JSON
  document (`storage/snapshot.py`); import replaces everything, or changes nothing.
- `POST /_tenantry/seed` — partners, partnerships and customers from a JSON or YAML seed;
  `tenantry serve --seed FILE` applies the same document at start.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from tenantry.control.auth import AdminDep, sandbox_actor
from tenantry.control.fault_registry import registry_of
from tenantry.control.request_log import request_log_of
from tenantry.control.seed_format import read_seed
from tenantry.domain.audit import SANDBOX, Actor
from tenantry.domain.errors import ServiceError
from tenantry.http.body import BOM, parse_json_object, read_body
from tenantry.http.deps import runtime_of
from tenantry.http.errors import JSON_TYPE, envelope
from tenantry.runtime import ConfigurationError, Runtime
from tenantry.sandbox.seeds import Seed, SeedReport, malformed

router = APIRouter(tags=["sandbox control plane"])
log = logging.getLogger("tenantry")

# Snapshots and seeds are far larger than any API request.
STATE_BODY_LIMIT = 64 * 1024 * 1024
_YAML_TYPES = frozenset({"application/yaml", "text/yaml", "application/x-yaml", "text/x-yaml"})


class SeedFileError(ConfigurationError):
    """`--seed FILE` could not be applied; the message says why. Nothing was written."""


async def reset_sandbox(app: Any, runtime: Runtime, actor: Actor, *, empty: bool) -> None:
    """The state back to the first start; no faults armed, no history of earlier requests.
    Also called on the server's loop by the pytest plugin (`tenantry/testing.py`)."""
    await runtime.sandbox_state.reset(actor, empty=empty)
    runtime.forget_partners()
    registry_of(app).clear()
    request_log_of(app).clear()


@router.post("/_tenantry/reset", status_code=204)
async def reset(request: Request, _admin: AdminDep, empty: bool = False) -> Response:
    await reset_sandbox(request.app, runtime_of(request), sandbox_actor(request), empty=empty)
    return Response(status_code=204)


@router.get("/_tenantry/export")
async def export_state(request: Request, _admin: AdminDep) -> Response:
    document = await runtime_of(request).sandbox_state.export()
    return Response(orjson.dumps(document), media_type=JSON_TYPE)


def _json_document(raw: bytes) -> Any:
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        raise malformed("the request body is empty")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise malformed(f"invalid JSON: {exc}") from exc


@router.post("/_tenantry/import", status_code=204)
async def import_state(request: Request, _admin: AdminDep) -> Response:
    runtime = runtime_of(request)
    document = _json_document(await read_body(request, limit=STATE_BODY_LIMIT))
    await runtime.sandbox_state.import_state(document, sandbox_actor(request))
    runtime.forget_partners()
    return Response(status_code=204)


def _report_response(report: SeedReport) -> Response:
    body = {
        "partners": {"created": report.partners_created, "existing": report.partners_existing},
        "partnerships": {
            "created": report.partnerships_created,
            "existing": report.partnerships_existing,
        },
        "customers": {
            "created": [
                {"id": c.id, "domain": c.domain, "partner": c.partner_id}
                for c in report.customers_created
            ],
            "existing": report.customers_existing,
        },
    }
    return Response(orjson.dumps(body), media_type=JSON_TYPE)


async def _apply_seed(runtime: Runtime, seed: Seed, actor: Actor) -> SeedReport:
    report = await runtime.sandbox_state.seed(seed, actor)
    # The partner cache must not answer for partners as they were before the seed.
    runtime.forget_partners()
    return report


@router.post("/_tenantry/seed")
async def seed(request: Request, _admin: AdminDep) -> Response:
    raw = await read_body(request, limit=STATE_BODY_LIMIT)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    folded = parse_yaml(raw) if media_type in _YAML_TYPES else parse_json_object(raw)
    report = await _apply_seed(runtime_of(request), read_seed(folded), sandbox_actor(request))
    return _report_response(report)


def parse_yaml(raw: bytes) -> dict[str, Any]:
    """`seed_yaml.parse_yaml`, with PyYAML imported when a YAML seed first comes, not at
    start-up."""
    from tenantry.control.seed_yaml import parse_yaml as parse

    return parse(raw)


def _explain(error: ServiceError) -> str:
    body = envelope(error, "en-US")
    data = body["data"]
    details = "; ".join(str(d) for d in data) if isinstance(data, list) else ""
    return f"{body['code']}: {body['description']}" + (f" ({details})" if details else "")


async def load_seed_file(runtime: Runtime, path: Path) -> None:
    """Apply a seed file (`.json`, `.yaml` or `.yml`) at start. A seed that cannot be
    applied stops the start-up (`SeedFileError`) and writes nothing."""
    if not runtime.settings.sandbox:
        raise SeedFileError("--seed is a sandbox feature; production mode does not take one")
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise SeedFileError(f"seed file {path}: the name must end in .json, .yaml or .yml")
    try:
        raw = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise SeedFileError(f"cannot read seed file {path}: {exc.strerror}") from None
    try:
        folded = parse_json_object(raw) if suffix == ".json" else parse_yaml(raw)
        actor = Actor(SANDBOX, f"seed file {path}")
        report = await _apply_seed(runtime, read_seed(folded), actor)
    except ServiceError as error:
        message = f"seed file {path} was not applied: {_explain(error)}"
        log.error("%s", message)
        raise SeedFileError(message) from None
    log.info(
        "seed file %s: %d partners created, %d already there; %d customers created, "
        "%d already there",
        path,
        len(report.partners_created),
        len(report.partners_existing),
        len(report.customers_created),
        len(report.customers_existing),
    )
