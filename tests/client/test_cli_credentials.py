"""The command line's other sign-ins: `--certificate` (PEM or PKCS#12, encrypted or not)
and `--device-code` (App+User), beside `--client-secret` and `--token`: which credential
`resolve()` builds, and the combinations it refuses."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from tenantry_client import (
    PARTNER_CENTER_SCOPE,
    PARTNER_CENTER_USER_SCOPE,
    CertificateCredential,
    ClientSecretCredential,
    DeviceCodeCredential,
)
from tenantry_client.cli import main
from tenantry_client.cli._args import UsageError, build_parser
from tenantry_client.cli._connect import PASSWORD_ENV, Connection, resolve

from tests.client.cli_support import isolate, run_cli
from tests.client.test_sign_in import _self_signed

REMOTE = "https://tenantry.example.com"
IDS = ("--tenant-id", "tenant-1", "--client-id", "app-1")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path / "config")


def _resolve(*argv: str) -> Connection:
    """`resolve()` on `tenantry-client --base-url REMOTE ARGV… customers list`."""
    args = build_parser("tenantry-client").parse_args(
        ["--base-url", REMOTE, *argv, "customers", "list"]
    )
    return resolve(args)


@pytest.fixture(scope="module")
def certificate_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One app certificate as a PEM file, an encrypted PEM file and an encrypted .pfx."""
    key, certificate = _self_signed()  # skips without cryptography
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    folder = tmp_path_factory.mktemp("certificates")
    own = certificate.public_bytes(serialization.Encoding.PEM)

    def pem(encryption: Any) -> bytes:
        return (
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
            + own
        )

    files = {
        "pem": pem(serialization.NoEncryption()),
        "encrypted.pem": pem(serialization.BestAvailableEncryption(b"s3cret")),
        "pfx": pkcs12.serialize_key_and_certificates(
            b"app", key, certificate, None, serialization.BestAvailableEncryption(b"s3cret")
        ),
    }
    paths: dict[str, Any] = {}
    for name, data in files.items():
        path = folder / f"app.{name}"
        path.write_bytes(data)
        paths[name] = path
    paths["thumbprint"] = certificate.fingerprint(_sha1()).hex().upper()
    return paths


def _sha1() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA1()  # noqa: S303 - the thumbprint Entra ID shows


# The credential each sign-in gives.


def test_a_client_secret_still_gives_a_client_secret_credential() -> None:
    connection = _resolve(*IDS, "--client-secret", "shh")
    assert isinstance(connection.credential, ClientSecretCredential)
    assert (connection.credential.tenant_id, connection.credential.client_id) == IDS[1::2]
    assert connection.base_url == REMOTE


def test_a_pem_certificate_gives_a_certificate_credential(
    certificate_files: dict[str, Any],
) -> None:
    connection = _resolve(
        *IDS, "--certificate", str(certificate_files["pem"]), "--authority", "https://login.x"
    )
    credential = connection.credential
    assert isinstance(credential, CertificateCredential)
    assert (credential.tenant_id, credential.client_id) == ("tenant-1", "app-1")
    assert credential.authority == "https://login.x"
    assert credential.scope == PARTNER_CENTER_SCOPE
    assert credential.thumbprint == certificate_files["thumbprint"]


