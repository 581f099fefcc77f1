"""The command line (`tenantry-client …`, `tenantry customers|domains|addresses …`) against
the live server: in-process through `main()`, and once as a subprocess."""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tenantry_client.cli import main

from tenantry.auth.development import DEV_CLIENT_ID, DEV_CLIENT_SECRET, DEV_TENANT_ID
from tests.client.cli_support import ENV, isolate
from tests.client.factories import unique_prefix, wingtip
from tests.support.server import LiveServer

# Seed 000, PowerShell: the example is kept verbatim; only the domain is made unique, since
# every test of the session shares one server.
SEED_NEW_PARTNER_CUSTOMER = (
    "New-PartnerCustomer -BillingAddressLine1 '1 Microsoft Way' -BillingAddressCity 'Redmond' "
    "-BillingAddressCountry 'US' -BillingAddressPostalCode '98052' -BillingAddressState 'WA' "
    "-ContactEmail 'gena@wingtiptoys.com' -ContactFirstName 'Gena' -ContactLastName 'Soto' "
    "-Culture 'en-US' -Domain 'newcustomer.onmicrosoft.com' -Language 'en' -Name 'New Customer'"
)


def powershell_to_flags(command: str) -> list[str]:
    """`-BillingAddressLine1 'x'` → `--billing-address-line1 x`, parameter by parameter."""
    words = shlex.split(command)
    assert words[0] == "New-PartnerCustomer"
    flags: list[str] = []
    for word in words[1:]:
        if word.startswith("-"):
            name = "".join("-" + c.lower() if c.isupper() else c for c in word[1:])
            flags.append("-" + name.replace("line-1", "line1"))
        else:
            flags.append(word)
    return flags


