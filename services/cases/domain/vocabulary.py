"""The case workflow's vocabulary: statuses, actions, roles, findings, organs. Pure data.

The contract is architecture.md's transition table and its "Who" paragraph; `table.py` says
which status permits which action, `who.py` who may do it, `state.py` what a case is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

Data = dict[str, Any]
# History entries outside the catalogue: never published, and they leave `version` alone.
PRIVATE = frozenset(
    {"case.noted", "case.identity_revealed", "case.review_refused", "case.re_review_refused"}
)
PRIVATE |= {"case.rating_refused"}


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
    DECIDE_RE_REVIEW = "decide-re-review"  # 复核: the organ one level up answers, finally
    FILE_PART = "file-part"  # 协办: a co-responsible unit files its part
    RECHECK = "recheck"  # 回头看: the independent unit re-checks a verified rectification
    DISPOSE = "dispose"  # discipline inspection records how it disposes of a transferred case
    # Closing the loop with the people (issue 26): a rating answered, an assignment disputed
    # (退单), a case urged (催办/督办).
    SEND_BACK = "send-back"
    UPHOLD_RESULT = "uphold-result"
    DISPUTE_ASSIGNMENT = "dispute-assignment"
    DECIDE_DISPUTE = "decide-dispute"
    URGE = "urge"


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


class Disposal(StrEnum):
    """Discipline inspection's four ways of disposing of a clue (问题线索处置方式)."""

    TALK_INQUIRY = "talk_inquiry"  # 谈话函询
    PRELIMINARY_VERIFICATION = "preliminary_verification"  # 初步核实
    SHELVED = "shelved"  # 暂存待查
    CONCLUDED = "concluded"  # 予以了结


class Organ(StrEnum):
    DISCIPLINE_INSPECTION = "discipline_inspection"
    PROCURATORATE = "procuratorate"
