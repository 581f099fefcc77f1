"""The command line at par with New-PartnerCustomer: `--version`, connection options before
or after the command, every field error of a 400, required options, `--name`,
`--billing-address-region`, `--what-if`, and request ids that must be GUIDs."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from tenantry_client import BadInputError, Customer, PartnerClient, __version__
from tenantry_client.cli._fields import apply_fields

from tenantry.auth.development import DEV_TENANT_ID
from tests.client.cli_support import isolate, run_cli
from tests.client.conftest import dev_credential
from tests.client.factories import unique_prefix
from tests.support.server import LiveServer


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


def _values(domain: str, **overrides: str) -> dict[str, str]:
    values = {
        "domain": domain, "name": "Contoso Options", "contact-email": "gena@wingtiptoys.com",
        "contact-first-name": "Gena", "contact-last-name": "Soto", "culture": "en-US",
        "language": "en", "billing-address-line1": "1 Microsoft Way",
        "billing-address-city": "Redmond", "billing-address-state": "WA",
        "billing-address-postal-code": "98052", "billing-address-country": "US",
    }  # fmt: skip
    values.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return values


def _flags(domain: str, **overrides: str) -> list[str]:
    values = _values(domain, **overrides)
    return [word for name, value in values.items() for word in (f"--{name}", value)]


def _domain() -> str:
    return f"{unique_prefix('opt')}.onmicrosoft.com"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "--version") == (0, f"tenantry-client {__version__}\n", "")


def test_connection_options_before_or_after_the_command(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.base_url
    assert run_cli(capsys, "--base-url", url, "customers", "list", "--size", "1")[0] == 0
    assert run_cli(capsys, "customers", "list", "--size", "1", "--base-url", url)[0] == 0
    # Given twice, the one after the command wins.
    nowhere = "http://127.0.0.1:9"
    assert run_cli(capsys, "--base-url", nowhere, "customers", "list", "--base-url", url)[0] == 0
    code, out, _ = run_cli(capsys, "--token", server.token(), "domains", "check", _domain(),
                        "--base-url", url)  # fmt: skip
    assert (code, out) == (0, "available\n")
    # Options from both sides make one connection: the tenant before, the URL after.
    code, _, err = run_cli(capsys, "--tenant-id", DEV_TENANT_ID, "customers", "list",
                        "--base-url", url)  # fmt: skip
    assert code == 2
    assert "missing --client-id" in err


def test_a_400_prints_every_field_error(
    server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {
        "domain": "not valid!.onmicrosoft.com",
        "contact_email": "not an email",
        "culture": "xx-XX",
        "language": "zz",
        "billing_address_postal_code": "ABCDEFGHIJ",
        "contact_phone": "call me",
        "billing_address_state": "Nowhere State",
    }
    flags = _flags(**bad)
    customer = apply_fields(Customer(), _values(**bad))
    with (
        PartnerClient(dev_credential(), base_url=server.base_url) as client,
        pytest.raises(BadInputError) as raised,
    ):
        client.customers.create(customer)
    expected = raised.value.data
    assert len(expected) >= 6

    code, out, err = run_cli(capsys, "customers", "create", *flags, "--base-url", server.base_url)

    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"error {raised.value.code}: ")
    assert lines[1].startswith("  HTTP 400, MS-RequestId ")
    assert lines[2] == f"  {len(expected)} field error(s):"
    assert lines[3:] == [f"  - {item}" for item in expected]


def test_required_options_are_marked_and_checked(
    server: LiveServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(capsys, "customers", "create", "--help")
    assert code == 0
    required = out.split("required (New-PartnerCustomer's mandatory parameters):")[1]
    required = required.split("\n\n")[0]
    for flag in ("--domain", "--name", "--language", "--billing-address-line1",
                 "--billing-address-country"):  # fmt: skip
        assert flag in required
    assert "--contact-email" not in required

    flags = _flags(_domain())
    for flag in ("--name", "--language"):
        at = flags.index(flag)
        del flags[at : at + 2]
    code, _, err = run_cli(capsys, "customers", "create", *flags, "--base-url", server.base_url)
    assert code == 2
    assert "required: --name, --language" in err

    # A value from --from-json counts.
    body = {"billingProfile": {"companyName": "From Json", "language": "en"}}
    (tmp_path / "c.json").write_text(json.dumps(body), encoding="utf-8")
    code, out, err = run_cli(capsys, "customers", "create", *flags, "--from-json",
                          str(tmp_path / "c.json"), "--what-if")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["billingProfile"]["companyName"] == "From Json"

    code, out, _ = run_cli(capsys, "customers", "import", "--help")
    assert code == 0
    for column in ("domain *", "billing-address-region", "request-id", "contact-phone"):
        assert f"\n  {column} " in out
    assert "created, replayed" in out


def test_name_region_and_what_if(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    domain = _domain()
    flags = _flags(domain, name="Region Ltd", billing_address_region="Pacific Northwest")

    code, out, err = run_cli(capsys, "customers", "create", *flags, "--what-if")
    assert code == 0, err
    body = json.loads(out)
    assert body["companyProfile"] == {"domain": domain, "companyName": "Region Ltd"}
    assert body["billingProfile"]["companyName"] == "Region Ltd"
    assert body["billingProfile"]["defaultAddress"]["region"] == "Pacific Northwest"
    code, out, _ = run_cli(capsys, "domains", "check", domain, "--base-url", server.base_url)
    assert (code, out) == (0, "available\n")  # nothing was sent

    code, out, err = run_cli(capsys, "customers", "create", *flags, "--output", "json",
                          "--base-url", server.base_url)  # fmt: skip
    assert code == 0, err
    created = json.loads(out)
    assert created["billingProfile"]["companyName"] == "Region Ltd"
    assert created["billingProfile"]["defaultAddress"]["region"] == "Pacific Northwest"


def test_request_id_must_be_a_guid(server: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    flags = _flags(_domain())
    for bad in ("réquest-2", "request-2", "{" + str(uuid.uuid4()) + "}"):
        code, _, err = run_cli(capsys, "customers", "create", *flags, "--request-id", bad,
                            "--base-url", server.base_url)  # fmt: skip
        assert code == 2
        assert "is not a GUID" in err
    pinned = str(uuid.uuid4()).upper()
    code, out, err = run_cli(capsys, "customers", "create", *flags, "--request-id", pinned,
                          "--base-url", server.base_url, "-o", "json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["userCredentials"]["password"]
