"""Repeat reports (同一事项): an open case in the same county for the same problem with the same
accused unit or person, or one the same reporter (blind index) made about the same accused, takes
the new report in (`case.merged`) instead of a second case (Art 19; kept, not dropped: Art 14).

The rule is `repeats`, over a `Matter` (a report's or a case's); `open_cases.py` reads the open
cases a batch may repeat and locks the batch's repeat keys.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


def person_key(name: str | None) -> str | None:
    """A person's name as compared for repeats (full-width forms and spaces folded)."""
    if not name:
        return None
    folded = "".join(unicodedata.normalize("NFKC", name).split()).lower()
    return folded or None


@dataclass
class Matter:
    """What a report is about, or an open case is about (`reporters`: its reports' indexes)."""

    county: str
    problem: int | None
    accused: str | None
    person: str | None
    reporters: set[str] = field(default_factory=set)
    case_id: str = ""
    received_at: datetime | None = None

    @property
    def reporter(self) -> str | None:
        """A report's own reporter index."""
        return next(iter(self.reporters), None)

    def lock_keys(self) -> list[str]:
        """The keys two repeats of one matter share (one of them, at least): the locks."""
        keys = []
        if self.problem is not None and self.accused:
            keys.append(f"unit|{self.county}|{self.problem}|{self.accused}")
        if self.problem is not None and self.person:
            keys.append(f"person|{self.county}|{self.problem}|{self.person}")
        if self.reporter and (self.accused or self.person):
            keys.append(f"reporter|{self.reporter}")
        return keys


def repeats(report: Matter, case: Matter) -> bool:
    """Whether the report is about the open case's matter: the same accused, and the same
    county and problem or the same reporter."""
    same_unit = bool(report.accused) and case.accused == report.accused
    same_person = bool(report.person) and case.person == report.person
    if not (same_unit or same_person):
        return False
    same_problem = report.problem is not None and report.problem == case.problem
    if same_problem and case.county == report.county:
        return True
    return bool(report.reporter) and report.reporter in case.reporters


def oldest_repeated(report: Matter, open_cases: Iterable[Matter]) -> Matter | None:
    """The oldest open case the report repeats, or None."""
    found = [case for case in open_cases if repeats(report, case)]
    return min(found, key=lambda c: (c.received_at, c.case_id), default=None)
