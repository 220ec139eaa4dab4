"""Which deadlines each case event starts, meets, stops or moves. Pure: clocks in, clocks out.

Obligations are the unit's duties (the sweeper warns before them, marks them missed and
escalates). Windows are someone else's chance (the receiving organ's objection, the reporter's
review request): when one passes it quietly lapses. A transfer suspends the obligations; an
objection resumes them. A missed obligation stays missed (the case's `overdue` flag is sticky).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from shared.deadlines import TZ, DayKind, Profile, end_of_day, local_day, step_days
from shared.events.cases import DeadlineInfo
from shared.holidays import default_calendar

OBLIGATIONS = frozenset(
    {
        "register_and_dispose",
        "accept_decision",
        "handle",
        "review_answer",
        "rectification",
        "re_review_answer",
    }
)
WINDOWS = frozenset({"transfer_objection", "review_request", "re_review_request"})
# 回头看: neither a duty of the handling unit nor a window that lapses; the sweeper raises it.
RECHECK = "recheck"
# Closing the loop (issue 26): re-handling after a send-back (发回重办) and a formal 督办's date
# are the unit's duties; the window to dispute an assignment (退单) is the unit's chance, and the
# city office's decision on a dispute is watched like a window (its miss is not the unit's).
OBLIGATIONS |= {"redo", "supervision"}
WINDOWS |= {"assignment_dispute", "dispute_decision"}
ACTIVE = frozenset({"running", "warned"})
OPENING = ("register_and_dispose", "accept_decision")
# The handling period an approved extension moves: the first of these the case has.
PERIODS = ("redo", "review_answer", "handle", "accept_decision")


@dataclass(frozen=True)
class Clock:
    """One deadline of a case as stored (a row of `case_deadlines`)."""

    kind: str
    due: datetime
    warn_at: datetime | None = None
    state: str = "running"
    provisional: bool = False
    basis: str = ""
    started_at: datetime | None = None

    def info(self) -> DeadlineInfo:
        """What an event says about this deadline."""
        return DeadlineInfo(
            kind=self.kind, due=self.due, provisional=self.provisional, basis=self.basis
        )


@dataclass(frozen=True)
class Plan:
    """The clocks an event changes (by kind) and the fields the event gains from them."""

    clocks: dict[str, Clock]
    extras: dict[str, Any]


def start(profile: Profile, key: str, at: datetime) -> Clock:
    """A clock of the profile's rule `key` started at `at` (windows get no warning)."""
    deadline = profile.deadline(key, at)
    basis = deadline.basis.label if deadline.basis else ""
    warn = deadline.warn_at if key in OBLIGATIONS else None
    return Clock(key, deadline.due, warn, "running", deadline.provisional, basis, at)


def warn_before(due: datetime, days: int, kind: DayKind, now: datetime) -> datetime | None:
    """When to warn: the end of the day `days` days before `due`, never before `now`."""
    if days <= 0:
        return None
    day, _ = step_days(local_day(due), -days, kind, default_calendar())
    return max(end_of_day(day), now.astimezone(TZ))


def _set(
    clocks: Mapping[str, Clock], kinds: frozenset[str], state: str, when: frozenset[str]
) -> dict[str, Clock]:
    """The clocks of `kinds` now in a state of `when`, moved to `state`."""
    return {k: replace(c, state=state) for k, c in clocks.items() if k in kinds and c.state in when}


Rule = Callable[[Mapping[str, Clock], Mapping[str, Any], datetime, Profile], Plan]


