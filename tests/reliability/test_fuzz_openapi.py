"""Schemathesis against the server's own OpenAPI document: every operation, valid and
invalid inputs, with an App-only or an App+User token; no 5xx, and every answer within the
documented statuses, content types and schemas.

The CI budget is small (`TENANTRY_FUZZ_EXAMPLES`, 25 examples per operation and generation
mode by default). For a longer run:

    TENANTRY_FUZZ_EXAMPLES=500 .venv/bin/pytest tests/reliability/test_fuzz_openapi.py -s
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.server import LiveServer

EXAMPLES = int(os.environ.get("TENANTRY_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations(server: LiveServer) -> list[tuple[Any, list[GenerationMode]]]:
    """Every operation, with the ways to call it: valid inputs, and for an operation that
    takes a JSON body, invalid ones too (a string path parameter or form field has no
    invalid value once sent)."""
    document = httpx.get(f"{server.base_url}/openapi.json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(document)
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        spec = document["paths"][operation.path][operation.method.lower()]
        modes = [GenerationMode.POSITIVE]
        if "application/json" in spec.get("requestBody", {}).get("content", {}):
            modes.append(GenerationMode.NEGATIVE)
        found.append((operation, modes))
    return found


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    server: LiveServer,
    bearers: list[str],
    session: requests.Session,
    cases: dict[str, int],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases on every run, in CI as on a laptop
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), bearer=st.sampled_from(bearers))
    def run(case: Any, bearer: str) -> None:
        headers = {"Authorization": f"Bearer {bearer}"}
        response = case.call(base_url=server.base_url, session=session, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        cases[operation.label] = cases.get(operation.label, 0) + 1

    run()


def test_every_operation_answers_within_its_documented_schema(
    server: LiveServer, token: str, user_token: str
) -> None:
    operations = _operations(server)
    assert len(operations) >= 20  # the whole document, not a filtered part of it
    cases: dict[str, int] = {}
    failures: list[str] = []
    with requests.Session() as session:
        for operation, modes in operations:
            for mode in modes:
                try:
                    _fuzz(operation, mode, server, [token, user_token], session, cases)
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
                    failures.append(f"{operation.label} ({mode.value}): {exc}")
    total = sum(cases.values())
    print(f"\n[fuzz/{server.backend}] {total} cases over {len(operations)} operations")
    assert failures == [], "\n\n".join(failures)
    assert set(cases) == {op.label for op, _ in operations}
