"""Answer shapes that depend on which Partner Center client is calling.

Partner Center changed one answer in place: address validation answered a bare JSON
boolean (and 400, code 2007, for a bad address) until 2021, then an
`AddressValidationResponse` object. Microsoft's clients were built for one or the other and
cannot read the other shape, so Tenantry answers each the shape its deserializer reads,
recognised by the `MS-PartnerCenter-Client` and `MS-SdkVersion` headers every SDK sends:

| client (`MS-PartnerCenter-Client`) | versions | reads |
|---|---|---|
| `Partner Center Java SDK` | all (1.15.4 is the last) | a boolean |
| `Partner Center PowerShell` (the module's community .NET SDK) | all | a boolean |
| `Partner Center Open .NET SDK` (the community SDK on its own) | all | a boolean |
| `Partner Center .NET SDK` (Microsoft's) | 1.x | a boolean |
| `Partner Center .NET SDK` | 2.0.1 and later | the object |
| anything else (curl, Tenantry's own SDK, …) | | the object |
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers

_BOOLEAN_ALWAYS = frozenset(
    {"partner center java sdk", "partner center powershell", "partner center open .net sdk"}
)
_DOTNET = "partner center .net sdk"


@dataclass(frozen=True)
class CallingClient:
    """Who says it is calling: the client's name (lower case) and major version, if any."""

    name: str
    major_version: int | None

    @classmethod
    def of(cls, headers: Headers) -> CallingClient:
        name = headers.get("ms-partnercenter-client", "").strip().lower()
        version = headers.get("ms-sdkversion", "").strip()
        head = version.split(".", 1)[0]
        return cls(name, int(head) if head.isdigit() and len(head) < 6 else None)

    @property
    def reads_boolean_address_validation(self) -> bool:
        if self.name in _BOOLEAN_ALWAYS:
            return True
        return self.name == _DOTNET and self.major_version is not None and self.major_version < 2
