"""Answers of the validation routes: an address check and a country's address rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tenantry_client._models import Address
from tenantry_client._wire import JsonObject, Members


@dataclass(frozen=True, kw_only=True)
class AddressValidationResult:
    """Partner Center's `AddressValidationResponse`.

    `status` is a string: `VerifiedShippable`, `Verified`, `InteractionRequired`,
    `StreetPartial`, `PremisesPartial`, `Multiple`, `None` or `NotValidated` (later values are
    kept as they come). `is_verified` tells the two verified ones apart.
    """

    original_address: Address
    suggested_addresses: list[Address]
    status: str | None
    validation_message: str | None = None
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_verified(self) -> bool:
        """True when the service verified the address (`Verified`, `VerifiedShippable`)."""
        return (self.status or "").lower() in ("verified", "verifiedshippable")

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> AddressValidationResult:
        """Read an AddressValidationResponse object."""
        members = Members(obj)
        original = members.get("originalAddress")
        suggested = members.array("suggestedAddresses")
        result = cls(
            original_address=Address.from_wire(original)
            if isinstance(original, Mapping)
            else Address(),
            suggested_addresses=[Address.from_wire(a) for a in suggested if isinstance(a, Mapping)],
            status=members.text("status"),
            validation_message=members.text("validationMessage"),
            extra={},
        )
        members.skip("attributes", "links")
        result.extra.update(members.unread())
        return result


@dataclass(frozen=True, kw_only=True)
class CountryValidationRules:
    """Partner Center's `CountryInformation`: what an address in one country needs."""

    iso2_code: str
    default_culture: str | None
    is_state_required: bool
    supported_states: list[str]
    supported_languages: list[str]
    supported_cultures: list[str]
    is_postal_code_required: bool
    postal_code_regex: str | None
    is_city_required: bool
    is_vat_id_supported: bool
    is_registration_number_supported: bool
    is_tax_id_supported: bool
    country_calling_codes: list[str]
    extra: JsonObject = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_wire(cls, obj: Mapping[str, Any]) -> CountryValidationRules:
        """Read a CountryInformation object, in either of its list spellings."""
        m = Members(obj)
        rules = cls(
            iso2_code=m.text("iso2Code") or "",
            default_culture=m.text("defaultCulture"),
            is_state_required=bool(m.flag("isStateRequired")),
            supported_states=m.texts("supportedStatesList", "states"),
            supported_languages=m.texts("supportedLanguagesList", "supportedLanguages"),
            supported_cultures=m.texts("supportedCulturesList", "supportedCultures"),
            is_postal_code_required=bool(m.flag("isPostalCodeRequired")),
            postal_code_regex=m.text("postalCodeRegex"),
            is_city_required=bool(m.flag("isCityRequired")),
            is_vat_id_supported=bool(m.flag("isVatIdSupported")),
            is_registration_number_supported=bool(m.flag("isRegistrationNumberSupported")),
            is_tax_id_supported=bool(m.flag("isTaxIdSupported")),
            country_calling_codes=m.texts("countryCallingCodesList", "countryCallingCodes"),
            extra={},
        )
        m.skip("attributes", "links", "states", "supportedLanguages", "supportedCultures")
        m.skip("countryCallingCodes")
        rules.extra.update(m.unread())
        return rules
