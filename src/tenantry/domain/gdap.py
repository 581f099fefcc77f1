"""Default GDAP relationships: the Entra roles granted by partner type.

From Partner Center's GDAP FAQ ("default GDAP roles"): every partner type below gets the
first set; direct-bill partners and indirect providers also get the two application roles.
"""

from __future__ import annotations

from tenantry.domain.models import PartnerType

DEFAULT_DURATION_DAYS = 730

_COMMON = (
    "Directory Readers",
    "Directory Writers",
    "License Administrator",
    "Service Support Administrator",
    "User Administrator",
    "Privileged Role Administrator",
    "Helpdesk Administrator",
    "Privileged Authentication Administrator",
    "Global Reader",
)
_APPLICATION = ("Cloud Application Administrator", "Application Administrator")

_ROLES: dict[PartnerType, tuple[str, ...]] = {
    PartnerType.DIRECT_BILL: _COMMON + _APPLICATION,
    PartnerType.INDIRECT_PROVIDER: _COMMON + _APPLICATION,
    PartnerType.INDIRECT_RESELLER: _COMMON,
}


def default_gdap_roles(partner_type: PartnerType) -> tuple[str, ...]:
    """The roles of the default GDAP relationship a partner of this type receives."""
    return _ROLES[partner_type]


# Microsoft Entra role template ids: immutable, the same in every tenant.
ROLE_TEMPLATE_IDS: dict[str, str] = {
    "Directory Readers": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "Directory Writers": "9360feb5-f418-4baa-8175-e2a00bac4301",
    "License Administrator": "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
    "Service Support Administrator": "f023fd81-a637-4b56-95fd-791ac0226033",
    "User Administrator": "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "Privileged Role Administrator": "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "Helpdesk Administrator": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    "Privileged Authentication Administrator": "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    "Global Reader": "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    "Cloud Application Administrator": "158c047a-c907-4556-b7ef-446551a6b5f7",
    "Application Administrator": "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
}
