"""Printable maps of the current view, drawn server-side with matplotlib (pure, no streamlit).

The printed map repeats what the screen shows (the choropleth, its classes and
the no-data class) and adds what a sheet of paper needs: a title, the period, a
legend, a scale bar, a north arrow, the data sources and, for demo data, a
visible badge. Everything is drawn in EPSG:3405 (VN-2000 / UTM 48N, metres), so
the scale bar is measured, not estimated. No tiles and no network are used.

Text is set in DejaVu Sans from matplotlib's own data folder, which covers
Vietnamese, so the output does not depend on the fonts of the host. Text never
goes through mathtext (``parse_math=False``): a ``$`` in a name stays a ``$``.
The fonts, scale bar, north arrow and source line live in
:mod:`maps.print_furniture`; this module composes the sheet.

The figures are plain :class:`matplotlib.figure.Figure` objects with an Agg
canvas; pyplot's global figure registry is never used, so concurrent sessions
do not share state.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from loaders.core.i18n import translate
from loaders.geo.schema import CRS_METRIC
from maps.palette import NO_DATA_COLOUR, NOT_REPORTED_COLOUR, ColourScale
from maps.print_furniture import draw_north_arrow, draw_scale_bar, font
from maps.styles import (
    PRINT_HIGHLIGHT_COLOUR,
    PRINT_NO_DATA_EDGE,
    PRINT_NO_DATA_HATCH,
    PRINT_NOT_REPORTED_EDGE,
    PRINT_NOT_REPORTED_HATCH,
    PRINT_OVERLAY_KEYS,
    PRINT_OVERLAY_STYLES,
)

DEMO_COLOUR = "#c62828"
#: A4 landscape, inches.
PAGE_SIZE_IN = (11.69, 8.27)
#: Small map for the briefing, inches.
COMPACT_SIZE_IN = (4.6, 3.4)
PNG_DPI = 150
FORMATS: tuple[str, ...] = ("png", "pdf")
MIME_TYPES: dict[str, str] = {"png": "image/png", "pdf": "application/pdf"}


class _BuildCanvas(FigureCanvasAgg):
    """Agg canvas that ignores ``draw_idle``.

    geopandas asks the canvas to redraw after every layer it plots; nothing is
    shown while the map is built, so those draws are wasted. The figure is drawn
    once, when it is saved.
    """

    def draw_idle(self, *args: object, **kwargs: object) -> None:
        return None


class PrintLegendEntry(NamedTuple):
    """One legend row of the printed map; ``no_data`` rows are drawn grey and hatched."""

    colour: str
    label: str
    no_data: bool = False


@dataclass(frozen=True, kw_only=True)
class PrintLegend:
    """The classes of the printed map and the legend rows that name them.

    Parameters
    ----------
    scale : ColourScale
        Classes and colours, as on screen (:func:`maps.palette.build_colour_scale`).
    rows : sequence of PrintLegendEntry or (colour, label)
        Legend rows as on screen. A ``(colour, label)`` pair whose colour is the
        no-data colour is drawn as the no-data row.
    title : str
        Heading of the legend (the indicator).
    """

    scale: ColourScale
    rows: Sequence[PrintLegendEntry | tuple[str, str]]
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class PrintSheet:
    """The words around the printed map and the size of the sheet.

    Parameters
    ----------
    title, subtitle : str
        Heading and second line (the period and filters).
    source : str
        Data-source line (see :func:`maps.print_furniture.source_text`).
    demo : bool
        Draw the demo-data badge.
    lang : str
        Catalogue language of the fixed words (badge, north, scale).
    compact : bool
        Small map for the briefing: no title, legend panel or source line.
    """

    title: str
    subtitle: str
    source: str = ""
    demo: bool = False
    lang: str = "vi"
    compact: bool = False


def _to_metric(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if frame is None or frame.empty:
        return None
    if frame.crs is None:
        raise ValueError("layer has no CRS; expected a GeoDataFrame with a CRS")
    return frame if frame.crs.equals(CRS_METRIC) else frame.to_crs(CRS_METRIC)


def project_layers(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, gpd.GeoDataFrame | None]:
    """Layers reprojected to EPSG:3405 once (meant to be cached by the UI layer)."""
    return {key: _to_metric(frame) for key, frame in layers.items()}


def _fill_colours(
    communes: gpd.GeoDataFrame, values: pd.Series, scale: ColourScale, code_column: str
) -> tuple[pd.Series, pd.Series]:
    """Fill colour per polygon and the no-data mask (NaN, or a code absent from ``values``)."""
    aligned = pd.to_numeric(communes[code_column].map(values), errors="coerce")
    classes = aligned.map(lambda v: scale.class_of(v))
    no_data = classes.isna()
    fills = pd.Series(
        [scale.no_data_colour if pd.isna(c) else scale.colours[int(c)] for c in classes], index=communes.index
    )
    return fills, no_data


def build_print_map(
    communes: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    legend: PrintLegend,
    sheet: PrintSheet,
    overlays: Mapping[str, gpd.GeoDataFrame | None] | None = None,
    overlay_labels: Mapping[str, str] | None = None,
    highlight: Sequence[str] = (),
    code_column: str = "gso_code",
    not_reported: Sequence[str] = (),
) -> Figure:
    """A printable map of one indicator over the communes.

    Parameters
    ----------
    communes : GeoDataFrame
        Commune polygons (display geometry, any CRS; drawn in EPSG:3405) with a
        ``code_column``.
    values : pd.Series
        Indicator values by commune code; NaN or a missing code means no data
        (drawn grey and hatched, apart from zero).
    legend : PrintLegend
        Classes, colours and legend rows, as on screen.
    sheet : PrintSheet
        Title, subtitle, source line, demo badge, language and size.
    overlays : mapping, optional
        Layers by key of :data:`PRINT_OVERLAY_KEYS` (``None`` values are skipped).
    overlay_labels : mapping, optional
        Legend labels of the overlays drawn.
    highlight : sequence of str
        Codes outlined in red (the unit of a briefing, say).
    code_column : str
        Column of ``communes`` holding the codes.
    not_reported : sequence of str
        Codes drawn "chưa báo cáo" (lilac, dotted), apart from zero and from no
        data; the legend row is the one whose colour is ``NOT_REPORTED_COLOUR``.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas; render it with :func:`render_print_map`.

    Raises
    ------
    ValueError
        If ``communes`` is empty, has no CRS or lacks ``code_column``.
    """
    if communes is None or communes.empty:
        raise ValueError("no commune polygons to draw")
    if code_column not in communes.columns:
        raise ValueError(f"commune layer has no column {code_column!r}")
    scale, compact, lang, demo = legend.scale, sheet.compact, sheet.lang, sheet.demo
    metric = _to_metric(communes)
    layers = project_layers(overlays or {})
    labels = dict(overlay_labels or {})
    fills, no_data = _fill_colours(metric, values, scale, code_column)

    fig = Figure(figsize=COMPACT_SIZE_IN if compact else PAGE_SIZE_IN)
    _BuildCanvas(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98)) if compact else fig.add_axes((0.02, 0.1, 0.68, 0.78))
    ax.set_axis_off()
    ax.set_aspect("equal")

    has_data = ~no_data
    if has_data.any():
        metric[has_data].plot(ax=ax, color=fills[has_data].tolist(), edgecolor="#ffffff", linewidth=0.4)
    if no_data.any():
        metric[no_data].plot(
            ax=ax, facecolor=NO_DATA_COLOUR, edgecolor=PRINT_NO_DATA_EDGE, hatch=PRINT_NO_DATA_HATCH, linewidth=0.4
        )
    silent = metric[code_column].isin(list(not_reported))
    if silent.any():
        metric[silent].plot(
            ax=ax,
            facecolor=NOT_REPORTED_COLOUR,
            edgecolor=PRINT_NOT_REPORTED_EDGE,
            hatch=PRINT_NOT_REPORTED_HATCH,
            linewidth=0.4,
        )
    drawn: list[str] = []
    for key in PRINT_OVERLAY_KEYS:
        layer = layers.get(key)
        if layer is None:
            continue
        geometry = layer.geometry
        if set(geometry.geom_type) & {"Polygon", "MultiPolygon"}:
            geometry = geometry.boundary
        geometry.plot(ax=ax, zorder=5, **PRINT_OVERLAY_STYLES[key])
        drawn.append(key)
    if highlight:
        chosen = metric[metric[code_column].isin(list(highlight))]
        if not chosen.empty:
            width = 1.8 if compact else 2.4
            # A white halo under the outline keeps it visible on dark classes and next to overlays.
            chosen.boundary.plot(ax=ax, color="#ffffff", linewidth=width + 2, zorder=9)
            chosen.boundary.plot(ax=ax, color=PRINT_HIGHLIGHT_COLOUR, linewidth=width, zorder=10)

    xmin, ymin, xmax, ymax = metric.total_bounds
    pad_x, pad_y = (xmax - xmin) * 0.03, (ymax - ymin) * 0.03
    # Room below for the scale bar.
    extent = (xmin - pad_x, ymin - pad_y * 3, xmax + pad_x, ymax + pad_y)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    small = 6.5 if compact else 9
    draw_scale_bar(ax, extent, lang, small)
    draw_north_arrow(ax, lang, small + 1)

    badge = translate("demo.badge", lang).upper()
    if compact:
        if demo:
            ax.text(
                0.02,
                0.98,
                badge,
                transform=ax.transAxes,
                ha="left",
                va="top",
                color="#ffffff",
                fontproperties=font(7, bold=True),
                zorder=30,
                parse_math=False,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": DEMO_COLOUR, "edgecolor": DEMO_COLOUR},
            )
        return fig

    fig.text(0.02, 0.955, sheet.title, ha="left", va="center", fontproperties=font(16, bold=True), parse_math=False)
    fig.text(
        0.02, 0.915, sheet.subtitle, ha="left", va="center", fontproperties=font(10), color="#333333", parse_math=False
    )
    if demo:
        fig.text(
            0.98,
            0.955,
            badge,
            ha="right",
            va="center",
            color="#ffffff",
            fontproperties=font(13, bold=True),
            parse_math=False,
            bbox={"boxstyle": "round,pad=0.4", "facecolor": DEMO_COLOUR, "edgecolor": DEMO_COLOUR},
        )
    legend_ax = fig.add_axes((0.72, 0.10, 0.26, 0.76))
    legend_ax.set_axis_off()
    handles: list[object] = []
    for entry in legend.rows:
        row = (
            entry
            if isinstance(entry, PrintLegendEntry)
            else PrintLegendEntry(entry[0], entry[1], entry[0] == scale.no_data_colour)
        )
        if row.colour == NOT_REPORTED_COLOUR:
            handles.append(
                Patch(
                    facecolor=NOT_REPORTED_COLOUR,
                    edgecolor=PRINT_NOT_REPORTED_EDGE,
                    hatch=PRINT_NOT_REPORTED_HATCH,
                    label=row.label,
                )
            )
        elif row.no_data:
            handles.append(
                Patch(
                    facecolor=NO_DATA_COLOUR, edgecolor=PRINT_NO_DATA_EDGE, hatch=PRINT_NO_DATA_HATCH, label=row.label
                )
            )
        else:
            handles.append(Patch(facecolor=row.colour, edgecolor="#666666", label=row.label))
    classes = legend_ax.legend(
        handles=handles,
        loc="upper left",
        title=legend.title,
        prop=font(9),
        title_fontproperties=font(10, bold=True),
        frameon=False,
        alignment="left",
        handlelength=2.2,
        handleheight=1.4,
    )
    if drawn or highlight:
        # A second legend() call replaces the first; keep the first as a plain artist.
        legend_ax.add_artist(classes)
        line_handles = [Line2D([], [], label=labels.get(key, key), **PRINT_OVERLAY_STYLES[key]) for key in drawn]
        if highlight:
            line_handles.append(
                Line2D(
                    [],
                    [],
                    color=PRINT_HIGHLIGHT_COLOUR,
                    linewidth=2.4,
                    label=labels.get("highlight", translate("print.highlight", lang)),
                )
            )
        legend_ax.legend(
            handles=line_handles,
            loc="lower left",
            prop=font(9),
            frameon=False,
            title=translate("print.overlays", lang),
            title_fontproperties=font(10, bold=True),
            alignment="left",
            handlelength=3,
        )
    for text in legend_ax.findobj(Text):
        text.set_parse_math(False)
    if sheet.source:
        fig.text(
            0.02,
            0.035,
            sheet.source,
            ha="left",
            va="center",
            fontproperties=font(7.5),
            color="#333333",
            wrap=True,
            parse_math=False,
        )
    return fig


def render_print_map(fig: Figure, fmt: str, dpi: int = PNG_DPI, title: str | None = None) -> bytes:
    """Render a printable map to PNG or PDF bytes.

    Parameters
    ----------
    fig : Figure
        From :func:`build_print_map`.
    fmt : {"png", "pdf"}
        Output format. PDF is vector, with DejaVu Sans glyphs embedded.
    dpi : int
        Resolution of the PNG (the PDF is vector).
    title : str, optional
        Document title in the file's metadata.

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        For another format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    buffer = io.BytesIO()
    metadata = {"Title": title} if title else None
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=dpi, metadata=metadata, facecolor="#ffffff")
    else:
        # Type 3 glyphs (matplotlib's default), not TrueType (Type 42): subsetting DejaVu
        # as TrueType goes through fontTools on every export, for no visible gain.
        fig.savefig(buffer, format="pdf", metadata=metadata, facecolor="#ffffff")
    return buffer.getvalue()
