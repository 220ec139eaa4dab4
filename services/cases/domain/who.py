"""Who may do each action: a rule per action over the case and the actor, the text naming who
may, and the roles that may ever do it (refused with 403 before the case's state is looked at).
Choices the contract leaves open are noted where they are made."""

from __future__ import annotations

from collections.abc import Callable

from services.cases.domain.state import Actor, CaseState
from services.cases.domain.table import VERIFY
from services.cases.domain.vocabulary import Action, Organ, Role, Status

A = Action
Rule = Callable[[CaseState, Actor], bool]
HANDLERS = frozenset({Role.OFFICER, Role.LEADER})
OVERSIGHT = frozenset({Role.SUPERVISOR, Role.CITY_OFFICE})


def handling(s: CaseState, a: Actor) -> bool:
    return a.role in HANDLERS and a.unit == s.handling_unit


def supervising(s: CaseState, a: Actor) -> bool:
    return a.role is Role.CITY_OFFICE or (a.role is Role.SUPERVISOR and a.supervises_handling_unit)


def rectifier(s: CaseState, a: Actor) -> bool:
    # The rectifying unit's officer or leader may hand in its own evidence.
    return handling(s, a) or (a.role in HANDLERS and a.unit == s.rectifying_unit)


def verifier(s: CaseState, a: Actor) -> bool:
    # A rectification is verified by someone other than the rectifying unit.
    return supervising(s, a) and a.unit != s.rectifying_unit


def extension_decider(s: CaseState, a: Actor) -> bool:
    ext = s.extension
    if ext is None or (a.sub and a.sub == ext.requested_by):
        return False  # never one's own request
    leader = a.role is Role.LEADER and a.unit == s.handling_unit
    return supervising(s, a) or (leader and ext.requester_role is Role.OFFICER)


def closer(s: CaseState, a: Actor) -> bool:
    # Discipline inspection reports back by closing the case it was given.
    inspector = a.role is Role.INSPECTOR and s.status is Status.TRANSFERRED
    return handling(s, a) or (inspector and s.transfer_to is Organ.DISCIPLINE_INSPECTION)


def objector(s: CaseState, a: Actor) -> bool:
    # The procuratorate has no role in the contract: the city office relays its objection.
    if s.transfer_to is Organ.DISCIPLINE_INSPECTION:
        return a.role is Role.INSPECTOR
    return a.role is Role.CITY_OFFICE


def reopener(s: CaseState, a: Actor) -> bool:
    return supervising(s, a) or a.role is Role.SYSTEM


def proposer(s: CaseState, a: Actor) -> bool:
    return handling(s, a) or supervising(s, a)


def re_reviewer(s: CaseState, a: Actor) -> bool:
    # 复核 is the organ one level up: the unit the request went to, never the handling unit.
    return a.role in OVERSIGHT and a.unit == s.re_review_unit != s.handling_unit


def co_unit(s: CaseState, a: Actor) -> bool:
    # 协办: a co-responsible unit's officer or leader files its own part only.
    return a.role in HANDLERS and a.unit in s.co_units and a.unit != s.handling_unit


def rechecker(s: CaseState, a: Actor) -> bool:
    # 回头看 is done by the independent unit the sweeper named, never the handling unit.
    return a.role in OVERSIGHT and a.unit == s.recheck_unit != s.handling_unit


def disposer(s: CaseState, a: Actor) -> bool:
    # The discipline organ the case was transferred to records its way of disposing of it.
    return a.role is Role.INSPECTOR and s.transfer_to is Organ.DISCIPLINE_INSPECTION


def role_is(role: Role) -> Rule:
    return lambda s, a: a.role is role


