"""Who hears what: for each case event, the audiences told and the units they stand for.

Pure rules over the event and the directory; the reporter's side (which reports a case answers
to, and whether their reporter left a contact) is looked up by the handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.directory import Directory
from shared.events.cases import CaseEvent

# event type -> audiences, in order (a unit in two audiences is told once, by the first).
# "reporter" means every report of the case; "merged_reporter" the repeat just linked.
RULES: dict[str, tuple[str, ...]] = {
    "case.opened": ("handling",),  # the city office's triage queue is its handling unit
    "case.merged": ("handling", "merged_reporter"),
    "case.accepted": ("reporter",),
    "case.rejected": ("reporter",),
    "case.assigned": ("handling",),
    "case.concluded": ("reporter",),
    "case.rectification_required": ("rectifying",),
    "case.rectification_submitted": ("supervisor",),
    "case.rectification_verified": ("rectifying",),
    "case.rectification_rejected": ("rectifying",),
    "case.transferred": ("receiving",),
    "case.transfer_objected": ("handling",),
    "case.extension_requested": ("supervisor",),
    "case.extension_decided": ("handling", "reporter"),
    "case.exposure_proposed": ("city_office",),
    "case.deadline_approaching": ("handling",),
    "case.overdue": ("handling", "supervisor"),
    "case.escalated": ("supervisor", "handling"),
    "case.closed": ("reporter",),
    "case.reopened": ("handling",),
    "case.re_review_requested": ("re_reviewing", "handling"),
    "case.re_reviewed": ("handling", "reporter"),
    "case.part_filed": ("handling",),
    "case.recheck_due": ("rechecking", "handling"),
    "case.rechecked": ("handling",),
    # Closing the loop (issue 26): an unsatisfied rating with a reason goes to the city office;
    # an urge reaches the handling unit at once.
    "case.rated": ("city_office",),
    "case.sent_back": ("handling",),
    "case.result_upheld": ("reporter",),
    "case.assignment_disputed": ("city_office",),
    "case.dispute_decided": ("handling",),
    "case.urged": ("handling",),
    "case.supervision_raised": ("city_office", "handling"),
}
# The steps a co-responsible (协办) unit is told of beside the handling unit: its part begins,
# the case's course changes, and it ends or comes back.
CO_UNIT_EVENTS = frozenset(
    {
        "case.opened",
        "case.accepted",
        "case.assigned",
        "case.concluded",
        "case.extension_decided",
        "case.closed",
        "case.reopened",
    }
)
# Sent at once even to units that take a daily digest.
URGENT = frozenset({"case.overdue", "case.escalated", "case.transferred", "case.urged"})
REPORTER_AUDIENCES = ("reporter", "merged_reporter")
# Audiences an event names by a field: the organ asked for a 复核, the re-check's unit.
NAMED = {"re_reviewing": "re_review_unit", "rechecking": "recheck_unit"}


@dataclass(frozen=True)
class UnitTarget:
    """A unit told of an event, and the audience (template) it is told as."""

    unit: str
    audience: str


def is_urgent(event_type: str) -> bool:
    return event_type in URGENT


def tells_reporter(event_type: str, payload: CaseEvent) -> str | None:
    """The reporter audience of this event, if any (a refused extension changes nothing for
    the reporter, so only an approved one is told)."""
    audiences = [a for a in RULES.get(event_type, ()) if a in REPORTER_AUDIENCES]
    if not audiences:
        return None
    if event_type == "case.extension_decided" and not getattr(payload, "approved", False):
        return None
    return audiences[0]


def unit_targets(
    event_type: str, payload: CaseEvent, directory: Directory, co_units: Sequence[str] = ()
) -> list[UnitTarget]:
    """The units told of an event, each once, in rule order; then the case's co-units
    (`co_units`, as the case's opening named them) for the steps they are told of."""
    if event_type == "case.rated" and not getattr(payload, "needs_answer", False):
        return []  # only an unsatisfied rating with a reason asks for an answer
    seen: set[str] = set()
    targets: list[UnitTarget] = []
    for audience in RULES.get(event_type, ()):
        if audience in REPORTER_AUDIENCES:
            continue
        for unit in _units_of(audience, payload, directory):
            if unit not in seen:
                seen.add(unit)
                targets.append(UnitTarget(unit, audience))
    if event_type in CO_UNIT_EVENTS:
        named = tuple(getattr(payload, "co_units", ())) or tuple(co_units)
        for unit in named:
            if unit not in seen:
                seen.add(unit)
                targets.append(UnitTarget(unit, "co_unit"))
    return targets


def _units_of(audience: str, payload: CaseEvent, directory: Directory) -> list[str]:
    if audience == "handling":
        return [payload.handling_unit]
    if audience == "supervisor":
        return _supervisors(payload, directory)
    if audience == "city_office":
        return [directory.city_office().id]
    if audience == "rectifying":
        return [u] if (u := getattr(payload, "rectifying_unit", None)) else []
    if audience == "receiving":
        return _receiving(payload, directory)
    if audience in NAMED:
        return [u] if (u := getattr(payload, NAMED[audience], None)) else []
    raise ValueError(f"unknown audience {audience!r}")


def _supervisors(payload: CaseEvent, directory: Directory) -> list[str]:
    # An escalation names the unit it went to; otherwise the handling unit's supervisors.
    to_unit = getattr(payload, "to_unit", None)
    if to_unit:
        return [to_unit]
    if payload.handling_unit not in directory:
        return []
    return [s.unit for s in directory.supervisors_of(payload.handling_unit)]


def _receiving(payload: CaseEvent, directory: Directory) -> list[str]:
    receiving = getattr(payload, "receiving_unit", None)
    if receiving:
        return [receiving]
    # Fallback: the discipline organ where the case is handled (or the procuratorate).
    if getattr(payload, "to", None) == "procuratorate":
        organ = directory.procuratorate()
    else:
        organ = directory.discipline_of(payload.county) or directory.discipline_of(
            directory.city_code
        )
    return [organ.id] if organ else []
