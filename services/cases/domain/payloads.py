"""The contract's action bodies as frozen pydantic models, for `decide` and the HTTP routes.

Extra fields are ignored, as FastAPI bodies would ignore them. Numbers that are configuration
(an extension's upper bound) are checked by `decide` against `Rules`, not here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, create_model

from services.cases.domain.vocabulary import Action, Disposal, Finding, Organ
from shared.deadlines import end_of_day

A = Action
TEXT = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
UNIT = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
REASON: dict[str, Any] = {"reason": (TEXT, ...)}
OPTIONAL_REASON: dict[str, Any] = {"reason": (TEXT | None, None)}


def payload(action: Action, **fields: Any) -> type[BaseModel]:
    """A frozen payload model named after its action (e.g. `RequestExtension`)."""
    name = action.title().replace("-", "")
    return create_model(name, __config__=ConfigDict(frozen=True, extra="ignore"), **fields)


PAYLOADS: dict[Action, type[BaseModel]] = {a: payload(a) for a in Action}
PAYLOADS |= {
    a: payload(a, **REASON)
    for a in (A.REJECT, A.REJECT_RECTIFICATION, A.ESCALATE, A.REOPEN, A.OBJECT_TRANSFER)
}
PAYLOADS |= {
    A.REVEAL_IDENTITY: payload(A.REVEAL_IDENTITY, **REASON),
    A.ASSIGN: payload(A.ASSIGN, unit=(UNIT, ...)),
    A.CONCLUDE: payload(A.CONCLUDE, finding=(Finding, ...), summary=(TEXT, ...)),
    # A bare `due` date means the end of that day in Asia/Shanghai; `unit` defaults to the
    # handling unit.
    A.REQUIRE_RECTIFICATION: payload(
        A.REQUIRE_RECTIFICATION,
        due=(date | AwareDatetime, ...),
        measures=(TEXT, ...),
        unit=(UNIT | None, None),
    ),
    A.SUBMIT_RECTIFICATION: payload(A.SUBMIT_RECTIFICATION, evidence=(TEXT, ...)),
    A.TRANSFER: payload(A.TRANSFER, to=(Organ, ...), **REASON),
    A.REQUEST_EXTENSION: payload(A.REQUEST_EXTENSION, days=(int, Field(ge=1)), **REASON),
    A.DECIDE_EXTENSION: payload(A.DECIDE_EXTENSION, approve=(bool, ...), **OPTIONAL_REASON),
    A.PROPOSE_EXPOSURE: payload(A.PROPOSE_EXPOSURE, text=(TEXT, ...)),
    A.CLOSE: payload(A.CLOSE, no_rectification_needed=(bool, False), **OPTIONAL_REASON),
    A.RECLASSIFY: payload(A.RECLASSIFY, problem=(int, Field(ge=1))),
    A.NOTE: payload(A.NOTE, text=(TEXT, ...)),
    # 复核意见: upheld or not, and the opinion the reporter is sent.
    A.DECIDE_RE_REVIEW: payload(A.DECIDE_RE_REVIEW, upheld=(bool, ...), opinion=(TEXT, ...)),
    A.FILE_PART: payload(A.FILE_PART, text=(TEXT, ...)),
    A.RECHECK: payload(A.RECHECK, passed=(bool, ...), findings=(TEXT, ...)),
    A.DISPOSE: payload(A.DISPOSE, way=(Disposal, ...), **OPTIONAL_REASON),
    # Closing the loop (issue 26). An answer to a rating is told to the reporter (`reason`);
    # an urge's `due` (a bare date: its end in Asia/Shanghai) makes it a formal 督办.
    A.SEND_BACK: payload(A.SEND_BACK, **REASON),
    A.UPHOLD_RESULT: payload(A.UPHOLD_RESULT, **REASON),
    A.DISPUTE_ASSIGNMENT: payload(A.DISPUTE_ASSIGNMENT, **REASON),
    A.DECIDE_DISPUTE: payload(
        A.DECIDE_DISPUTE,
        decision=(Literal["uphold", "reassign"], ...),
        unit=(UNIT | None, None),
        **OPTIONAL_REASON,
    ),
    A.URGE: payload(A.URGE, text=(TEXT, ...), due=(date | AwareDatetime | None, None)),
}


def due_iso(due: date | datetime) -> str:
    """A rectification due moment as ISO 8601 (a bare date: its end in Asia/Shanghai)."""
    moment = due if isinstance(due, datetime) else end_of_day(due)
    return moment.isoformat()
