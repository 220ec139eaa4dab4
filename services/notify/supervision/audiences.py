"""Who hears which supervision event: pure rules over the event and the directory.

A task's responsible unit (责任单位) is told when a task or sub-task is assigned to it, when its
progress report is sent back or accepted, and when its task is due soon, overdue or escalated;
its lead units (牵头单位) when it reports progress; the unit an overdue task went to when it is
escalated. An inspection's finding is told to the visited county's poverty office (never to the
unit a finding may accuse: the finding's report takes the ordinary path through intake and
cases, which route it away from the accused).
"""

from __future__ import annotations

from services.notify.audiences import UnitTarget
from shared.directory import Directory
from shared.events import EventData
from shared.events.cases.supervision import InspectionEvent
from shared.events.cases.tasks import TaskEvent

RULES: dict[str, tuple[str, ...]] = {
    "task.assigned": ("responsible",),
    "task.progress_reported": ("lead",),
    "task.sent_back": ("responsible",),
    "task.accepted": ("responsible",),
    "task.deadline_approaching": ("responsible",),
    "task.overdue": ("responsible",),
    "task.escalated": ("escalated_to", "responsible"),
    "inspection.finding_reported": ("county_office",),
}
# Sent at once even to units that take a daily digest (as a case's overdue and escalation).
URGENT = frozenset({"task.overdue", "task.escalated"})
Supervised = TaskEvent | InspectionEvent


def is_supervised(payload: EventData) -> bool:
    return isinstance(payload, TaskEvent | InspectionEvent)


def unit_targets(event_type: str, payload: EventData, directory: Directory) -> list[UnitTarget]:
    """The units told of a supervision event, each once, in rule order."""
    seen: set[str] = set()
    targets: list[UnitTarget] = []
    for audience in RULES.get(event_type, ()):
        for unit in _units_of(audience, payload, directory):
            if unit not in seen and unit in directory:
                seen.add(unit)
                targets.append(UnitTarget(unit, audience))
    return targets


def _units_of(audience: str, payload: EventData, directory: Directory) -> list[str]:
    if isinstance(payload, TaskEvent):
        if audience == "responsible":
            return [payload.responsible_unit]
        if audience == "lead":  # a unit that leads and reports itself is not told its own step
            return [u for u in payload.lead_units if u != payload.responsible_unit]
        if audience == "escalated_to":
            return [u] if (u := getattr(payload, "to_unit", None)) else []
    if isinstance(payload, InspectionEvent) and audience == "county_office":
        office = directory.office_of(payload.county)
        # The office that inspected its own county recorded the finding itself.
        return [office.id] if office and office.id != payload.unit else []
    return []