class Cli:
    def __init__(self, server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
        self.base_url = server.base_url
        self._capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self._capsys.readouterr()
        code = main([*args, "--base-url", self.base_url])
        out, err = self._capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    def json(self, *args: str) -> object:
        code, out, err = self(*args, "--output", "json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


@pytest.fixture
def cli(
    server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Cli:
    return Cli(server, capsys)


def _fields(out: str) -> dict[str, str]:
    """The `name  value` lines of a table."""
    fields = {}
    for line in out.splitlines():
        name, _, value = line.partition("  ")
        fields[name.strip()] = value.strip()
    return fields


def _domain() -> str:
    return f"{unique_prefix('cli')}.onmicrosoft.com"


def test_seed_new_partner_customer_flag_for_flag(cli: Cli) -> None:
    flags = powershell_to_flags(SEED_NEW_PARTNER_CUSTOMER)
    assert flags[:2] == ["--billing-address-line1", "1 Microsoft Way"]
    domain = _domain()
    flags[flags.index("--domain") + 1] = domain

    code, out, err = cli("customers", "create", *flags)

    assert code == 0, err
    shown = _fields(out)
    assert shown["Domain"] == domain
    assert shown["Company name"] == "New Customer"
    assert shown["Admin user"]
    assert len(shown["Admin password"]) >= 8
    assert "shown this once" in err
    fetched = cli.json("customers", "get", shown["Customer id"])
    assert isinstance(fetched, dict)
    billing = fetched["billingProfile"]
    assert billing["defaultAddress"]["addressLine1"] == "1 Microsoft Way"
    assert billing["email"] == "gena@wingtiptoys.com"
    assert "userCredentials" not in fetched  # the password is returned by create only


def test_create_from_json_file_and_stdin(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = wingtip(unique_prefix("clij")).to_wire()
    path = tmp_path / "customer.json"
    path.write_text(json.dumps(body), encoding="utf-8")

    created = cli.json("customers", "create", "--from-json", str(path), "--name", "Override Ltd")
    assert isinstance(created, dict)
    assert created["companyProfile"]["domain"] == body["companyProfile"]["domain"]
    assert created["billingProfile"]["companyName"] == "Override Ltd"  # flags win
    assert created["userCredentials"]["password"]

    body["companyProfile"]["domain"] = _domain()
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    code, out, err = cli("customers", "create", "--from-json", "-")
    assert code == 0, err
    assert _fields(out)["Domain"] == body["companyProfile"]["domain"]

    (tmp_path / "bad.json").write_text("[1, 2", encoding="utf-8")
    code, _, err = cli("customers", "create", "--from-json", str(tmp_path / "bad.json"))
    assert code == 2
    assert "not JSON" in err


def test_get_list_search_delete(cli: Cli) -> None:
    prefix = unique_prefix("clil")[:24]
    ids = []
    for n in range(3):
        code, out, err = cli(
            "customers", "create", "--domain", f"{prefix}{n}.onmicrosoft.com",
            "--name", f"{prefix} Company", "--contact-email", "a@example.com",
            "--contact-first-name", "A", "--contact-last-name", "B", "--culture", "en-US",
            "--language", "en", "--billing-address-line1", "1 Microsoft Way",
            "--billing-address-city", "Redmond", "--billing-address-state", "WA",
            "--billing-address-postal-code", "98052", "--billing-address-country", "US",
        )  # fmt: skip
        assert code == 0, err
        ids.append(_fields(out)["Customer id"])

    code, out, _ = cli("customers", "get", ids[0])
    assert code == 0
    assert _fields(out)["Customer id"] == ids[0]

    code, out, err = cli("customers", "list", "--size", "1")
    assert code == 0
    assert out.splitlines()[0].split() == ["ID", "DOMAIN", "COMPANY", "NAME", "RELATIONSHIP"]
    assert len(out.splitlines()) == 2
    assert "--all" in err

    listed = cli.json("customers", "list", "--all", "--size", "2")
    assert isinstance(listed, dict)
    assert set(ids) <= {item["id"] for item in listed["items"]}

    found = cli.json("customers", "search", "--domain", prefix, "--all")
    assert isinstance(found, dict)
    assert sorted(item["id"] for item in found["items"]) == sorted(ids)
    code, out, _ = cli("customers", "search", "--company-name", prefix)
    assert code == 0
    assert {line.split()[0] for line in out.splitlines()[1:]} == set(ids)

    code, out, err = cli("customers", "delete", ids[0])
    assert code == 0, err
    assert out.strip() == f"deleted {ids[0]}"
    code, out, err = cli("customers", "get", ids[0])
    assert code == 1
    assert out == ""
    assert err.startswith("error ")
    assert "HTTP 404" in err
    assert "MS-RequestId" in err


def test_domains_check_exit_codes(cli: Cli) -> None:
    domain = _domain()
    code, out, _ = cli("domains", "check", domain)
    assert (code, out.strip()) == (0, "available")
    assert cli.json("domains", "check", domain) == {"domain": domain, "available": True}

    created = wingtip()
    assert created.company_profile is not None
    created.company_profile.domain = domain
    code, _, err = _create_json(cli, created.to_wire())
    assert code == 0, err

    code, out, _ = cli("domains", "check", domain)
    assert (code, out.strip()) == (1, "taken")


def _create_json(cli: Cli, body: object, *extra: str) -> tuple[int, str, str]:
    stdin = sys.stdin
    sys.stdin = io.StringIO(json.dumps(body))
    try:
        return cli("customers", "create", "--from-json", "-", *extra)
    finally:
        sys.stdin = stdin


def test_taken_domain_is_an_error_message_and_exit_code_1(cli: Cli) -> None:
    body = wingtip().to_wire()
    assert _create_json(cli, body)[0] == 0

    code, out, err = _create_json(cli, body)  # a new MS-RequestId: a second create

    assert code == 1
    assert out == ""
    first, second = err.splitlines()[:2]
    assert first.startswith("error ")
    assert ": " in first
    code_text = first.split()[1].rstrip(":")
    assert code_text.isdigit()
    assert "HTTP 409" in second or "HTTP 400" in second


def test_request_id_replays_the_first_answer(cli: Cli) -> None:
    body = wingtip().to_wire()
    request_id = str(uuid.uuid4())
    first = _create_json(cli, body, "--request-id", request_id)
    again = _create_json(cli, body, "--request-id", request_id)
    assert first[0] == again[0] == 0
    assert _fields(first[1]) == _fields(again[1])  # the same customer and password


def test_addresses_validate(cli: Cli) -> None:
    code, out, err = cli(
        "addresses", "validate", "--country", "US", "--line1", "1 Microsoft Way",
        "--city", "Redmond", "--state", "WA", "--postal-code", "98052",
    )  # fmt: skip
    assert code == 0, err
    assert _fields(out)["Status"]
    result = cli.json(
        "addresses", "validate", "--country", "US", "--line1", "1 Microsoft Way",
        "--city", "Redmond", "--state", "WA", "--postal-code", "98052",
    )  # fmt: skip
    assert isinstance(result, dict)
    assert result["status"]
    assert result["originalAddress"]["city"] == "Redmond"


def test_usage_errors_exit_2(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli("customers", "search")
    assert code == 2
    assert "one of the arguments" in err
    code, _, err = cli("customers", "list", "--size", "0")
    assert code == 2
    code, _, err = cli("customers", "list", "--tenant-id", DEV_TENANT_ID)
    assert code == 2
    assert "--client-id" in err
    assert "--client-secret" in err

    assert main(["customers", "list", "--base-url", "https://pc.example.com"]) == 2
    assert "not on this machine" in capsys.readouterr().err
    assert main(["customers", "frobnicate"]) == 2
    assert main(["--help"]) == 0


def test_explicit_credentials_and_the_secret_is_never_printed(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, server: LiveServer
) -> None:
    monkeypatch.setenv("TENANTRY_TENANT_ID", DEV_TENANT_ID)
    monkeypatch.setenv("TENANTRY_CLIENT_ID", DEV_CLIENT_ID)
    monkeypatch.setenv("TENANTRY_CLIENT_SECRET", DEV_CLIENT_SECRET)
    code, _, err = cli("customers", "list", "--size", "1")
    assert code == 0, err

    wrong = "wrong-secret-" + uuid.uuid4().hex
    code, out, err = cli("customers", "list", "--client-secret", wrong)
    assert code == 1
    assert err.startswith("error: could not sign in")
    assert wrong not in out + err

    code, _, err = cli("customers", "list", "--token", server.token(), "--size", "1")
    assert code == 0, err


def test_tenantry_command_as_a_subprocess(server: LiveServer) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    env["TENANTRY_BASE_URL"] = server.base_url
    domain = _domain()
    flags = powershell_to_flags(SEED_NEW_PARTNER_CUSTOMER)
    flags[flags.index("--domain") + 1] = domain

    done = subprocess.run(
        [sys.executable, "-m", "tenantry", "customers", "create", *flags],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _fields(done.stdout)["Admin password"]

    taken = subprocess.run(
        [sys.executable, "-m", "tenantry", "domains", "check", domain],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert (taken.returncode, taken.stdout.strip()) == (1, "taken")
    again = subprocess.run(
        [sys.executable, "-m", "tenantry", "customers", "create", *flags],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert again.returncode == 1
    assert again.stderr.startswith("error ")
    assert "Traceback" not in again.stderr
