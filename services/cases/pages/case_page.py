"""The case page's view: the JSON detail the caller may see (same scope, same audit), with
what a person needs beside it — deadlines with their legal basis and a countdown, the
classification's evidence, the routing's reasons, history and notes apart, and a form for each
action the state machine and the role allow now. Never the reporter's identity."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from services.cases.classifier.classify import classify
from services.cases.context import Context
from services.cases.domain.builders import ACTIONS
from services.cases.pages.candidates import top_three
from services.cases.pages.forms import FIELDS, problem_choices, unit_choices
from services.cases.pages.marks import kind_of, mark
from services.cases.pages.words import ACTION, CHANNEL, FIELD, FINDING, ORGAN, say
from services.cases.routes.cases import case_detail_for
from services.cases.routing import reasons
from shared.auth import Principal
from shared.directory import Directory
from shared.taxonomy import load_taxonomy

EVENTS: dict[str, tuple[str, str]] = {
    event_type: ACTION[str(action)] for action, (event_type, _) in ACTIONS.items()
}
EVENTS |= {
    "case.opened": ("立案", "opened"),
    "case.merged": ("合并重复举报", "repeat report merged"),
    "case.overdue": ("逾期", "overdue"),
    "case.identity_revealed": ("查看举报人身份", "identity revealed"),
    "case.review_refused": ("复查请求未予受理", "review request refused"),
    "case.re_review_requested": ("举报人申请复核", "re-review requested"),
    "case.re_review_refused": ("复核请求未予受理", "re-review request refused"),
    "case.recheck_due": ("整改“回头看”到期", "re-check due"),
    "case.rated": ("群众评价", "rated by the reporter"),
    "case.rating_refused": ("评价未予记录（案件不在答复后）", "rating not recorded (no reply)"),
    "case.supervision_raised": ("列入市级提级督办", "raised to the city office's supervision"),
}

# Deadlines no profile rule sets: a formal 督办's date is whoever urged's (issue 26).
OWN_CLOCKS = {"supervision": ("督办期限：按期办结并报告结果", "the supervision (督办) due date")}


async def view(ctx: Context, caller: Principal, case_id: str, english: bool) -> dict[str, Any]:
    """The page's data; a 404 Refusal outside the caller's scope (as the JSON detail)."""
    detail = await case_detail_for(ctx, caller, case_id)
    profile = ctx.profile(detail.get("channel"))
    now = ctx.now()
    deadlines = [_deadline(d, profile, now, english) for d in detail["deadlines"]]
    timeline = [_entry(e, english) for e in detail["timeline"]]
    first = detail["timeline"][0] if detail["timeline"] else {}
    allowed = [a for a in detail["allowed_actions"] if a != "reveal-identity"]
    return {
        "case": detail,
        "deadlines": deadlines,
        "history": [e for e in timeline if e["type"] != "case.noted"],
        "notes": [e for e in timeline if e["type"] == "case.noted"],
        "evidence": _evidence(detail),
        "candidates": top_three(detail.get("content")),
        "routing": _routing(ctx.directory, first, english),
        "forms": [{"action": a, "fields": FIELDS.get(a, ())} for a in allowed],
        "may_reveal": "reveal-identity" in detail["allowed_actions"],
        "units": unit_choices(ctx.directory, english),
        "problems": problem_choices(english),
    }


def _deadline(d: dict[str, Any], profile: Any, now: datetime, english: bool) -> dict[str, Any]:
    due = datetime.fromisoformat(d["due"])
    warn = datetime.fromisoformat(d["warn_at"]) if d.get("warn_at") else None
    clock = SimpleNamespace(kind=d["kind"], due=due, warn_at=warn, state=d["state"])
    rule = profile.clocks.get(d["kind"])
    what = (rule.summary_en or rule.summary) if rule and english else (rule.summary if rule else "")
    what = what or say(OWN_CLOCKS.get(d["kind"]), english)
    days_kind = kind_of(profile, d["kind"])
    return {**d, "due": due, "mark": mark(clock, now, profile, english), "what": what or d["kind"],
            "days_kind": days_kind}  # fmt: skip


def _entry(e: dict[str, Any], english: bool) -> dict[str, Any]:
    """One history line: what happened, and only what a person wrote or decided (reason,
    finding, days ...), never the event's ids, deadlines or routing machinery."""
    said = say(EVENTS.get(e["type"]), english, e["type"])
    values = {**e["data"], **e["internal"]}
    shown = {
        k: _word(k, v, english)
        for k, v in values.items()
        if k in FIELD
        and k != "form"
        and isinstance(v, str | int | float | bool)
        and v != ""
        # every event carries the problem; it is news only where it changed
        and (k != "problem" or e["type"] == "case.reclassified")
    }
    return {**e, "said": said, "shown": shown}


def _word(key: str, value: Any, english: bool) -> Any:
    if key == "finding":
        return say(FINDING.get(str(value)), english, str(value))
    if key == "to":
        return say(ORGAN.get(str(value)), english, str(value))
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    return value


def _routing(directory: Directory, first: dict[str, Any], english: bool) -> list[dict[str, Any]]:
    """The routing's reasons (stored in English on the opening event) in the page's language,
    units and problems by name; a reason no template reads (older data) as stored, marked
    English for screen readers on the zh-CN page."""
    stored = [str(text) for text in (first.get("internal") or {}).get("routing") or []]
    name = _namer(directory, english)
    return [
        {"text": reasons.show(text, english, name), "as_stored": reasons.parse(text) is None}
        for text in stored
    ]


def _namer(directory: Directory, english: bool) -> reasons.Namer:
    """How the page names a reason's parameters: units as elsewhere on the page (rendering's
    unit_name), a problem with its short title in zh-CN, channels and organs by their words."""
    taxonomy = load_taxonomy()
    areas = dict(directory.counties()) | {directory.city_code: directory.city.name}

    def name(kind: str, value: str) -> str:
        if kind == "unit" and value in directory:
            unit = directory.unit(value)
            return (unit.name_en or unit.name) if english else unit.name
        if kind == "problem" and not english and value.isdigit() and int(value) in taxonomy:
            return f"{value}（{taxonomy.problem(int(value)).title}）"
        if kind == "channel":
            return say(CHANNEL.get(value), english, value)
        if kind == "organ":
            return say(ORGAN.get(value), english, value)
        if kind == "county":
            return areas.get(value, value)
        return value

    return name


def _evidence(detail: dict[str, Any]) -> list[str]:
    """The words of the report that point to its problem (the classifier is deterministic, so
    it finds them again); none where the caller may not read the report."""
    content, problem = detail.get("content"), detail.get("problem")
    if not content or problem is None:
        return []
    found = classify(content)
    return next((list(c.evidence) for c in found.candidates if c.problem == problem), [])
