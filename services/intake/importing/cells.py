"""A row's cells as the JSON body of a report: spreadsheet values (floats for numbers, dates,
yes/no words) turned into what the body's fields take; channel defaults to `inspection`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.intake.importing.columns import FIELDS, REPORTER

YES = {"1", "true", "yes", "y", "是", "√"}
NO = {"0", "false", "no", "n", "否", ""}


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
