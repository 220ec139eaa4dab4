"""CSV and XLSX exports of stats and case facts, with Chinese headers (English on request).

CSV starts with a byte-order mark so spreadsheet programs read it as UTF-8; times are local
(Asia/Shanghai) without an offset, as people write them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from services.reporting.contributions import TZ
from services.reporting.labels import TOTAL, YES_NO, Names
from services.reporting.listings import CASE_COLUMNS
from services.reporting.models import COUNT_FIELDS

STATS_COLUMNS = ("key", "name", *COUNT_FIELDS, "median_days_to_accept", "median_days_to_close")
CASE_EXPORT = (*CASE_COLUMNS[:2], "county_name", *CASE_COLUMNS[2:])
FLAG_COLUMNS = {"accepted", "rejected", "overdue", "transferred", "rectified", "exposed"}
XLSX_MAX_ROWS = 1_048_575  # one row of the sheet holds the headers
BOM = "\ufeff"


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


def csv_text(rows: Iterable[list[Any]], with_bom: bool = False) -> str:
    buffer = io.StringIO()
    if with_bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


async def case_csv(rows: AsyncIterator[dict[str, Any]], names: Names) -> AsyncIterator[str]:
    """The case export as CSV chunks (streamed: it may hold every case)."""
    yield csv_text([case_header(names)], with_bom=True)
    chunk: list[list[Any]] = []
    async for row in rows:
        chunk.append(case_cells(row, names, for_xlsx=False))
        if len(chunk) >= 1000:
            yield csv_text(chunk)
            chunk = []
    if chunk:
        yield csv_text(chunk)


class TooManyRows(Exception):
    """More rows than a sheet holds: use CSV."""


def xlsx_bytes(rows: Iterable[list[Any]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for count, row in enumerate(rows):
        if count > XLSX_MAX_ROWS:
            raise TooManyRows(f"more than {XLSX_MAX_ROWS} rows")
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def case_xlsx(rows: AsyncIterator[dict[str, Any]], names: Names) -> bytes:
    table = [case_header(names)]
    async for row in rows:
        table.append(case_cells(row, names, for_xlsx=True))
        if len(table) > XLSX_MAX_ROWS + 1:
            raise TooManyRows(f"more than {XLSX_MAX_ROWS} rows")
    return xlsx_bytes(table, "案件" if not names.english else "cases")
