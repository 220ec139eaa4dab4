"""Subjects and streams: everything published is captured; the submit subject never is."""

from __future__ import annotations

import pytest

from shared.events import REGISTRY
from shared.streams import CONSUMERS, LINGER, STREAMS, stream_for_subject
from shared.subjects import dlq_subject, event_subject, subject_matches, submit_subject


@pytest.mark.parametrize("event_type", sorted({t for t, _ in REGISTRY}))
@pytest.mark.parametrize("county", ["371402", "371400"])
def test_every_event_subject_is_captured_by_exactly_one_stream(
    event_type: str, county: str
) -> None:
    subject = event_subject(county, event_type)
    owners = [s.name for s in STREAMS if any(subject_matches(p, subject) for p in s.subjects)]
    assert owners == [stream_for_subject(subject)]


def test_dead_letters_are_captured() -> None:
    assert stream_for_subject(dlq_subject("cases-reports")) == "DLQ"


def test_no_stream_captures_the_submit_subject() -> None:
    with pytest.raises(LookupError):
        stream_for_subject(submit_subject("371402"))


def test_subject_shape() -> None:
    assert event_subject("371402", "case.opened") == "zuofeng.v1.371402.case.opened"
    with pytest.raises(ValueError):
        event_subject("3714", "case.opened")
    with pytest.raises(ValueError):
        event_subject("371402", "opened")


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.b.d", False),
        ("a.>", "a.b.c", True),
        ("a.>", "a", False),
        ("a.b", "a.b.c", False),
        ("a.*", "a", False),
    ],
)
def test_wildcards(pattern: str, subject: str, expected: bool) -> None:
    assert subject_matches(pattern, subject) is expected


def test_each_consumer_reads_a_stream_that_captures_its_filter() -> None:
    streams = {s.name: s for s in STREAMS}
    for consumer in CONSUMERS:
        assert consumer.filter_subject in streams[consumer.stream].subjects


def test_only_the_case_opening_consumer_handles_each_event_at_once() -> None:
    """Reports become cases at once; every other consumer (counts, notices, the public status)
    waits for more events to share a pull and a transaction. (The DLQ mover's advisories are
    rare and each its own.)"""
    at_once = [c.durable for c in CONSUMERS if not c.linger]
    assert at_once == ["cases-reports", "dlq-mover"]
    assert {c.linger for c in CONSUMERS if c.linger} == {LINGER}
