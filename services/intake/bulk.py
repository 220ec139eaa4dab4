"""Reading an import (CSV or XLSX) into report bodies, one per row.

Columns are named like the body fields (or their Chinese labels), with `reporter_name`,
`reporter_phone` and `reporter_email` for the reporter; channel defaults to `inspection`.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
from collections.abc import Generator, Sequence
from datetime import date, datetime
from typing import Any

from services.intake.schemas import ReportIn

REPORTER = {"reporter_name": "name", "reporter_phone": "phone", "reporter_email": "email"}
FIELDS = (set(ReportIn.model_fields) - {"reporter", "attachments"}) | set(REPORTER)
REQUIRED = ("county", "content")
ALIASES = {
    "渠道": "channel",
    "县市区代码": "county",
    "县区代码": "county",
    "内容": "content",
    "问题内容": "content",
    "标题": "title",
    "乡镇": "township",
    "村": "village",
    "被举报单位": "subject_unit",
    "被举报单位编号": "subject_unit_id",
    "被举报人": "subject_person",
    "是否单位负责人": "subject_is_head",
    "问题编号": "category_hint",
    "发生日期": "occurred_on",
    "举报人姓名": "reporter_name",
    "举报人电话": "reporter_phone",
    "举报人邮箱": "reporter_email",
}
# Columns read per row: the known ones (and their labels) are far fewer; the rest is ignored.
MAX_COLUMNS = 64
YES = {"1", "true", "yes", "y", "是", "√"}
NO = {"0", "false", "no", "n", "否", ""}


class BadTable(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, no header, required column missing)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


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
                raise BadTable("文件没有表头", "the file has no header row")
            header = [_column(cell) for cell in first]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                names = ", ".join(missing)
                raise BadTable(f"缺少必需的列：{names}", f"required columns missing: {names}")
            filled = (
                (number, list(cells))
                for number, cells in enumerate(table, start=2)
                if cells and any(cell not in (None, "") for cell in cells)
            )
            return header, list(itertools.islice(filled, max_rows + 1))
        except csv.Error as exc:  # a field over the csv module's size limit, a stray NUL
            raise BadTable("无法读取 CSV 文件", f"cannot read the CSV file: {exc}") from exc


def _xlsx_rows(data: bytes) -> Generator[Sequence[Any], None, None]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise BadTable("无法读取 XLSX 文件", f"cannot read the XLSX file: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        # The file's declared size (`<dimension ref="A1:XFD1048576">`) is the sender's word:
        # openpyxl would pad every row to it. Forget it and read only the cells present (a
        # missing row is then an empty tuple, cheap however many there are).
        sheet.reset_dimensions()  # type: ignore[union-attr]
        for row in sheet.iter_rows(values_only=True):
            yield row[:MAX_COLUMNS] if len(row) > MAX_COLUMNS else row
    except Exception as exc:  # noqa: BLE001 - a sheet broken midway (bad XML, bad cells)
        raise BadTable("无法读取 XLSX 文件", f"cannot read the XLSX file: {exc}") from exc
    finally:
        book.close()


def _csv_rows(data: bytes) -> Generator[Sequence[Any], None, None]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # what Chinese Excel saves as CSV
    for row in csv.reader(io.StringIO(text)):
        yield row[:MAX_COLUMNS]


def _column(cell: Any) -> str:
    name = str(cell or "").strip()
    return ALIASES.get(name, name.lower())


def row_body(header: list[str], cells: list[Any]) -> dict[str, Any]:
    """The JSON body a row stands for (unknown columns ignored)."""
    body: dict[str, Any] = {}
    reporter: dict[str, Any] = {}
    for name, cell in zip(header, cells, strict=False):
        value = _cell(name, cell)
        if name not in FIELDS or value is None:
            continue
        if name in REPORTER:
            reporter[REPORTER[name]] = value
        else:
            body[name] = value
    if reporter:
        body["reporter"] = {"anonymous": False, **reporter}
    body.setdefault("channel", "inspection")
    return body


def _cell(name: str, cell: Any) -> Any:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # spreadsheets store 371402 and 18 as floats
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return cell.isoformat()
    if name == "subject_is_head" and not isinstance(cell, bool):
        text = str(cell).strip().lower()
        return True if text in YES else False if text in NO else text
    if name in ("county", "reporter_phone") or isinstance(cell, str):
        return str(cell).strip()
    return cell


def column_of(loc: list[Any]) -> list[Any]:
    """An error location as the import's column: `reporter.phone` is `reporter_phone`."""
    if len(loc) >= 2 and loc[0] == "reporter" and f"reporter_{loc[1]}" in REPORTER:
        return [f"reporter_{loc[1]}", *loc[2:]]
    return loc
