"""Reading a briefing back: the tables of a .docx (python-docx) and the text of a PDF (pypdf),
to compare with GET /api/v1/stats."""

from __future__ import annotations

import io
import re
from typing import Any

from docx import Document
from pypdf import PdfReader

FIELDS = ("received", "cases", "accepted", "substantiated", "rectified", "overdue",
          "transferred", "exposed")  # fmt: skip


def docx_tables(content: bytes) -> list[list[list[str]]]:
    doc = Document(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def pdf_text(content: bytes) -> str:
    """The PDF's text without the spaces the extractor puts between CJK glyphs."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"[ \t\x00]+", "", "\n".join(p.extract_text() for p in reader.pages))


def expected_rows(stats: dict[str, Any], name: Any) -> dict[str, list[str]]:
    """Row label -> the figures, from a stats answer (groups and the total)."""
    rows = {name(g["key"]): [str(g[f]) for f in FIELDS] for g in stats["groups"]}
    rows["合计"] = [str(stats["totals"][f]) for f in FIELDS]
    return rows


def table_rows(table: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in table[1:] if any(v != "0" for v in row[1:])}


RATES = ("on_time_acceptance", "on_time_completion", "satisfaction", "redo")
RATE_NAMES = {"on_time_acceptance": "按时受理率", "on_time_completion": "按时办结率",
              "satisfaction": "满意率", "redo": "重办率"}  # fmt: skip


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def flagged_rows(cards: dict[str, Any]) -> list[list[str]]:
    """The rows the briefing's below-threshold table should have, from a scorecards answer
    (its items carry `name`)."""
    return [
        [item["name"], *(percent(item["rates"][r]) for r in RATES),
         "、".join(RATE_NAMES[b] for b in item["below"])]
        for item in cards["items"] if item["flagged"]
    ]  # fmt: skip