def test_the_certificate_may_come_from_the_environment_and_after_the_command(
    certificate_files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TENANTRY_TENANT_ID", "tenant-1")
    monkeypatch.setenv("TENANTRY_CLIENT_ID", "app-1")
    monkeypatch.setenv("TENANTRY_CERTIFICATE", str(certificate_files["pem"]))
    args = build_parser("tenantry-client").parse_args(["customers", "list", "--base-url", REMOTE])
    assert isinstance(resolve(args).credential, CertificateCredential)


def test_an_encrypted_certificate_takes_its_password_from_stdin(
    certificate_files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    path = str(certificate_files["encrypted.pem"])
    connection = _resolve(*IDS, "--certificate", path, "--certificate-password-stdin")
    assert isinstance(connection.credential, CertificateCredential)
    assert connection.credential.thumbprint == certificate_files["thumbprint"]


@pytest.mark.parametrize("name", ["encrypted.pem", "pfx"])
def test_an_encrypted_certificate_takes_its_password_from_the_environment(
    name: str, certificate_files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    connection = _resolve(*IDS, "--certificate", str(certificate_files[name]))
    assert isinstance(connection.credential, CertificateCredential)
    assert connection.credential.thumbprint == certificate_files["thumbprint"]


def test_an_encrypted_certificate_without_its_password_is_a_usage_error(
    certificate_files: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(certificate_files["encrypted.pem"])
    with pytest.raises(UsageError, match="--certificate-password-stdin or " + PASSWORD_ENV):
        _resolve(*IDS, "--certificate", path)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    with pytest.raises(UsageError, match=r"^--certificate .*app\.encrypted\.pem: "):
        _resolve(*IDS, "--certificate", path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    with pytest.raises(UsageError, match="no certificate password on stdin"):
        _resolve(*IDS, "--certificate", path, "--certificate-password-stdin")


def test_device_code_gives_a_user_sign_in() -> None:
    connection = _resolve(*IDS, "--device-code")
    credential = connection.credential
    assert isinstance(credential, DeviceCodeCredential)
    assert (credential.tenant_id, credential.client_id) == ("tenant-1", "app-1")
    assert credential.scope == PARTNER_CENTER_USER_SCOPE
    assert credential.refresh_token is None
    assert credential.authority is None


def test_device_code_tells_the_user_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    credential = _resolve(*IDS, "--device-code").credential
    message = "To sign in, open https://microsoft.com/devicelogin and enter the code ABC-123."

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/devicecode"):
            return httpx.Response(
                200,
                json={
                    "device_code": "dev-1",
                    "user_code": "ABC-123",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 0,
                    "message": message,
                },
            )
        body = {"access_token": "user-token", "token_type": "Bearer", "expires_in": 3600}
        return httpx.Response(200, json=body)

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        assert credential.get_token(http, base_url=REMOTE) == "user-token"
    out, err = capsys.readouterr()
    assert out == ""
    assert message in err


def test_a_profiles_secret_gives_way_to_a_certificate_or_device_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["login", "--profile", "prod", "--base-url", REMOTE, *IDS,
                 "--client-secret", "shh", "--no-verify"]) == 0  # fmt: skip
    capsys.readouterr()
    assert isinstance(_resolve("--profile", "prod").credential, ClientSecretCredential)
    credential = _resolve("--profile", "prod", "--device-code").credential
    assert isinstance(credential, DeviceCodeCredential)
    assert credential.tenant_id == "tenant-1"


# What is refused.


@pytest.mark.parametrize(
    ("argv", "env", "message"),
    [
        (
            [*IDS, "--client-secret", "shh", "--device-code"],
            {},
            "give one of --client-secret, --certificate or --device-code, not "
            "--client-secret (TENANTRY_CLIENT_SECRET) and --device-code",
        ),
        (
            [*IDS, "--certificate", "app.pem", "--device-code"],
            {},
            "not --certificate (TENANTRY_CERTIFICATE) and --device-code",
        ),
        (
            [*IDS, "--certificate", "app.pem"],
            {"TENANTRY_CLIENT_SECRET": "shh"},
            "not --client-secret (TENANTRY_CLIENT_SECRET) and --certificate",
        ),
        (
            ["--token", "abc", "--device-code"],
            {},
            "--token is sent as it is: give no --certificate or --device-code",
        ),
        (
            [*IDS, "--certificate-password-stdin", "--client-secret", "shh"],
            {},
            "--certificate-password-stdin needs --certificate",
        ),
        (
            ["--client-id", "app-1", "--device-code"],
            {},
            "--device-code needs --tenant-id (TENANTRY_TENANT_ID)",
        ),
        (
            ["--certificate", "app.pem"],
            {},
            "--certificate needs --tenant-id (TENANTRY_TENANT_ID) and --client-id "
            "(TENANTRY_CLIENT_ID)",
        ),
        ([*IDS], {}, "missing --client-secret (TENANTRY_CLIENT_SECRET)"),
        ([], {}, "with --client-secret (TENANTRY_CLIENT_SECRET), --certificate or --device-code"),
    ],
)
def test_sign_ins_that_are_refused(
    argv: list[str], env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(UsageError) as caught:
        _resolve(*argv)
    assert message in str(caught.value)


def test_a_missing_certificate_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pem"
    code, out, err = run_cli(
        capsys, "--base-url", REMOTE, *IDS, "--certificate", str(missing), "customers", "list"
    )
    assert code == 2
    assert out == ""
    assert err == f"tenantry-client: error: --certificate {missing}: no such file\n"


def test_a_file_that_is_no_certificate_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("cryptography")
    junk = tmp_path / "junk.pem"
    junk.write_text(json.dumps({"not": "a certificate"}))
    code, _, err = run_cli(
        capsys, "customers", "list", "--base-url", REMOTE, *IDS, "--certificate", str(junk)
    )
    assert code == 2
    assert err.startswith(f"tenantry-client: error: --certificate {junk}: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("flag", [["--device-code"], ["--certificate", "app.pem"]])
def test_login_saves_no_certificate_or_device_code(
    flag: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, *flag, "login", "--base-url", REMOTE, *IDS, "--no-verify")
    assert code == 2
    assert "login saves a client secret" in err
