"""The periodic report as PDF, built in Python with reportlab (no office suite): the same as the Word document.

Every string reaches a reportlab ``Paragraph`` (which parses a small XML markup)
through :func:`xml.sax.saxutils.escape`, so text from uploads prints as written
and never as markup. Fonts are the briefing's (DejaVu Sans, which covers Vietnamese).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Image, LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analysis.briefing_pdf import FONT, FONT_BOLD, _register_fonts
from analysis.report_figures import Report
from analysis.report_text import PARTS, ReportStamp, heading_rows, place_date, rules, table_title, text_table, unit_name
from loaders.core.i18n import translate

MIME_TYPE = "application/pdf"
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#777777")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)
_PLAIN_GRID = TableStyle(
    [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#777777")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13)
    bold = ParagraphStyle("bold", parent=body, fontName=FONT_BOLD)
    return {
        "body": body,
        "center": ParagraphStyle("center", parent=bold, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=bold, fontSize=15, leading=19, alignment=TA_CENTER, spaceBefore=8),
        "subtitle": ParagraphStyle("subtitle", parent=bold, fontSize=11, leading=14, alignment=TA_CENTER),
        # Headings stay on the page of what follows them (keepWithNext).
        "h1": ParagraphStyle("h1", parent=bold, fontSize=11, leading=14, spaceBefore=10, spaceAfter=4, keepWithNext=1),
        "h2": ParagraphStyle("h2", parent=bold, fontSize=10, leading=13, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "caption": ParagraphStyle(
            "caption", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333")
        ),
        "caption_next": ParagraphStyle(
            "caption_next", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333"), keepWithNext=1
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=bold, fontSize=8.5, leading=10.5),
        "demo": ParagraphStyle("demo", parent=bold, textColor=colors.HexColor("#c62828"), alignment=TA_CENTER),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: markup characters are escaped; line breaks kept."""
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _widest(cells: list[list[str]], columns: int, font: str, size: float, padding: float) -> tuple[list, list]:
    """Per column: the widest word and the widest line of ``cells``, padding included."""
    word = [padding] * columns
    whole = [padding] * columns
    for row in cells:
        for i, text in enumerate(row):
            for line in str(text).split("\n"):
                whole[i] = max(whole[i], stringWidth(line, font, size) + padding)
                for token in line.split():
                    word[i] = max(word[i], stringWidth(token, font, size) + padding)
    return word, whole


def column_widths(
    header: list[str] | None, rows: list[list[str]], width: float, font: str, size: float, padding: float = 6.0
) -> list[float]:
    """Column widths that fit ``width`` and give each column room for its longest word first.

    A column never gets less than its longest word (plus ``padding``) while the
    words of all columns fit: names such as "Phường Bắc Hồng Lĩnh" then wrap
    between words, never inside one. What is left is shared in proportion to how
    much wider each column's longest cell is than its longest word. When the
    header's words do not all fit, the body's words come first: a long header
    word ("Self-prevention") may break, a commune's name may not. When even the
    body's words do not fit, every column shrinks in proportion to them.

    Parameters
    ----------
    header : list of str or None
        The header row, when the table has one.
    rows : list of list of str
        The body rows, all as long as the header.
    width : float
        The table's width in points.
    font, size : str, float
        The cells' font (registered with reportlab) and size in points.
    padding : float
        Left plus right padding of a cell, in points.
    """
    cells = ([header] if header else []) + rows
    columns = len(cells[0])
    word, whole = _widest(cells, columns, font, size, padding)
    need = sum(word)
    if need <= width:
        extra = [max(full - w, 0.0) for full, w in zip(whole, word)]
        spare, wanted = width - need, sum(extra)
        if wanted <= spare:  # everything fits on one line: share the rest evenly
            return [w + e + (spare - wanted) / columns for w, e in zip(word, extra)]
        return [w + spare * e / wanted for w, e in zip(word, extra)]
    body, _ = _widest(rows, columns, font, size, padding) if rows else ([padding] * columns, None)
    floor = sum(body)
    if floor >= width:
        return [width * b / floor for b in body]
    short = [w - b for w, b in zip(word, body)]  # what the header's words lack beyond the body's
    return [b + (width - floor) * s / sum(short) for b, s in zip(body, short)]


