"""Tokens of a trusted external OpenID Connect issuer: a second, local issuer stands in for
Microsoft Entra ID (this machine has no internet)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tenantry.config import Mode
from tenantry.domain.models import PartnerType
from tenantry.security.keys import generate_master_key
from tests.conftest import ServerFactory
from tests.support import payloads
from tests.support.partners import add_partner
from tests.support.server import LiveServer

AUDIENCE = "api://tenantry"
ISSUER = "https://issuer.test/{tenantid}/v2.0"


class Issuer:
    """A local OpenID Connect issuer: one RSA key, published as a JWKS."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def token(self, tid: str, *, kid: str | None = None, **changes: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER.replace("{tenantid}", tid),
            "aud": AUDIENCE,
            "tid": tid,
            "azp": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "scp": "user_impersonation",
            "amr": ["pwd", "mfa"],  # Entra ID names the methods the user completed
            **changes,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": kid or self.kid})


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture(scope="module")
def jwks_url(issuer: Issuer) -> Iterator[str]:
    body = json.dumps(issuer.jwks).encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/keys"
    server.shutdown()
    server.server_close()


def _trusting(server_factory: ServerFactory, tmp_path: Path, entry: dict[str, str]) -> LiveServer:
    config = tmp_path / "issuers.json"
    config.write_text(json.dumps([{"issuer": ISSUER, "audience": AUDIENCE, **entry}]))
    return server_factory(
        mode=Mode.PRODUCTION, master_key=generate_master_key(), trusted_issuers_file=config
    )


@pytest.mark.parametrize("source", ["file", "url"])
def test_tokens_of_a_trusted_issuer_are_accepted(
    server_factory: ServerFactory, tmp_path: Path, issuer: Issuer, jwks_url: str, source: str
) -> None:
    if source == "file":
        (tmp_path / "keys.json").write_text(json.dumps(issuer.jwks))
        entry = {"jwksFile": "keys.json"}
    else:
        entry = {"jwksUrl": jwks_url}
    server = _trusting(server_factory, tmp_path, entry)
    partner, _ = add_partner(server, "US", PartnerType.DIRECT_BILL)
    tid = partner.tenant_id

    def get(token: str) -> httpx.Response:
        return httpx.post(
            f"{server.base_url}/v1/customers",
            json=payloads.minimal(),
            headers={"Authorization": f"Bearer {token}"},
        )

    created = get(issuer.token(tid))
    assert created.status_code == 201, created.text
    company = httpx.get(
        f"{server.base_url}/v1/customers/{created.json()['id']}/profiles/company",
        headers={"Authorization": f"Bearer {issuer.token(tid)}"},
    )
    assert company.status_code == 200  # `scp`: a user token, so App+User calls work
    app_only = httpx.get(
        f"{server.base_url}/v1/customers/{created.json()['id']}/profiles/company",
        headers={"Authorization": f"Bearer {issuer.token(tid, scp=None)}"},
    )
    assert app_only.json()["code"] == 900329
    without_mfa = get(issuer.token(tid, amr=["pwd"]))
    assert without_mfa.status_code == 403
    assert without_mfa.json()["code"] == 880025
    stranger = Issuer()  # the same claims, signed by a key the issuer never published
    refusals = [
        issuer.token(tid, aud="api://someone-else"),
        issuer.token(tid, exp=int(time.time()) - 60),
        issuer.token(tid, iss="https://issuer.test/another-tenant/v2.0"),
        issuer.token(str(uuid.uuid4())),  # a tenant that is not a registered partner
        stranger.token(tid, kid=issuer.kid),  # the issuer's key id, another key's signature
    ]
    for token in refusals:
        response = get(token)
        assert response.status_code == 401, token
        assert response.json()["code"] == 400


def test_a_broken_issuers_file_stops_the_start(tmp_path: Path) -> None:
    from tests.support.process import tenantry

    config = tmp_path / "issuers.json"
    config.write_text(json.dumps([{"issuer": ISSUER, "audience": AUDIENCE}]))
    result = tenantry(
        "serve",
        "--mode",
        "production",
        "--data-dir",
        str(tmp_path),
        "--trust-issuers",
        str(config),
        env={"TENANTRY_MASTER_KEY": generate_master_key()},
    )
    assert result.returncode == 2
    assert "jwksUrl" in result.stderr
