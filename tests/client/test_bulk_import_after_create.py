"""`customers import --confirm-agreement --order`: each row's customer, then its confirmed
Microsoft Customer Agreement and its order, as the API shows them; a failure after the
create is the row's, with its code; resuming goes on from the step left, so that no
customer is created twice and no order placed twice."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import httpx
import pytest
from tenantry_client import PartnerClient
from tenantry_client.cli._order_lines import OrderLine, parse_line, parse_lines

from tests.client.cli_support import isolate, run_cli
from tests.client.conftest import dev_credential
from tests.client.test_bulk_import import (
    customers_with,
    import_file,
    last_outcomes,
    write_rows,
)
from tests.support.server import LiveServer

BASIC = "m365-business-basic"
ORDERS = "POST /v1/customers/*/orders"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


def _prefix() -> str:
    return "aft" + uuid.uuid4().hex[:12]


def _add_column(path: Path, name: str, cells: dict[int, str]) -> None:
    """Add a column to an import file: `cells` by row number, the other rows empty."""
    with path.open(newline="", encoding="utf-8") as file:
        lines = list(csv.reader(file))
    lines[0].append(name)
    for number, line in enumerate(lines[1:], 1):
        line.append(cells.get(number, ""))
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(lines)


def _orders_of(server: LiveServer, customer_ids: list[str]) -> dict[str, list[str]]:
    """Customer id → the ids of its orders, as the API lists them."""
    with PartnerClient(dev_credential(), base_url=server.base_url) as client:
        return {cid: [o.id or "" for o in client.orders.list(cid)] for cid in customer_ids}


def test_each_row_gets_its_customer_agreement_and_order(
    server: LiveServer, user_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "onboard.csv", tmp_path / "onboard.results.csv"
    write_rows(source, prefix, 3)
    _add_column(source, "orders", {2: "m365-e3:3;azure"})
    _add_column(source, "Agreement_First_Name", {3: "Tania"})
    _add_column(source, "agreement-email", {3: "tania@contoso.example"})

    code = import_file(server, str(source), "--token", user_token, "--confirm-agreement",
                       "--order", f"{BASIC}:2")  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 0, err
    assert (
        "created 3, replayed 0, continued 0, failed 0, unknown 0, skipped 0 (already done); "
        "agreements confirmed 3, orders placed 3; results in"
    ) in out
    rows = last_outcomes(results)
    assert {r["status"] for r in rows.values()} == {"created"}
    assert {r["agreement"] for r in rows.values()} == {"confirmed"}
    assert all(r["customer_id"] and r["password"] and r["order_id"] for r in rows.values())
    assert sorted(customers_with(server, prefix)) == sorted(r["customer_id"] for r in rows.values())

    with PartnerClient(dev_credential(), base_url=server.base_url) as client:
        for number, row in rows.items():
            cid = row["customer_id"]
            agreements = client.agreements.list(cid)
            assert [a.agreement_type for a in agreements] == ["MicrosoftCustomerAgreement"]
            contact = agreements[0].primary_contact
            assert contact is not None
            expected = ("Tania", "Soto", "tania@contoso.example", "4255550101")
            if number != 3:  # the row's billing contact
                expected = ("Gena", "Soto", "gena@wingtiptoys.com", "4255550101")
            assert (contact.first_name, contact.last_name, contact.email) == expected[:3]
            assert contact.phone_number == expected[3]
            orders = client.orders.list(cid)
            assert [o.id for o in orders] == [row["order_id"]]
            lines = [(i.offer_id, i.quantity) for i in orders[0].line_items]
            assert lines == ([("m365-e3", 3), ("azure", 1)] if number == 2 else [(BASIC, 2)])
            subscriptions = client.subscriptions.list(cid)
            assert sorted(s.id or "" for s in subscriptions) == sorted(
                row["subscription_ids"].split(";")
            )
            assert {s.order_id for s in subscriptions} == {row["order_id"]}


def test_a_resumed_import_orders_each_customer_once(
    server: LiveServer,
    user_token: str,
    tmp_path: Path,
    faults: httpx.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Created by a first run; a second confirms the agreements, and its orders are placed
    but their answers lost; a third gets those orders back instead of placing more."""
    prefix = _prefix()
    source, results = tmp_path / "later.csv", tmp_path / "later.results.csv"
    rows = write_rows(source, prefix, 4)
    steps = ("--confirm-agreement", "--order", BASIC, "--token", user_token)
    assert import_file(server, str(source), "--results", str(results)) == 0
    created = {n: r["customer_id"] for n, r in last_outcomes(results).items()}
    capsys.readouterr()

    lost = {"route": ORDERS, "kind": "drop", "when": "after"}
    assert faults.post("/_tenantry/faults", json=lost).status_code == 201
    assert import_file(server, str(source), "--results", str(results), "--resume", *steps) == 1
    out, err = capsys.readouterr()
    assert "continued 0, failed 0, unknown 4, skipped 0 (already done); " in out
    assert "agreements confirmed 4, orders placed 0" in out
    assert "4 row(s) stopped after their customer was created" in err
    assert f"--resume --no-progress --confirm-agreement --order {BASIC}:1 --base-url" in err
    outcomes = last_outcomes(results)
    assert {(r["status"], r["step"], r["agreement"]) for r in outcomes.values()} == {
        ("unknown", "order", "confirmed")
    }
    assert {n: r["customer_id"] for n, r in outcomes.items()} == created
    assert all(r["password"] and r["order_request_id"] for r in outcomes.values())
    placed = _orders_of(server, list(created.values()))
    assert [len(ids) for ids in placed.values()] == [1] * rows  # placed, the answers lost

    faults.delete("/_tenantry/faults")
    assert import_file(server, str(source), "--results", str(results), "--resume", *steps) == 0
    out = capsys.readouterr().out
    assert "created 0, replayed 0, continued 4, failed 0, unknown 0, skipped 0" in out
    assert "agreements confirmed 0, orders placed 4" in out
    outcomes = last_outcomes(results)
    assert _orders_of(server, list(created.values())) == placed
    assert {r["customer_id"]: [r["order_id"]] for r in outcomes.values()} == placed
    assert all(r["subscription_ids"] and r["password"] for r in outcomes.values())

    # Done: resuming sends nothing; a new run of the whole file gets the same answers back.
    assert import_file(server, str(source), "--results", str(results), "--resume", *steps) == 0
    assert "skipped 4 (already done)" in capsys.readouterr().out
    again = tmp_path / "again.results.csv"
    assert import_file(server, str(source), "--results", str(again), *steps) == 0
    assert "created 0, replayed 4, continued 0, failed 0" in capsys.readouterr().out
    assert {r["customer_id"]: [r["order_id"]] for r in last_outcomes(again).values()} == placed
    assert _orders_of(server, list(created.values())) == placed
    assert len(customers_with(server, prefix)) == rows


