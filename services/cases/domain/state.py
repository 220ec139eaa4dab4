"""What the state machine works on: who acts, the state a case's history leaves, the numbers it
checks, and what a decision produces. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.cases.domain.vocabulary import Data, Disposal, Finding, Organ, Role, Status


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
    co_units: tuple[str, ...] = ()  # 协办: co-responsible units beside the handling one
    reviews: int = 0  # reopenings on the reporter's review request (复查)
    re_review_unit: str | None = None  # the organ one level up asked for a 复核
    re_reviewed: bool = False  # the 复核 was answered: final
    recheck_unit: str | None = None  # 回头看: the independent unit the re-check went to
    recheck_pending: bool = False
    disposal: Disposal | None = None  # discipline inspection's way, on a case transferred to it
    # Closing the loop (issue 26): an unsatisfied rating waiting for an answer, the times the
    # case was sent back (发回重办), the unit whose dispute (退单) waits, disputes and urges so
    # far, and raised supervision (提级督办, sticky).
    rating_pending: bool = False
    redos: int = 0
    dispute_pending: str | None = None
    disputes: int = 0
    urges: int = 0
    raised_supervision: bool = False

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
    # A case sent back this many times is raised to the city office's supervision (提级督办).
    raise_after_redos: int = 3
    # A case disputed this many times goes to the city office's triage instead of a decision.
    triage_after_disputes: int = 2


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
