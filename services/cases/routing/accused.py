"""One routing decision's view of the directory: the accused units, every unit they block (each
accused unit and the units under it), and who stands in for a blocked unit. Collects the
decision's reasons as it goes."""

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

from services.cases.routing.reasons import (
    NONE_INDEPENDENT,
    STAND_IN_BY_RULES,
    STAND_IN_FALLBACK,
    STAND_IN_SUPERVISOR,
    Reason,
)
from services.cases.routing.rules import RoutingRules
from shared.directory import Directory


@dataclass
class Case:
    """What one routing decision works from; collects its reasons."""

    d: Directory
    rules: RoutingRules
    accused: str | None  # the first accused unit: its county handles, its supervisors stand in
    reasons: list[str]
    also_accused: tuple[str, ...] = ()  # further units the report's text names

    @cached_property
    def blocked(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for uid in self.all_accused:
            out |= self.d.subordinates(uid) | {uid}
        return out

    @property
    def all_accused(self) -> list[str]:
        first = [self.accused] if self.accused is not None else []
        return first + [u for u in self.also_accused if u != self.accused]

    def note(self, reason: Reason, **params: object) -> None:
        """Record a reason: a template of `reasons` and its parameters, never free text."""
        if not isinstance(reason, Reason):
            raise TypeError(f"a routing reason is a reasons.Reason, not {type(reason).__name__}")
        self.reasons.append(reason.format(**params))

    def first_eligible(self, candidates: Iterable[str]) -> str | None:
        return next((u for u in candidates if u in self.d and u not in self.blocked), None)

    def above(self, start: str) -> Iterator[str]:
        """Units above start, nearest first; at each step the preferred line first."""
        prefer = self.rules.prefer_line
        seen, queue = {start}, deque([start])
        while queue:
            for sup in sorted(self.d.supervisors_of(queue.popleft()), key=lambda s: s.by != prefer):
                if sup.unit not in seen:
                    seen.add(sup.unit)
                    queue.append(sup.unit)
                    yield sup.unit

    @cached_property
    def stand_in(self) -> str | None:
        """Who takes a blocked unit's part: a rule for the accused, its supervisor, a fallback."""
        acc = self.accused
        assert acc is not None  # only asked for when something is blocked
        if found := self.first_eligible(self.rules.when_accused.get(acc, ())):
            self.note(STAND_IN_BY_RULES, unit=acc, stand_in=found)
        elif found := self.first_eligible(self.above(acc)):
            self.note(STAND_IN_SUPERVISOR, unit=acc, stand_in=found)
        elif found := self.first_eligible(self.rules.fallback):
            self.note(STAND_IN_FALLBACK, unit=acc, stand_in=found)
        else:
            self.note(NONE_INDEPENDENT, unit=acc)
        return found
