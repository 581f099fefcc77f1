"""`companyProfile.organizationRegistrationNumber`: required and checked in 25 countries.

Where python-stdnum has a module for a company or tax number of the country, that module
decides (checksums included). A number is accepted when ANY of the country's validators
accepts it. For the ten countries stdnum does not cover, a documented format is matched
after removing spaces, dots, slashes and hyphens. Outside the 25 countries the number is
optional and not checked.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tenantry.domain.errors import Errors, FieldProblem
from tenantry.domain.rules import fields
from tenantry.domain.rules.regulated import is_regulated

Check = Callable[[str], bool]


@dataclass(frozen=True)
class _Format:
    description: str
    stdnum_modules: tuple[str, ...] = ()
    compact_patterns: tuple[str, ...] = ()  # matched after removing separators
    raw_patterns: tuple[str, ...] = ()  # matched against the trimmed value


_FORMATS: dict[str, _Format] = {
    # --- python-stdnum --------------------------------------------------------------
    "AZ": _Format("VÖEN (10 digits, e.g. 1401555071)", ("stdnum.az.voen",)),
    "BY": _Format("UNP (9 characters, e.g. 200988541)", ("stdnum.by.unp",)),
    "HU": _Format("ANUM tax number (8 digits, e.g. 12892312)", ("stdnum.hu.anum",)),
    "MD": _Format("IDNO (13 digits, e.g. 1008600038413)", ("stdnum.md.idno",)),
    "RU": _Format(
        "INN (10 or 12 digits, e.g. 7707083893) or OGRN (13 or 15 digits)",
        ("stdnum.ru.inn", "stdnum.ru.ogrn"),
    ),
    "UA": _Format("EDRPOU (8 digits, e.g. 32855961)", ("stdnum.ua.edrpou",)),
    "BR": _Format("CNPJ (14 digits, e.g. 11.222.333/0001-81)", ("stdnum.br.cnpj",)),
    "IN": _Format(
        "GSTIN (15 characters, e.g. 27AAPFU0939F1ZV), PAN (10 characters, e.g. "
        "AAPFU0939F) or CIN (21 characters, e.g. U72200KA2009PTC049889)",
        ("stdnum.in_.gstin", "stdnum.in_.pan"),
        # Corporate Identity Number issued by the Registrar of Companies: listing status,
        # industry code, state, year of incorporation, ownership type, serial number.
        compact_patterns=(r"[LU]\d{5}[A-Z]{2}\d{4}[A-Z]{3}\d{6}",),
    ),
    "ZA": _Format(
        "tax reference number (10 digits, e.g. 0001339050) or CIPC registration number "
        "(YYYY/NNNNNN/NN, e.g. 2001/012345/07)",
        ("stdnum.za.tin",),
        # CIPC enterprise number: year of registration / sequence / entity type.
        raw_patterns=(r"(19|20)\d{2}/\d{6}/\d{2}",),
    ),
    "PL": _Format(
        "NIP (10 digits, e.g. 8567346215) or REGON (9 or 14 digits)",
        ("stdnum.pl.nip", "stdnum.pl.regon"),
    ),
    "TR": _Format("VKN (10 digits, e.g. 4540536920)", ("stdnum.tr.vkn",)),
    "TH": _Format(
        "13-digit company MOA number or TIN (e.g. 0994000617721)",
        ("stdnum.th.moa", "stdnum.th.tin"),
    ),
    "VN": _Format(
        "MST (10 digits, or 13 for a branch, e.g. 0100233488 or 0314409058-002)",
        ("stdnum.vn.mst",),
    ),
    "VE": _Format("RIF (a letter and 9 digits, e.g. J-00006372-9)", ("stdnum.ve.rif",)),
    "CN": _Format(
        "Unified Social Credit Code (18 characters, e.g. 91110000600037341L)",
        ("stdnum.cn.uscc",),
    ),
    # --- documented formats where stdnum has nothing ---------------------------------
    # Armenia: taxpayer identification number (ՀՎՀՀ) of the State Revenue Committee.
    "AM": _Format("TIN (8 digits, e.g. 02500171)", compact_patterns=(r"\d{8}",)),
    # Kazakhstan: business identification number (BIN) of legal entities.
    "KZ": _Format("BIN (12 digits, e.g. 940740000911)", compact_patterns=(r"\d{12}",)),
    # Kyrgyzstan: taxpayer identification number (INN), 14 digits for all taxpayers.
    "KG": _Format("INN (14 digits, e.g. 01212201010037)", compact_patterns=(r"\d{14}",)),
    # Tajikistan: taxpayer identification number (RMA/INN) of the Tax Committee.
    "TJ": _Format("INN (9 digits, e.g. 020025789)", compact_patterns=(r"\d{9}",)),
    # Uzbekistan: taxpayer identification number (STIR/INN); VAT payers also have a
    # 12-digit VAT registration code.
    "UZ": _Format(
        "STIR/INN (9 digits, e.g. 201122919) or VAT registration code (12 digits)",
        compact_patterns=(r"\d{9}", r"\d{12}"),
    ),
    # UAE: Federal Tax Authority TRN (15 digits, issued from 100...), or the trade
    # licence number of businesses below the VAT threshold (Abu Dhabi prefixes "CN-").
    "AE": _Format(
        "TRN (15 digits, e.g. 100123456700003) or trade licence number (5-8 digits, "
        "optionally prefixed CN-)",
        compact_patterns=(r"\d{15}", r"(CN)?\d{5,8}"),
    ),
    # Saudi Arabia: Commercial Registration (CR, 10 digits) or ZATCA VAT number
    # (15 digits, first and last digit 3).
    "SA": _Format(
        "Commercial Registration number (10 digits, e.g. 1010010030) or VAT number "
        "(15 digits starting and ending with 3)",
        compact_patterns=(r"\d{10}", r"3\d{13}3"),
    ),
    # Myanmar: company registration number assigned by DICA's MyCO registry.
    "MM": _Format(
        "MyCO company registration number (9 digits, e.g. 105843126)",
        compact_patterns=(r"\d{9}",),
    ),
    # Iraq and South Sudan publish no machine-checkable format: accept a plausible
    # registration or tax number.
    "IQ": _Format(
        "4-30 letters and digits (spaces, '.', '/', '-' allowed), at least one digit",
        raw_patterns=(r"(?=[^0-9]*[0-9])[A-Z0-9][A-Z0-9 ./-]{2,28}[A-Z0-9]",),
    ),
    "SS": _Format(
        "4-30 letters and digits (spaces, '.', '/', '-' allowed), at least one digit",
        raw_patterns=(r"(?=[^0-9]*[0-9])[A-Z0-9][A-Z0-9 ./-]{2,28}[A-Z0-9]",),
    ),
}

_SEPARATORS = re.compile(r"[\s./\-]+")


def is_registration_required(country: str) -> bool:
    """True where a create without a registration number is refused."""
    return is_regulated(country)


def registration_format(country: str) -> str | None:
    """The human-readable format a country's number must have; None if unchecked."""
    spec = _FORMATS.get(country.upper())
    return spec.description if spec is not None else None


