"""`customers import FILE.csv`: concurrency, the owner-only results file, invalid rows, and
resuming an interrupted import without creating a customer twice."""

from __future__ import annotations

import csv
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tenantry_client import PartnerClient
from tenantry_client.cli import main

from tests.client.cli_support import ENV, isolate
from tests.client.conftest import dev_credential
from tests.support.server import LiveServer

COLUMNS = [
    "domain", "name", "contact-email", "contact-first-name", "contact-last-name",
    "contact-phone", "culture", "language", "billing-address-line1", "billing-address-city",
    "billing-address-state", "billing-address-postal-code", "billing-address-country",
]  # fmt: skip


def _prefix() -> str:
    return "imp" + uuid.uuid4().hex[:12]


def write_rows(path: Path, prefix: str, count: int, invalid: tuple[int, ...] = ()) -> int:
    """`count` customers, rows numbered from 1; the rows in `invalid` have a bad domain.
    Returns the number of valid rows."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for n in range(1, count + 1):
            domain = f"{prefix}r{n:04d}.onmicrosoft.com"
            if n in invalid:
                domain = f"{prefix}-not valid!.onmicrosoft.com"
            writer.writerow([
                domain, f"Import {n}", "gena@wingtiptoys.com", "Gena", "Soto", "4255550101",
                "en-US", "en", "1 Microsoft Way", "Redmond", "WA", "98052", "US",
            ])  # fmt: skip
    return count - len(invalid)


def results_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def last_outcomes(path: Path) -> dict[int, dict[str, str]]:
    """The last outcome of each row (by row number)."""
    outcomes: dict[int, dict[str, str]] = {}
    for record in results_of(path):
        outcomes[int(record["row"])] = record
    return outcomes


def customers_with(server: LiveServer, prefix: str) -> list[str]:
    with PartnerClient(dev_credential(), base_url=server.base_url) as client:
        return [c.id or "" for c in client.customers.search(domain=prefix)]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


def import_file(server: LiveServer, *args: str) -> int:
    """`customers import` in-process against the live server, without a progress bar."""
    return main(["customers", "import", *args, "--no-progress", "--base-url", server.base_url])


def test_import_with_invalid_rows(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source = tmp_path / "customers.csv"
    valid = write_rows(source, prefix, 50, invalid=(7, 31))

    code = import_file(server, str(source), "--concurrency", "8")

    out, err = capsys.readouterr()
    assert code == 1  # some rows failed
    assert "created 48, replayed 0, failed 2" in out
    assert "row 7" in err
    assert "row 31" in err
    assert "Traceback" not in err
    results_path = tmp_path / "customers.results.csv"
    assert stat.S_IMODE(results_path.stat().st_mode) == 0o600
    results = results_of(results_path)
    assert len(results) == 50
    created = [r for r in results if r["status"] == "created"]
    failed = {int(r["row"]): r for r in results if r["status"] == "failed"}
    assert len(created) == valid == 48
    assert all(r["customer_id"] and r["user_name"] and r["password"] for r in created)
    assert sorted(failed) == [7, 31]
    assert all(r["error_code"].isdigit() and r["error_description"] for r in failed.values())
    assert len({r["request_id"] for r in results}) == 50
    assert sorted(customers_with(server, prefix)) == sorted(r["customer_id"] for r in created)

    # Without --resume an existing results file is not overwritten.
    assert import_file(server, str(source)) == 2
    assert "--resume" in capsys.readouterr().err

    # Resuming re-sends the two failed rows only, which fail again.
    assert import_file(server, str(source), "--resume") == 1
    out = capsys.readouterr().out
    assert "created 0, replayed 0, failed 2" in out
    assert "skipped 48" in out
    assert len(customers_with(server, prefix)) == 48


def test_the_same_file_again_replays_instead_of_duplicating(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source = tmp_path / "few.csv"
    write_rows(source, prefix, 5)
    assert import_file(server, str(source), "--results", str(tmp_path / "one.csv")) == 0
    assert import_file(server, str(source), "--results", str(tmp_path / "two.csv")) == 0

    assert "created 0, replayed 5" in capsys.readouterr().out.splitlines()[-1]
    one, two = results_of(tmp_path / "one.csv"), results_of(tmp_path / "two.csv")
    key = ["row", "customer_id", "password", "request_id"]
    assert sorted([r[k] for k in key] for r in one) == sorted([r[k] for k in key] for r in two)
    assert len(customers_with(server, prefix)) == 5


def _wait_for_lines(path: Path, lines: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) > lines:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} did not reach {lines} rows")


def _start(server: LiveServer, source: Path, results: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    return subprocess.Popen(
        [sys.executable, "-m", "tenantry", "customers", "import", str(source),
         "--results", str(results), "--concurrency", "4", "--base-url", server.base_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _assert_each_row_created_once(
    server: LiveServer, prefix: str, results: Path, rows: int
) -> None:
    outcomes = results_of(results)
    done = [int(r["row"]) for r in outcomes if r["status"] in ("created", "replayed")]
    assert sorted(done) == list(range(1, rows + 1))  # each row once
    ids = customers_with(server, prefix)
    assert len(ids) == rows == len(set(ids))
    final = {int(r["row"]): r for r in outcomes if r["status"] in ("created", "replayed")}
    assert sorted(r["customer_id"] for r in final.values()) == sorted(ids)
    assert all(r["password"] for r in final.values())


def test_interrupted_import_resumes_without_duplicates(
    server: LiveServer, tmp_path: Path, faults: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "big.csv", tmp_path / "big.results.csv"
    rows = write_rows(source, prefix, 40)
    slow = {"route": "POST /v1/customers", "kind": "latency", "milliseconds": 150}
    assert faults.post("/_tenantry/faults", json=slow).status_code == 201

    process = _start(server, source, results)
    _wait_for_lines(results, 6, process)
    process.send_signal(signal.SIGINT)  # Ctrl-C
    _out, err = process.communicate(timeout=60)

    assert process.returncode == 130, err
    assert "Traceback" not in err
    resume = f"To resume: tenantry customers import {source} --results {results} --resume"
    assert resume + " --concurrency 4 --base-url " + server.base_url in err
    assert "not sent" in err
    written = results_of(results)
    assert sorted(int(r["row"]) for r in written) == list(range(1, rows + 1))  # every row
    created = [r for r in written if r["status"] == "created"]  # in-flight rows were finished
    not_sent = [r for r in written if r["status"] != "created"]
    assert 6 <= len(created) < rows
    assert {(r["status"], r["error_description"]) for r in not_sent} == {
        ("failed", "not sent: interrupted")
    }
    assert not any(r["customer_id"] for r in not_sent)
    assert stat.S_IMODE(results.stat().st_mode) == 0o600

    faults.delete("/_tenantry/faults")
    code = import_file(server, str(source), "--results", str(results), "--resume")
    assert code == 0
    assert f"skipped {len(created)}" in capsys.readouterr().out
    _assert_each_row_created_once(server, prefix, results, rows)


def test_killed_import_resumes_without_duplicates(
    server: LiveServer, tmp_path: Path, faults: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill -9 loses the rows in flight: perhaps created, but not in the results file.
    Resuming re-sends them with the same MS-RequestId: created once, whatever happened."""
    prefix = _prefix()
    source, results = tmp_path / "kill.csv", tmp_path / "kill.results.csv"
    rows = write_rows(source, prefix, 30)
    slow = {"route": "POST /v1/customers", "kind": "latency", "milliseconds": 300}
    assert faults.post("/_tenantry/faults", json=slow).status_code == 201

    process = _start(server, source, results)
    _wait_for_lines(results, 4, process)
    process.kill()
    process.communicate(timeout=60)

    faults.delete("/_tenantry/faults")
    assert import_file(server, str(source), "--results", str(results), "--resume") == 0
    summary = capsys.readouterr().out
    assert "failed 0, unknown 0" in summary
    _assert_each_row_created_once(server, prefix, results, rows)
    assert Counter(r["status"] for r in results_of(results))["created"] <= rows


def test_lost_answers_are_unknown_and_resume_replays_them(
    server: LiveServer, tmp_path: Path, faults: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every answer lost after the customer was created: the rows are `unknown`; resuming
    gets the first answers (ids and passwords) back, creating nothing more."""
    prefix = _prefix()
    source, results = tmp_path / "lost.csv", tmp_path / "lost.results.csv"
    rows = write_rows(source, prefix, 6)
    lost = {"route": "POST /v1/customers", "kind": "drop", "when": "after"}
    assert faults.post("/_tenantry/faults", json=lost).status_code == 201

    assert import_file(server, str(source), "--results", str(results)) == 1
    out, err = capsys.readouterr()
    assert "created 0, replayed 0, failed 0, unknown 6" in out
    assert "To resume:" in err
    assert {r["status"] for r in results_of(results)} == {"unknown"}
    assert len(customers_with(server, prefix)) == rows  # created, answers lost

    faults.delete("/_tenantry/faults")
    assert import_file(server, str(source), "--results", str(results), "--resume") == 0
    assert "created 0, replayed 6" in capsys.readouterr().out
    _assert_each_row_created_once(server, prefix, results, rows)