def test_an_unknown_offer_fails_each_row_with_its_code(
    server: LiveServer, user_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = _prefix()
    source, results = tmp_path / "nope.csv", tmp_path / "nope.results.csv"
    rows = write_rows(source, prefix, 2)
    token = ("--token", user_token)

    code = import_file(server, str(source), "--confirm-agreement", "--order", "nope:2", *token)

    out, err = capsys.readouterr()
    assert code == 1
    assert "created 0, replayed 0, continued 0, failed 2, unknown 0" in out
    assert "agreements confirmed 2, orders placed 0" in out
    assert "order: error 880045: The offer 'nope' is not available in 'US'." in err
    assert "--confirm-agreement --order nope:2" in err  # the resume line
    outcomes = last_outcomes(results)
    for row in outcomes.values():
        assert (row["status"], row["step"], row["error_code"]) == ("failed", "order", "880045")
        assert "nope" in row["error_description"]
        assert row["customer_id"]
        assert row["password"]
        assert row["agreement"] == "confirmed"
        assert not row["order_id"]
    ids = [r["customer_id"] for r in outcomes.values()]
    assert _orders_of(server, ids) == {cid: [] for cid in ids}

    # Resumed with an offer that exists: the same customers, one order each.
    code = import_file(server, str(source), "--resume", "--confirm-agreement", "--order", BASIC,
                       *token)  # fmt: skip
    assert code == 0
    assert "continued 2, failed 0" in capsys.readouterr().out
    outcomes = last_outcomes(results)
    assert [r["customer_id"] for r in outcomes.values()] == ids
    assert {cid: len(o) for cid, o in _orders_of(server, ids).items()} == dict.fromkeys(ids, 1)
    assert len(customers_with(server, prefix)) == rows


def test_an_order_without_an_agreement_fails_until_one_is_confirmed(
    server: LiveServer, user_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """880044 for every fresh customer; the service keeps that refusal for the order's
    request id, so the resumed run that confirms the agreement sends a new one."""
    prefix = _prefix()
    source, results = tmp_path / "first.csv", tmp_path / "first.results.csv"
    write_rows(source, prefix, 2)
    order = ("--order", f"{BASIC}:3", "--token", user_token)

    assert import_file(server, str(source), *order) == 1

    out, err = capsys.readouterr()
    assert "created 0, replayed 0, continued 0, failed 2" in out
    assert "; orders placed 0;" in out
    assert "agreements confirmed" not in out  # not asked
    assert "error 880044" in err
    refused = last_outcomes(results)
    for row in refused.values():
        assert (row["status"], row["step"], row["error_code"]) == ("failed", "order", "880044")
        assert row["customer_id"]
        assert not row["agreement"]
    ids = [r["customer_id"] for r in refused.values()]
    assert _orders_of(server, ids) == {cid: [] for cid in ids}

    assert import_file(server, str(source), "--resume", "--confirm-agreement", *order) == 0
    assert "continued 2, failed 0" in capsys.readouterr().out
    outcomes = last_outcomes(results)
    for number, row in outcomes.items():
        assert (row["status"], row["agreement"]) == ("continued", "confirmed")
        assert row["order_request_id"] != refused[number]["order_request_id"]
    assert _orders_of(server, ids) == {r["customer_id"]: [r["order_id"]] for r in outcomes.values()}


def test_confirming_an_agreement_needs_a_user_sign_in(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, results = tmp_path / "app.csv", tmp_path / "app.results.csv"
    write_rows(source, _prefix(), 1)

    assert import_file(server, str(source), "--confirm-agreement") == 1  # the app's own token

    assert "agreement: error 900329" in capsys.readouterr().err
    (row,) = last_outcomes(results).values()
    assert (row["status"], row["step"], row["error_code"]) == ("failed", "agreement", "900329")
    assert row["customer_id"]
    assert row["password"]


def test_a_confirmation_whose_answer_was_lost_is_not_confirmed_twice(
    server: LiveServer,
    user_token: str,
    tmp_path: Path,
    faults: httpx.Client,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The service refuses the resumed run's second confirmation (409, 600061): the
    agreement is taken as confirmed, and the order placed."""
    source, results = tmp_path / "lost.csv", tmp_path / "lost.results.csv"
    write_rows(source, _prefix(), 1)
    steps = ("--confirm-agreement", "--order", BASIC, "--token", user_token)
    lost = {"route": "POST /v1/customers/*/agreements", "kind": "drop", "when": "after"}
    assert faults.post("/_tenantry/faults", json=lost).status_code == 201

    assert import_file(server, str(source), *steps) == 1
    (row,) = last_outcomes(results).values()
    assert (row["status"], row["step"], row["agreement"]) == ("unknown", "agreement", "")
    capsys.readouterr()

    faults.delete("/_tenantry/faults")
    assert import_file(server, str(source), "--resume", *steps) == 0
    assert "continued 1, failed 0" in capsys.readouterr().out
    (row,) = last_outcomes(results).values()
    assert (row["status"], row["agreement"]) == ("continued", "confirmed")
    with PartnerClient(dev_credential(), base_url=server.base_url) as client:
        assert len(client.agreements.list(row["customer_id"])) == 1
    assert _orders_of(server, [row["customer_id"]]) == {row["customer_id"]: [row["order_id"]]}


def test_no_agreement_template_sends_no_row_and_keeps_what_was_done(
    server: LiveServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The template is read before any row is sent: without one, every row is recorded
    not sent, its line still showing the customer an earlier run created."""
    source, results = tmp_path / "notemplate.csv", tmp_path / "notemplate.results.csv"
    write_rows(source, _prefix(), 2)
    assert import_file(server, str(source)) == 0
    created = last_outcomes(results)
    capsys.readouterr()

    async def no_templates(*args: object, **kwargs: object) -> list[object]:
        return []

    monkeypatch.setattr(
        "tenantry_client._async_commerce.AsyncAgreementOperations.metadata", no_templates
    )
    assert import_file(server, str(source), "--resume", "--confirm-agreement") == 1

    out, err = capsys.readouterr()
    assert "continued 0, failed 2, unknown 0, skipped 0 (already done)" in out
    assert "error: could not read the agreement's template: the service names no" in err
    assert "2 row(s) not sent." in err
    for number, row in last_outcomes(results).items():
        assert row["status"] == "failed"
        assert row["error_description"].startswith("not sent: could not read the agreement")
        assert row["customer_id"] == created[number]["customer_id"]
        assert row["password"] == created[number]["password"]


def test_a_results_file_of_an_earlier_version_keeps_its_columns(
    server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Resuming a file written before the steps' columns existed appends lines that fit
    its own header, so that no value lands under another column's name."""
    source, results = tmp_path / "old.csv", tmp_path / "old.results.csv"
    write_rows(source, _prefix(), 2)
    assert import_file(server, str(source), "--results", str(results)) == 0
    old = ["row", "domain", "status", "customer_id", "user_name", "password", "error_code",
           "error_description", "request_id"]  # fmt: skip
    first = last_outcomes(results)[1]
    with results.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([old, [first[name] for name in old]])  # row 2 lost

    assert import_file(server, str(source), "--results", str(results), "--resume") == 0

    assert "replayed 1, failed 0, unknown 0, skipped 1" in capsys.readouterr().out
    with results.open(newline="", encoding="utf-8") as file:
        lines = list(csv.reader(file))
    assert lines[0] == old
    assert [len(line) for line in lines] == [len(old)] * 3
    second = last_outcomes(results)[2]
    assert second["status"] == "replayed"
    assert second["request_id"] != first["request_id"]
    assert str(uuid.UUID(second["customer_id"])) == second["customer_id"]


def test_order_lines_as_written() -> None:
    assert parse_line("m365-e3") == OrderLine("m365-e3", 1)
    assert parse_line(" m365-e3:25 ") == OrderLine("m365-e3", 25)
    assert parse_line("DZH318Z0BQ3Q:0007:DZH318Z0BQ3P") == OrderLine(
        "DZH318Z0BQ3Q:0007:DZH318Z0BQ3P", 1
    )
    assert parse_line("DZH318Z0BQ3Q:0007:DZH318Z0BQ3P:5").quantity == 5
    assert parse_lines("m365-e3:2; azure ;") == (OrderLine("m365-e3", 2), OrderLine("azure", 1))
    assert parse_lines("") == ()
    for bad in ("m365-e3:0", "m365-e3:-1"):
        with pytest.raises(ValueError, match="the quantity must be at least 1"):
            parse_line(bad)
    for bad in (":3", " "):
        with pytest.raises(ValueError, match="names no offer"):
            parse_line(bad)


# Nothing listens on port 9: a command that sent anything would say so.
_NOWHERE = ("--base-url", "http://127.0.0.1:9", "--token", "t", "--no-progress")


def test_bad_steps_are_refused_before_anything_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, results = tmp_path / "bad.csv", tmp_path / "bad.results.csv"
    write_rows(source, _prefix(), 2)
    code, _out, err = run_cli(capsys, "customers", "import", str(source), "--order", "x:0",
                              *_NOWHERE)  # fmt: skip
    assert code == 2
    assert "the quantity must be at least 1" in err
    code, _out, err = run_cli(capsys, "customers", "import", str(source), "--agreement-date",
                              "yesterday", "--confirm-agreement", *_NOWHERE)  # fmt: skip
    assert code == 2
    assert "--agreement-date 'yesterday' is not an ISO 8601 date and time" in err
    assert not results.exists()

    _add_column(source, "orders", {1: "m365-e3:0", 2: ":4"})
    code, out, err = run_cli(capsys, "customers", "import", str(source), *_NOWHERE)
    assert code == 1
    assert "created 0, replayed 0, failed 2, unknown 0" in out
    outcomes = last_outcomes(results)
    assert outcomes[1]["error_description"] == (
        "not sent: row 1: orders cell 'm365-e3:0': the quantity must be at least 1"
    )
    assert outcomes[2]["error_description"].startswith("not sent: row 2: orders cell ':4' names")
