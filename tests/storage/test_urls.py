"""libpq-style PostgreSQL URLs (`?sslmode=require&sslrootcert=…`) mapped for asyncpg: the
mapping itself, real connections to the local server, and `tenantry serve` refusing what
it cannot use in one line."""

from __future__ import annotations

import asyncio
import datetime
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from tenantry.config import to_async_url
from tenantry.storage.availability import location
from tenantry.storage.db import create_engine
from tenantry.storage.urls import DEFAULT_CONNECT_TIMEOUT, UrlRefused, connect_parts
from tests.support.process import free_port, tenantry
from tests.support.storage import shared_postgres

BASE = "postgresql+asyncpg://app@db.example.com:5432/tenantry"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and its private key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tenantry-test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "client.crt", folder / "client.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _ssl(query: str) -> object:
    return connect_parts(f"{BASE}?{query}").connect_args.get("ssl")


def test_a_plain_url_gets_a_bounded_connect_timeout_and_nothing_else() -> None:
    parts = connect_parts(BASE)
    assert parts.connect_args == {"timeout": DEFAULT_CONNECT_TIMEOUT}
    assert parts.url.render_as_string(hide_password=False) == BASE


@pytest.mark.parametrize(
    ("mode", "expected"), [("disable", False), ("allow", "allow"), ("prefer", "prefer")]
)
def test_modes_that_may_fall_back_to_plain_text(mode: str, expected: object) -> None:
    assert _ssl(f"sslmode={mode}") == expected


def test_require_encrypts_without_checking_the_certificate() -> None:
    context = _ssl("sslmode=require")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_NONE
    assert not context.check_hostname
    assert context.minimum_version is ssl.TLSVersion.TLSv1_2


def test_require_with_a_root_certificate_verifies_the_chain(tmp_path: Path) -> None:
    root, _ = _self_signed(tmp_path)
    context = _ssl(f"sslmode=require&sslrootcert={root}")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert not context.check_hostname
    assert len(context.get_ca_certs()) == 1


def test_verify_ca_and_verify_full(tmp_path: Path) -> None:
    root, _ = _self_signed(tmp_path)
    ca = _ssl(f"sslmode=verify-ca&sslrootcert={root}")
    full = _ssl(f"sslmode=verify-full&sslrootcert={root}")
    system = _ssl("sslmode=verify-full&sslrootcert=system")
    for context in (ca, full, system):
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode is ssl.CERT_REQUIRED
    assert isinstance(ca, ssl.SSLContext)
    assert not ca.check_hostname
    assert isinstance(full, ssl.SSLContext)
    assert full.check_hostname


