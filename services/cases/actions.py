"""An officer's action on a case: one transaction checks scope (404), role and state (403/409),
the payload (422) and `If-Match` (409), then writes the case, its history, its clocks and the
outbox event with the case's next `sequence`.

The state machine decides; this module adds what needs the directory, the clocks or the
database: the receiving organ of a transfer, an escalation's target, the deadlines an event
starts or moves, an assignment's conflict of interest, a redaction check on exposure texts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.cases import appending, escalation, loop_actions, recheck, store, transactions
from services.cases.audit import trail
from services.cases.classifier import corrections
from services.cases.clocks import plan
from services.cases.context import Context
from services.cases.domain.decide import allowed_actions, decide
from services.cases.domain.refusals import invalid, no_such_case, not_allowed
from services.cases.domain.state import Actor, CaseState, Decision
from services.cases.domain.table import possible_actions
from services.cases.domain.vocabulary import Action
from services.cases.scope import actor, relation
from shared.auth import Principal
from shared.taxonomy import load_taxonomy

A = Action
# Digit runs long enough to be a phone or an identity-card number.
IDENTIFYING = re.compile(r"\d{7,}|\d{17}[\dXx]")


def expected_version(if_match: str | None) -> int | None:
    """The version an `If-Match` header names (None: no precondition); -1 if unreadable."""
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else -1


async def perform(
    ctx: Context,
    caller: Principal,
    case_id: str,
    action: Action,
    payload: Mapping[str, Any],
    if_match: str | None = None,
) -> None:
    """Do `action` on the case for `caller`, or raise a Refusal (404/403/409/422)."""

    async def work(session: AsyncSession) -> None:
        case = await store.load(session, case_id, lock=True)
        if case is None or relation(ctx.directory, caller, case.row) is None:
            raise no_such_case()
        me = actor(ctx.directory, caller, case.state.handling_unit)
        decision = decide(case.state, me, action, payload, ctx.rules)
        _check_version(if_match, case.state, me)
        _check(ctx, case, action, decision)
        loop_actions.check(ctx, case, action, decision)
        profile = ctx.profile(case.row["channel"])
        clocks = plan(decision.event_type, decision.history_data, case.clocks, ctx.now(), profile)
        extras = {**clocks.extras, **_extras(ctx, case.state, me, action, decision)}
        entry = appending.Entry(
            decision.event_type, {**decision.data, **extras}, decision.internal, me.sub, me.unit
        )
        follow, changed = recheck.reopening(ctx, case, decision, clocks.clocks)
        more = loop_actions.follow_ups(ctx, case, decision)
        await appending.append(session, ctx, case, [entry, *follow, *more], changed)
        if action is A.RECLASSIFY:  # an officer's correction is the classifier's data
            old, new = case.state.problem, decision.data["problem"]
            text = str(case.row["content"])
            await corrections.record(session, case_id, text, old, new, me.unit, ctx.now())
        await trail.record(ctx, session, caller, str(action), case_id)

    await transactions.retrying(ctx, work)


def _check_version(if_match: str | None, state: CaseState, me: Actor) -> None:
    """409 when `If-Match` names another version than the case's (someone acted since)."""
    wanted = expected_version(if_match)
    if wanted is not None and wanted != state.version:
        zh = f"版本已变化（现为 {state.version}），请重新读取"
        en = f"stale If-Match: the case is at version {state.version}, re-read it"
        raise not_allowed(en, allowed_actions(state, me), zh)


def _check(ctx: Context, case: store.Loaded, action: Action, decision: Decision) -> None:
    """Rules that need the directory, the clocks or the case row."""
    state, data = case.state, decision.data
    if action is A.ASSIGN:
        _check_assignee(ctx, state, data["handling_unit"])
    elif action is A.REQUIRE_RECTIFICATION and data["rectifying_unit"] not in ctx.directory:
        raise invalid("unit", "目录中没有该单位", "no such unit in the directory")
    elif action is A.RECLASSIFY and data["problem"] not in load_taxonomy():
        raise invalid("problem", "问题清单中没有该编号", "no such number in the problem list")
    elif action is A.PROPOSE_EXPOSURE:
        _check_redacted(case.row, decision.internal["exposure_text"])
    elif action is A.OBJECT_TRANSFER:
        window = case.clocks.get("transfer_objection")
        if window is None or window.state != "running" or ctx.now() > window.due:
            others = [a for a in possible_actions(state) if a is not A.OBJECT_TRANSFER]
            raise not_allowed("the objection window has closed", others, "异议期已过")


def _check_assignee(ctx: Context, state: CaseState, unit: str) -> None:
    directory = ctx.directory
    if unit not in directory:
        raise invalid("unit", "目录中没有该单位", "no such unit in the directory")
    if unit in escalation.blocked(directory, state.accused):
        zh = "案件不得交由被举报单位或其下属单位办理"
        raise invalid("unit", zh, "a case never goes to the accused unit or one under it")


def _check_redacted(row: Mapping[str, Any], text: str) -> None:
    """Only redacted text is published: no accused person's name, no phone or id numbers."""
    person = row["subject_person"]
    if (person and person.strip() in text) or IDENTIFYING.search(text):
        zh = "曝光文本须脱敏：不得含被举报人姓名、电话或身份证号"
        raise invalid("text", zh, "redact it: no accused's name, phone or id numbers")


def _extras(
    ctx: Context, state: CaseState, me: Actor, action: Action, decision: Decision
) -> dict[str, Any]:
    """Fields the event needs that only the directory can give."""
    directory, prefer = ctx.directory, ctx.prefer_line
    if action is A.TRANSFER:
        organ = decision.data["to"]
        unit = escalation.receiving_unit(
            directory, organ, state.handling_unit, state.accused, prefer
        )
        if unit is None:
            raise not_allowed(f"no {organ} organ in the directory", ())
        return {"receiving_unit": unit}
    if action is A.ESCALATE:
        target = escalation.manual_target(
            directory, me.unit, state.handling_unit, state.accused, prefer
        )
        return {"to_unit": target, "automatic": False}
    return {}
