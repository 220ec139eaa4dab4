"""Reporting's supervision section, programme figures and alert responsibilities (issues 22
and 23) without a database: what an event adds to the read models (and what it never keeps),
the per-county figures, the counties a caller sees, re-check tallies and the export tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from services.reporting.alerts.listing import under
from services.reporting.alerts.raising import _alert_row, _event
from services.reporting.alerts.rule import AlertRule
from services.reporting.models import alerts
from services.reporting.programmes.access import programme_counties
from services.reporting.programmes.figures import county_figures
from services.reporting.programmes.figures import table_rows as programme_rows
from services.reporting.programmes.projection import rows_of
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.supervision.figures import _tasks_by_county, within_county
from services.reporting.supervision.figures import table_rows as supervision_rows
from services.reporting.supervision.rechecks import _tally, step_of
from services.reporting.words.names import Names
from shared.auth import Principal
from shared.directory import load_directory
from shared.events.base import parse_payload
from shared.taxonomy import load_taxonomy
from tests.sections_world import NOT_KEPT, PROGRAMMES, A, B, federation_events, recheck_events

DIRECTORY = load_directory()


def caller(unit: str, role: str) -> Principal:
    return Principal(sub="t", unit=unit, role=role)  # type: ignore[arg-type]


def _payloads() -> list[tuple[Any, Any]]:
    return [(e, parse_payload(e)) for e in federation_events()]


def test_federation_events_keep_ids_counts_and_amounts_never_names_or_children() -> None:
    kept = [rows_of(payload, envelope.sequence) for envelope, payload in _payloads()]
    assert all(found is not None for found in kept)
    text = repr(kept)
    for secret in NOT_KEPT:
        assert secret not in text
    tables = {table.name for table, _ in kept if table is not None}  # type: ignore[misc]
    assert tables == {prog_aid.name, prog_items.name, prog_villages.name}
    approved = [row for table, row in kept if row.get("status") == "approved"]  # type: ignore[misc]
    assert [(r["amount"], r["fund_source"]) for r in approved] == [
        (10000, "national"),
        (5000, "city_charity"),
    ]
    pairing = next(row for _, row in kept if row.get("kind") == "pairing")  # type: ignore[misc]
    assert pairing["detail"] == "left_behind" and set(pairing) == set(prog_items.c.keys())


def _facts() -> dict[str, Any]:
    """What the tables would hold after the world's events, folded here by hand."""
    aid: dict[str, dict[str, Any]] = {}
    villages, items = [], {}
    for envelope, payload in _payloads():
        table, row = rows_of(payload, envelope.sequence)  # type: ignore[misc]
        if table is prog_villages:
            villages.append((row["village_id"], row["county"], row["name"], row["poor"],
                             row["left_behind"]))  # fmt: skip
        elif table is prog_aid:
            into = aid.setdefault(row["application_id"], {"amount": 0, "fund_source": None})
            into |= {k: v for k, v in row.items() if v is not None}
        else:
            into = items.setdefault((row["kind"], row["item_id"]), {})
            into |= {k: v for k, v in row.items() if v is not None}
    grouped: dict[tuple[Any, ...], list[int]] = {}
    for r in aid.values():
        key = (r["county"], r["status"], r["poor_village"], r["fund_source"])
        sums = grouped.setdefault(key, [0, 0])
        sums[0], sums[1] = sums[0] + 1, sums[1] + r["amount"]
    return {
        "aid": [(*k, n, total) for k, (n, total) in grouped.items()],
        "villages": villages,
        "items": [
            (
                r["kind"],
                r["county"],
                r.get("village_id"),
                r.get("detail"),
                r["amount"],
                r["attendance"],
            )
            for r in items.values()
        ],  # fmt: skip
    }


def test_county_figures_count_aid_coverage_pairings_homes_and_selections() -> None:
    facts = _facts()
    for county, expected in PROGRAMMES.items():
        found = county_figures(county, facts)
        assert {k: found[k] for k in expected} == expected, county
    empty = county_figures("371481", facts)
    assert empty["aid_applications"] == 0 and empty["aid_poor_village_share"] is None


def test_the_export_has_a_row_per_county_as_wide_as_its_header() -> None:
    names = Names(DIRECTORY, load_taxonomy(), False)
    rows = programme_rows([county_figures(c, _facts()) for c in (A, B)], names)
    assert [r[0] for r in rows[1:]] == ["德城区", "陵城区"]
    assert {len(r) for r in rows} == {len(rows[0])}
    assert "红星村" in rows[1] and "66.7%" in rows[1]