@cache
def _checks(country: str) -> tuple[Check, ...]:
    spec = _FORMATS[country]
    checks: list[Check] = []
    for name in spec.stdnum_modules:
        module = importlib.import_module(name)
        checks.append(_stdnum_check(module.is_valid))
    for pattern in spec.compact_patterns:
        checks.append(_pattern_check(re.compile(pattern), compact=True))
    for pattern in spec.raw_patterns:
        checks.append(_pattern_check(re.compile(pattern), compact=False))
    return tuple(checks)


def _stdnum_check(is_valid: Callable[[str], object]) -> Check:
    return lambda number: bool(is_valid(number))


def _pattern_check(pattern: re.Pattern[str], *, compact: bool) -> Check:
    def check(number: str) -> bool:
        value = _SEPARATORS.sub("", number) if compact else number
        return pattern.fullmatch(value.upper()) is not None

    return check


def is_valid_registration(country: str, number: str) -> bool:
    """True when any validator of the country accepts the (trimmed) number."""
    code = country.upper()
    if code not in _FORMATS:
        return True
    value = number.strip()
    return any(check(value) for check in _checks(code))


def clean_registration(number: str | None) -> str | None:
    """The value to store: trimmed, None when blank."""
    return None if fields.is_blank(number) else (number or "").strip()


def check_registration(country: str, number: str | None) -> list[FieldProblem]:
    """600049 when a required number is missing, 600050 when it is malformed."""
    if not is_registration_required(country):
        return []
    if fields.is_blank(number):
        return [
            FieldProblem(
                Errors.REGISTRATION_NUMBER_MISSING,
                fields.REGISTRATION_NUMBER,
                "is required for customers in {country}",
                {"country": country},
            )
        ]
    if is_valid_registration(country, number or ""):
        return []
    return [
        FieldProblem(
            Errors.REGISTRATION_NUMBER_INVALID,
            fields.REGISTRATION_NUMBER,
            "is not valid for {country}: expected {pattern}",
            {"country": country, "pattern": registration_format(country)},
        )
    ]
