"""The SDK's public surface: pinned names, docstrings, typing marker, and no server code.

Needs nothing but the SDK: it also runs on the oldest httpx the SDK supports (`./dev test`)."""

from __future__ import annotations

import inspect
import pydoc
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx
import tenantry_client
from tenantry_client import AsyncPartnerClient

CLIENT_ROOT = Path(__file__).resolve().parents[2] / "client"

PUBLIC = [
    "DEFAULT_BASE_URL",
    "ENTRA_AUTHORITY",
    "PARTNER_CENTER_SCOPE",
    "PARTNER_CENTER_USER_SCOPE",
    "AccessToken",
    "Address",
    "AddressValidationResult",
    "Agreement",
    "AgreementMetadata",
    "AgreementOperations",
    "AsyncAgreementOperations",
    "AsyncCustomerOperations",
    "AsyncDomainOperations",
    "AsyncOfferOperations",
    "AsyncOrderOperations",
    "AsyncPager",
    "AsyncPartnerClient",
    "AsyncRelationshipOperations",
    "AsyncSubscriptionOperations",
    "AsyncUserOperations",
    "AsyncValidationOperations",
    "AzureCredential",
    "BadInputError",
    "CertificateCredential",
    "ClientSecretCredential",
    "ConflictError",
    "Contact",
    "CountryValidationRules",
    "CredentialError",
    "Customer",
    "CustomerBillingProfile",
    "CustomerCompanyProfile",
    "CustomerOperations",
    "CustomerUser",
    "DelegatedAdminRelationship",
    "DeviceCode",
    "DeviceCodeCredential",
    "DomainOperations",
    "EntraCredential",
    "ForbiddenError",
    "NotFoundError",
    "Offer",
    "OfferCategory",
    "OfferOperations",
    "Order",
    "OrderLineItem",
    "OrderOperations",
    "Page",
    "Pager",
    "PartnerCenterError",
    "PartnerClient",
    "PartnerRelationship",
    "PasswordProfile",
    "PreconditionError",
    "RefreshTokenCredential",
    "RelationshipOperations",
    "RetryPolicy",
    "ServerError",
    "ServiceError",
    "StaticTokenCredential",
    "Subscription",
    "SubscriptionOperations",
    "ThrottledError",
    "TokenCredential",
    "TransportError",
    "UnauthorizedError",
    "UnifiedRole",
    "UserCredentials",
    "UserOperations",
    "ValidationOperations",
    "__version__",
]


def test_all_is_pinned() -> None:
    assert tenantry_client.__all__ == PUBLIC
    for name in PUBLIC:
        assert hasattr(tenantry_client, name), name


def test_every_public_class_and_method_has_a_docstring() -> None:
    missing = []
    for name in PUBLIC:
        value = getattr(tenantry_client, name)
        if not inspect.isclass(value):
            continue
        if not (value.__doc__ or "").strip():
            missing.append(name)
        for member, attribute in vars(value).items():
            if member.startswith("_") or not callable(getattr(value, member)):
                continue
            function = getattr(attribute, "__func__", attribute)
            if not (inspect.getdoc(function) or "").strip():
                missing.append(f"{name}.{member}")
    assert missing == []


def test_the_error_tree() -> None:
    tc = tenantry_client
    for name in ("TransportError", "CredentialError", "ServiceError"):
        assert issubclass(getattr(tc, name), tc.PartnerCenterError)
    for name in (
        "BadInputError",
        "UnauthorizedError",
        "ForbiddenError",
        "NotFoundError",
        "ConflictError",
        "PreconditionError",
        "ThrottledError",
        "ServerError",
    ):
        assert issubclass(getattr(tc, name), tc.ServiceError)


def test_importing_the_sdk_loads_no_server_code() -> None:
    script = (
        "import sys, tenantry_client\n"
        "heavy = ('tenantry', 'fastapi', 'starlette', 'sqlalchemy', 'pydantic', 'msal')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_distribution_ships_types_and_takes_ranges_of_httpx_only() -> None:
    assert (Path(tenantry_client.__file__).parent / "py.typed").is_file()
    project = tomllib.loads((CLIENT_ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "tenantry-client"
    assert project["version"] == tenantry_client.__version__
    # A library pins nothing exactly: it must install beside another httpx, msal or rich.
    (httpx_range,) = project["dependencies"]
    assert re.fullmatch(r"httpx>=0\.\d+\.\d+,<1", httpx_range), httpx_range
    extras = project["optional-dependencies"]
    assert set(extras) == {"entra", "certificate", "cli"}
    for requirement in (httpx_range, *(r for group in extras.values() for r in group)):
        assert "==" not in requirement, requirement
        assert ">=" in requirement, requirement
    assert [r.split(">=")[0] for r in extras["entra"]] == ["msal"]
    assert [r.split(">=")[0] for r in extras["certificate"]] == ["cryptography"]


def test_the_installed_httpx_is_within_the_declared_range() -> None:
    project = tomllib.loads((CLIENT_ROOT / "pyproject.toml").read_text())["project"]
    floor, ceiling = re.findall(r"[0-9][0-9.]*", project["dependencies"][0])

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".")[:3])

    assert version(floor) <= version(httpx.__version__) < version(ceiling)


def test_help_shows_the_operations_of_both_clients() -> None:
    for client, prefix in ((tenantry_client.PartnerClient, ""), (AsyncPartnerClient, "Async")):
        text = pydoc.render_doc(client, renderer=pydoc.plaintext)
        for name, kind in (
            ("customers", "CustomerOperations"),
            ("domains", "DomainOperations"),
            ("validations", "ValidationOperations"),
            ("relationships", "RelationshipOperations"),
            ("agreements", "AgreementOperations"),
            ("offers", "OfferOperations"),
            ("orders", "OrderOperations"),
            ("subscriptions", "SubscriptionOperations"),
            ("users", "UserOperations"),
        ):
            assert f"\n |  {name}\n" in text, name
            assert inspect.signature(getattr(client, name).fget).return_annotation == (
                prefix + kind
            )


def test_the_sdk_source_never_names_the_server_package() -> None:
    for path in (CLIENT_ROOT / "src" / "tenantry_client").glob("*.py"):
        text = path.read_text()
        for server_import in ("import tenantry\n", "from tenantry.", "from tenantry import"):
            assert server_import not in text, path
