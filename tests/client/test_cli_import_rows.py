"""`customers import`: every row ends in the results file whatever is raised, request ids
are checked up front, duplicate rows are reported as duplicates, a row created by this run
is `created` even after a retry, and the "To resume" line is a command that works."""

from __future__ import annotations

import csv
import shlex
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from tenantry_client import AsyncCustomerOperations, Customer
from tenantry_client.cli import main
from tenantry_client.cli._rows import Row, plan

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tests.client.cli_support import isolate
from tests.client.test_bulk_import import (
    COLUMNS,
    customers_with,
    import_file,
    last_outcomes,
    results_of,
)
from tests.support.server import LiveServer


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


def _prefix() -> str:
    return "row" + uuid.uuid4().hex[:12]


def _cells(prefix: str, n: int, *, domain: str | None = None) -> list[str]:
    return [
        domain or f"{prefix}r{n:04d}.onmicrosoft.com", f"Rows {n}", "gena@wingtiptoys.com",
        "Gena", "Soto", "4255550101", "en-US", "en", "1 Microsoft Way", "Redmond", "WA",
        "98052", "US",
    ]  # fmt: skip


def _write(path: Path, rows: list[list[str]], *, request_ids: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*COLUMNS, "request-id"] if request_ids else COLUMNS)
        writer.writerows(rows)


def test_request_ids_are_checked_up_front() -> None:
    good = "0D4F5A8E-3C51-5B7E-9F2A-6E1C7A9B2D40"
    rows = [
        Row(1, {"domain": "a.onmicrosoft.com", "request-id": good}),
        Row(2, {"domain": "b.onmicrosoft.com", "request-id": "réquest-2"}),
        Row(3, {"domain": "c.onmicrosoft.com", "request-id": "request-3"}),
        Row(4, {"domain": "d.onmicrosoft.com", "request-id": "{" + good.lower() + "}"}),
        Row(5, {"domain": "e.onmicrosoft.com"}),
    ]
    with pytest.raises(ValueError, match=r"^row 2: request id 'réquest-2' is not a GUID"):
        rows[1].request_id()
    jobs = plan(rows)
    assert [job.refusal is None for job in jobs] == [True, False, False, False, True]
    assert jobs[0].request_id == good  # sent as written
    assert jobs[2].refusal is not None
    assert jobs[2].refusal.startswith("not sent: row 3: request id 'request-3'")
    assert str(uuid.UUID(jobs[4].request_id or "")) == jobs[4].request_id  # a UUID 5


def test_every_row_ends_in_the_results_file_whatever_is_raised(
    server: LiveServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Row 2's request id cannot be sent (the SDK used to raise UnicodeEncodeError, which
    the import swallowed: "created 3, failed 0", exit 0, row 2 missing); row 4's create
    raises before anything is sent, row 5's after its customer was created."""
    prefix = _prefix()
    source, results = tmp_path / "poisoned.csv", tmp_path / "poisoned.results.csv"
    rows = [[*_cells(prefix, n), "réquest-2" if n == 2 else ""] for n in range(1, 7)]
    _write(source, rows, request_ids=True)
    original = AsyncCustomerOperations.create

    async def faulty(self: Any, customer: Customer, **options: Any) -> Customer:
        domain = customer.company_profile.domain if customer.company_profile else ""
        if domain == f"{prefix}r0004.onmicrosoft.com":
            raise RuntimeError("injected before sending")
        created = await original(self, customer, **options)
        if domain == f"{prefix}r0005.onmicrosoft.com":
            raise RuntimeError("injected after sending")
        return created

    monkeypatch.setattr(AsyncCustomerOperations, "create", faulty)

    code = import_file(server, str(source))

    out, err = capsys.readouterr()
    assert code == 1
    assert "created 3, replayed 0, failed 2, unknown 1, skipped 0" in out
    assert "Traceback" not in err
    assert "row 2" in err
    assert "To resume:" in err
    outcomes = last_outcomes(results)
    assert len(results_of(results)) == 6
    assert sorted(outcomes) == [1, 2, 3, 4, 5, 6]
    assert {n for n, r in outcomes.items() if r["status"] == "created"} == {1, 3, 6}
    assert outcomes[2]["status"] == "failed"
    assert outcomes[2]["error_description"].startswith(
        "not sent: row 2: request id 'réquest-2' is not a GUID"
    )
    assert outcomes[2]["request_id"] == "réquest-2"
    assert outcomes[4]["status"] == "failed"
    assert outcomes[4]["error_description"] == "not sent: RuntimeError: injected before sending"
    assert outcomes[5]["status"] == "unknown"
    assert outcomes[5]["error_description"] == "RuntimeError: injected after sending"
    assert len(customers_with(server, prefix)) == 4  # rows 1, 3, 5 and 6

    # Without the faults: row 4 is created, row 5 gets its first answer back, row 2 fails.
    monkeypatch.setattr(AsyncCustomerOperations, "create", original)
    assert import_file(server, str(source), "--resume") == 1
    assert "created 1, replayed 1, failed 1, unknown 0, skipped 3" in capsys.readouterr().out
    outcomes = last_outcomes(results)
    assert [outcomes[n]["status"] for n in range(1, 7)] == [
        "created", "failed", "created", "created", "replayed", "created",
    ]  # fmt: skip
    assert outcomes[5]["password"]
    assert len(customers_with(server, prefix)) == 5


