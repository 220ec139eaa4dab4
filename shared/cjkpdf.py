"""Chinese text in the PDFs the services print (reporting's briefing, notify's letters): Debian's
Noto Serif CJK (fonts-noto-cjk, which `make chromium` installs) embedded as the family "song",
so a document prints the same anywhere. Import fpdf2 only where a PDF is made: it is heavy and
rare (shared code imports it lazily through the caller)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC = 2  # index 2 of the Noto CJK collections is Simplified Chinese (JP, KR, SC, TC, HK)


class FontMissing(RuntimeError):
    pass


def add_song(pdf: FPDF) -> None:
    """Regular and bold "song" (bold falls back to regular when its file is absent)."""
    regular, bold = FONT_DIR / "NotoSerifCJK-Regular.ttc", FONT_DIR / "NotoSerifCJK-Bold.ttc"
    if not regular.exists():
        raise FontMissing(f"{regular} not found: install fonts-noto-cjk (make chromium)")
    pdf.add_font("song", fname=str(regular), collection_font_number=SC)
    pdf.add_font("song", style="B", fname=str(bold if bold.exists() else regular),
                 collection_font_number=SC)  # fmt: skip
