"""Sample task and inspection events: for `zuofeng notify preview` and the template tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from shared.events import EventData
from shared.events.cases.supervision import InspectionFindingReported
from shared.events.cases.tasks import (
    TaskAccepted,
    TaskAssigned,
    TaskDeadlineApproaching,
    TaskEscalated,
    TaskOverdue,
    TaskProgressReported,
    TaskSentBack,
)

TASK: dict[str, Any] = {
    "task_id": "7d0c2a4e-5b61-4f0e-9a7c-3e2b1d8f6a10", "measure": "一", "county": "371402",
    "responsible_unit": "371402-fpb", "lead_units": ("city-fpb", "city-zzb"),
    "status": "assigned", "version": 1, "due": datetime(2026, 12, 31, 15, 59, tzinfo=UTC),
}  # fmt: skip
VISIT: dict[str, Any] = {
    "inspection_id": "3f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f", "county": "371402",
    "township": "黄河涯镇", "village": "王庄村", "kind": "unannounced", "unit": "city-fpb",
    "visit_on": date(2026, 11, 3), "status": "visited", "version": 3,
}  # fmt: skip


def samples() -> dict[str, EventData]:
    """One sample event per supervision event type notify tells someone of."""
    reported = TASK | {"status": "reported"}
    return {
        "task.assigned": TaskAssigned(**TASK, title="制定本县培训计划",
                                      parent_id="0e1d2c3b-4a59-4867-9a5b-6c7d8e9f0a1b"),
        "task.progress_reported": TaskProgressReported(
            **reported, report_no=1, figures={"trained": 120}, attachments=("a1",)
        ),
        "task.sent_back": TaskSentBack(**TASK, report_no=1, reason="缺少培训签到表"),
        "task.accepted": TaskAccepted(**TASK | {"status": "accepted"}, report_no=2),
        "task.deadline_approaching": TaskDeadlineApproaching(**TASK),
        "task.overdue": TaskOverdue(**TASK | {"overdue": True}),
        "task.escalated": TaskEscalated(**TASK | {"overdue": True}, to_unit="371402-lg"),
        "inspection.finding_reported": InspectionFindingReported(
            **VISIT, finding_no=1, report_id="5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
        ),
    }  # fmt: skip
