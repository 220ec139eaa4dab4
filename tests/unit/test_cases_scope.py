"""Who sees which case and where escalations and transfers go, against the real directory."""

from __future__ import annotations

from typing import Any

import pytest

from services.cases.escalation import automatic_target, manual_target, receiving_unit
from services.cases.scope import Relation, actor, relation
from shared.auth import Principal
from shared.directory import load_directory

D = load_directory()


def row(**fields: Any) -> dict[str, Any]:
    base = {
        "handling_unit": "371402-fpb",
        "lead_unit": "city-zzb",
        "accused_unit": None,
        "rectifying_unit": None,
        "receiving_unit": None,
        "escalated_to": None,
    }
    return {**base, **fields}


def who(unit: str, role: str) -> Principal:
    return Principal(sub=f"{role}@{unit}", unit=unit, role=role)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("unit", "role", "expected"),
    [
        ("371402-fpb", "officer", Relation.FULL),  # the handling unit
        ("city-zzb", "leader", Relation.FULL),  # the lead unit
        ("371402-lg", "supervisor", Relation.FULL),  # locality
        ("city-fpb", "supervisor", Relation.FULL),  # sector
        ("city-lg", "supervisor", Relation.FULL),  # above both
        ("city-fpb", "city_office", Relation.FULL),
        ("city-sjj", "auditor", Relation.FULL),
        ("371403-fpb", "officer", None),  # another county
        ("371403-lg", "supervisor", None),
        ("371402-fpb", "clerk", None),
        ("371402-fpb", "integrator", None),
        ("371402-jw", "inspector", None),  # nothing was transferred
    ],
)
def test_who_sees_an_ordinary_case(unit: str, role: str, expected: Relation | None) -> None:
    assert relation(D, who(unit, role), row()) is expected


def test_the_accused_unit_and_those_under_it_never_see_the_case() -> None:
    case = row(handling_unit="city-fpb", accused_unit="371422-fpb", lead_unit=None)
    assert relation(D, who("371422-fpb", "officer"), case) is None
    assert relation(D, who("371422-chaihudian", "officer"), case) is None  # a township under it
    assert relation(D, who("city-fpb", "officer"), case) is Relation.FULL
    assert relation(D, who("371422-lg", "supervisor"), case) is None  # not a supervisor of city-fpb
    against_office = row(handling_unit="city-jw", accused_unit="city-fpb", lead_unit=None)
    assert relation(D, who("city-fpb", "city_office"), against_office) is None
    assert relation(D, who("city-jw", "officer"), against_office) is Relation.FULL


def test_units_under_the_accused_never_see_a_case_they_handle_lead_or_are_escalated() -> None:
    # 371422-chaihudian is a township under 371422-fpb, which is under 371422-lg.
    handled = row(handling_unit="371422-chaihudian", lead_unit=None, accused_unit="371422-fpb")
    assert relation(D, who("371422-chaihudian", "officer"), handled) is None
    led = row(handling_unit="city-fpb", lead_unit="371422-chaihudian", accused_unit="371422-fpb")
    assert relation(D, who("371422-chaihudian", "leader"), led) is None
    escalated = row(handling_unit="city-fpb", accused_unit="371422-lg", escalated_to="371422-fpb")
    assert relation(D, who("371422-fpb", "supervisor"), escalated) is None
    supervised = row(handling_unit="371422-chaihudian", lead_unit=None, accused_unit="371422-lg")
    assert relation(D, who("371422-fpb", "supervisor"), supervised) is None
    # The same cases accusing a unit not above the caller are its own to see.
    sibling = {**handled, "accused_unit": "371422-duji"}
    assert relation(D, who("371422-chaihudian", "officer"), sibling) is Relation.FULL
    assert relation(D, who("371422-fpb", "supervisor"), {**escalated, "accused_unit": None}) is (
        Relation.FULL
    )


def test_the_rectifying_unit_sees_its_part_even_when_accused() -> None:
    case = row(handling_unit="city-fpb", accused_unit="371422-fpb", rectifying_unit="371422-fpb")
    assert relation(D, who("371422-fpb", "officer"), case) is Relation.RECTIFIER
    assert relation(D, who("371422-fpb", "supervisor"), case) is None


def test_discipline_inspection_sees_transfers_it_received() -> None:
    case = row(receiving_unit="371402-jw")
    assert relation(D, who("371402-jw", "inspector"), case) is Relation.RECEIVER
    assert relation(D, who("city-jw", "inspector"), case) is Relation.RECEIVER  # sector
    assert relation(D, who("371403-jw", "inspector"), case) is None


def test_an_escalation_target_sees_the_case() -> None:
    case = row(handling_unit="city-jw", lead_unit=None, escalated_to="city-lg")
    assert relation(D, who("city-lg", "supervisor"), case) is Relation.FULL


def test_the_actor_supervises_only_units_below_it() -> None:
    assert actor(D, who("371402-lg", "supervisor"), "371402-fpb").supervises_handling_unit
    assert not actor(D, who("371403-lg", "supervisor"), "371402-fpb").supervises_handling_unit
    assert not actor(D, who("371402-fpb", "officer"), "371402-fpb").supervises_handling_unit


def test_escalations_go_up_never_to_the_accused() -> None:
    assert automatic_target(D, "371402-fpb", None, "sector") == "city-fpb"
    assert automatic_target(D, "city-fpb", None, "sector") == "city-lg"
    assert automatic_target(D, "city-fpb", "city-lg", "sector") == "city-fpb"  # nothing above
    assert manual_target(D, "city-fpb", "371402-fpb", None, "sector") == "city-lg"
    assert manual_target(D, "371402-lg", "371402-fpb", None, "sector") == "city-lg"


def test_transfers_go_to_the_organ_of_the_handling_level() -> None:
    assert receiving_unit(D, "discipline_inspection", "371402-fpb", None, "sector") == "371402-jw"
    assert receiving_unit(D, "discipline_inspection", "city-fpb", None, "sector") == "city-jw"
    assert receiving_unit(D, "procuratorate", "371402-fpb", None, "sector") == "city-jcy"
    # The county's own organ is accused: the one above it receives.
    assert receiving_unit(D, "discipline_inspection", "371402-fpb", "371402-jw", "sector") == (
        "city-jw"
    )


def test_every_unit_the_text_accuses_is_kept_out_as_the_first_one() -> None:
    case = row(
        handling_unit="city-fpb",
        lead_unit="371422-chaihudian",  # a stale lead: the guard still holds
        accused_unit="371422-fpb",
        accused_units='["371422-fpb", "371422-chaihudian"]',
    )
    assert relation(D, who("371422-chaihudian", "officer"), case) is None
    also = row(accused_unit=None, accused_units='["371402-fpb"]')  # named only in the text
    assert relation(D, who("371402-fpb", "officer"), also) is None
    assert relation(D, who("371402-lg", "supervisor"), also) is Relation.FULL
