"""The briefing as a Word document (.docx, for Word and WPS users), with python-docx."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.run import Run

from services.reporting.briefing.content import Block, Briefing

FONT = "仿宋_GB2312"  # the body font of government documents; Word falls back where missing
TITLE_FONT = "方正小标宋简体"


def _font(run: Run, name: str, size: float, bold: bool = False) -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, name
    # East Asian text takes its own font attribute, or Word shows it in the Latin one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def docx_bytes(brief: Briefing) -> bytes:
    doc = Document()
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    red = head.add_run(brief.issuer)
    _font(red, TITLE_FONT, 22, bold=True)
    red.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)  # the red header (红头)
    number = doc.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(number.add_run(brief.number), FONT, 16)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(brief.title), TITLE_FONT, 20, bold=True)
    _paragraph(doc, brief.summary)
    for block in brief.tables:
        _table(doc, block)
    for i, section in enumerate(brief.sections, start=1):
        _font(doc.add_paragraph().add_run(f"{_ordinal(i)}、{section.heading}"), "黑体", 16, True)
        for line in section.lines:
            _paragraph(doc, line)
        if section.table is not None:
            _table(doc, section.table)
    sign = doc.add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(sign.add_run(f"{brief.issuer}\n{brief.issued}"), FONT, 16)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _paragraph(doc: Any, text: str) -> None:  # a docx Document (a factory, not a type)
    para = doc.add_paragraph()
    para.paragraph_format.first_line_indent = Pt(32)  # two characters, as the format asks
    _font(para.add_run(text), FONT, 16)


def _table(doc: Any, block: Block) -> None:
    caption = doc.add_paragraph()
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(caption.add_run(block.caption), "黑体", 14, True)
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, cells in enumerate([block.headers, *block.rows]):
        for c, value in enumerate(cells):
            para = table.cell(r, c).paragraphs[0]
            _font(para.add_run(value), FONT, 10.5, bold=r == 0)


def _ordinal(n: int) -> str:
    return "一二三四五六七八九十"[n - 1] if n <= 10 else str(n)
