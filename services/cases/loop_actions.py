"""What closing the loop (issue 26) adds to an officer's action beyond the state machine: the
dispute window (退单 within its window after assignment), a reassignment's unit (in the
directory, never the accused nor a unit under it), and raised supervision (提级督办) when a case
is sent back too often or urged after a 督办 passed without effect."""

from __future__ import annotations

from services.cases import appending, escalation, store
from services.cases.context import Context
from services.cases.domain.history import apply
from services.cases.domain.loop import raise_supervision
from services.cases.domain.refusals import invalid, not_allowed
from services.cases.domain.state import Decision
from services.cases.domain.table import possible_actions
from services.cases.domain.vocabulary import Action

A = Action


def check(ctx: Context, case: store.Loaded, action: Action, decision: Decision) -> None:
    """Refuse what needs the clocks or the directory: a late dispute (409), a bad unit (422)."""
    if action is A.DISPUTE_ASSIGNMENT:
        window = case.clocks.get("assignment_dispute")
        if window is None or window.state != "running" or ctx.now() > window.due:
            others = [a for a in possible_actions(case.state) if a is not action]
            raise not_allowed(
                "the window to dispute this assignment has closed", others, "退单期已过"
            )
    elif action is A.DECIDE_DISPUTE and decision.data["outcome"] == "reassign":
        unit = decision.data["handling_unit"]
        if unit not in ctx.directory:
            raise invalid("unit", "目录中没有该单位", "no such unit in the directory")
        if unit in escalation.blocked(ctx.directory, case.state.accused):
            zh = "案件不得交由被举报单位或其下属单位办理"
            raise invalid("unit", zh, "a case never goes to the accused unit or one under it")


def follow_ups(ctx: Context, case: store.Loaded, decision: Decision) -> list[appending.Entry]:
    """The entries an action brings after it: raised supervision, once."""
    before = case.state
    after = apply(before, decision.event_type, decision.history_data)
    why = raise_supervision(before, after, ctx.rules)
    missed = case.clocks.get("supervision")
    if why is None and decision.event_type == "case.urged" and not after.raised_supervision:
        why = "urged_without_effect" if missed and missed.state == "missed" else None
    return [appending.Entry("case.supervision_raised", {"why": why})] if why else []
