"""The periodic report as a Word document (python-docx), filled into the template kept in the repository.

The template (``templates/bao_cao_dinh_ky.docx``, written by
``scripts/make_report_template.py``) holds the page and the named styles;
an office restyles the report there. This module only adds content in those
styles, in the form of an administrative report (Decree 30/2020/NĐ-CP): the
issuing body and the national motto, number, place and date, the title, the
heading, part I to be written by the office, part II the figures and tables
with the rule each one follows, the coverage map, parts III and IV to be
written, the recipients and the signature.

python-docx writes every string as text (XML-escaped), never as markup or a
field, so uploaded text cannot change the document. Control characters that XML
cannot hold are dropped (:func:`_plain`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from analysis.report_figures import Report
from analysis.report_text import PARTS, ReportStamp, heading_rows, place_date, rules, table_title, text_table, unit_name
from loaders.core.i18n import translate

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "bao_cao_dinh_ky.docx"
MIME_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DEMO_RED = RGBColor(0xC6, 0x28, 0x28)


def _plain(text: object) -> str:
    """Text that XML can hold: control characters (other than tab and line breaks) are dropped."""
    return _CONTROL.sub("", str(text))


def _paragraph(
    doc: DocxDocument, text: str, style: str | None = None, *, bold: bool = False, center: bool = False
) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    run = paragraph.add_run(_plain(text))
    run.bold = bold or None
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _table(doc: DocxDocument, header: list[str] | None, rows: list[list[str]]) -> None:
    """A table in the template's "Table Grid" style; ``header`` (bold) is its first row when given."""
    table = doc.add_table(rows=0, cols=len(header) if header else len(rows[0]))
    table.style = doc.styles["Table Grid"]
    if header:
        for cell, text in zip(table.add_row().cells, header):
            cell.paragraphs[0].add_run(_plain(text)).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = _plain(text)


def _letterhead(doc: DocxDocument, report: Report, lang: str) -> None:
    """Issuing body and number on the left; the national motto, place and date on the right."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].add_run(translate("report.issuer", lang)).bold = True
    left.add_paragraph(translate("report.number", lang))
    right.paragraphs[0].add_run(translate("report.motto", lang)).bold = True
    right.add_paragraph().add_run(translate("report.motto_line", lang)).bold = True
    right.add_paragraph().add_run(place_date(report, lang)).italic = True
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def build_report_docx(report: Report, stamp: ReportStamp, template: Path | None = None) -> bytes:
    """The report as a ``.docx`` file.

    Parameters
    ----------
    report : Report
        From :func:`analysis.report.build_report`.
    stamp : ReportStamp
        Language, data version, time and the coverage map (PNG) when one could be drawn.
    template : Path, optional
        The Word template; default :data:`TEMPLATE`.

    Returns
    -------
    bytes
        The document. Every table of the report is a Word table, with a header row.
    """
    lang = stamp.lang
    doc = Document(str(template or TEMPLATE))
    _letterhead(doc, report, lang)
    if report.demo:
        notice = _paragraph(doc, translate("report.demo_notice", lang), bold=True, center=True)
        notice.runs[0].font.color.rgb = _DEMO_RED
    _paragraph(doc, translate("report.title", lang), "Title")
    _paragraph(doc, translate("report.subject", lang), "Subtitle")
    _paragraph(doc, unit_name(report, lang), "Subtitle")
    _table(doc, None, [[label, value] for label, value in heading_rows(report, stamp)])

    _paragraph(doc, translate("report.section.situation", lang), "Heading 1")
    _paragraph(doc, translate("report.placeholder", lang))
    _paragraph(doc, translate("report.section.results", lang), "Heading 1")
    stated = rules(report, lang)
    for names, rule in PARTS:
        for position, name in enumerate(names):
            _paragraph(doc, table_title(report, name, lang), "Heading 2")
            if position == 0 and rule is not None:
                _paragraph(doc, stated[rule], "Caption")
            header, rows = text_table(report, name, lang)
            if rows:
                _table(doc, header, rows)
            else:
                _paragraph(doc, translate("report.empty", lang))
    _paragraph(doc, translate("report.map", lang), "Heading 2")
    if stamp.map_png:
        doc.add_picture(io.BytesIO(stamp.map_png), width=Mm(150))
        _paragraph(doc, translate("report.map.caption", lang), "Caption")
    else:
        _paragraph(doc, translate("report.map.none", lang), "Caption")

    for part in ("shortcomings", "tasks"):
        _paragraph(doc, translate(f"report.section.{part}", lang), "Heading 1")
        _paragraph(doc, translate("report.placeholder", lang))

    closing = doc.add_table(rows=1, cols=2)
    left, right = closing.rows[0].cells
    left.paragraphs[0].add_run(translate("report.recipients", lang)).bold = True
    for line in translate("report.recipients_lines", lang).split("\n"):
        left.add_paragraph(line).runs[0].font.size = Pt(11)
    right.paragraphs[0].add_run(translate("report.signature", lang)).bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
