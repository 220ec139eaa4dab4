"""A briefing as a file: its bytes, name and media type (the command and the download)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.briefing.content import gather
from services.reporting.scorecards.figures import Thresholds
from services.reporting.words.names import Names

Format = Literal["docx", "pdf"]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
MONTH = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"  # a year `date` and the campaign know


@dataclass(frozen=True)
class BriefingFile:
    content: bytes
    name: str
    media_type: str


async def briefing_file(
    session: AsyncSession,
    names: Names,
    month: str,
    county: str | None,
    fmt: Format,
    today: date,
    limits: Thresholds,
) -> BriefingFile:
    # Imported on the first briefing, not at start: fpdf2 (with fontTools and Pillow) and
    # python-docx are about 19 MB of reporting's memory for a document asked for monthly.
    from services.reporting.briefing.printed import pdf_bytes
    from services.reporting.briefing.word import docx_bytes

    brief = await gather(session, names, month, county, today, limits)
    # Off the event loop: laying out a PDF with the CJK font takes seconds of CPU, which would
    # stop every consumer and request of the service meanwhile.
    content = await asyncio.to_thread(docx_bytes if fmt == "docx" else pdf_bytes, brief)
    return BriefingFile(content, f"{brief.file_stem}.{fmt}", MEDIA[fmt])
