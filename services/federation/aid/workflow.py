"""An aid application's steps, who takes each and how long it may take (no I/O).

submitted --check--> eligible --review--> reviewed --approve--> approved --disburse-->
disbursed --close--> closed; refuse ends it at submitted, eligible or reviewed. The county
federation checks and reviews (and refuses before the city has it); the city federation
approves, refuses, disburses and closes.
"""

from __future__ import annotations

from typing import Literal

from shared.errors import Refusal

Action = Literal["check", "review", "approve", "disburse", "close", "refuse"]
Level = Literal["county", "city"]

MOVES: dict[str, tuple[str, str, Level]] = {
    # action: (from, to, who)
    "check": ("submitted", "eligible", "county"),
    "review": ("eligible", "reviewed", "county"),
    "approve": ("reviewed", "approved", "city"),
    "disburse": ("approved", "disbursed", "city"),
    "close": ("disbursed", "closed", "city"),
}
REFUSED_BY: dict[str, Level] = {"submitted": "county", "eligible": "county", "reviewed": "city"}
# The step that follows each status, whose deadline the settings give (None: nothing due).
NEXT_DUE = {
    "submitted": "eligibility_days",
    "eligible": "review_days",
    "reviewed": "approval_days",
    "approved": "disbursement_days",
}
# Statuses in which an application holds money from its drive's budget.
COMMITTED = ("approved", "disbursed", "closed")
WORDS = {
    "submitted": ("已提交，待资格审核", "submitted, awaiting the eligibility check"),
    "eligible": ("资格审核通过，待县妇联审核", "eligible, awaiting the county review"),
    "reviewed": ("县妇联审核通过，待市妇联审批", "reviewed, awaiting the city's approval"),
    "approved": ("市妇联已批准，待拨付", "approved, awaiting payment"),
    "disbursed": ("救助金已拨付", "aid paid"),
    "closed": ("已办结", "closed"),
    "refused": ("未获救助", "refused"),
}


def move(action: str, status: str) -> tuple[str, Level]:
    """(new status, who acts) or 409 when the status does not allow the action."""
    if action == "refuse":
        if status not in REFUSED_BY:
            raise _conflict(status)
        return "refused", REFUSED_BY[status]
    before, after, level = MOVES[action]
    if status != before:
        raise _conflict(status)
    return after, level


def _conflict(status: str) -> Refusal:
    zh, en = WORDS.get(status, (status, status))
    return Refusal.conflict(f"申请当前状态（{zh}）不允许此操作", f"not allowed while {en}")


def eligibility_problems(
    registered_poor: bool, rural: bool, diagnosis_confirmed: bool, aided_this_year: bool
) -> list[str]:
    """What the applicant is told when the check fails (zh-CN, the applicant's language)."""
    problems = []
    if not registered_poor:
        problems.append("申请人家庭不是建档立卡贫困户")
    if not rural:
        problems.append("申请人不是农村妇女")
    if not diagnosis_confirmed:
        problems.append("未能确认宫颈癌或乳腺癌诊断")
    if aided_this_year:
        problems.append("申请人本年度已获得两癌救助")
    return problems
