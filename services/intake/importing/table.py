"""Reading an import (CSV or XLSX) into its header and rows, numbered as a spreadsheet shows
them: the header is row 1. A file that cannot be read as a whole is refused (422 on `file`)."""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Generator, Sequence
from typing import Any

from services.intake.attachments.checks import bad_file
from services.intake.importing.columns import REQUIRED, column

# Columns read per row: the known ones (and their labels) are far fewer; the rest is ignored.
MAX_COLUMNS = 64


def read_table(
    data: bytes, filename: str, max_rows: int = 2000
) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(column names, [(row number, cells)]) from an XLSX or a CSV (UTF-8 or GB18030) file.

    Reads lazily and stops after `max_rows + 1` non-empty rows, so the caller can tell "too
    many" without the rest of the file ever being held; each row is cut at MAX_COLUMNS.
    """
    xlsx = data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx")
    with contextlib.closing(_xlsx_rows(data) if xlsx else _csv_rows(data)) as table:
        try:
            first = next(table, None)
            if first is None:
                raise bad_file("文件没有表头", "the file has no header row")
            header = [column(cell) for cell in first]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                names = ", ".join(missing)
                raise bad_file(f"缺少必需的列：{names}", f"required columns missing: {names}")
            filled = (
                (number, list(cells))
                for number, cells in enumerate(table, start=2)
                if cells and any(cell not in (None, "") for cell in cells)
            )
            return header, list(itertools.islice(filled, max_rows + 1))
        except csv.Error as exc:  # a field over the csv module's size limit, a stray NUL
            raise bad_file("无法读取 CSV 文件", f"cannot read the CSV file: {exc}") from exc


def _xlsx_rows(data: bytes) -> Generator[Sequence[Any], None, None]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise bad_file("无法读取 XLSX 文件", f"cannot read the XLSX file: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        # The file's declared size (`<dimension ref="A1:XFD1048576">`) is the sender's word:
        # openpyxl would pad every row to it. Forget it and read only the cells present (a
        # missing row is then an empty tuple, cheap however many there are).
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for row in sheet.iter_rows(values_only=True):
            yield row[:MAX_COLUMNS] if len(row) > MAX_COLUMNS else row
    except Exception as exc:  # noqa: BLE001 - a sheet broken midway (bad XML, bad cells)
        raise bad_file("无法读取 XLSX 文件", f"cannot read the XLSX file: {exc}") from exc
    finally:
        book.close()


def _csv_rows(data: bytes) -> Generator[Sequence[Any], None, None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # what Chinese Excel saves as CSV
    for row in csv.reader(io.StringIO(text)):
        yield row[:MAX_COLUMNS]
