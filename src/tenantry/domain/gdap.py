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
