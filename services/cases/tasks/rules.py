"""Who may do what to a task, and which status it moves to. Pure: the task row and the caller
in, a refusal or the next status out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.auth import Principal
from shared.errors import Refusal

HANDLERS = ("officer", "leader")
# What each action may start from, and where it goes.
MOVES = {
    "report": (("assigned", "sent_back"), "reported"),
    "accept": (("reported",), "accepted"),
    "send-back": (("reported",), "sent_back"),
}
REVIEWERS = (
    "牵头单位的经办人或负责人、市扶贫办",
    "a lead unit's officer or leader, the city office",
)
WHO = {
    "report": ("责任单位的经办人或负责人", "an officer or leader of the responsible unit"),
    "accept": REVIEWERS,
    "send-back": REVIEWERS,
}


def may(caller: Principal, action: str, row: Mapping[str, Any]) -> bool:
    """The responsible unit reports; a lead unit (or the city office) reviews."""
    if action == "report":
        return caller.role in HANDLERS and caller.unit == row["responsible_unit"]
    if caller.role == "city_office":
        return True
    return caller.role in HANDLERS and caller.unit in row["lead_units"]


def next_status(caller: Principal, action: str, row: Mapping[str, Any]) -> str:
    """The status after `action`, or a Refusal: 403 for the wrong unit or role, 409 for the
    wrong status."""
    if not may(caller, action, row):
        zh, en = WHO[action]
        raise Refusal.forbidden(f"无权执行此操作：仅限{zh}", f"{action} may be done only by {en}")
    starts, to = MOVES[action]
    if row["status"] not in starts:
        allowed = [a for a, (s, _) in MOVES.items() if row["status"] in s]
        zh = f"任务当前状态（{row['status']}）不允许此操作；现在允许：{'、'.join(allowed) or '无'}"
        en = f"the task is {row['status']}; allowed now: {', '.join(allowed) or 'nothing'}"
        raise Refusal.conflict(zh, en)
    return to
