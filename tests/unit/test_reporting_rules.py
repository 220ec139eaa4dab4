"""Reporting's pure rules: the fold, calendar days, blocks, merged replays, phases, crossings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.alerts.rule import AlertRule, alert_id, crossings
from services.reporting.periods import (
    block_end,
    block_of,
    blocks,
    calendar_days,
    period_spans,
)
from services.reporting.phases import date_range, load_phases
from services.reporting.projection.case_facts import department_of, fold_case, new_case
from services.reporting.rebuild.merge import merged, raw
from services.reporting.rebuild.replay import Counts, Replay
from shared.directory import load_directory
from shared.events import parse_payload
from tests.integration.test_reporting_harness import BASE, CaseScript, case_scripts

DIRECTORY = load_directory()


def _fold(events: list) -> dict:  # type: ignore[type-arg]
    row = new_case(events[0].aggregate_id)
    for envelope in events:
        row = fold_case(row, envelope, parse_payload(envelope), DIRECTORY)  # type: ignore[arg-type]
    return row


@given(script=case_scripts(max_steps=10), data=st.data())
def test_the_fold_ignores_order_and_repetition(script: CaseScript, data: st.DataObject) -> None:
    again = data.draw(st.lists(st.sampled_from(script.events), max_size=4))
    shuffled = data.draw(st.permutations(script.events + again))
    assert _fold(shuffled) == _fold(script.events)


def test_a_late_older_event_does_not_undo_a_newer_one() -> None:
    script = CaseScript("371402", "371402-fpb", 18, "web", BASE).open()
    script.step("transfer", BASE + timedelta(days=1))
    script.step("object", BASE + timedelta(days=2))
    script.step("assign", BASE + timedelta(days=3), "371403-fpb")
    opened, transferred, objected, assigned = script.events
    row = _fold([assigned, objected, transferred, opened])
    assert row["transferred"] is False and row["handling_unit"] == "371403-fpb"
    assert row["status"] == "received" and row["version"] == 4


def test_days_taken_are_calendar_days_in_shanghai() -> None:
    received = datetime(2018, 3, 1, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert calendar_days(received, received + timedelta(minutes=40)) == 1  # next day there
    assert calendar_days(received, received + timedelta(hours=-1)) == 0
    assert calendar_days(received, datetime(2018, 3, 16, 15, 0, tzinfo=UTC)) == 15


@given(st.dates(date(2017, 1, 1), date(2021, 1, 1)), st.integers(0, 900))
def test_blocks_cover_a_range_exactly_once(first: date, length: int) -> None:
    last = first + timedelta(days=length)
    covered: list[date] = []
    for level, start in blocks(first, last):
        assert block_of(level, start) == start  # a block the projection writes
        end = block_end(level, start)
        covered += [start + timedelta(days=i) for i in range((end - start).days + 1)]
    assert covered == [first + timedelta(days=i) for i in range(length + 1)]


def test_blocks_are_few() -> None:
    assert blocks(date(2018, 1, 1), date(2018, 12, 31)) == [("y", date(2018, 1, 1))]
    odd = blocks(date(2018, 3, 17), date(2019, 2, 11))
    assert [level for level, _ in odd].count("q") == 3 and len(odd) < 25
    assert blocks(date(2018, 5, 7), date(2018, 5, 13)) == [("w", date(2018, 5, 7))]


def test_period_spans_clip_to_the_range() -> None:
    spans = period_spans(date(2018, 3, 14), date(2018, 4, 2), "month")
    assert spans == [
        ("2018-03", date(2018, 3, 14), date(2018, 3, 31)),
        ("2018-04", date(2018, 4, 1), date(2018, 4, 2)),
    ]
    weeks = period_spans(date(2018, 3, 14), date(2018, 3, 20), "week")
    assert [w[0] for w in weeks] == ["2018-W11", "2018-W12"]


def test_phases_come_from_configuration_and_narrow_the_range() -> None:
    phases = load_phases()
    year = phases.get("2018")
    assert year is not None and (year.first, year.last) == (date(2018, 1, 1), date(2018, 12, 31))
    q2 = phases.get("2018-q2")
    assert date_range(q2, date(2018, 5, 1), None) == (date(2018, 5, 1), date(2018, 6, 30))
    assert phases.get("continuous").last is None  # type: ignore[union-attr]


def _days(*offsets: float) -> list[datetime]:
    start = datetime(2018, 1, 1, tzinfo=UTC)
    return [start + timedelta(days=d) for d in offsets]


def test_an_alert_fires_once_per_crossing() -> None:
    rule = AlertRule(threshold=3, window_days=30)
    assert crossings(_days(0, 10), rule) == []
    assert crossings(_days(0, 10, 20), rule) == [(_days(20)[0], 3)]
    # More findings inside the same crossing raise nothing more.
    assert crossings(_days(0, 10, 20, 21, 25), rule) == [(_days(20)[0], 3)]
    # The count falls below three when day 0 leaves the window, so day 31 crosses again;
    # days 60 and 61 leave only two in the window, day 62 makes three.
    times = _days(0, 10, 20, 31, 60, 61, 62)
    assert [at for at, _ in crossings(times, rule)] == _days(20, 31, 62)
    # Order does not matter.
    assert crossings(list(reversed(times)), rule) == crossings(times, rule)


def test_alert_ids_are_stable() -> None:
    at = _days(5)[0]
    assert alert_id("unit", "371402-fpb", at) == alert_id("unit", "371402-fpb", at)
    assert alert_id("unit", "371402-fpb", at) != alert_id("county", "371402-fpb", at)


def test_departments_follow_the_sector_line() -> None:
    assert department_of(DIRECTORY, "371402-fpb") == "city-fpb"
    assert department_of(DIRECTORY, "city-zzb") == "city-zzb"
    assert department_of(DIRECTORY, "371402-lg") is None
    assert department_of(DIRECTORY, "not-a-unit") is None


async def _drain(replays: list[Replay], size: int) -> list[list[Any]]:
    return [batch async for batch in merged(replays, size)]


def _buffered(stream: str, counts: Counts, times: list[float]) -> Replay:
    replay = Replay(None, stream, "", counts, raw)  # type: ignore[arg-type]
    replay.buffer.extend((seq, (at, f"{stream}{seq}")) for seq, at in enumerate(times, start=1))
    replay.until = replay.fetched = len(times)  # everything already fetched
    return replay


async def test_merged_batches_take_everything_once_roughly_by_time() -> None:
    counts = Counts()
    # Times out of order within a stream must not stall the merge.
    intake = _buffered("INTAKE", counts, [1, 5, 3, 9])
    cases = _buffered("CASES", counts, [2, 2, 8, 4, 10])
    batches = await _drain([intake, cases], size=3)
    values = [v for batch in batches for v in batch]
    assert sorted(values) == sorted(
        [f"INTAKE{i}" for i in range(1, 5)] + [f"CASES{i}" for i in range(1, 6)]
    )
    assert all(len(batch) <= 3 for batch in batches[:-1]) and len(values) == 9
    assert counts.events == {"INTAKE": 4, "CASES": 5}
    assert values[:3] == ["INTAKE1", "CASES1", "CASES2"]
