"""Unit scorecards (issue 26) without a database: which events score which unit, on time or
late against the case's own deadlines, the rates and the thresholds, and the periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.notify.samples import sample_payload
from services.reporting.scorecards.figures import Thresholds, card, cards
from services.reporting.scorecards.marks import mark_of, new_dues
from services.reporting.scorecards.periods import period_days
from shared.errors import Refusal
from shared.events import make_event

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def envelope(event_type: str, at: datetime = AT, **fields: Any) -> tuple[Any, Any]:
    payload = sample_payload(event_type, **fields)
    event = make_event(payload, county="371402", aggregate_id=payload.case_id, sequence=1,
                       producer="cases", occurred_at=at)  # fmt: skip
    return event, payload


def county_of(unit: str) -> str:
    return unit[:6]


def test_acceptance_is_on_time_until_the_openings_due_then_late() -> None:
    due = AT + timedelta(days=1)
    opened = sample_payload("case.opened", deadlines=[{"kind": "accept_decision", "due": due}])
    dues = new_dues(opened)
    assert dues == {"accept": due}
    on_time = mark_of(*envelope("case.accepted"), dues, county_of)
    late = mark_of(*envelope("case.accepted", at=due + timedelta(seconds=1)), dues, county_of)
    assert on_time is not None and late is not None
    assert (on_time["measure"], on_time["outcome"]) == ("acceptance", "on_time")
    assert late["outcome"] == "late" and late["unit"] == "371402-fpb"
    assert late["day"] == date(2026, 12, 8)  # the day in Asia/Shanghai


def test_completion_counts_against_the_extended_handling_period() -> None:
    accepted = sample_payload("case.accepted", deadlines=[{"kind": "handle", "due": AT}])
    extended = sample_payload("case.extension_decided", new_due=AT + timedelta(days=30))
    dues = {**new_dues(accepted), **new_dues(extended)}
    concluded = mark_of(*envelope("case.concluded", at=AT + timedelta(days=10)), dues, county_of)
    assert concluded is not None and concluded["outcome"] == "on_time"
    sent_back = sample_payload("case.sent_back", deadlines=[{"kind": "redo", "due": AT}])
    assert new_dues(sent_back) == {"complete": AT}


def test_a_dispute_scores_the_unit_that_disputed() -> None:
    won = mark_of(*envelope("case.dispute_decided", outcome="reassign"), {}, county_of)
    lost = mark_of(*envelope("case.dispute_decided", outcome="uphold"), {}, county_of)
    assert won is not None and lost is not None
    assert (won["unit"], won["outcome"], won["county"]) == ("371403-fpb", "upheld", "371403")
    assert lost["outcome"] == "lost"
    assert mark_of(*envelope("case.opened"), {}, county_of) is None  # opening scores nobody


def test_rates_and_flags_follow_the_thresholds() -> None:
    counts = {
        ("acceptance", "on_time"): 9,
        ("acceptance", "late"): 1,
        ("completion", "on_time"): 4,
        ("completion", "late"): 1,
        ("rating", "satisfied"): 2,
        ("rating", "basically_satisfied"): 1,
        ("rating", "unsatisfied"): 1,
        ("redo", "sent_back"): 1,
        ("urge", "formal"): 1,
        ("urge", "informal"): 2,
    }
    got = card("371402-fpb", counts, Thresholds())
    assert got["rates"] == {
        "on_time_acceptance": 0.9,
        "on_time_completion": 0.8,
        "satisfaction": 0.75,
        "redo": 0.2,
    }
    assert got["below"] == ["on_time_completion", "satisfaction"] and got["flagged"]
    assert got["urges"] == 3 and got["formal_urges"] == 1
    empty = card("371403-fpb", {}, Thresholds())
    assert empty["rates"]["satisfaction"] is None and not empty["flagged"]
    assert [c["key"] for c in cards({"b": {}, "a": counts}, Thresholds())] == ["a", "b"]


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_periods(period: str, first: date, last: date) -> None:
    assert period_days(period) == (first, last)


def test_a_bad_period_names_the_parameter() -> None:
    with pytest.raises(Refusal) as caught:
        period_days("2026-13")
    assert caught.value.status == 422 and caught.value.loc == ("query", "period")