HANDLED: tuple[Action, ...] = (A.ACCEPT, A.REJECT, A.START_INVESTIGATION, A.CONCLUDE, A.NOTE)
HANDLED += (A.TRANSFER, A.REQUIRE_RECTIFICATION, A.REQUEST_EXTENSION)
SUPERVISORS = "a supervisor of the handling unit, or city_office"
HANDLERS_TEXT = "the handling unit's officer or leader"
WHO: dict[Action, tuple[Rule, str]] = {
    **dict.fromkeys(HANDLED, (handling, HANDLERS_TEXT)),
    **dict.fromkeys((A.ASSIGN, A.RECLASSIFY, A.ESCALATE), (supervising, SUPERVISORS)),
    **dict.fromkeys(VERIFY, (verifier, f"{SUPERVISORS}, not of the rectifying unit")),
    A.SUBMIT_RECTIFICATION: (rectifier, "the handling or rectifying unit's officer or leader"),
    A.DECIDE_EXTENSION: (
        extension_decider,
        f"{SUPERVISORS}, or the handling unit's leader for an officer's request; "
        "never the requester",
    ),
    # The issue widens the contract's list: a supervisor (or the city office) may propose too.
    A.PROPOSE_EXPOSURE: (proposer, f"{HANDLERS_TEXT}, or {SUPERVISORS}"),
    A.APPROVE_EXPOSURE: (role_is(Role.CITY_OFFICE), "city_office"),
    A.CLOSE: (closer, f"{HANDLERS_TEXT}, or an inspector for a transfer to discipline inspection"),
    A.REOPEN: (reopener, f"{SUPERVISORS}, or the system (a review request)"),
    A.OBJECT_TRANSFER: (
        objector,
        "the receiving organ: an inspector for discipline inspection, city_office relaying "
        "the procuratorate",
    ),
    A.REVEAL_IDENTITY: (role_is(Role.INSPECTOR), "an inspector"),
    A.DECIDE_RE_REVIEW: (re_reviewer, "the organ one level up the re-review was asked of"),
    A.FILE_PART: (co_unit, "a co-responsible (协办) unit's officer or leader"),
    A.RECHECK: (rechecker, "the independent unit the re-check (回头看) went to"),
    A.DISPOSE: (disposer, "an inspector, on a case transferred to discipline inspection"),
    # Closing the loop (issue 26): the city office or a supervisor answers an unsatisfied
    # rating and urges; the handling unit disputes its assignment; the city office decides.
    **dict.fromkeys((A.SEND_BACK, A.UPHOLD_RESULT, A.URGE), (supervising, SUPERVISORS)),
    A.DISPUTE_ASSIGNMENT: (handling, HANDLERS_TEXT),
    A.DECIDE_DISPUTE: (role_is(Role.CITY_OFFICE), "city_office"),
}

# Roles that may ever do each action: refused with 403 before the case's state is looked at.
ROLES: dict[Action, frozenset[Role]] = {
    **dict.fromkeys((*HANDLED, A.SUBMIT_RECTIFICATION), HANDLERS),
    **dict.fromkeys((A.ASSIGN, A.RECLASSIFY, A.ESCALATE, *VERIFY), OVERSIGHT),
    A.DECIDE_EXTENSION: OVERSIGHT | {Role.LEADER},
    A.PROPOSE_EXPOSURE: HANDLERS | OVERSIGHT,
    A.APPROVE_EXPOSURE: frozenset({Role.CITY_OFFICE}),
    A.CLOSE: HANDLERS | {Role.INSPECTOR},
    A.REOPEN: OVERSIGHT | {Role.SYSTEM},
    A.OBJECT_TRANSFER: frozenset({Role.INSPECTOR, Role.CITY_OFFICE}),
    A.REVEAL_IDENTITY: frozenset({Role.INSPECTOR}),
    A.DECIDE_RE_REVIEW: OVERSIGHT,
    A.FILE_PART: HANDLERS,
    A.RECHECK: OVERSIGHT,
    A.DISPOSE: frozenset({Role.INSPECTOR}),
    **dict.fromkeys((A.SEND_BACK, A.UPHOLD_RESULT, A.URGE), OVERSIGHT),
    A.DISPUTE_ASSIGNMENT: HANDLERS,
    A.DECIDE_DISPUTE: frozenset({Role.CITY_OFFICE}),
}
