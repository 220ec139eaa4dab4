"""A written notice as a PDF, with fpdf2 and Debian's Noto CJK font (fonts-noto-cjk, which
`make chromium` installs), embedded so the letter prints the same anywhere: the postal address
at the top left (where a window envelope shows it), the notice's subject, its text as the
templates word it, and the date. The font as reporting's briefing embeds it (shared/cjkpdf.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF

from shared.cjkpdf import add_song

LOCAL = ZoneInfo("Asia/Shanghai")
ISSUER = "德州市扶贫领域作风问题专项治理工作领导小组办公室"


def letter_pdf(address: str, subject: str, body: str, written: datetime) -> bytes:
    """One letter: `address` as the reporter gave it (opened by the caller, never kept)."""
    pdf = FPDF(format="A4")
    pdf.set_margins(25, 22, 25)
    pdf.set_title(subject)
    pdf.set_creator("Zuofeng")
    add_song(pdf)
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
