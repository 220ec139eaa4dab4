"""Every table reporting derives from events, in one list: which durables feed it live, and the
fold a rebuild replays their streams through. `zuofeng reporting rebuild` iterates this list
(fresh copies, replay, switch-over, inbox rows); a table or a durable of reporting missing from it
fails `tests/unit/test_reporting_rebuild_list.py`.

Projections fed by one durable are rebuilt together: its inbox rows stand for all they write
(`reporting-cases` writes the facts, the scorecards' marks and the re-checks in one transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import MetaData, Table

from services.reporting import models
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages
from services.reporting.rebuild.folds import (
    Facts,
    Fold,
    Fresh,
    Programmes,
    Rechecks,
    Scorecards,
    Supervision,
)
from services.reporting.scorecards.tables import scorecard_dues, scorecard_marks
from services.reporting.supervision.tables import (
    sup_datarequests,
    sup_inspections,
    sup_rechecks,
    sup_tasks,
)
from shared.db import NAMING
from shared.directory import Directory
from shared.streams import (
    REPORTING_CASES,
    REPORTING_DATAREQUESTS,
    REPORTING_FEDERATION,
    REPORTING_INSPECTIONS,
    REPORTING_REPORTS,
    REPORTING_TASKS,
    ConsumerDef,
)

SUFFIX = "__rebuild"  # a fresh copy's name: `<table>__rebuild`


@dataclass(frozen=True)
class Projection:
    name: str
    tables: tuple[Table, ...]  # the live tables it writes
    consumers: tuple[ConsumerDef, ...]  # the durables that feed it live (streams, subjects)
    fold: Callable[[Fresh, Directory], Fold]  # a fold into the fresh copies
    # The fold counts an event again when it comes again (live, the inbox drops it): the
    # rebuild drops events already replayed (an outbox re-send, a dead letter replayed).
    once: bool = False


PROJECTIONS: tuple[Projection, ...] = (
    Projection(
        "facts",
        models.PROJECTION_TABLES,
        (REPORTING_REPORTS, REPORTING_CASES),
        Facts,
    ),
    Projection(
        "scorecards", (scorecard_marks, scorecard_dues), (REPORTING_CASES,), Scorecards, True
    ),
    Projection("rechecks", (sup_rechecks,), (REPORTING_CASES,), Rechecks),
    Projection(
        "supervision",
        (sup_tasks, sup_inspections, sup_datarequests),
        (REPORTING_TASKS, REPORTING_INSPECTIONS, REPORTING_DATAREQUESTS),
        Supervision,
        True,
    ),
    Projection(
        "programmes",
        (prog_villages, prog_aid, prog_items),
        (REPORTING_FEDERATION,),
        Programmes,
        True,
    ),
)

# What a rebuild reads: each durable's stream and subjects, once, in this order.
SOURCES: tuple[ConsumerDef, ...] = tuple(dict.fromkeys(c for p in PROJECTIONS for c in p.consumers))


def live_tables() -> tuple[Table, ...]:
    return tuple(t for p in PROJECTIONS for t in p.tables)


def fresh_copies(meta: MetaData) -> dict[str, Table]:
    """Fresh copies of every projection table on `meta`, by live name."""
    out = models.shadow_tables(meta)  # the facts: indexes named after the copy
    for table in live_tables():
        if table.name not in out:
            out[table.name] = _copy(table, meta)
    return out


def _copy(table: Table, meta: MetaData) -> Table:
    """Indexes take the copy's name by the naming convention; the primary key's is given it (the
    switch renames both back)."""
    copy = table.to_metadata(meta, name=f"{table.name}{SUFFIX}")
    key = copy.primary_key
    if isinstance(key.name, str) and table.name in key.name:
        key.name = key.name.replace(table.name, copy.name)  # type: ignore[assignment]
    return copy


def new_meta() -> MetaData:
    return MetaData(naming_convention=NAMING)  # key and index names as the live ones'
