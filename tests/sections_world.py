"""Events for reporting's supervision section and programme view (issues 22 and 23), as cases
and federation would publish them, with the figures they must give. Used by the integration
test (events straight onto a real NATS) and the page test (Chromium)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.notify.samples import sample_payload
from shared.events import Envelope, EventData, make_event
from shared.events.cases.supervision import InspectionFindingReported, InspectionVisited
from shared.events.cases.tasks import TaskAccepted, TaskAssigned, TaskOverdue, TaskProgressReported
from shared.events.federation import aid as a
from shared.events.federation import programmes as p

A, B = "371402", "371403"  # 德城区, 陵城区
AT = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
# What must never reach reporting's tables: a child's reference, a family's public name, a
# sponsor's, a school's and a home's names (none is needed for a count).
NOT_KEPT = (
    "CHILD-REF-7781",
    "张秀英家庭",
    "德州巾帼企业家协会",
    "前进村四点半学校",
    "前进村妇女之家",
)


def _ids() -> dict[str, str]:
    return {k: str(uuid.uuid4()) for k in ("poor", "rich", "gap", "other")}


def _wrap(payload: EventData, county: str, aggregate: str, seq: int, producer: str) -> Envelope:
    at = AT + timedelta(minutes=seq)
    return make_event(payload, county=county, aggregate_id=aggregate, sequence=seq,
                      producer=producer, occurred_at=at)  # fmt: skip


def federation_events() -> list[Envelope]:
    v = _ids()
    out: list[Envelope] = []

    def one(payload: EventData, county: str, aggregate: str | None = None, seq: int = 1) -> None:
        out.append(_wrap(payload, county, aggregate or str(uuid.uuid4()), seq, "federation"))

    for key, county, name, poor, left in (("poor", A, "前进村", True, True),
                                          ("rich", A, "富强村", False, False),
                                          ("gap", A, "红星村", True, True),
                                          ("other", B, "东风村", True, False)):  # fmt: skip
        one(p.VillageRegistered(village_id=v[key], county=county, name=name, poor=poor,
                                left_behind=left), county, v[key])  # fmt: skip
    school, pairing = str(uuid.uuid4()), str(uuid.uuid4())
    one(p.SchoolRegistered(school_id=school, county=A, village_id=v["poor"], name=NOT_KEPT[3]), A)
    sponsor = {"sponsor_kind": "entrepreneur", "sponsor": NOT_KEPT[2], "amount": 5000}
    one(
        p.SchoolSponsored(sponsorship_id=str(uuid.uuid4()), school_id=school, county=A, **sponsor),
        A,
    )
    one(p.PairingMade(pairing_id=pairing, county=A, village_id=v["poor"], child_ref=NOT_KEPT[0],
                      child_category="left_behind", volunteer_kind="cadre"), A)  # fmt: skip
    for day in ("2026-11-03", "2026-11-20"):
        one(p.VisitLogged(visit_id=str(uuid.uuid4()), pairing_id=pairing, county=A,
                          visited_on=day), A)  # fmt: skip
    for village, name in ((v["poor"], NOT_KEPT[4]), (v["rich"], "富强村妇女之家")):
        one(p.HomeRegistered(home_id=str(uuid.uuid4()), county=A, village_id=village, name=name,
                             functions=["education", "culture"]), A)  # fmt: skip
    for kind, people in (("class", 30), ("themed", 50)):
        one(p.ActivityRecorded(activity_id=str(uuid.uuid4()), county=A, village_id=v["poor"],
                               kind=kind, theme="拒要彩礼", held_on="2026-11-05",
                               attendance=people), A)  # fmt: skip
    out += _aid(v) + _selections(v)
    return out


def _aid(v: dict[str, str]) -> list[Envelope]:
    out: list[Envelope] = []

    def steps(
        county: str, village: str, poor: bool, plan: list[tuple[type, dict[str, Any]]]
    ) -> None:
        app = str(uuid.uuid4())
        for seq, (model, extra) in enumerate(plan, start=1):
            status = extra.pop("status")
            payload = model(application_id=app, county=county, village_id=village,
                            poor_village=poor, status=status, **extra)  # fmt: skip
            out.append(_wrap(payload, county, app, seq, "federation"))

    approved = {"amount": 10000, "fund_source": "national"}
    steps(A, v["poor"], True, [
        (a.AidSubmitted, {"status": "submitted", "submitted_by": "village_cadre", "year": 2026}),
        (a.AidFoundEligible, {"status": "eligible"}), (a.AidReviewed, {"status": "reviewed"}),
        (a.AidApproved, {"status": "approved", **approved}),
        (a.AidDisbursed, {"status": "disbursed", **approved, "paid_on": "2026-11-10"}),
        (a.AidClosed, {"status": "closed"}),
    ])  # fmt: skip
    steps(A, v["rich"], False, [
        (a.AidSubmitted, {"status": "submitted", "submitted_by": "applicant", "year": 2026}),
        (a.AidFoundEligible, {"status": "eligible"}), (a.AidReviewed, {"status": "reviewed"}),
        (a.AidApproved, {"status": "approved", "amount": 5000, "fund_source": "city_charity"}),
    ])  # fmt: skip
    steps(A, v["poor"], True, [
        (a.AidSubmitted, {"status": "submitted", "submitted_by": "applicant", "year": 2026}),
        (a.AidRefused, {"status": "refused", "at_step": "submitted",
                        "public_reason": "本年度已获救助"}),
    ])  # fmt: skip
    steps(B, v["other"], True, [
        (a.AidSubmitted, {"status": "submitted", "submitted_by": "applicant", "year": 2026}),
    ])  # fmt: skip
    return out


def _selections(v: dict[str, str]) -> list[Envelope]:
    out: list[Envelope] = []
    for selected in (True, False):
        sid = str(uuid.uuid4())
        common = {"selection_id": sid, "county": A}
        plan: list[EventData] = [
            p.SelectionNominated(**common, village_id=v["poor"], kind="best_family", year=2026),
            p.SelectionReviewed(**common, selected=selected),
        ]
        if selected:
            plan.append(p.SelectionPublished(**common, village_id=v["poor"], kind="best_family",
                                             year=2026, public_name=NOT_KEPT[1]))  # fmt: skip
        out += [_wrap(e, A, sid, seq, "federation") for seq, e in enumerate(plan, start=1)]
    return out


PROGRAMMES = {
    A: {"aid_applications": 3, "aid_refused": 1, "aid_granted": 2, "aid_amount": 15000,
        "aid_amount_by_fund": {"national": 10000, "provincial": 0, "city_charity": 5000,
                               "city_budget": 0},
        "aid_poor_village_granted": 1, "aid_poor_village_share": 0.6667,
        "villages": 3, "poor_villages": 2, "schools": 1, "school_coverage": 0.5,
        "school_gaps": ["红星村"], "homes": 2, "homes_poor_village_share": 0.5,
        "sponsorships": 1, "sponsored_amount": 5000, "pairings": 1, "visits": 2,
        "activities": {"home": 0, "class": 1, "themed": 1}, "attendance": 80,
        "selections_nominated": 2, "selections_selected": 1, "selections_published": 1},
    B: {"aid_applications": 1, "aid_granted": 0, "aid_amount": 0, "villages": 1,
        "poor_villages": 1, "school_coverage": None, "school_gaps": []},
}  # fmt: skip


def _task(model: type, task: str, unit: str, county: str, status: str, version: int,
          **extra: Any) -> Envelope:  # fmt: skip
    payload = model(task_id=task, measure="一", county=county, responsible_unit=unit,
                    lead_units=("city-zzb",), status=status, version=version,
                    due=AT + timedelta(days=30), **extra)  # fmt: skip
    return _wrap(payload, county, task, version, "cases")


def supervision_events() -> list[Envelope]:
    """Two tasks of measure 一 in 德城区 (one accepted, one overdue and reported), one in 陵城区
    just assigned; a planned and an unannounced visit to 德城区 (one finding); a re-check that
    passed in 德城区 and one that failed and reopened its case in 陵城区."""
    t1, t2, t3 = (str(uuid.uuid4()) for _ in range(3))
    out = [
        _task(TaskAssigned, t1, f"{A}-fpb", A, "assigned", 1, title="培训计划"),
        _task(TaskProgressReported, t1, f"{A}-fpb", A, "reported", 2, report_no=1),
        _task(TaskAccepted, t1, f"{A}-fpb", A, "accepted", 3, report_no=1),
        _task(TaskAssigned, t2, f"{A}-fpb", A, "assigned", 1, title="培训台账"),
        _task(TaskOverdue, t2, f"{A}-fpb", A, "assigned", 2, overdue=True),
        _task(TaskProgressReported, t2, f"{A}-fpb", A, "reported", 3, report_no=1, overdue=True),
        _task(TaskAssigned, t3, f"{B}-fpb", B, "assigned", 1, title="培训计划"),
    ]
    for kind, found in (("planned", False), ("unannounced", True)):
        visit = str(uuid.uuid4())
        common = {"inspection_id": visit, "county": A, "unit": "city-fpb", "kind": kind,
                  "township": "新华街道", "visit_on": "2026-11-04"}  # fmt: skip
        visited = InspectionVisited(**common, status="visited", version=2, inspectors=2)
        out.append(_wrap(visited, "371400", visit, 2, "cases"))
        if found:
            report = str(uuid.uuid4())
            finding = InspectionFindingReported(**common, status="visited", version=3,
                                                finding_no=1, report_id=report)  # fmt: skip
            out.append(_wrap(finding, "371400", visit, 3, "cases"))
    return out + recheck_events()


def recheck_events() -> list[Envelope]:
    out = []
    for county, unit, passed in ((A, f"{A}-fpb", True), (B, f"{B}-fpb", False)):
        case = str(uuid.uuid4())
        common = {"case_id": case, "county": county, "handling_unit": unit}
        plan = [sample_payload("case.recheck_due", **common, recheck_unit="city-sjj", version=8,
                               status="closed"),
                sample_payload("case.rechecked", **common, recheck_unit="city-sjj",
                               passed=passed, version=9, status="closed")]  # fmt: skip
        if not passed:
            plan.append(sample_payload("case.reopened", **common, on_recheck=True, version=10,
                                       status="accepted"))  # fmt: skip
        out += [_wrap(e, county, case, e.version, "cases") for e in plan]  # type: ignore[attr-defined]
    return out
