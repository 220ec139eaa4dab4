"""Scope rules `make mutants` found untested by the unit tests: the supervision registers'
scope (`overseen`, `register_filter`, tested before only through the services' integration
tests, which mutmut does not run) and the co-responsible (协办) units' view of a case."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from services.cases.models import cases
from services.cases.scope import Relation, case_filter, overseen, register_filter, relation
from shared.auth import Principal
from shared.directory import load_directory
from tests.unit.test_scope_mutants import cases_engine

D = load_directory()
NOW = datetime(2024, 3, 1, tzinfo=UTC)
READERS = ("officer", "leader", "supervisor", "city_office", "auditor")


def who(unit: str, role: str) -> Principal:
    return Principal(sub=f"{role}@{unit}", unit=unit, role=role)  # type: ignore[arg-type]


def test_the_city_office_and_auditors_oversee_every_unit() -> None:
    assert overseen(D, who("city-fpb", "city_office")) is None
    assert overseen(D, who("city-sjj", "auditor")) is None


def test_a_supervisor_oversees_its_unit_and_the_units_it_supervises() -> None:
    units = overseen(D, who("371422-lg", "supervisor"))
    assert units == {"371422-lg", *D.subordinates("371422-lg")}
    assert {"371422-fpb", "371422-chaihudian"} <= units
    assert overseen(D, who("not-a-unit", "supervisor")) == {"not-a-unit"}


@pytest.mark.parametrize(("unit", "role"), [("371422-fpb", "officer"), ("city-fpb", "leader"),
                                            ("city-jw", "inspector")])  # fmt: skip
def test_other_roles_oversee_only_their_own_unit(unit: str, role: str) -> None:
    assert D.subordinates(unit)  # units with units under them: those stay out of sight
    assert overseen(D, who(unit, role)) == {unit}


REGISTER = Table("register", MetaData(), Column("unit", String, primary_key=True))
UNITS = ("371422-lg", "371422-fpb", "371422-chaihudian", "371402-fpb", "city-fpb")


@pytest.fixture(scope="module")
def register() -> Any:
    engine = create_engine("sqlite://")
    REGISTER.create(engine)
    with engine.begin() as conn:
        conn.execute(insert(REGISTER), [{"unit": u} for u in UNITS])
    return engine


@pytest.mark.parametrize(("unit", "role", "expected"), [
    ("city-fpb", "city_office", set(UNITS)),
    ("city-sjj", "auditor", set(UNITS)),
    ("371422-lg", "supervisor", {"371422-lg", "371422-fpb", "371422-chaihudian"}),
    ("371422-fpb", "officer", {"371422-fpb"}),
    ("371422-fpb", "inspector", set()),  # not among the register's readers
    ("371422-fpb", "clerk", set()),
])  # fmt: skip
def test_a_register_shows_the_rows_of_the_units_the_caller_oversees(
    register: Any, unit: str, role: str, expected: set[str]
) -> None:
    condition = register_filter(D, who(unit, role), READERS, REGISTER.c.unit)
    with register.connect() as conn:
        assert set(conn.scalars(select(REGISTER.c.unit).where(condition))) == expected


def row(**fields: Any) -> dict[str, Any]:
    base = {
        "handling_unit": "371402-fpb",
        "lead_unit": None,
        "accused_unit": None,
        "rectifying_unit": None,
        "receiving_unit": None,
        "escalated_to": None,
        "co_units": [],
    }
    return {**base, **fields}


ROWS = {
    "co-handled": row(co_units=["371402-chengguan", "371403-fpb"]),
    "alone": row(),
    "co-handled-elsewhere": row(handling_unit="371403-fpb", co_units=["371422-fpb"]),
}
CALLERS = [
    ("371402-chengguan", "officer"),
    ("371403-fpb", "leader"),
    ("371422-fpb", "officer"),
    ("371402-fpb", "officer"),
    ("371402-lg", "supervisor"),
    # A unit id with LIKE's wildcards matches only itself, not every co-handled case.
    ("%", "officer"),
    ("_", "officer"),
]


@pytest.fixture(scope="module")
def engine() -> Any:
    return cases_engine(ROWS)


def test_a_co_responsible_unit_sees_the_case_as_a_co_unit() -> None:
    case = ROWS["co-handled"]
    assert relation(D, who("371402-chengguan", "officer"), case) is Relation.CO_UNIT
    assert relation(D, who("371403-fpb", "leader"), case) is Relation.CO_UNIT
    assert relation(D, who("371422-fpb", "officer"), case) is None
    assert relation(D, who("371402-chengguan", "officer"), ROWS["alone"]) is None
    assert relation(D, who("371402-fpb", "officer"), case) is Relation.FULL


@pytest.mark.parametrize(("unit", "role"), CALLERS)
def test_the_sql_filter_shows_co_units_exactly_the_cases_relation_shows(
    engine: Any, unit: str, role: str
) -> None:
    caller = who(unit, role)
    with engine.connect() as conn:
        selected = set(conn.scalars(select(cases.c.id).where(case_filter(D, caller))))
    expected = {case_id for case_id, r in ROWS.items() if relation(D, caller, r) is not None}
    assert selected == expected
