"""`CertificateCredential`: the client-credentials flow with a certificate instead of a
secret. Each token request carries a client assertion, a JWT signed with the app's
certificate, which Microsoft Entra ID takes instead of a client secret.

The header names the certificate by its SHA-1 (`x5t`) and SHA-256 (`x5t#S256`)
thumbprints; the claims say who the app is (`iss`, `sub`: its client id) and where the
assertion may be used (`aud`: the token endpoint). Signing needs an RSA implementation,
so this module needs `cryptography` (`pip install "tenantry-client[certificate]"`); it is
imported on first use, and the rest of the SDK works without it.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tenantry_client._credentials import PARTNER_CENTER_SCOPE, _OAuthCredential
from tenantry_client._errors import CredentialError
from tenantry_client._token_endpoint import post_form, post_form_async
from tenantry_client._tokens import REFRESH_MARGIN, AccessToken, TokenRequestOptions

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 600  # seconds: Entra accepts at most ten minutes
_INSTALL = "pip install 'tenantry-client[certificate]'"


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise CredentialError(f"CertificateCredential needs cryptography: {_INSTALL}") from exc


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningCertificate:
    """An app's certificate (DER) and its private key (a `cryptography` RSA key)."""

    der: bytes
    chain: tuple[bytes, ...]
    private_key: Any

    @property
    def sha1_thumbprint(self) -> bytes:
        """The certificate's SHA-1 thumbprint (what Entra ID shows as the thumbprint)."""
        return hashlib.sha1(self.der).digest()  # noqa: S324 - a thumbprint, not a signature

    @property
    def sha256_thumbprint(self) -> bytes:
        """The certificate's SHA-256 thumbprint."""
        return hashlib.sha256(self.der).digest()

    def assertion(
        self, client_id: str, audience: str, now: float, *, send_chain: bool = False
    ) -> str:
        """A signed client assertion (RS256) for `audience`, the token endpoint's URL."""
        padding = _module("cryptography.hazmat.primitives.asymmetric.padding")
        hashes = _module("cryptography.hazmat.primitives.hashes")
        header: dict[str, Any] = {
            "alg": "RS256",
            "typ": "JWT",
            "x5t": b64url(self.sha1_thumbprint),
            "x5t#S256": b64url(self.sha256_thumbprint),
        }
        if send_chain:  # subject name and issuer authentication
            header["x5c"] = [base64.b64encode(der).decode("ascii") for der in self.chain]
        issued = int(now)
        claims = {
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": str(uuid.uuid4()),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ASSERTION_LIFETIME,
        }
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        ).encode("ascii")
        signature = self.private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input.decode('ascii')}.{b64url(signature)}"


def load_certificate(
    certificate: bytes | str | Path, password: bytes | str | None = None
) -> SigningCertificate:
    """The certificate and private key in `certificate`: PEM (the key and the certificate,
    in any order, as Entra's and Azure's tools write them) or PKCS#12 (`.pfx`), as bytes or
    a path to a file."""
    if isinstance(certificate, (str, Path)):
        try:
            data = Path(certificate).read_bytes()
        except OSError as exc:
            raise CredentialError(f"cannot read the certificate {certificate}: {exc}") from exc
    else:
        data = certificate
    secret = password.encode() if isinstance(password, str) else password
    x509 = _module("cryptography.x509")
    serialization = _module("cryptography.hazmat.primitives.serialization")
    rsa = _module("cryptography.hazmat.primitives.asymmetric.rsa")
    try:
        if b"-----BEGIN" in data:
            key = serialization.load_pem_private_key(data, password=secret)
            certificates = x509.load_pem_x509_certificates(data)
        else:
            pkcs12 = _module("cryptography.hazmat.primitives.serialization.pkcs12")
            key, first, others = pkcs12.load_key_and_certificates(data, secret)
            certificates = [c for c in (first, *others) if c is not None]
    except (ValueError, TypeError) as exc:
        raise CredentialError(f"the certificate could not be read: {exc}") from exc
    if key is None or not certificates:
        raise CredentialError("the certificate must hold a private key and its certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError("the certificate's private key must be an RSA key")
    public = key.public_key().public_numbers()
    ders = [c.public_bytes(serialization.Encoding.DER) for c in certificates]
    # The app's own certificate is the one whose public key matches the private key.
    own = next(
        (i for i, c in enumerate(certificates) if c.public_key().public_numbers() == public),
        None,
    )
    if own is None:
        raise CredentialError("no certificate in the file matches its private key")
    chain = (ders[own], *(der for i, der in enumerate(ders) if i != own))
    return SigningCertificate(ders[own], chain, key)


class CertificateCredential(_OAuthCredential):
    """The client-credentials flow (App-only) with a certificate instead of a secret: each
    token request carries a client assertion, a JWT signed with the certificate's private
    key (RS256; `x5t` and `x5t#S256` name the certificate, `aud` is the token endpoint,
    `iss` and `sub` the client id).

    `certificate` is PEM (private key and certificate) or PKCS#12, as bytes or a file path;
    `password` decrypts the key. `send_certificate_chain` adds `x5c`, for apps that use
    subject name and issuer authentication. Needs `cryptography`
    (`pip install "tenantry-client[certificate]"`). The authority defaults as for
    `ClientSecretCredential`.
    """

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        certificate: bytes | str | Path,
        *,
        password: bytes | str | None = None,
        send_certificate_chain: bool = False,
        authority: str | None = None,
        scope: str = PARTNER_CENTER_SCOPE,
        refresh_margin: float = REFRESH_MARGIN,
        now: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            tenant_id,
            client_id,
            authority=authority,
            scope=scope,
            refresh_margin=refresh_margin,
            now=now,
        )
        self._certificate: SigningCertificate = load_certificate(certificate, password)
        self._send_chain = send_certificate_chain

    @property
    def thumbprint(self) -> str:
        """The certificate's SHA-1 thumbprint in hex, as Entra ID's portal shows it."""
        return self._certificate.sha1_thumbprint.hex().upper()

    def _form(self, url: str) -> dict[str, str]:
        assertion = self._certificate.assertion(
            self.client_id, url, self._now(), send_chain=self._send_chain
        )
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": self.scope,
        }

    def _fetch(self, http: httpx.Client, url: str, options: TokenRequestOptions) -> AccessToken:
        started = self._now()
        return post_form(http, url, self._form(url), options).access_token(started)

    async def _fetch_async(
        self, http: httpx.AsyncClient, url: str, options: TokenRequestOptions
    ) -> AccessToken:
        started = self._now()
        answer = await post_form_async(http, url, self._form(url), options)
        return answer.access_token(started)
