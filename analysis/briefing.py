"""One-page A4 briefing (PDF) on a commune or a former district, for meetings (pure, reportlab).

Two steps, both pure:

1. :func:`build_briefing` turns frames into the words and numbers of the page
   (a :class:`Briefing`): key figures against the province, the missing model
   kinds, the top three priorities, the filters, the data version and the time.
2. :func:`build_briefing_pdf` lays the page out with reportlab.

All text that reaches a reportlab ``Paragraph`` (which parses a small XML
markup) is escaped with :func:`xml.sax.saxutils.escape`, so a unit name or a
filter value can never inject markup: ``<img src=x>`` prints as written.
Text is set in DejaVu Sans from matplotlib's data folder, which covers Vietnamese.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import matplotlib
import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from analysis.formatting import format_indicator
from analysis.indicators import SUMMARY_FIGURES
from loaders.core import domain
from loaders.core.i18n import translate

#: Province-comparable figures of the briefing, in display order (keys of ``analysis.indicators.summarise``).
BRIEFING_FIGURES: tuple[str, ...] = SUMMARY_FIGURES
#: Priority components a commune briefing may name (``analysis.priority.COMPONENTS``, without focus,
#: which is a standing property of the commune rather than something to act on).
_ACTIONABLE_COMPONENTS: tuple[str, ...] = ("coverage", "missing_kinds", "weak", "rising")
UNIT_COMMUNE = "commune"
UNIT_DISTRICT = "district"
FONT = "HTDejaVuSans"
FONT_BOLD = "HTDejaVuSans-Bold"
_DEMO_RED = colors.HexColor("#c62828")
_FONT_LOCK = threading.Lock()


class BriefingFigure(NamedTuple):
    """One key figure: the unit's value and the province's, both formatted."""

    label: str
    unit: str
    province: str


class PriorityLine(NamedTuple):
    """One of the top priorities: a rank or number, what, and why."""

    rank: str
    title: str
    detail: str


@dataclass(frozen=True)
class Briefing:
    """Everything printed on a briefing page, already in the reader's language."""

    unit_name: str
    unit_kind: str
    period: str
    figures: tuple[BriefingFigure, ...]
    missing: tuple[str, ...]
    priorities: tuple[PriorityLine, ...]
    rank_line: str
    context: tuple[tuple[str, str], ...]
    demo: bool
    data_version: str
    exported_at: str
    lang: str = "vi"


# --------------------------------------------------------------------------- content


def _fmt(name: str, value: object, lang: str) -> str:
    return format_indicator(name, _float(value), lang, translate("common.no_data", lang))


def key_figures(unit_summary: Mapping[str, float], province_summary: Mapping[str, float],
                lang: str) -> list[BriefingFigure]:
    """The unit's key figures beside the province's.

    Parameters
    ----------
    unit_summary, province_summary : mapping
        ``analysis.indicators.summarise`` of the unit's communes and of the whole province.
    lang : str
        Catalogue language.

    Returns
    -------
    list of BriefingFigure
        One per :data:`BRIEFING_FIGURES`; "no data" where a value is NaN.
    """
    rows = []
    for name in BRIEFING_FIGURES:
        if name == "units_all_kinds":
            unit = f"{_fmt(name, unit_summary.get(name), lang)}/{_fmt('units', unit_summary.get('units'), lang)}"
            province = (f"{_fmt(name, province_summary.get(name), lang)}/"
                        f"{_fmt('units', province_summary.get('units'), lang)}")
        else:
            unit = _fmt(name, unit_summary.get(name), lang)
            province = _fmt(name, province_summary.get(name), lang)
        rows.append(BriefingFigure(translate(f"indicator.{name}", lang), unit, province))
    return rows


def missing_kind_lines(indicators: pd.DataFrame, codes: Sequence[str], lang: str) -> list[str]:
    """What model kinds are missing, in words.

    Parameters
    ----------
    indicators : pd.DataFrame
        ``compute_indicators`` output with ``kinds_missing`` and ``has_models``.
    codes : sequence of str
        The unit's communes: one code for a commune, the members for a former district.
    lang : str
        Catalogue language.

    Returns
    -------
    list of str
        For one commune: the missing kinds, "all four present" or "no model data".
        For several: per kind, how many communes with model data miss it, and how
        many communes reported no models at all (no data is not zero).
    """
    rows = indicators.loc[[c for c in codes if c in indicators.index]]
    kind_label = {k: translate(f"enum.kind.{k}", lang) for k in domain.MODEL_KINDS_CORE}
    if rows.empty:
        return [translate("briefing.missing.no_data", lang)]
    reported = rows[rows["has_models"].astype(bool)]
    if len(rows) == 1:
        if reported.empty:
            return [translate("briefing.missing.no_data", lang)]
        missing = reported["kinds_missing"].iloc[0]
        if not missing:
            return [translate("briefing.missing.none", lang)]
        return [kind_label.get(k, k) for k in missing]
    lines = []
    for kind in domain.MODEL_KINDS_CORE:
        count = int(reported["kinds_missing"].map(lambda m, k=kind: k in m).sum())
        if count:
            lines.append(translate("briefing.missing.count", lang, kind=kind_label[kind], count=count,
                                   total=len(reported)))
    if not lines and not reported.empty:
        lines.append(translate("briefing.missing.none_district", lang))
    silent = len(rows) - len(reported)
    if silent:
        lines.append(translate("briefing.missing.silent", lang, count=silent, total=len(rows)))
    return lines