def test_a_county_caller_sees_its_county_and_the_city_every_county() -> None:
    every = [code for code, _ in DIRECTORY.counties()]
    assert programme_counties(caller("city-fl", "federation_officer"), DIRECTORY) == every
    assert programme_counties(caller(f"{A}-fl", "federation_officer"), DIRECTORY) == [A]
    assert programme_counties(caller("city-fpb", "city_office"), DIRECTORY) == every
    assert programme_counties(caller(f"{B}-fpb", "officer"), DIRECTORY) == [B]
    assert programme_counties(caller("nowhere", "federation_officer"), DIRECTORY) == []


def test_recheck_steps_tally_due_passed_failed_and_reopened() -> None:
    steps = [step_of(parse_payload(e))
             for e in recheck_events()]  # fmt: skip
    assert steps == [("due", "city-sjj"), ("passed", "city-sjj"), ("due", "city-sjj"),
                     ("failed", "city-sjj"), ("reopened", None)]  # fmt: skip
    rows = [(A, f"{A}-fpb", "due", 2), (A, f"{A}-fpb", "passed", 1), (B, f"{B}-fpb", "due", 1),
            (B, f"{B}-fpb", "failed", 1), (B, f"{B}-fpb", "reopened", 1)]  # fmt: skip
    assert _tally(rows, 0, "county") == [
        {"county": A, "due": 1, "passed": 1, "failed": 0, "reopened": 0},
        {"county": B, "due": 0, "passed": 0, "failed": 1, "reopened": 1},
    ]


def test_the_supervision_export_lists_tasks_by_county_and_rechecks() -> None:
    task_rows = [("一", f"{A}-fpb", 2, 1, 0, 1, 1, A), ("一", f"{B}-fpb", 1, 0, 0, 0, 0, B)]
    by_county = _tasks_by_county(task_rows)
    assert by_county[0] == {"county": A, "tasks": 2, "reported": 1, "accepted": 1,
                            "sent_back": 0, "overdue": 1}  # fmt: skip
    recheck = {"county": B, "due": 0, "passed": 0, "failed": 1, "reopened": 1}
    found = {"tasks": [], "tasks_by_county": by_county, "inspections": [], "data_requests": [],
             "rechecks": {"by_county": [recheck], "by_unit": []}}  # fmt: skip
    rows = supervision_rows(found)
    assert rows[1][:4] == ["督办任务（县市区）", "", A, 2]
    assert rows[-1] == ["回头看（县市区）", "", B, 1, "", 0, "", 1, 1]
    assert {len(r) for r in rows} == {len(rows[0])}


def test_alerts_filter_by_the_responsibility_their_scope_carries() -> None:
    def where(responsibility: str | None) -> str:
        query = under(select(alerts.c.alert_id), responsibility)
        return str(query.compile(dialect=postgresql.dialect(),
                                 compile_kwargs={"literal_binds": True}))  # fmt: skip

    assert "department" in where("supervision") and "'unit'" not in where("supervision")
    assert "'unit'" in where("main") and "'county'" in where("main")
    assert "department" not in where("main")
    assert "WHERE" not in where(None)


def test_an_alert_event_says_which_responsibility_it_counts() -> None:
    rule = AlertRule(3, 90)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for scope, key, duty in (("department", "city-zzb", "supervision"),
                             ("unit", f"{A}-fpb", "main"), ("county", A, "main")):  # fmt: skip
        row = _alert_row(scope, key, at, 3, rule, DIRECTORY)
        assert _event(row).data["responsibility"] == duty


def test_a_countys_page_keeps_its_own_supervision_figures() -> None:
    def row(county: str, **more: Any) -> dict[str, Any]:
        return {"county": county, **more}

    found = {
        "tasks": [row(A, unit=f"{A}-fpb"), row(B, unit=f"{B}-fpb")],
        "tasks_by_county": [row(A), row(B)],
        "inspections": [row(A)],
        "data_requests": [row(B)],
        "accountability": [{"unit": f"{A}-fpb", "overdue_tasks": 1}],
        "rechecks": {"by_county": [row(B)], "by_unit": [{"unit": f"{B}-fpb"}, {"unit": "x"}]},
    }
    mine = within_county(found, B, DIRECTORY)
    assert [r["unit"] for r in mine["tasks"]] == [f"{B}-fpb"]
    assert mine["inspections"] == [] and mine["accountability"] == []
    assert mine["rechecks"] == {"by_county": [row(B)], "by_unit": [{"unit": f"{B}-fpb"}]}
