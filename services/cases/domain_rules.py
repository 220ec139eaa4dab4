"""The case workflow's vocabulary and tables: statuses, actions, roles, the state, decisions,
which status permits which action, and who may do it.

Pure data and predicates, no I/O; `domain.py` builds `authorize`/`decide`/`apply` on them. The
contract is architecture.md's transition table and its "Who" paragraph; choices the contract
leaves open are noted where they are made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Data = dict[str, Any]


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    RECTIFYING = "rectifying"
    RECTIFICATION_SUBMITTED = "rectification_submitted"
    RECTIFIED = "rectified"
    TRANSFERRED = "transferred"
    CLOSED = "closed"


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    START_INVESTIGATION = "start-investigation"
    CONCLUDE = "conclude"
    REQUIRE_RECTIFICATION = "require-rectification"
    SUBMIT_RECTIFICATION = "submit-rectification"
    VERIFY_RECTIFICATION = "verify-rectification"
    REJECT_RECTIFICATION = "reject-rectification"
    TRANSFER = "transfer"
    REQUEST_EXTENSION = "request-extension"
    DECIDE_EXTENSION = "decide-extension"
    PROPOSE_EXPOSURE = "propose-exposure"
    APPROVE_EXPOSURE = "approve-exposure"
    ESCALATE = "escalate"
    CLOSE = "close"
    REOPEN = "reopen"
    RECLASSIFY = "reclassify"
    NOTE = "note"
    OBJECT_TRANSFER = "object-transfer"
    REVEAL_IDENTITY = "reveal-identity"  # permission only: it changes no state


class Role(StrEnum):
    CLERK = "clerk"
    OFFICER = "officer"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    CITY_OFFICE = "city_office"
    INSPECTOR = "inspector"
    AUDITOR = "auditor"
    INTEGRATOR = "integrator"
    SYSTEM = "system"  # event-driven transitions (a reporter's review request reopens a case)


class Finding(StrEnum):
    SUBSTANTIATED = "substantiated"
    PARTLY = "partly"
    UNSUBSTANTIATED = "unsubstantiated"


class Organ(StrEnum):
    DISCIPLINE_INSPECTION = "discipline_inspection"
    PROCURATORATE = "procuratorate"


@dataclass(frozen=True)
class Actor:
    """Who acts. `supervises_handling_unit` is computed from the directory by the caller."""

    unit: str
    role: Role
    sub: str = ""
    supervises_handling_unit: bool = False


SYSTEM_ACTOR = Actor(unit="system", role=Role.SYSTEM, sub="system")


@dataclass(frozen=True)
class Extension:
    """The one extension a handling period may have (Art 34)."""

    days: int
    requested_by: str
    requester_role: Role
    decided: bool = False
    approved: bool = False


@dataclass(frozen=True)
class CaseState:
    """A case as its history leaves it; `version` counts its published events."""

    case_id: str = ""
    status: Status = Status.RECEIVED
    version: int = 0
    county: str = ""
    handling_unit: str = ""
    accused_unit: str | None = None
    accused_units: tuple[str, ...] = ()  # every accused unit (the text may name several)
    problem: int | None = None
    finding: Finding | None = None
    rectifying_unit: str | None = None
    rectification_due: str | None = None
    transfer_to: Organ | None = None
    status_before_transfer: Status | None = None
    extension: Extension | None = None
    exposure_proposed: bool = False
    exposure_text: str | None = None  # proposed (internal) until approved, then public
    exposed: bool = False
    overdue: bool = False  # sticky: a missed deadline stays missed
    escalations: int = 0
    merged_reports: int = 0

    @property
    def accused(self) -> tuple[str, ...]:
        """Every accused unit; a case opened before several were kept has only its one."""
        if self.accused_units:
            return self.accused_units
        return (self.accused_unit,) if self.accused_unit else ()


@dataclass(frozen=True)
class Rules:
    """The numbers the state machine checks; a deployment sets them from its deadline profile."""

    extension_max_days: int = 30


@dataclass(frozen=True)
class Decision:
    """What an action means: an event type, its publishable `data`, its `internal` texts."""

    event_type: str
    data: Data
    internal: Data = field(default_factory=dict)
    public: bool = True

    @property
    def history_data(self) -> Data:
        """What the case's history stores and `apply` reads."""
        return {**self.data, **self.internal}


S, A = Status, Action
ANYTIME = (A.ASSIGN, A.RECLASSIFY, A.ESCALATE, A.REQUEST_EXTENSION, A.DECIDE_EXTENSION, A.NOTE)
EXPOSURE = (A.PROPOSE_EXPOSURE, A.APPROVE_EXPOSURE)
VERIFY = (A.VERIFY_RECTIFICATION, A.REJECT_RECTIFICATION)
# The contract's table: what each status permits (guards and roles are checked after this).
ALLOWED: dict[Status, tuple[Action, ...]] = {
    S.RECEIVED: (A.ACCEPT, A.REJECT, A.TRANSFER, *ANYTIME),
    S.ACCEPTED: (A.START_INVESTIGATION, A.TRANSFER, *ANYTIME),
    S.INVESTIGATING: (A.CONCLUDE, A.TRANSFER, *ANYTIME),
    S.CONCLUDED: (A.REQUIRE_RECTIFICATION, A.CLOSE, *ANYTIME, *EXPOSURE),
    S.RECTIFYING: (A.SUBMIT_RECTIFICATION, *ANYTIME, *EXPOSURE),
    S.RECTIFICATION_SUBMITTED: (*VERIFY, *ANYTIME, *EXPOSURE),
    S.RECTIFIED: (A.CLOSE, *ANYTIME, *EXPOSURE),
    S.TRANSFERRED: (A.CLOSE, A.OBJECT_TRANSFER, *ANYTIME),
    # Exposure of a closed case is allowed: typical cases are exposed once verified (查实曝光).
    S.REJECTED: (A.REOPEN,),
    S.CLOSED: (A.REOPEN, *EXPOSURE),
}
SUBSTANTIATED = frozenset({Finding.SUBSTANTIATED, Finding.PARTLY})


def guard_failure(state: CaseState, action: Action) -> str | None:
    """Why the state forbids an action its status permits, or None."""
    ext = state.extension
    needs_finding = action in (A.REQUIRE_RECTIFICATION, A.PROPOSE_EXPOSURE)
    if needs_finding and state.finding not in SUBSTANTIATED:
        return f"{action} needs a substantiated or partly finding"
    if action is A.PROPOSE_EXPOSURE and (state.exposed or state.exposure_proposed):
        return "exposure was already proposed for this case"
    if action is A.APPROVE_EXPOSURE and not state.exposure_proposed:
        return "no exposure proposal is pending"
    if action is A.REQUEST_EXTENSION and ext is not None:
        return "an extension was already requested (once only)"
    if action is A.DECIDE_EXTENSION and (ext is None or ext.decided):
        return "no extension request is pending"
    return None


def possible_actions(state: CaseState) -> tuple[Action, ...]:
    """Actions the status and the state's guards permit, whoever asks."""
    return tuple(a for a in ALLOWED[state.status] if guard_failure(state, a) is None)


Rule = Callable[[CaseState, Actor], bool]
HANDLERS = frozenset({Role.OFFICER, Role.LEADER})


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
}

# Roles that may ever do each action: refused with 403 before the case's state is looked at.
OVERSIGHT = frozenset({Role.SUPERVISOR, Role.CITY_OFFICE})
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
}
