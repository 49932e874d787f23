"""Write the Word template of the periodic report: ``templates/bao_cao_dinh_ky.docx``.

The template holds the page and the styles only; ``analysis.report_docx``
fills a copy of it with the report. An office restyles the report by opening
the template in Word, changing these styles (fonts, sizes, spacing, table
look, margins) and saving it under the same name; the names must stay:

* ``Normal`` body text; ``Title`` "BÁO CÁO"; ``Subtitle`` the subject;
* ``Heading 1`` the parts (I., II., ...); ``Heading 2`` the tables' titles;
* ``Caption`` the rules under the tables and the map's caption;
* ``Table Grid`` every table of figures.

The defaults follow Decree 30/2020/NĐ-CP: A4, Times New Roman 13-14 pt, margins
20-25 mm top and bottom, 30-35 mm left, 15-20 mm right.

Run: ``.venv/bin/python scripts/make_report_template.py``.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "bao_cao_dinh_ky.docx"
FONT = "Times New Roman"


def _font(style: BaseStyle, size: float, *, bold: bool = False, italic: bool = False) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = RGBColor(0, 0, 0)
    # East Asian and complex scripts take the same font, so Vietnamese never falls back.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def build_template() -> DocxDocument:
    """The template document: A4 page, margins and the named styles."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    styles = doc.styles
    _font(styles["Normal"], 13)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    _font(styles["Title"], 15, bold=True)
    styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(styles["Subtitle"], 13, bold=True)
    styles["Subtitle"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(styles["Heading 1"], 13, bold=True)
    styles["Heading 1"].paragraph_format.space_before = Pt(10)
    _font(styles["Heading 2"], 13, bold=True, italic=True)
    styles["Heading 2"].paragraph_format.space_before = Pt(8)
    _font(styles["Caption"], 11, italic=True)
    _font(styles["Table Grid"], 11)
    # The title style draws a rule under itself by default: an administrative document has none.
    borders = styles["Title"].element.pPr.find(qn("w:pBdr")) if styles["Title"].element.pPr is not None else None
    if borders is not None:
        styles["Title"].element.pPr.remove(borders)
    return doc


def main() -> None:
    """Write the template next to the code that fills it."""
    TEMPLATE.parent.mkdir(exist_ok=True)
    build_template().save(TEMPLATE)
    print(f"wrote {TEMPLATE}")


if __name__ == "__main__":
    main()
