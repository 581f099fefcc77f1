"""`tenantry agreements|offers|orders|subscriptions|users …` end to end: the `tenantry`
command as a real process against the live server; and, in-process, the bad usage it
refuses before sending anything."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from tenantry_client.cli._args import build_parser

from tenantry.auth.development import DEV_CLIENT_ID, DEV_TENANT_ID, DEV_USER_PASSWORD, DEV_USER_UPN
from tenantry.commands import CLIENT_COMMANDS
from tenantry.commands import parser as tenantry_parser
from tests.client.cli_support import ENV, isolate, run_cli
from tests.client.factories import unique_prefix, wingtip
from tests.support.server import LiveServer


def _user_token(server: LiveServer) -> str:
    """An App+User token of the development partner's user (the sandbox password grant)."""
    form = {
        "grant_type": "password",
        "client_id": DEV_CLIENT_ID,
        "username": DEV_USER_UPN,
        "password": DEV_USER_PASSWORD,
        "scope": "https://api.partnercenter.microsoft.com/user_impersonation",
    }
    with httpx.Client(base_url=server.base_url, timeout=60) as http:
        response = http.post(f"/{DEV_TENANT_ID}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _run(server: LiveServer, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env["TENANTRY_TOKEN"] = _user_token(server)  # App+User: agreements and users need it
    done = subprocess.run(
        [sys.executable, "-m", "tenantry", *args, "--base-url", server.base_url],
        capture_output=True, text=True, env=env, input=stdin, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    return done.returncode, done.stdout, done.stderr


def _json(server: LiveServer, *args: str) -> Any:
    code, out, err = _run(server, *args, "--output", "json")
    assert code == 0, err
    return json.loads(out)


def _fields(out: str) -> dict[str, str]:
    rows = (line.partition("  ") for line in out.splitlines())
    return {name.strip(): value.strip() for name, _, value in rows}


def test_the_onboarding_tour_from_the_shell(server: LiveServer) -> None:
    domain = f"{unique_prefix('tour')}.onmicrosoft.com"
    customer = wingtip().to_wire()
    customer["companyProfile"]["domain"] = domain
    code, out, err = _run(server, "customers", "create", "--from-json", "-", "--output", "json",
                          stdin=json.dumps(customer))  # fmt: skip
    assert code == 0, err
    cid = json.loads(out)["id"]

    code, out, err = _run(server, "agreements", "confirm", cid, "--first-name", "Gena",
                          "--last-name", "Soto", "--email", "gena@wingtiptoys.com")  # fmt: skip
    assert code == 0, err
    assert _fields(out)["Type"] == "MicrosoftCustomerAgreement"
    assert [a["type"] for a in _json(server, "agreements", "list", cid)["items"]] == [
        "MicrosoftCustomerAgreement"
    ]

    offers = _json(server, "offers", "list", "--country", "US", "--all")["items"]
    code, out, err = _run(server, "offers", "list", "--country", "US", "--size", "2")
    assert code == 0, err
    assert len(out.splitlines()) == 1 + 2  # the header and the first page
    assert "(more offers: --all lists every page)" in err
    assert "m365-business-basic" in [o["id"] for o in offers]
    code, out, err = _run(server, "offers", "get", "m365-business-basic", "--country", "US")
    assert code == 0, err
    assert _fields(out)["Offer id"] == "m365-business-basic"

    request_id = str(uuid.uuid4())
    order_args = ("orders", "create", cid, "--offer", "m365-business-basic", "--quantity", "2",
                  "--friendly-name", "Sales", "--request-id", request_id)  # fmt: skip
    first, again = _json(server, *order_args), _json(server, *order_args)
    assert first["id"] == again["id"]  # repeated request id: one order
    assert [o["id"] for o in _json(server, "orders", "list", cid)["items"]] == [first["id"]]
    assert _json(server, "orders", "get", cid, first["id"])["lineItems"][0]["quantity"] == 2

    code, out, err = _run(server, "subscriptions", "list", cid)
    assert code == 0, err
    assert "Sales" in out
    assert "active" in out
    sid = first["lineItems"][0]["subscriptionId"]
    assert _json(server, "subscriptions", "rename", cid, sid, "Sales EU")["friendlyName"] == (
        "Sales EU"
    )
    assert _json(server, "subscriptions", "set-quantity", cid, sid, "4")["quantity"] == 4
    assert _json(server, "subscriptions", "suspend", cid, sid)["status"] == "suspended"
    assert _json(server, "subscriptions", "reactivate", cid, sid)["status"] == "active"
    assert _json(server, "subscriptions", "get", cid, sid)["friendlyName"] == "Sales EU"

    code, out, err = _run(server, "users", "create", cid, "--user-principal-name",
                          f"bob@{domain}", "--display-name", "Bob Kelly",
                          "--usage-location", "US")  # fmt: skip
    assert code == 0, err
    shown = _fields(out)
    assert len(shown["Password"]) >= 8
    assert "shown this once" in err
    uid = shown["User id"]
    listed = _json(server, "users", "list", cid)["items"]
    assert sorted(u["userPrincipalName"] for u in listed) == [f"admin@{domain}", f"bob@{domain}"]
    assert all("passwordProfile" not in u for u in listed)
    assert _json(server, "users", "get", cid, uid)["displayName"] == "Bob Kelly"
    code, out, err = _run(server, "users", "delete", cid, uid)
    assert (code, out.strip()) == (0, f"deleted {uid}")

    code, _out, err = _run(server, "users", "get", cid, uid)
    assert code == 1
    assert "error 880027" in err
    code, _out, err = _run(server, "orders", "create", cid, "--offer", "nope", "--quantity", "1")
    assert code == 1
    assert "error 880045" in err


# Nothing listens on port 9: a command that sent anything would fail with 1, not 2.
_NOWHERE = ("--base-url", "http://127.0.0.1:9", "--token", "t")


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("offers", "list", "--country", "US", "--size", "0"), "", "--size must be at least 1"),
        (("orders", "create", "c", "--offer", "o", "--quantity", "0"), "", "--quantity must be"),
        (("subscriptions", "set-quantity", "c", "s", "0"), "", "quantity must be at least 1"),
        (
            ("agreements", "confirm", "c", "--first-name", "G", "--last-name", "S",
             "--email", "g@example.com", "--template-id", "t", "--date", "yesterday"),
            "",
            "--date 'yesterday' is not an ISO 8601 date and time",
        ),
        (
            ("users", "create", "c", "--user-principal-name", "bob@x.onmicrosoft.com",
             "--display-name", "Bob", "--usage-location", "US", "--password-stdin"),
            "\n",
            "--password-stdin read an empty password",
        ),
    ],
)  # fmt: skip
def test_bad_usage_is_refused_before_anything_is_sent(
    argv: tuple[str, ...],
    stdin: str,
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    isolate(monkeypatch, tmp_path / "config")
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, out, err = run_cli(capsys, *argv, *_NOWHERE)
    assert (code, out) == (2, "")
    assert message in err


def test_tenantry_routes_and_names_every_client_group() -> None:
    (groups,) = (
        a.choices
        for a in build_parser("tenantry-client")._actions
        if isinstance(a, argparse._SubParsersAction)
    )
    assert set(groups) == CLIENT_COMMANDS
    epilog = tenantry_parser().epilog or ""
    for group in CLIENT_COMMANDS:
        assert group in epilog, group
