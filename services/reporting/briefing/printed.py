"""The briefing as a PDF, with fpdf2 and Debian's Noto CJK font (fonts-noto-cjk, which `make
chromium` installs): embedded, so the document reads the same on any machine."""

from __future__ import annotations

from fpdf import FPDF

from services.reporting.briefing.content import Block, Briefing
from shared.cjkpdf import add_song

# Index 2 of the Noto CJK collections is Simplified Chinese (JP, KR, SC, TC, HK).
SC = 2


def pdf_bytes(brief: Briefing) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    add_song(pdf)
    pdf.add_page()
    pdf.set_text_color(192, 0, 0)
    pdf.set_font("song", "B", 20)
    pdf.multi_cell(0, 12, brief.issuer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("song", size=13)
    pdf.multi_cell(0, 8, brief.number, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(192, 0, 0)
    pdf.line(22, pdf.get_y() + 1, 188, pdf.get_y() + 1)
    pdf.ln(5)
    pdf.set_font("song", "B", 17)
    pdf.multi_cell(0, 10, brief.title, align="C", new_x="LMARGIN", new_y="NEXT")
    _text(pdf, brief.summary)
    for block in brief.tables:
        _table(pdf, block)
    for i, section in enumerate(brief.sections, start=1):
        pdf.set_font("song", "B", 13)
        pdf.multi_cell(0, 9, f"{'一二三四五六七八九十'[i - 1]}、{section.heading}",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        for line in section.lines:
            _text(pdf, line)
        if section.table is not None:
            _table(pdf, section.table)
    pdf.ln(6)
    pdf.set_font("song", size=12)
    pdf.multi_cell(
        0, 8, f"{brief.issuer}\n{brief.issued}", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())


def _text(pdf: FPDF, text: str) -> None:
    pdf.set_font("song", size=12)
    pdf.multi_cell(0, 8, "\u3000\u3000" + text, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, block: Block) -> None:
    pdf.ln(2)
    pdf.set_font("song", "B", 12)
    pdf.multi_cell(0, 8, block.caption, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("song", size=9)
    first = 46
    rest = (pdf.epw - first) / max(len(block.headers) - 1, 1)
    with pdf.table(col_widths=(first, *([rest] * (len(block.headers) - 1))),
                   text_align=("LEFT", *(["RIGHT"] * (len(block.headers) - 1))),
                   line_height=6) as table:  # fmt: skip
        for cells in [block.headers, *block.rows]:
            row = table.row()
            for value in cells:
                row.cell(value)
