"""Country address rules from Google's address data, with Partner Center's state codes."""

from __future__ import annotations

import pycountry
import pytest

from tenantry.domain.errors import FieldProblem
from tenantry.domain.rules import addresses

# Partner Center's own answer for China (recorded countryvalidationrules/CN response).
CN_PROVINCES = (
    "AH", "BJ", "CQ", "FJ", "GD", "GS", "GX", "GZ", "HA", "HB", "HE", "HI", "HL", "HN", "JL", "JS",
    "JX", "LN", "NM", "NX", "QH", "SC", "SD", "SH", "SN", "SX", "TJ", "XJ", "XZ", "YN", "ZJ",
)  # fmt: skip


def paths(problems: list[FieldProblem]) -> list[str]:
    return [p.path.rsplit(".", 1)[1] for p in problems]


def test_us_lists_the_50_states_and_dc() -> None:
    states = addresses.state_codes("US")

    assert len(states) == 51
    assert "DC" in states
    assert not {"PR", "GU", "AS", "VI", "MP", "UM"} & set(states)


def test_china_lists_the_31_mainland_provinces_of_partner_center() -> None:
    assert list(addresses.state_codes("CN")) == sorted(CN_PROVINCES)


def test_subdivisions_read_from_the_data_file_are_pycountrys() -> None:
    assert addresses._subdivisions() == tuple(
        (sub.code, sub.name) for sub in pycountry.subdivisions
    )


@pytest.mark.parametrize("country", addresses.STATE_LIST_COUNTRIES)
def test_every_listed_state_maps_to_an_area_of_the_address_library(country: str) -> None:
    for state in addresses.state_codes(country):
        assert addresses.library_area(country, state), (country, state)


def test_chinese_codes_map_to_the_librarys_province_names() -> None:
    assert addresses.library_area("CN", "bj") == "北京市"
    assert addresses.library_area("CN", "NM") == "内蒙古自治区"


def test_only_us_ca_cn_mx_have_state_lists() -> None:
    assert addresses.state_codes("BR") == ()
    # Brazil's address data needs a state, but Partner Center keeps no list to check it
    # against: a state that cannot be listed is not required (or the PowerShell module,
    # which checks the state against the published list, could create no customer there).
    assert not addresses.address_rules("BR").is_state_required
    assert (
        addresses.check_address("BR", state=None, city="São Paulo", postal_code="01310-100") == []
    )
    assert addresses.address_rules("DE").state_max_length == 100


@pytest.mark.parametrize("line1", ["One Microsoft Way", "1 Microsoft Way"])
def test_the_seed_address_passes(line1: str) -> None:
    del line1  # the street is free text; the rules judge state, postal code and city
    assert addresses.check_address("US", state="WA", city="Redmond", postal_code="98052") == []


def test_state_is_matched_case_insensitively() -> None:
    assert addresses.check_address("US", state="wa", city="Redmond", postal_code="98052-6399") == []


def test_postal_code_must_belong_to_the_state() -> None:
    problems = addresses.check_address("US", state="CA", city="New York", postal_code="10001")

    assert paths(problems) == ["postalCode"]
    assert problems[0].spec.code == 2007


def test_postal_code_must_match_the_country_format() -> None:
    problems = addresses.check_address("US", state="WA", city="Redmond", postal_code="9805")

    assert paths(problems) == ["postalCode"]
    assert problems[0].params["pattern"] == addresses.address_rules("US").postal_code_regex


def test_letters_in_postal_codes_are_case_insensitive() -> None:
    assert addresses.check_address("GB", state=None, city="London", postal_code="sw1a 1aa") == []
    assert addresses.check_address("CA", state="QC", city="Montréal", postal_code="h3z 2y7") == []


def test_unknown_state_in_a_list_country_is_refused() -> None:
    problems = addresses.check_address(
        "MX", state="XX", city="Ciudad de México", postal_code="06082"
    )

    assert paths(problems) == ["state"]


def test_mexican_state_code_checks_the_postal_code() -> None:
    assert (
        addresses.check_address("MX", state="CMX", city="Ciudad de México", postal_code="06082")
        == []
    )
    assert paths(
        addresses.check_address("MX", state="JAL", city="Guadalajara", postal_code="06082")
    ) == ["postalCode"]


def test_free_text_state_is_never_checked_against_the_library() -> None:
    problems = addresses.check_address(
        "BR", state="Estado de São Paulo", city="São Paulo", postal_code="01310-100"
    )

    assert problems == []


def test_country_without_library_data_requires_nothing_extra() -> None:
    assert addresses.check_address("AN", state=None, city=None, postal_code=None) == []


def test_returned_problems_never_carry_the_librarys_normalised_values() -> None:
    problems = addresses.check_address("CN", state="BJ", city="beijing", postal_code="1000")

    assert "北京" not in str(problems[0].params)
