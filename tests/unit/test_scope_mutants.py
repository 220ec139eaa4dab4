"""Case scope at its edges: what `make mutants` found the other scope tests let through.

The SQL filter is checked on an in-memory SQLite table against `relation()`, row by row, for
callers of every role, so the two statements of the rules cannot drift apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, insert, select

from services.cases.domain.state import Actor
from services.cases.domain.vocabulary import Role
from services.cases.models import cases
from services.cases.scope import Relation, actor, case_filter, conflicted, reach, relation
from shared.auth import Principal
from shared.directory import load_directory

D = load_directory()
NOW = datetime(2024, 3, 1, tzinfo=UTC)


def who(unit: str, role: str) -> Principal:
    return Principal(sub=f"{role}@{unit}", unit=unit, role=role)  # type: ignore[arg-type]


def row(**fields: Any) -> dict[str, Any]:
    base = {
        "handling_unit": "371402-fpb",
        "lead_unit": None,
        "accused_unit": None,
        "rectifying_unit": None,
        "receiving_unit": None,
        "escalated_to": None,
    }
    return {**base, **fields}


ROWS = {
    "ordinary": row(lead_unit="city-zzb"),
    "no-lead": row(handling_unit="371403-fpb"),
    "led-from-another-county": row(handling_unit="371403-fpb", lead_unit="371402-fpb"),
    "accused-county-office": row(handling_unit="city-fpb", accused_unit="371422-fpb"),
    "handled-under-accused": row(
        handling_unit="371422-chaihudian", accused_unit="371422-fpb", lead_unit="city-zzb"
    ),
    "accused-rectifies": row(
        handling_unit="city-fpb", accused_unit="371422-fpb", rectifying_unit="371422-fpb"
    ),
    "other-rectifies": row(rectifying_unit="371402-chengguan"),
    "transferred": row(receiving_unit="371402-jw"),
    "escalated": row(handling_unit="371403-fpb", escalated_to="371402-lg"),
    "accused-city-office": row(handling_unit="city-jw", accused_unit="city-fpb"),
    # The report's text accused more units: the county's leading group is hidden from its office.
    "accuses-above-in-list": row(
        accused_unit="city-zzb", accused_units=json.dumps(["city-zzb", "371402-lg"])
    ),
    "accuses-others-in-list": row(
        accused_unit="371403-fpb", accused_units=json.dumps(["371403-fpb", "371423-fpb"])
    ),
}
CALLERS = [
    *[
        (unit, role)
        for unit in ("371402-fpb", "371422-fpb", "371422-chaihudian", "city-fpb", "city-zzb")
        for role in ("officer", "leader")
    ],
    ("371402-chengguan", "officer"),
    *[
        (unit, "supervisor")
        for unit in ("371402-lg", "371403-lg", "371422-lg", "city-fpb", "city-lg")
    ],
    ("371402-jw", "inspector"),
    ("city-jw", "inspector"),
    ("371422-fpb", "inspector"),
    ("city-fpb", "city_office"),
    ("371422-fpb", "city_office"),
    ("city-sjj", "auditor"),
    ("371402-fpb", "clerk"),
    ("371402-fpb", "integrator"),
]


def cases_engine(rows: dict[str, dict[str, Any]]) -> Any:
    """An in-memory SQLite `cases` table holding `rows` (id -> the fields that matter)."""
    engine = create_engine("sqlite://")
    cases.create(engine)
    with engine.begin() as conn:
        for n, (case_id, fields) in enumerate(rows.items()):
            conn.execute(
                insert(cases).values(
                    **{
                        "id": case_id, "report_id": f"r-{n}", "county": "371402",
                        "handling_county": "371402", "co_units": [], "status": "received",
                        "version": 1, "channel": "web", "triage": False, "exposed": False,
                        "overdue": False, "content": "text", "received_at": NOW,
                        "created_at": NOW, "updated_at": NOW, **fields,
                    }
                )
            )  # fmt: skip
    return engine


@pytest.fixture(scope="module")
def engine() -> Any:
    return cases_engine(ROWS)


@pytest.mark.parametrize(("unit", "role"), CALLERS)
def test_the_sql_filter_selects_exactly_the_cases_relation_shows(
    engine: Any, unit: str, role: str
) -> None:
    caller = who(unit, role)
    with engine.connect() as conn:
        selected = set(conn.scalars(select(cases.c.id).where(case_filter(D, caller))))
    expected = {case_id for case_id, r in ROWS.items() if relation(D, caller, r) is not None}
    assert selected == expected


def test_a_case_handled_under_the_accused_unit_is_hidden_from_that_unit() -> None:
    case = ROWS["handled-under-accused"]
    assert relation(D, who("371422-chaihudian", "officer"), case) is None
    assert relation(D, who("city-zzb", "officer"), case) is Relation.FULL  # the lead unit
    assert "371422-fpb" in conflicted(D, who("371422-chaihudian", "officer"))
    assert conflicted(D, who("not-a-unit", "officer")) == {"not-a-unit"}


def test_only_supervisors_and_inspectors_reach_below_their_unit() -> None:
    assert reach(D, who("371422-fpb", "officer")) == {"371422-fpb"}
    assert reach(D, who("371422-fpb", "leader")) == {"371422-fpb"}
    assert reach(D, who("city-fpb", "city_office")) == {"city-fpb"}
    below = reach(D, who("371422-lg", "supervisor"))
    assert {"371422-lg", "371422-fpb", "371422-chaihudian"} <= below
    assert reach(D, who("not-a-unit", "supervisor")) == {"not-a-unit"}


def test_the_actor_carries_the_callers_unit_role_and_subject() -> None:
    caller = who("371402-fpb", "officer")
    assert actor(D, caller, "371402-fpb") == Actor(
        "371402-fpb", Role.OFFICER, "officer@371402-fpb", supervises_handling_unit=False
    )
    supervisor = who("371402-lg", "supervisor")
    assert actor(D, supervisor, "371402-fpb") == Actor(
        "371402-lg", Role.SUPERVISOR, "supervisor@371402-lg", supervises_handling_unit=True
    )


def test_a_supervisor_sees_a_case_led_by_a_unit_it_supervises() -> None:
    case = ROWS["led-from-another-county"]
    assert relation(D, who("371402-lg", "supervisor"), case) is Relation.FULL
    assert relation(D, who("371402-fpb", "officer"), case) is Relation.FULL
