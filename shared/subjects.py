"""Subject names of the contract: `zuofeng.v1.<county>.<aggregate>.<event>`."""

from __future__ import annotations

import re

PREFIX = "zuofeng.v1"
DLQ_PREFIX = "zuofeng.dlq"
_COUNTY = re.compile(r"^\d{6}$")


def event_subject(county: str, event_type: str) -> str:
    """Subject of an event: the type `case.opened` under county 371402 gives
    `zuofeng.v1.371402.case.opened`."""
    if not _COUNTY.match(county):
        raise ValueError(f"county must be a 6-digit code, got {county!r}")
    aggregate, _, event = event_type.partition(".")
    if not aggregate or not event or "." in event:
        raise ValueError(f"event type must look like 'aggregate.event', got {event_type!r}")
    return f"{PREFIX}.{county}.{aggregate}.{event}"


def all_counties(aggregate: str) -> str:
    """Wildcard for one aggregate's events in every county, e.g. `zuofeng.v1.*.case.>`."""
    return f"{PREFIX}.*.{aggregate}.>"


def submit_subject(county: str = "*") -> str:
    """Request-reply submission for integrators; no stream may capture it."""
    return f"{PREFIX}.{county}.intake.submit"


def dlq_subject(consumer: str) -> str:
    """Where a consumer's dead letters go."""
    return f"{DLQ_PREFIX}.{consumer}"


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS wildcard matching (`*` one token, `>` the rest)."""
    p_tokens, s_tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(p_tokens):
        if token == ">":
            return len(s_tokens) > i
        if i >= len(s_tokens) or (token != "*" and token != s_tokens[i]):
            return False
    return len(p_tokens) == len(s_tokens)