def _table(header: list[str] | None, rows: list[list[str]], width: float, s: dict[str, ParagraphStyle]) -> LongTable:
    """A grid table; ``header`` (bold, shaded, repeated on each page) is its first row when given."""
    data = [[_p(h, s["cell_bold"]) for h in header]] if header else []
    data += [[_p(v, s["cell"]) for v in row] for row in rows]
    cell = s["cell_bold"]  # the wider of the two faces, so that no header word breaks when all fit
    widths = column_widths(
        list(header) if header else None, [list(r) for r in rows], width, cell.fontName, cell.fontSize, padding=7.0
    )
    table = LongTable(data, colWidths=widths, repeatRows=1 if header else 0)
    table.setStyle(_GRID if header else _PLAIN_GRID)
    return table


def build_report_pdf(report: Report, stamp: ReportStamp, *, compress: bool = True) -> bytes:
    """The report as an A4 PDF, the same parts and tables as :func:`analysis.report_docx.build_report_docx`.

    Parameters
    ----------
    report : Report
        From :func:`analysis.report.build_report`.
    stamp : ReportStamp
        Language, data version, time and the coverage map (PNG) when one could be drawn.
    compress : bool
        Compress page streams (tests turn it off to read the text).
    """
    _register_fonts()
    s = _styles()
    lang = stamp.lang
    width = A4[0] - 45 * mm - 12
    story: list[object] = []
    letterhead = Table(
        [
            [
                [_p(translate("report.issuer", lang), s["center"]), _p(translate("report.number", lang), s["body"])],
                [
                    _p(translate("report.motto", lang), s["center"]),
                    _p(translate("report.motto_line", lang), s["center"]),
                    _p(place_date(report, lang), s["body"]),
                ],
            ]
        ],
        colWidths=[width * 0.42, width * 0.58],
    )
    story.append(letterhead)
    if report.demo:
        story.append(_p(translate("report.demo_notice", lang), s["demo"]))
    story += [
        _p(translate("report.title", lang), s["title"]),
        _p(translate("report.subject", lang), s["subtitle"]),
        _p(unit_name(report, lang), s["subtitle"]),
        Spacer(1, 3 * mm),
        _table(None, [[k, v] for k, v in heading_rows(report, stamp)], width, s),
        _p(translate("report.section.situation", lang), s["h1"]),
        _p(translate("report.placeholder", lang), s["body"]),
        _p(translate("report.section.results", lang), s["h1"]),
    ]
    stated = rules(report, lang)
    for names, rule in PARTS:
        for position, name in enumerate(names):
            story.append(_p(table_title(report, name, lang), s["h2"]))
            if position == 0 and rule is not None:
                story.append(_p(stated[rule], s["caption_next"]))
            header, rows = text_table(report, name, lang)
            story.append(_table(header, rows, width, s) if rows else _p(translate("report.empty", lang), s["body"]))
    story.append(_p(translate("report.map", lang), s["h2"]))
    if stamp.map_png:
        img_w, img_h = ImageReader(io.BytesIO(stamp.map_png)).getSize()
        shown = min(width, 150 * mm)
        story += [
            Image(io.BytesIO(stamp.map_png), width=shown, height=shown * img_h / img_w),
            _p(translate("report.map.caption", lang), s["caption"]),
        ]
    else:
        story.append(_p(translate("report.map.none", lang), s["caption"]))
    for part in ("shortcomings", "tasks"):
        story += [
            _p(translate(f"report.section.{part}", lang), s["h1"]),
            _p(translate("report.placeholder", lang), s["body"]),
        ]
    story += [
        Spacer(1, 6 * mm),
        Table(
            [
                [
                    [
                        _p(translate("report.recipients", lang), s["cell_bold"]),
                        _p(translate("report.recipients_lines", lang), s["cell"]),
                    ],
                    _p(translate("report.signature", lang), s["center"]),
                ]
            ],
            colWidths=[width * 0.5, width * 0.5],
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=30 * mm,
        rightMargin=15 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        pageCompression=1 if compress else 0,
        title=f"{translate('report.title', lang)} {unit_name(report, lang)}",
        author="Hà Tĩnh dashboard",
        creator="reportlab",
    )
    doc.build(story)
    return buffer.getvalue()