def test_a_client_certificate_is_loaded(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    context = _ssl(f"sslmode=verify-full&sslrootcert={cert}&sslcert={cert}&sslkey={key}")
    assert isinstance(context, ssl.SSLContext)
    assert _ssl(f"sslmode=require&sslcert={cert}&sslkey={key}") is not None


def test_timeouts_names_and_settings() -> None:
    parts = connect_parts(
        f"{BASE}?connect_timeout=5&application_name=billing&target_session_attrs=read-write"
        "&options=-c%20statement_timeout%3D5s%20-csearch_path%3Dpublic%20--work-mem%3D4MB"
    )
    assert parts.connect_args["timeout"] == 5.0
    assert parts.connect_args["target_session_attrs"] == "read-write"
    assert parts.connect_args["server_settings"] == {
        "application_name": "billing",
        "statement_timeout": "5s",
        "search_path": "public",
        "work_mem": "4MB",
    }
    assert connect_parts(f"{BASE}?connect_timeout=0").connect_args["timeout"] is None
    assert connect_parts(f"{BASE}?connect_timeout=1").connect_args["timeout"] == 2.0


def test_url_parts_given_as_parameters() -> None:
    url = connect_parts(
        "postgresql+asyncpg://db.example.com/?dbname=app&user=me&port=6543&host=/run/pg"
    ).url
    assert (url.database, url.username, url.port) == ("app", "me", 6543)
    assert dict(url.query) == {"host": "/run/pg"}


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("foo=bar", "unknown parameter 'foo'"),
        ("sslmode=required", "sslmode='required' is not one of"),
        ("service=prod", "'service' is not supported"),
        ("gssencmode=disable", "'gssencmode' is not supported"),
        ("connect_timeout=soon", "connect_timeout='soon'"),
        ("options=-x", "not '-x'"),
        ("options=-c%20statement_timeout", "'statement_timeout' is not name=value"),
        ("target_session_attrs=leader", "target_session_attrs='leader'"),
        ("sslmode=require&sslrootcert=/nonexistent/root.crt", "sslrootcert='/nonexistent"),
        ("sslmode=require&sslmode=disable", "'sslmode' is given more than once"),
        ("port=http", "port='http'"),
        ("sslmode=require&ssl_min_protocol_version=SSLv3", "ssl_min_protocol_version"),
    ],
)
def test_what_cannot_be_used_is_refused_by_name(query: str, names: str) -> None:
    with pytest.raises(UrlRefused, match=r"^database URL: ") as refused:
        connect_parts(f"{BASE}?{query}")
    assert names in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_client_certificate_needs_a_mode_that_cannot_fall_back(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    for query in (f"sslcert={cert}&sslkey={key}", f"sslmode=prefer&sslcert={cert}"):
        with pytest.raises(UrlRefused, match="client certificate"):
            connect_parts(f"{BASE}?{query}")
    other = tmp_path / "other"
    other.mkdir()
    not_a_key, _ = _self_signed(other)  # a certificate where the key should be
    with pytest.raises(UrlRefused, match="cannot be loaded"):
        connect_parts(f"{BASE}?sslmode=require&sslcert={cert}&sslkey={not_a_key}")


# --- against the local PostgreSQL server, which offers no TLS -----------------------------


def _local_url(query: str) -> str:
    pg = shared_postgres()
    if pg is None:
        pytest.skip("no PostgreSQL server")
    return f"{pg.admin_url}?{query}"


def _session(url: str) -> tuple[object, ...]:
    async def ask() -> tuple[object, ...]:
        engine = create_engine(to_async_url(url), lock_wait_seconds=5)
        try:
            async with engine.connect() as conn:
                found = await conn.execute(
                    text(
                        "SELECT current_setting('application_name'), "
                        "current_setting('statement_timeout'), "
                        "coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), "
                        "false)"
                    )
                )
                return tuple(found.one())
        finally:
            await engine.dispose()

    return asyncio.run(ask())


@pytest.mark.parametrize("mode", ["disable", "allow", "prefer"])
def test_modes_that_allow_plain_text_connect_to_a_server_without_tls(mode: str) -> None:
    url = _local_url(
        f"sslmode={mode}&application_name=tenantry-{mode}&connect_timeout=5"
        "&options=-c%20statement_timeout%3D7s"
    )
    assert _session(url) == (f"tenantry-{mode}", "7s", False)
    postgres_scheme = url.replace("postgresql://", "postgres://", 1)
    assert _session(postgres_scheme)[0] == f"tenantry-{mode}"


def test_serve_with_sslmode_require_against_a_server_without_tls_is_one_line(
    tmp_path: Path,
) -> None:
    url = _local_url("sslmode=require")
    result = tenantry(
        "serve", "--data-dir", str(tmp_path), "--database-url", url, "--db-wait", "30",
        "--port", str(free_port()),
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("tenantry:")]
    assert len(lines) == 1, result.stderr
    assert "rejected SSL upgrade" in lines[0]
    assert location(url) in lines[0]
    assert "not reachable" not in result.stderr  # not an outage: no waiting


def test_serve_refuses_an_unknown_url_parameter_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/tenantry?sslmode=require&pool=big"
    result = tenantry(
        "serve", "--data-dir", str(tmp_path), "--database-url", url, "--port", str(free_port())
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("tenantry:")]
    assert lines == ["tenantry: database URL: unknown parameter 'pool'"], result.stderr
