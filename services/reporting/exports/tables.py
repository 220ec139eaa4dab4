"""CSV and XLSX exports of stats and case facts, with Chinese headers (English on request).

CSV starts with a byte-order mark so spreadsheet programs read it as UTF-8; times are local
(Asia/Shanghai) without an offset, as people write them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.reporting.exports.cases import CASE_COLUMNS
from services.reporting.models import COUNT_FIELDS
from services.reporting.periods import TZ
from services.reporting.words.labels import TOTAL, YES_NO
from services.reporting.words.names import Names

STATS_COLUMNS = ("key", "name", *COUNT_FIELDS, "median_days_to_accept", "median_days_to_close")


CASE_EXPORT = (*CASE_COLUMNS[:2], "county_name", *CASE_COLUMNS[2:])


FLAG_COLUMNS = {"accepted", "rejected", "overdue", "transferred", "rectified", "exposed"}


def stats_rows(result: dict[str, Any], group_by: str, names: Names) -> list[list[Any]]:
    """Headers, one row per group, then the totals."""
    rows = [[names.field(c) for c in STATS_COLUMNS]]
    for group in result["groups"]:
        rows.append([group["key"], names.key(group_by, group["key"]), *_numbers(group)])
    totals = result["totals"]
    rows.append([names.word(TOTAL), names.word(TOTAL), *_numbers(totals)])
    return rows


def _numbers(group: dict[str, Any]) -> list[Any]:
    return [group[c] for c in STATS_COLUMNS[2:]]


def case_header(names: Names) -> list[str]:
    return [names.field(c) for c in CASE_EXPORT]


def case_cells(row: dict[str, Any], names: Names, for_xlsx: bool) -> list[Any]:
    row = dict(row, county_name=names.county(row["county"]))
    cells = []
    for column in CASE_EXPORT:
        value = row[column]
        if column in FLAG_COLUMNS:
            value = names.word(YES_NO[bool(value)])
        elif isinstance(value, datetime):
            local = value.astimezone(TZ).replace(tzinfo=None, microsecond=0)
            value = local if for_xlsx else local.isoformat(sep=" ")
        cells.append("" if value is None and not for_xlsx else value)
    return cells
