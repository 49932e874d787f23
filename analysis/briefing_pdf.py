"""Lay a briefing out on one A4 page (pure, reportlab).

All text that reaches a reportlab ``Paragraph`` (which parses a small XML
markup) is escaped with :func:`xml.sax.saxutils.escape`, so a unit name or a
filter value can never inject markup: ``<img src=x>`` prints as written.
Text is set in DejaVu Sans from matplotlib's data folder, which covers Vietnamese.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analysis.briefing import Briefing
from loaders.core.i18n import translate

FONT = "HTDejaVuSans"
FONT_BOLD = "HTDejaVuSans-Bold"
_DEMO_RED = colors.HexColor("#c62828")
_FONT_LOCK = threading.Lock()


def _register_fonts() -> None:
    with _FONT_LOCK:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        base = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(FONT, str(base / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(base / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16, leading=20),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=10.5, leading=13, textColor=colors.HexColor("#333333")
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "demo": ParagraphStyle(
            "demo", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13, textColor=colors.white
        ),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: markup characters are escaped, never interpreted."""
    return Paragraph(escape(str(text)), style)


_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)


def build_briefing_pdf(briefing: Briefing, map_png: bytes | None = None, *, compress: bool = True) -> bytes:
    """Lay a briefing out on one A4 page.

    Parameters
    ----------
    briefing : Briefing
        From :func:`analysis.briefing.build_briefing`.
    map_png : bytes, optional
        A small map (PNG) highlighting the unit, e.g. a compact
        :func:`maps.printable.build_print_map` rendered to PNG.
    compress : bool
        Compress page streams (tests turn it off to read the stream).

    Returns
    -------
    bytes
        A one-page PDF: content that would overflow the page is shrunk to fit.
    """
    _register_fonts()
    s = _styles()
    lang = briefing.lang
    width, height = A4
    margin = 14 * mm
    # The page frame pads its content by 6 pt on each side.
    frame_w, frame_h = width - 2 * margin - 12, height - 2 * margin - 12
    story: list[object] = []

    if briefing.demo:
        banner = Table(
            [[_p(f"{translate('demo.badge', lang).upper()} — {translate('demo.badge_help', lang)}", s["demo"])]],
            colWidths=[frame_w],
        )
        banner.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), _DEMO_RED),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story += [banner, Spacer(1, 4 * mm)]
    story.append(_p(translate("briefing.title", lang, unit=briefing.unit_name), s["title"]))
    story.append(
        _p(f"{briefing.unit_kind} · {translate('export.context.period', lang)}: {briefing.period}", s["subtitle"])
    )
    story.append(Spacer(1, 3 * mm))

    figure_rows = [
        [
            _p(translate("col.indicator", lang), s["cell_bold"]),
            _p(briefing.unit_name, s["cell_bold"]),
            _p(translate("briefing.col.province", lang), s["cell_bold"]),
        ]
    ]
    figure_rows += [
        [_p(f.label, s["cell"]), _p(f.unit, s["cell"]), _p(f.province, s["cell"])] for f in briefing.figures
    ]
    left_w = frame_w * 0.52
    figures = Table(figure_rows, colWidths=[left_w * 0.5, left_w * 0.25, left_w * 0.25])
    figures.setStyle(_GRID)
    right_w = frame_w - left_w - 4 * mm
    if map_png:
        reader = ImageReader(io.BytesIO(map_png))
        img_w, img_h = reader.getSize()
        image_h = right_w * img_h / img_w
        map_cell: list[object] = [
            Image(io.BytesIO(map_png), width=right_w, height=image_h),
            _p(translate("briefing.map_caption", lang), s["small"]),
        ]
    else:
        map_cell = [_p(translate("briefing.no_map", lang), s["small"])]
    top = Table(
        [[[_p(translate("briefing.figures", lang), s["h2"]), figures], map_cell]], colWidths=[left_w + 4 * mm, right_w]
    )
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 4 * mm),
            ]
        )
    )
    story.append(top)

    story.append(_p(translate("briefing.missing", lang), s["h2"]))
    story += [_p(f"• {line}", s["body"]) for line in briefing.missing]

    story.append(_p(translate("briefing.priorities", lang), s["h2"]))
    if briefing.rank_line:
        story.append(_p(briefing.rank_line, s["body"]))
    if briefing.priorities:
        rows = [
            [_p(p.rank, s["cell"]), _p(p.title, s["cell_bold"]), _p(p.detail, s["cell"])] for p in briefing.priorities
        ]
        table = Table(rows, colWidths=[frame_w * 0.07, frame_w * 0.38, frame_w * 0.55])
        table.setStyle(
            TableStyle(
                [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
            )
        )
        story += [Spacer(1, 2 * mm), table]
    else:
        story.append(_p(translate("briefing.priorities.none", lang), s["body"]))

    story.append(_p(translate("briefing.context", lang), s["h2"]))
    context_rows = [[_p(k, s["small"]), _p(v, s["small"])] for k, v in briefing.context]
    if context_rows:
        context = Table(context_rows, colWidths=[frame_w * 0.28, frame_w * 0.72])
        context.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        story.append(context)
    story.append(Spacer(1, 3 * mm))
    story.append(
        _p(translate("briefing.footer", lang, version=briefing.data_version, time=briefing.exported_at), s["small"])
    )

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        pageCompression=1 if compress else 0,
        title=f"{translate('briefing.title', lang, unit=briefing.unit_name)}",
        author="Hà Tĩnh dashboard",
        creator="reportlab",
    )
    # KeepInFrame(shrink) keeps the briefing on one page whatever the length of the lists.
    doc.build([KeepInFrame(frame_w, frame_h, story, mode="shrink")])
    return buffer.getvalue()