def _component_detail(component: str, row: pd.Series, lang: str) -> str:
    no_data = translate("common.no_data", lang)
    if bool(row.get("no_model_data", False)) and component in ("coverage", "missing_kinds", "weak"):
        return translate("briefing.missing.no_data", lang)
    if component == "coverage":
        value = _fmt("models_per_10k", row.get("models_per_10k"), lang)
        return f"{translate('indicator.models_per_10k', lang)}: {value}"
    if component == "missing_kinds":
        kinds = row.get("kinds_missing") or ()
        return ", ".join(translate(f"enum.kind.{k}", lang) for k in kinds)
    if component == "weak":
        return f"{translate('indicator.weak_share', lang)}: {_fmt('weak_share', row.get('weak_share'), lang)}"
    if component == "rising":
        return (f"{translate('indicator.incidents_change', lang)}: "
                f"{format_indicator('incidents_change', _float(row.get('incidents_change')), lang, no_data)}")
    return ""


def _float(value: object) -> float:
    if value is None or isinstance(value, (str, bytes)):
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def top_priorities(ranking: pd.DataFrame | None, codes: Sequence[str], unit_kind: str, lang: str,
                   n: int = 3) -> tuple[list[PriorityLine], str]:
    """The top ``n`` priorities of a unit and its rank line.

    Parameters
    ----------
    ranking : pd.DataFrame or None
        ``analysis.priority.priority_scores`` over the province (ranked, indexed
        by code, with ``rank``, ``name``, ``score`` and the component columns).
        ``None`` when no ranking is available.
    codes : sequence of str
        The unit's communes.
    unit_kind : {"commune", "district"}
        A former district lists its ``n`` highest-ranked communes; a commune
        lists its ``n`` largest actionable score components (thin coverage,
        missing kinds, weak models, rising incidents) that are above zero.
    lang : str
        Catalogue language.

    Returns
    -------
    (list of PriorityLine, str)
        The lines and a sentence with the unit's rank (empty when unknown).
    """
    if ranking is None or ranking.empty:
        return [], ""
    total = len(ranking)
    inside = ranking[ranking.index.isin(list(codes))]
    if inside.empty:
        return [], ""
    if unit_kind == UNIT_DISTRICT:
        lines = [
            PriorityLine(str(int(row["rank"])), str(row["name"]),
                         translate("briefing.priority.score", lang, score=_fmt("score", row["score"] * 100, lang)))
            for _, row in inside.head(n).iterrows()
        ]
        return lines, translate("briefing.priority.district_rank", lang, count=len(inside), total=total)
    row = inside.iloc[0]
    parts = [(c, _float(row.get(c))) for c in _ACTIONABLE_COMPONENTS if c in row.index]
    parts = sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:n]
    lines = [PriorityLine(str(i), translate(f"priority.component.{c}", lang), _component_detail(c, row, lang))
             for i, (c, _) in enumerate(parts, start=1)]
    rank_line = translate("briefing.priority.rank", lang, rank=int(row["rank"]), total=total,
                          score=_fmt("score", row["score"] * 100, lang))
    return lines, rank_line


def build_briefing(
    *,
    unit_name: str,
    unit_kind: str,
    codes: Sequence[str],
    indicators: pd.DataFrame,
    unit_summary: Mapping[str, float],
    province_summary: Mapping[str, float],
    ranking: pd.DataFrame | None,
    period: str,
    context: Sequence[tuple[str, str]],
    demo: bool,
    data_version: int | str,
    exported_at: str,
    lang: str = "vi",
) -> Briefing:
    """Assemble the content of a briefing.

    Parameters
    ----------
    unit_name : str
        "Xã Kỳ Hoa" or "Huyện Kỳ Anh" (any text; it is escaped when laid out).
    unit_kind : {"commune", "district"}
        A 2025 commune or a former district.
    codes : sequence of str
        The unit's 2025 communes (one for a commune).
    indicators : pd.DataFrame
        2025-level ``compute_indicators`` of the province for the current period.
    unit_summary, province_summary : mapping
        ``summarise`` of the unit's communes and of the province.
    ranking : pd.DataFrame or None
        ``analysis.priority.priority_scores`` of the province, or ``None``.
    period : str
        The period as shown ("01/01/2025 – 30/06/2025").
    context : sequence of (label, value)
        The filters (``ui.parts.tables.filter_context``).
    demo : bool
        Demo data shown: the page carries the notice.
    data_version, exported_at : str
        Printed in the footer.
    lang : str
        Catalogue language.

    Raises
    ------
    ValueError
        For an unknown ``unit_kind``.
    """
    if unit_kind not in (UNIT_COMMUNE, UNIT_DISTRICT):
        raise ValueError(f"unit_kind must be 'commune' or 'district', got {unit_kind!r}")
    priorities, rank_line = top_priorities(ranking, codes, unit_kind, lang)
    return Briefing(
        unit_name=unit_name,
        unit_kind=translate(f"briefing.kind.{unit_kind}", lang),
        period=period,
        figures=tuple(key_figures(unit_summary, province_summary, lang)),
        missing=tuple(missing_kind_lines(indicators, codes, lang)),
        priorities=tuple(priorities),
        rank_line=rank_line,
        context=tuple((str(k), str(v)) for k, v in context),
        demo=demo,
        data_version=str(data_version),
        exported_at=exported_at,
        lang=lang,
    )


