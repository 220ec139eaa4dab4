"""A round's work: jobs (one row, or a unit's digest), their outcomes, and the lanes that keep
one case's messages to one address in order while the rest go out in parallel."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from services.notify.delivery.loading import Loaded

Kind = Literal["sent", "retry", "wait", "failed", "cancelled"]


@dataclass
class Job:
    """Rows sent as one message: one row, or a unit's digest (several rows, one id)."""

    rows: list[dict[str, Any]]
    external_id: str

    @property
    def first(self) -> dict[str, Any]:
        return self.rows[0]

    @property
    def is_digest(self) -> bool:
        return self.first["batch"] is not None


@dataclass
class Result:
    job: Job
    kind: Kind
    channel: str
    reason: str = ""


class Cancel(Exception):
    """Nothing to send and nothing to report."""


class NotYet(Exception):
    """The report's `report.received` has not been consumed yet: wait for it."""


def group(rows: list[dict[str, Any]]) -> list[Job]:
    """One job per row, except a digest's rows, which travel together."""
    jobs: list[Job] = []
    digests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["batch"] is None:
            jobs.append(Job([row], row["external_id"]))
        else:
            digests[row["external_id"]].append(row)
    jobs += [Job(sorted(rs, key=lambda r: r["created_at"]), key) for key, rs in digests.items()]
    return jobs


def lanes(jobs: list[Job], loaded: Loaded) -> list[list[Job]]:
    """One case's jobs to one address on one channel, oldest event first; the rest in parallel.

    A reporter whose case is concluded and closed in the same round must read the result before
    the closure: concurrent sends would let the second overtake the first. Different cases keep
    their parallel sends, so a unit or an integrator with many cases is not served one by one.
    """
    by_address: dict[tuple[str, str, str | None, str | None], list[Job]] = defaultdict(list)
    for job in jobs:
        row = job.first
        channel = None if row["recipient_kind"] == "reporter" else row["channel"]
        key = (row["recipient_kind"], row["recipient"], channel, row["case_id"])
        by_address[key].append(job)
    return [sorted(lane, key=lambda job: _sequence(job, loaded)) for lane in by_address.values()]


def _sequence(job: Job, loaded: Loaded) -> int:
    # A lane is one case, and the case's own sequence is the order its events happened in.
    # (No source: attempt() reports that job's failure; the order must not raise first.)
    source = loaded.sources.get(job.first["event_id"])
    return int(json.loads(source)["sequence"]) if source else 0
