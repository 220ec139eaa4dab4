"""What each action records: its history entry type and a builder that splits the payload
into what is published (`data`) and what stays in the case's own history (`internal`), with
the checks that need the state (an assignment to the accused, an extension too long...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from services.cases.domain import loop, refusals
from services.cases.domain import state as st
from services.cases.domain import vocabulary as r
from services.cases.domain.payloads import due_iso
from services.cases.domain.table import SUBSTANTIATED, possible_actions

A, S = r.Action, r.Status
Built = tuple[r.Data, r.Data]
Builder = Callable[[st.CaseState, st.Actor, Any, st.Rules], Built]


def _split(public: Mapping[str, str] | None = None, private: str | None = None) -> Builder:
    """A builder publishing the payload fields `public` maps to event keys; `private` stays in
    the history under its own name."""

    def build(s: st.CaseState, a: st.Actor, body: BaseModel, rules: st.Rules) -> Built:
        fields = body.model_dump(mode="json")
        data = {key: fields[name] for name, key in (public or {}).items()}
        return data, ({private: fields[private]} if private else {})

    return build


def _assign(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    if body.unit == s.handling_unit:
        raise refusals.invalid("unit", "案件已由该单位办理", "the case is already with this unit")
    if body.unit in s.accused:
        raise refusals.invalid(
            "unit", "案件不得交由被举报单位办理", "a case never goes to the unit it accuses"
        )
    return {"handling_unit": body.unit, "previous_unit": s.handling_unit}, {}


def _require(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    data = {"rectifying_unit": body.unit or s.handling_unit, "due": due_iso(body.due)}
    return data, {"measures": body.measures}


def _rectification(s: st.CaseState, a: st.Actor, body: BaseModel, rules: st.Rules) -> Built:
    # Evidence and a rejection's reason stay internal; only the unit is published.
    return {"rectifying_unit": s.rectifying_unit}, body.model_dump()


def _ask_extension(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    if body.days > rules.extension_max_days:
        most = rules.extension_max_days
        raise refusals.invalid(
            "days", f"延期不得超过 {most} 天", f"an extension is at most {most} days"
        )
    data = {"days": body.days, "requester_role": a.role.value}
    return data, {"reason": body.reason, "requested_by": a.sub}


def _decide_extension(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    asked = s.extension.days if s.extension else 0
    data: r.Data = {"approved": body.approve, "days": asked if body.approve else 0}
    if body.reason:
        data["public_reason"] = body.reason  # the reporter is told why (Art 34)
    return data, {"decided_by": a.sub}


def _close(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    substantiated = s.status is S.CONCLUDED and s.finding in SUBSTANTIATED
    if substantiated and not body.no_rectification_needed:
        message = "a substantiated finding needs require-rectification, or close with "
        message += "no_rectification_needed=true and a reason"
        raise refusals.not_allowed(message, possible_actions(s))
    if substantiated and not body.reason:
        raise refusals.invalid(
            "reason", "请说明无需整改的理由", "say why no rectification is needed"
        )
    data = {"finding": s.finding and s.finding.value, "no_rectification_needed": substantiated}
    internal = body.model_dump(include={"reason"}, exclude_none=True)
    if s.reviews and s.re_review_unit is None:
        internal["answers_review"] = True  # the 复查 result: a 复核 may be asked of it
    return data, internal


def _re_review(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    # The 复核 opinion is written for the reporter: published, and final.
    data = {"upheld": body.upheld, "public_summary": body.opinion, "re_review_unit": a.unit}
    return data, {}


def _file_part(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {"unit": a.unit}, {"text": body.text}


def _recheck(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {"passed": body.passed, "recheck_unit": a.unit}, {"findings": body.findings}


def _reopen(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {"on_review_request": a.role is r.Role.SYSTEM}, {"reason": body.reason}


def _reclassify(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    if body.problem == s.problem:
        raise refusals.invalid(
            "problem", "案件已属于该问题类别", "the case already has this problem number"
        )
    return {"problem": body.problem, "previous_problem": s.problem}, {}


def _propose(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {}, {"exposure_text": body.text}  # public only once approved


def _approve(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    return {"exposure_text": s.exposure_text}, {}


def _object(s: st.CaseState, a: st.Actor, body: Any, rules: st.Rules) -> Built:
    data = {"organ": str(s.transfer_to), "restored_status": str(s.status_before_transfer)}
    return data, {"reason": body.reason}


# Action -> (history entry type, builder). Published texts are only those the reporter is told:
# a rejection's reason (Art 23), a conclusion's summary, an extension decision's reason (Art 34),
# an approved exposure text.
ACTIONS: dict[r.Action, tuple[str, Builder]] = {
    A.ACCEPT: ("case.accepted", _split()),
    A.REJECT: ("case.rejected", _split({"reason": "public_reason"})),
    A.ASSIGN: ("case.assigned", _assign),
    A.START_INVESTIGATION: ("case.investigation_started", _split()),
    A.CONCLUDE: ("case.concluded", _split({"finding": "finding", "summary": "public_summary"})),
    A.REQUIRE_RECTIFICATION: ("case.rectification_required", _require),
    A.SUBMIT_RECTIFICATION: ("case.rectification_submitted", _rectification),
    A.VERIFY_RECTIFICATION: ("case.rectification_verified", _rectification),
    A.REJECT_RECTIFICATION: ("case.rectification_rejected", _rectification),
    A.TRANSFER: ("case.transferred", _split({"to": "to"}, "reason")),
    A.REQUEST_EXTENSION: ("case.extension_requested", _ask_extension),
    A.DECIDE_EXTENSION: ("case.extension_decided", _decide_extension),
    A.PROPOSE_EXPOSURE: ("case.exposure_proposed", _propose),
    A.APPROVE_EXPOSURE: ("case.exposed", _approve),
    A.ESCALATE: ("case.escalated", _split({}, "reason")),
    A.CLOSE: ("case.closed", _close),
    A.REOPEN: ("case.reopened", _reopen),
    A.RECLASSIFY: ("case.reclassified", _reclassify),
    A.NOTE: ("case.noted", _split({}, "text")),
    A.OBJECT_TRANSFER: ("case.transfer_objected", _object),
    A.DECIDE_RE_REVIEW: ("case.re_reviewed", _re_review),
    A.FILE_PART: ("case.part_filed", _file_part),
    A.RECHECK: ("case.rechecked", _recheck),
    # The way is a category (like a finding): published, for the quarterly report; the reason
    # stays with the case.
    A.DISPOSE: ("case.disposed", _split({"way": "way"}, "reason")),
}
ACTIONS |= loop.ACTIONS