# --------------------------------------------------------------------------- layout


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
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=10.5, leading=13,
                                   textColor=colors.HexColor("#333333")),
        "h2": ParagraphStyle("h2", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=6,
                             spaceAfter=3),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "demo": ParagraphStyle("demo", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13,
                               textColor=colors.white),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of plain text: markup characters are escaped, never interpreted."""
    return Paragraph(escape(str(text)), style)


_GRID = TableStyle([
    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ("TOPPADDING", (0, 0), (-1, -1), 2),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
])


def build_briefing_pdf(briefing: Briefing, map_png: bytes | None = None, *, compress: bool = True) -> bytes:
    """Lay a briefing out on one A4 page.

    Parameters
    ----------
    briefing : Briefing
        From :func:`build_briefing`.
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
        banner = Table([[_p(f"{translate('demo.badge', lang).upper()} — {translate('demo.badge_help', lang)}",
                            s["demo"])]], colWidths=[frame_w])
        banner.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), _DEMO_RED),
                                    ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        story += [banner, Spacer(1, 4 * mm)]
    story.append(_p(translate("briefing.title", lang, unit=briefing.unit_name), s["title"]))
    story.append(_p(f"{briefing.unit_kind} · {translate('export.context.period', lang)}: {briefing.period}",
                    s["subtitle"]))
    story.append(Spacer(1, 3 * mm))

    figure_rows = [[_p(translate("col.indicator", lang), s["cell_bold"]),
                    _p(briefing.unit_name, s["cell_bold"]),
                    _p(translate("briefing.col.province", lang), s["cell_bold"])]]
    figure_rows += [[_p(f.label, s["cell"]), _p(f.unit, s["cell"]), _p(f.province, s["cell"])]
                    for f in briefing.figures]
    left_w = frame_w * 0.52
    figures = Table(figure_rows, colWidths=[left_w * 0.5, left_w * 0.25, left_w * 0.25])
    figures.setStyle(_GRID)
    right_w = frame_w - left_w - 4 * mm
    if map_png:
        reader = ImageReader(io.BytesIO(map_png))
        img_w, img_h = reader.getSize()
        image_h = right_w * img_h / img_w
        map_cell: list[object] = [Image(io.BytesIO(map_png), width=right_w, height=image_h),
                                  _p(translate("briefing.map_caption", lang), s["small"])]
    else:
        map_cell = [_p(translate("briefing.no_map", lang), s["small"])]
    top = Table([[[_p(translate("briefing.figures", lang), s["h2"]), figures], map_cell]],
                colWidths=[left_w + 4 * mm, right_w])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                             ("RIGHTPADDING", (0, 0), (0, 0), 4 * mm)]))
    story.append(top)

    story.append(_p(translate("briefing.missing", lang), s["h2"]))
    story += [_p(f"• {line}", s["body"]) for line in briefing.missing]

    story.append(_p(translate("briefing.priorities", lang), s["h2"]))
    if briefing.rank_line:
        story.append(_p(briefing.rank_line, s["body"]))
    if briefing.priorities:
        rows = [[_p(p.rank, s["cell"]), _p(p.title, s["cell_bold"]), _p(p.detail, s["cell"])]
                for p in briefing.priorities]
        table = Table(rows, colWidths=[frame_w * 0.07, frame_w * 0.38, frame_w * 0.55])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(1, 2 * mm), table]
    else:
        story.append(_p(translate("briefing.priorities.none", lang), s["body"]))

    story.append(_p(translate("briefing.context", lang), s["h2"]))
    context_rows = [[_p(k, s["small"]), _p(v, s["small"])] for k, v in briefing.context]
    if context_rows:
        context = Table(context_rows, colWidths=[frame_w * 0.28, frame_w * 0.72])
        context.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                                     ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 1),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        story.append(context)
    story.append(Spacer(1, 3 * mm))
    story.append(_p(translate("briefing.footer", lang, version=briefing.data_version, time=briefing.exported_at),
                    s["small"]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, pageCompression=1 if compress else 0,
                            title=f"{translate('briefing.title', lang, unit=briefing.unit_name)}",
                            author="Hà Tĩnh dashboard", creator="reportlab")
    # KeepInFrame(shrink) keeps the briefing on one page whatever the length of the lists.
    doc.build([KeepInFrame(frame_w, frame_h, story, mode="shrink")])
    return buffer.getvalue()
