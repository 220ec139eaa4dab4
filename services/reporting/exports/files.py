"""CSV (streamed, with a byte-order mark) and XLSX files of table rows."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

from services.reporting.exports.tables import case_cells, case_header
from services.reporting.words.names import Names
from shared.errors import Refusal

XLSX_MAX_ROWS = 1_048_575  # one row of the sheet holds the headers


BOM = "\ufeff"


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


def too_many_rows() -> Refusal:
    """More rows than a sheet holds: refused (413), CSV holds them (English only, as today)."""
    text = f"more than {XLSX_MAX_ROWS} rows: export CSV instead"
    return Refusal(413, text, text, type="too_large")


def xlsx_bytes(rows: Iterable[list[Any]], title: str) -> bytes:
    # Imported on the first XLSX download, not at start: openpyxl (with lxml and Pillow) is
    # about 14 MB of every reporting process's memory for a file few callers ask for.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for count, row in enumerate(rows):
        if count > XLSX_MAX_ROWS:
            raise too_many_rows()
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def case_xlsx(rows: AsyncIterator[dict[str, Any]], names: Names) -> bytes:
    table = [case_header(names)]
    async for row in rows:
        table.append(case_cells(row, names, for_xlsx=True))
        if len(table) > XLSX_MAX_ROWS + 1:
            raise too_many_rows()
    return xlsx_bytes(table, "案件" if not names.english else "cases")