def _accepted(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    handle = start(p, "handle", now)
    changed = {**_set(c, frozenset(OPENING), "met", ACTIVE), "handle": handle}
    return Plan(changed, {"deadlines": (handle.info(),)})


def _replied(met: tuple[str, ...]) -> Rule:
    """A rejection or closing: the reply; the reporter's review window opens."""

    def rule(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
        # The 复查's result opens the 复核 window instead: one review, then one re-review.
        second = bool(d.get("answers_review"))
        window = start(p, "re_review_request" if second else "review_request", now)
        changed = _set(c, OBLIGATIONS, "stopped", ACTIVE | {"suspended"})
        changed |= _set(c, frozenset(met), "met", ACTIVE)
        changed |= _set(c, WINDOWS, "met", frozenset({"running"}))
        due = {"re_review_due" if second else "review_due": window.due}
        return Plan({**changed, window.kind: window}, due)

    return rule


def _meets(*kinds: str) -> Rule:
    return lambda c, d, now, p: Plan(_set(c, frozenset(kinds), "met", ACTIVE), {})


def _transferred(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    window = start(p, "transfer_objection", now)
    changed = _set(c, OBLIGATIONS, "suspended", ACTIVE)
    return Plan({**changed, window.kind: window}, {"objection_due": window.due})


def _objected(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    changed = _set(c, OBLIGATIONS, "running", frozenset({"suspended"}))
    changed |= _set(c, frozenset({"transfer_objection"}), "met", frozenset({"running"}))
    return Plan(changed, {})


def _rectify(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    due = datetime.fromisoformat(str(d["due"]))
    clock = Clock("rectification", due, warn_before(due, p.warn_days, "calendar", now))
    return Plan({clock.kind: replace(clock, started_at=now)}, {})


def _rectify_again(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    return Plan(_set(c, frozenset({"rectification"}), "running", frozenset({"met"})), {})


def _reopened(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    answer = start(p, "review_answer", now)
    changed = _set(c, frozenset({"review_request"}), "met", frozenset({"running"}))
    return Plan({**changed, answer.kind: answer}, {"deadlines": (answer.info(),)})


def _re_review(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    answer = start(p, "re_review_answer", now)
    changed = _set(c, frozenset({"re_review_request"}), "met", frozenset({"running"}))
    return Plan({**changed, answer.kind: answer}, {"deadlines": (answer.info(),)})


def _verified(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    # The re-check's clock starts when the rectification is verified (a profile setting).
    return Plan({RECHECK: start(p, RECHECK, now)}, {})


def _extended(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    period = next((c[k] for k in PERIODS if k in c and c[k].state in ACTIVE | {"missed"}), None)
    if not d.get("approved") or period is None:
        return Plan({}, {})
    due = period.due + timedelta(days=int(d["days"]))  # calendar days (Art 34)
    if period.state == "missed":  # a missed deadline stays missed; the new date is recorded
        return Plan({period.kind: replace(period, due=due)}, {"new_due": due})
    warn = warn_before(due, p.warn_days, "calendar", now)
    moved = replace(period, due=due, warn_at=warn, state="running")
    return Plan({period.kind: moved}, {"new_due": due})


def _assigned(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    # The unit it now goes to may dispute it (退单) within its own window.
    window = start(p, "assignment_dispute", now)
    met = _set(c, frozenset({"register_and_dispose"}), "met", ACTIVE)
    return Plan({**met, window.kind: window}, {})


def _sent_back(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    redo = start(p, "redo", now)
    changed = _set(c, frozenset({"review_request"}), "met", frozenset({"running"}))
    return Plan({**changed, redo.kind: redo}, {"deadlines": (redo.info(),)})


def _disputed(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    # The unit's own clocks keep running while the city office decides.
    decision = start(p, "dispute_decision", now)
    window = _set(c, frozenset({"assignment_dispute"}), "met", frozenset({"running"}))
    return Plan({**window, decision.kind: decision}, {"decision_due": decision.due})


def _dispute_decided(
    c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile
) -> Plan:
    decided = _set(c, frozenset({"dispute_decision"}), "met", frozenset({"running"}))
    if d.get("outcome") != "reassign":
        return Plan(decided, {})
    reassigned = _assigned({**c, **decided}, d, now, p)
    return Plan({**decided, **reassigned.clocks}, {})


def _urged(c: Mapping[str, Clock], d: Mapping[str, Any], now: datetime, p: Profile) -> Plan:
    """A formal 督办's date is a deadline of its own (the latest replaces an earlier one)."""
    if not d.get("due"):
        return Plan({}, {})
    due = datetime.fromisoformat(str(d["due"]))
    clock = Clock("supervision", due, warn_before(due, p.warn_days, "calendar", now))
    return Plan({clock.kind: replace(clock, started_at=now, basis="督办")}, {})


RULES: dict[str, Rule] = {
    "case.accepted": _accepted,
    "case.rejected": _replied(OPENING),
    "case.closed": _replied(("handle", "review_answer", "redo", "rectification")),
    "case.assigned": _assigned,
    "case.transferred": _transferred,
    "case.transfer_objected": _objected,
    "case.concluded": _meets("handle", "review_answer", "redo"),
    "case.rectification_required": _rectify,
    "case.rectification_submitted": _meets("rectification"),
    "case.rectification_rejected": _rectify_again,
    "case.reopened": _reopened,
    "case.extension_decided": _extended,
    "case.re_review_requested": _re_review,
    "case.re_reviewed": _meets("re_review_answer"),
    "case.rectification_verified": _verified,
    "case.sent_back": _sent_back,
    "case.assignment_disputed": _disputed,
    "case.dispute_decided": _dispute_decided,
    "case.urged": _urged,
}


def plan(
    event_type: str,
    data: Mapping[str, Any],
    clocks: Mapping[str, Clock],
    now: datetime,
    profile: Profile,
) -> Plan:
    """The clocks `event_type` changes and what its event says about them."""
    rule = RULES.get(event_type)
    return rule(clocks, data, now, profile) if rule else Plan({}, {})


def due_now(clock: Clock, now: datetime) -> str | None:
    """What the sweeper owes this clock at `now`: "missed", "warn", or None.

    After downtime a deadline already past is marked missed without a late warning."""
    if clock.kind not in OBLIGATIONS or clock.state not in ACTIVE:
        return None
    if now > clock.due:
        return "missed"
    if clock.state == "running" and clock.warn_at is not None and now >= clock.warn_at:
        return "warn"
    return None
