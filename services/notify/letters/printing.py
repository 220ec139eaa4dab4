"""A written notice as a PDF, with fpdf2 and Debian's Noto CJK font (fonts-noto-cjk, which
`make chromium` installs), embedded so the letter prints the same anywhere: the postal address
at the top left (where a window envelope shows it), the notice's subject, its text as the
templates word it, and the date. The same approach as reporting's briefing, kept here (services
share no code)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC = 2  # index 2 of the Noto CJK collections is Simplified Chinese (JP, KR, SC, TC, HK)
LOCAL = ZoneInfo("Asia/Shanghai")
ISSUER = "德州市扶贫领域作风问题专项治理工作领导小组办公室"


class FontMissing(RuntimeError):
    pass


def _fonts(pdf: FPDF) -> None:
    regular, bold = FONT_DIR / "NotoSerifCJK-Regular.ttc", FONT_DIR / "NotoSerifCJK-Bold.ttc"
    if not regular.exists():
        raise FontMissing(f"{regular} not found: install fonts-noto-cjk (make chromium)")
    pdf.add_font("song", fname=str(regular), collection_font_number=SC)
    pdf.add_font("song", style="B", fname=str(bold if bold.exists() else regular),
                 collection_font_number=SC)  # fmt: skip


def letter_pdf(address: str, subject: str, body: str, written: datetime) -> bytes:
    """One letter: `address` as the reporter gave it (opened by the caller, never kept)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 22, 25)
    pdf.set_title(subject)
    pdf.set_creator("Zuofeng")
    _fonts(pdf)
    pdf.add_page()
    pdf.set_font("song", size=12)
    pdf.multi_cell(95, 7, address.strip(), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    pdf.set_font("song", "B", 18)
    pdf.multi_cell(0, 11, subject, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("song", size=13)
    for line in body.strip().splitlines():
        if line.strip() in ("——", "--"):
            break  # the mail's footer: the letter ends with the issuer and the date instead
        pdf.multi_cell(0, 8.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    day = written.astimezone(LOCAL)
    pdf.multi_cell(0, 8.5, f"{ISSUER}\n{day.year}年{day.month}月{day.day}日", align="R",
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    return bytes(pdf.output())