def test_duplicate_rows_are_reported_as_duplicates(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "twice.csv", tmp_path / "twice.results.csv"
    pinned = str(uuid.uuid4())
    rows = [
        [*_cells(prefix, 1), ""],
        [*_cells(prefix, 2), ""],
        [*_cells(prefix, 1), ""],  # row 1 again: the same customer, the same request id
        [*_cells(prefix, 4), pinned],
        [*_cells(prefix, 5), pinned.upper()],  # another customer, row 4's request id
    ]
    _write(source, rows, request_ids=True)

    assert import_file(server, str(source)) == 1

    out, err = capsys.readouterr()
    assert "created 3, replayed 0, failed 2, unknown 0" in out
    outcomes = last_outcomes(results)
    assert {n: r["status"] for n, r in outcomes.items()} == {
        1: "created", 2: "created", 3: "failed", 4: "created", 5: "failed",
    }  # fmt: skip
    assert outcomes[3]["error_description"].startswith("not sent: duplicate of row 1 ")
    assert outcomes[5]["error_description"].startswith("not sent: duplicate of row 4 ")
    assert not outcomes[3]["customer_id"]
    assert "row 3" in err
    assert len(customers_with(server, prefix)) == 3

    # Resuming skips rows 1, 2 and 4; 3 and 5 are duplicates still, not replays of 1 and 4.
    assert import_file(server, str(source), "--resume") == 1
    assert "created 0, replayed 0, failed 2, unknown 0, skipped 3" in capsys.readouterr().out
    assert last_outcomes(results)[3]["status"] == "failed"


def test_a_row_created_by_this_run_is_created_even_after_a_retry(
    server: LiveServer, tmp_path: Path, faults: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first two answers are lost after the customer was created: the SDK retries
    with the same request id and gets the first answer back (a replay), which this run
    created."""
    prefix = _prefix()
    source, results = tmp_path / "retried.csv", tmp_path / "retried.results.csv"
    _write(source, [_cells(prefix, n) for n in range(1, 4)])
    lost = {"route": "POST /v1/customers", "kind": "drop", "when": "after", "count": 2}
    assert faults.post("/_tenantry/faults", json=lost).status_code == 201

    assert import_file(server, str(source), "--concurrency", "1") == 0

    assert "created 3, replayed 0, failed 0, unknown 0" in capsys.readouterr().out
    outcomes = results_of(results)
    assert {r["status"] for r in outcomes} == {"created"}
    recorded = faults.get("/_tenantry/requests", params={"limit": 1000}).json()["items"]
    attempts = [sum(1 for r in recorded if r["requestId"] == o["request_id"]) for o in outcomes]
    assert max(attempts) >= 2  # a row was sent more than once
    assert len(customers_with(server, prefix)) == 3


def test_the_resume_line_repeats_the_program_and_every_option(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "resume me.csv", tmp_path / "resume me.results.csv"
    _write(source, [_cells(prefix, 1), _cells(prefix, 2, domain="not valid!.onmicrosoft.com")])

    code = main(
        ["--base-url", server.base_url, "--client-secret", DEV_CLIENT_SECRET,
         "customers", "import", str(source), "--concurrency", "3", "--no-progress",
         "--tenant-id", DEV_TENANT_ID, "--client-id", DEV_CLIENT_ID],
        prog="tenantry",
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 1
    assert DEV_CLIENT_SECRET not in out + err
    line = next(x for x in err.splitlines() if x.startswith("To resume: "))
    assert line == (
        f"To resume: tenantry customers import '{source}' --results '{results}' --resume "
        f"--concurrency 3 --no-progress --base-url {server.base_url} "
        f"--tenant-id {DEV_TENANT_ID} --client-id {DEV_CLIENT_ID}"
    )
    assert "--client-secret as before" in err

    # The line, with the secret from the environment, resumes the import.
    argv = shlex.split(line.removeprefix("To resume: "))
    assert argv[0] == "tenantry"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TENANTRY_CLIENT_SECRET", DEV_CLIENT_SECRET)
        assert main(argv[1:], prog="tenantry") == 1
    assert "created 0, replayed 0, failed 1, unknown 0, skipped 1" in capsys.readouterr().out


def test_a_failed_sign_in_records_every_row_as_not_sent(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "nosign.csv", tmp_path / "nosign.results.csv"
    _write(source, [_cells(prefix, n) for n in range(1, 13)])
    wrong = "wrong-" + uuid.uuid4().hex

    code = import_file(server, str(source), "--concurrency", "2", "--tenant-id", DEV_TENANT_ID,
                   "--client-id", DEV_CLIENT_ID, "--client-secret", wrong)  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 1
    assert "created 0, replayed 0, failed 12, unknown 0" in out
    assert "error: could not sign in" in err
    assert wrong not in out + err + results.read_text(encoding="utf-8")
    outcomes = last_outcomes(results)
    assert sorted(outcomes) == list(range(1, 13))
    assert all(r["status"] == "failed" for r in outcomes.values())
    assert all(
        r["error_description"].startswith("not sent: could not sign in") for r in outcomes.values()
    )


def test_an_error_outside_any_row_still_accounts_for_every_row(
    server: LiveServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source, results = tmp_path / "broken.csv", tmp_path / "broken.results.csv"
    _write(source, [_cells(_prefix(), n) for n in range(1, 4)])

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("injected outside the rows")

    monkeypatch.setattr("tenantry_client.cli._bulk.send_all", broken)
    assert import_file(server, str(source)) == 1

    out, err = capsys.readouterr()
    assert "unknown 3" in out
    assert "internal error: RuntimeError: injected outside the rows" in err
    assert "To resume:" in err
    assert {r["status"] for r in results_of(results)} == {"unknown"}
    assert len(results_of(results)) == 3
