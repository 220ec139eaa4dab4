"""Projections: events → fact rows and aggregates, a batch at a time.

Live, a batch is one event (after its inbox claim); a rebuild replays thousands per batch into
fresh tables. Either way: load the rows the batch touches, fold the events in (case_facts.py and
report_facts.py: order-independent and idempotent), and add to the aggregates the difference
between what those rows contributed before and after. Out-of-order and redelivered events
therefore change nothing that the in-order, once-only sequence would not."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.projection import storage
from services.reporting.projection.cache import Cache
from services.reporting.projection.case_facts import fold_case, new_case, substantiated
from services.reporting.projection.contributions import Parts, case_parts, report_parts
from services.reporting.projection.report_facts import fold_report, new_report, report_source
from services.reporting.projection.storage import Row
from services.reporting.projection.tables import SCOPE_COLUMNS, Tables
from services.reporting.projection.totals import Totals
from shared.directory import Directory
from shared.events import Envelope, EventData
from shared.events.cases import CaseEvent
from shared.events.intake import ReportReceived

Item = tuple[Envelope, EventData]


PROJECTION_LOCK = 0x5A46_0004  # one projecting writer at a time on PostgreSQL


@dataclass
class Outcome:
    """What a batch changed that alerts care about: substantiated findings per scope key."""

    findings: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)


async def lock(session: AsyncSession) -> None:
    """Serialise projecting transactions (PostgreSQL); SQLite has a single writer anyway."""
    if storage.dialect(session) == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PROJECTION_LOCK})


async def project(
    session: AsyncSession,
    tables: Tables,
    items: Sequence[Item],
    directory: Directory,
    pending: Totals | None = None,
    cache: Cache | None = None,
) -> Outcome:
    """Apply a batch of events to the facts and aggregates in the caller's transaction.

    With `pending`, the aggregates' deltas are added to it for the caller to `flush` later
    (a replay writes them once per many batches: far fewer rows); with `cache`, the fact rows
    too (`Cache.flush`)."""
    step = await fold_rows(session, tables, items, directory, cache)
    totals = Totals() if pending is None else pending
    _count(totals, step.before, step.after, step.changed_cases, step.moved)
    cases, reports = step.after
    if cache is not None:
        cache.keep(cases, reports, step.changed_cases, step.changed_reports)
    else:
        await storage.upsert(session, tables.cases, [cases[k] for k in sorted(step.changed_cases)])
        rows = [reports[k] for k in sorted(step.changed_reports)]
        await storage.upsert(session, tables.reports, rows)
    if pending is None:
        await flush(session, tables, totals)
    return Outcome(_findings(step.before[0], cases, step.changed_cases))


@dataclass
class Step:
    """A batch folded into the rows it touches (rows are replaced, never changed in place)."""

    before: tuple[dict[str, Row], dict[str, Row]]  # (cases, reports) as loaded
    after: tuple[dict[str, Row], dict[str, Row]]
    changed_cases: set[str]
    changed_reports: set[str]
    moved: set[str]  # the reports that count differently: changed, or their case changed


async def fold_rows(
    session: AsyncSession,
    tables: Tables,
    items: Sequence[Item],
    directory: Directory,
    cache: Cache | None = None,
) -> Step:
    """Load the rows the batch touches (from `cache` when given) and fold its events in."""
    case_ids, report_ids = _ids(items)
    if cache is not None:
        cases, reports = await cache.rows(session, tables, case_ids, report_ids)
    else:
        reports = await storage.load(session, tables.reports, report_ids, ("case_id", case_ids))
        linked = {r["case_id"] for r in reports.values() if r["case_id"]}
        cases = await storage.load(session, tables.cases, case_ids | linked)
    before_cases, before_reports = dict(cases), dict(reports)
    for envelope, event in items:
        _apply(cases, reports, envelope, event, directory)
    changed_cases = {k for k, row in cases.items() if before_cases.get(k) != row}
    # A report's counts move with its case (its unit, its problem) even when it did not change.
    changed_reports = {k for k, row in reports.items() if before_reports.get(k) != row}
    moved = changed_reports | {k for k, row in reports.items() if row["case_id"] in changed_cases}
    before = (before_cases, before_reports)
    return Step(before, (cases, reports), changed_cases, changed_reports, moved)


async def flush(session: AsyncSession, tables: Tables, totals: Totals) -> None:
    """Add the deltas to the aggregate tables."""
    counts = sorted(totals.changed_counts().items())
    rows = [(dim, key, day, *values) for (dim, day, key), values in counts]  # column order
    await storage.add(session, tables.counts, rows)
    hist = sorted(totals.changed_hist().items())
    await storage.add(session, tables.hist, [(*key, n) for key, n in hist])


def _ids(items: Iterable[Item]) -> tuple[set[str], set[str]]:
    case_ids: set[str] = set()
    report_ids: set[str] = set()
    for _, event in items:
        if isinstance(event, ReportReceived):
            report_ids.add(event.report_id)
        elif isinstance(event, CaseEvent):
            case_ids.add(event.case_id)
            source = report_source(event)
            if source is not None:
                report_ids.add(source[0])
    return case_ids, report_ids


def _apply(
    cases: dict[str, Row],
    reports: dict[str, Row],
    envelope: Envelope,
    event: EventData,
    directory: Directory,
) -> None:
    if isinstance(event, ReportReceived):
        rid = event.report_id
        row = reports.get(rid) or new_report(rid)
        reports[rid] = fold_report(row, event.county, event.channel, event.received_at, None)
    elif isinstance(event, CaseEvent):
        cid = event.case_id
        cases[cid] = fold_case(cases.get(cid) or new_case(cid), envelope, event, directory)
        source = report_source(event)
        if source is not None:
            rid, channel, received_at = source
            row = reports.get(rid) or new_report(rid)
            reports[rid] = fold_report(row, event.county, channel, received_at, cid)


def _count(
    totals: Totals,
    before: tuple[dict[str, Row], dict[str, Row]],
    after: tuple[dict[str, Row], dict[str, Row]],
    case_ids: set[str],
    report_ids: set[str],
) -> None:
    """Add to `totals` what the changed cases and the reports they carry now count less or more."""
    for case_id in case_ids:
        totals.change(case_parts(before[0].get(case_id)), case_parts(after[0][case_id]))
    for report_id in report_ids:
        totals.change(
            report_parts_in(before[1], before[0], report_id),
            report_parts_in(after[1], after[0], report_id),
        )


def report_parts_in(reports: dict[str, Row], cases: dict[str, Row], report_id: str) -> Parts | None:
    """What a report counts under, its case's row among `cases`."""
    report = reports.get(report_id)
    if report is None:
        return None
    return report_parts(report, cases.get(report["case_id"] or ""))


def _findings(
    before: dict[str, Row], after: dict[str, Row], changed: set[str]
) -> dict[tuple[str, str], list[datetime]]:
    """Times of substantiated findings that appeared, moved or went, per (scope, key)."""
    found: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for case_id in changed:
        for row in (before.get(case_id), after[case_id]):
            if row is None or not substantiated(row) or row["concluded_at"] is None:
                continue
            for scope, column in SCOPE_COLUMNS.items():
                if row[column]:
                    found[(scope, row[column])].append(row["concluded_at"])
    return dict(found)
