"""Units as pages name them, and who may belong where: the directory's units; the Women's
Federation's county units (`<county>-fl`), which are not directory units (issue 23)."""

from __future__ import annotations

from shared.directory import load_directory

DIRECTORY = load_directory()


def test_units_are_named_by_the_directory_and_county_federations_by_their_county() -> None:
    assert DIRECTORY.name_of("371402-fpb") == "德城区扶贫办"
    assert DIRECTORY.name_of("371402-fl") == "德城区妇联"
    assert DIRECTORY.name_of("371402-fl", english=True) == "德城区 Women's Federation"
    assert DIRECTORY.name_of("999999-fl") == "999999-fl"  # no such county: the id
    assert DIRECTORY.name_of("371402-xx") == "371402-xx"


def test_federation_roles_may_sit_at_their_county_units_and_no_one_else() -> None:
    assert DIRECTORY.holds("371402-fpb", "officer")
    assert DIRECTORY.holds("371402-fl", "federation_officer")
    assert DIRECTORY.holds("371402-fl-v12", "village_cadre")
    assert not DIRECTORY.holds("371402-fl", "officer")  # campaign roles: directory units only
    assert not DIRECTORY.holds("999999-fl", "federation_officer")
