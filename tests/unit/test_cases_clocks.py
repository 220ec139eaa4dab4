"""Which deadlines each case event starts, meets, suspends, resumes or moves (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.cases.clocks import Clock, due_now, plan, start, warn_before
from shared.deadlines import TZ, load_profiles

PROFILE = load_profiles().default
NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Dezhou


def opening() -> dict[str, Clock]:
    return {k: start(PROFILE, k, NOW) for k in ("register_and_dispose", "accept_decision")}


def test_opening_clocks_warn_three_days_ahead() -> None:
    clock = start(PROFILE, "accept_decision", NOW)
    assert clock.due == datetime(2025, 3, 18, 23, 59, 59, 999999, tzinfo=TZ)
    assert clock.warn_at == datetime(2025, 3, 15, 23, 59, 59, 999999, tzinfo=TZ)
    assert clock.basis.startswith("信访工作条例") and clock.state == "running"
    assert start(PROFILE, "review_request", NOW).warn_at is None  # windows never warn


def test_accepting_meets_the_opening_clocks_and_starts_handling() -> None:
    changed = plan("case.accepted", {}, opening(), NOW, PROFILE)
    assert {k: c.state for k, c in changed.clocks.items()} == {
        "register_and_dispose": "met",
        "accept_decision": "met",
        "handle": "running",
    }
    (handle,) = changed.extras["deadlines"]
    assert handle.kind == "handle" and handle.due.date().isoformat() == "2025-05-02"


def test_a_missed_clock_stays_missed_when_met_late() -> None:
    clocks = {**opening(), "accept_decision": replace(opening()["accept_decision"], state="missed")}
    changed = plan("case.accepted", {}, clocks, NOW, PROFILE)
    assert "accept_decision" not in changed.clocks


def test_a_transfer_suspends_and_an_objection_resumes() -> None:
    clocks = opening()
    transferred = plan("case.transferred", {}, clocks, NOW, PROFILE)
    assert transferred.clocks["accept_decision"].state == "suspended"
    window = transferred.clocks["transfer_objection"]
    assert transferred.extras["objection_due"] == window.due
    assert window.due.date().isoformat() == "2025-03-10"  # five working days
    after = {**clocks, **transferred.clocks}
    objected = plan("case.transfer_objected", {}, after, NOW, PROFILE)
    assert {k: c.state for k, c in objected.clocks.items()} == {
        "register_and_dispose": "running",
        "accept_decision": "running",
        "transfer_objection": "met",
    }


def test_closing_stops_obligations_and_opens_the_review_window() -> None:
    clocks = {**opening(), "handle": start(PROFILE, "handle", NOW)}
    closed = plan("case.closed", {}, clocks, NOW, PROFILE)
    assert closed.clocks["handle"].state == "met"
    assert closed.clocks["accept_decision"].state == "stopped"
    assert closed.extras["review_due"] == closed.clocks["review_request"].due
    reopened = plan("case.reopened", {}, {**clocks, **closed.clocks}, NOW, PROFILE)
    assert reopened.clocks["review_request"].state == "met"
    assert reopened.clocks["review_answer"].state == "running"


def test_an_approved_extension_moves_the_handling_period() -> None:
    handle = start(PROFILE, "handle", NOW)
    moved = plan(
        "case.extension_decided", {"approved": True, "days": 20}, {"handle": handle}, NOW, PROFILE
    )
    assert moved.extras["new_due"] == handle.due + timedelta(days=20)
    assert moved.clocks["handle"].warn_at == handle.warn_at + timedelta(days=20)
    refused = plan(
        "case.extension_decided", {"approved": False, "days": 0}, {"handle": handle}, NOW, PROFILE
    )
    assert refused.clocks == {} and refused.extras == {}
    missed = replace(handle, state="missed")
    late = plan(
        "case.extension_decided", {"approved": True, "days": 5}, {"handle": missed}, NOW, PROFILE
    )
    assert late.clocks["handle"].state == "missed"


def test_rectification_due_and_rejection() -> None:
    due = "2025-04-30T23:59:59.999999+08:00"
    required = plan("case.rectification_required", {"due": due}, {}, NOW, PROFILE)
    clock = required.clocks["rectification"]
    assert clock.due.isoformat() == due and clock.warn_at.date().isoformat() == "2025-04-27"
    met = plan("case.rectification_submitted", {}, required.clocks, NOW, PROFILE)
    again = plan("case.rectification_rejected", {}, met.clocks, NOW, PROFILE)
    assert again.clocks["rectification"].state == "running"


@pytest.mark.parametrize(
    ("state", "hours", "owed"),
    [
        ("running", 0, None),
        ("running", 13 * 24 + 14, "warn"),
        ("warned", 13 * 24 + 14, None),
        ("running", 16 * 24, "missed"),  # after downtime: no late warning
        ("warned", 16 * 24, "missed"),
        ("met", 16 * 24, None),
        ("suspended", 16 * 24, None),
    ],
)
def test_what_the_sweeper_owes(state: str, hours: int, owed: str | None) -> None:
    clock = replace(start(PROFILE, "accept_decision", NOW), state=state)
    assert due_now(clock, NOW + timedelta(hours=hours)) == owed


def test_windows_owe_nothing_to_the_sweeper() -> None:
    window = start(PROFILE, "transfer_objection", NOW)
    assert due_now(window, NOW + timedelta(days=30)) is None


def test_a_short_clock_warns_at_once() -> None:
    due = NOW + timedelta(days=1)
    assert warn_before(due, 3, "calendar", NOW) == NOW.astimezone(TZ)
    assert warn_before(due, 0, "calendar", NOW) is None
