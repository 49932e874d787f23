"""Printable maps of the current view, drawn server-side with matplotlib (pure, no streamlit).

The printed map repeats what the screen shows (the choropleth, its classes and
the no-data class) and adds what a sheet of paper needs: a title, the period, a
legend, a scale bar, a north arrow, the data sources and, for demo data, a
visible badge. Everything is drawn in EPSG:3405 (VN-2000 / UTM 48N, metres), so
the scale bar is measured, not estimated. No tiles and no network are used.

Text is set in DejaVu Sans from matplotlib's own data folder, which covers
Vietnamese, so the output does not depend on the fonts of the host. Text never
goes through mathtext (``parse_math=False``): a ``$`` in a name stays a ``$``.

The figures are plain :class:`matplotlib.figure.Figure` objects with an Agg
canvas; pyplot's global figure registry is never used, so concurrent sessions
do not share state.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text

from loaders.core.i18n import translate
from loaders.geo.schema import CRS_METRIC
from analysis.formatting import format_indicator
from maps.palette import NO_DATA_COLOUR, ColourScale, build_colour_scale, build_legend, palette_for
from maps.styles import (
    OVERLAY_ROLES,
    PRINT_HIGHLIGHT_COLOUR,
    PRINT_NO_DATA_EDGE,
    PRINT_NO_DATA_HATCH,
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


@lru_cache(maxsize=None)
def font_path(bold: bool = False) -> Path:
    """Path of matplotlib's bundled DejaVu Sans (regular or bold), which covers Vietnamese."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def _font(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(fname=font_path(bold), size=size)


def scale_bar_length(extent_m: float, fraction: float = 0.25) -> float:
    """A round scale-bar length (1, 2 or 5 times a power of ten) for a map ``extent_m`` wide.

    Parameters
    ----------
    extent_m : float
        Width of the mapped area in metres.
    fraction : float
        Longest share of the width the bar may take.

    Returns
    -------
    float
        Metres; the largest round length not above ``extent_m * fraction``.

    Raises
    ------
    ValueError
        For a width or fraction that is not positive and finite.
    """
    if not (math.isfinite(extent_m) and extent_m > 0):
        raise ValueError(f"extent must be a positive number of metres, got {extent_m!r}")
    if not (0 < fraction <= 1):
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    target = extent_m * fraction
    power = 10 ** math.floor(math.log10(target))
    for step in (5, 2, 1):
        if step * power <= target * (1 + 1e-9):
            return float(step * power)
    return float(power)  # pragma: no cover - the loop always returns


def format_distance(metres: float, lang: str = "vi") -> str:
    """``"20 km"`` or ``"500 m"``; Vietnamese decimal comma."""
    if metres >= 1000:
        text = f"{metres / 1000:g} km"
    else:
        text = f"{metres:g} m"
    return text.replace(".", ",") if lang == "vi" else text


def source_text(level: str, lang: str, *, overlays: Sequence[str] = (), demo: bool = False,
                data_version: int | str | None = None, exported_at: str | None = None) -> str:
    """The data-source line of a printed map (boundary origin per geodata/SOURCES.md).

    Parameters
    ----------
    level : {"2025", "legacy"}
        Unit level drawn. Legacy communes (and the former-district outlines
        dissolved from them) have GADM 4.1 interior boundaries.
    lang : str
        Catalogue language.
    overlays : sequence of str
        Overlay keys drawn; ``"districts"`` adds the GADM credit, ``"economic_zones"``
        the two decisions that define the zones.
    demo : bool
        Demo data shown: says that the figures are generated.
    data_version, exported_at : optional
        Appended when given.
    """
    parts = [translate("print.source.bando", lang)]
    if level != "2025" or "districts" in overlays:
        parts.append(translate("print.source.gadm", lang))
    boundary = translate("print.source.boundaries", lang, sources="; ".join(parts))
    pieces = [boundary]
    if "economic_zones" in overlays:
        pieces.append(translate("print.source.economic_zones", lang))
    pieces.append(translate("print.source.data_demo" if demo else "print.source.data", lang))
    if data_version is not None:
        pieces.append(f"{translate('export.context.data_version', lang)}: {data_version}")
    if exported_at:
        pieces.append(f"{translate('export.context.exported_at', lang)}: {exported_at}")
    return " · ".join(pieces)


def _to_metric(frame: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if frame is None or frame.empty:
        return None
    if frame.crs is None:
        raise ValueError("layer has no CRS; expected a GeoDataFrame with a CRS")
    return frame if frame.crs.equals(CRS_METRIC) else frame.to_crs(CRS_METRIC)


def project_layers(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, gpd.GeoDataFrame | None]:
    """Layers reprojected to EPSG:3405 once (meant to be cached by the UI layer)."""
    return {key: _to_metric(frame) for key, frame in layers.items()}


def _fill_colours(communes: gpd.GeoDataFrame, values: pd.Series, scale: ColourScale,
                  code_column: str) -> tuple[pd.Series, pd.Series]:
    """Fill colour per polygon and the no-data mask (NaN, or a code absent from ``values``)."""
    aligned = pd.to_numeric(communes[code_column].map(values), errors="coerce")
    classes = aligned.map(lambda v: scale.class_of(v))
    no_data = classes.isna()
    fills = pd.Series([scale.no_data_colour if pd.isna(c) else scale.colours[int(c)] for c in classes],
                      index=communes.index)
    return fills, no_data


def _draw_scale_bar(ax, extent: tuple[float, float, float, float], lang: str, size: float) -> float:
    xmin, ymin, xmax, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    length = scale_bar_length(width)
    x0, y0 = xmin + 0.04 * width, ymin + 0.05 * height
    bar_h = 0.012 * height
    half = length / 2
    for i, colour in enumerate(("#000000", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half, y0), half, bar_h, facecolor=colour, edgecolor="#000000",
                               linewidth=0.8, zorder=20))
    for offset, text in ((0, "0"), (half, format_distance(half, lang).split()[0]),
                         (length, format_distance(length, lang))):
        ax.text(x0 + offset, y0 + bar_h * 1.6, text, ha="center", va="bottom", fontproperties=_font(size),
                zorder=20, parse_math=False)
    return length


def _draw_north_arrow(ax, lang: str, size: float) -> None:
    # EPSG:3405 grid north is within half a degree of true north over Hà Tĩnh, so the
    # arrow points straight up.
    ax.annotate("", xy=(0.95, 0.95), xytext=(0.95, 0.84), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": "#000000",
                            "linewidth": 1.8}, zorder=20)
    ax.text(0.95, 0.955, translate("print.north", lang), transform=ax.transAxes, ha="center", va="bottom",
            fontproperties=_font(size, bold=True), zorder=20, parse_math=False)


def build_print_map(
    communes: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    scale: ColourScale,
    title: str,
    subtitle: str,
    legend: Sequence[PrintLegendEntry | tuple[str, str]],
    legend_title: str = "",
    overlays: Mapping[str, gpd.GeoDataFrame | None] | None = None,
    overlay_labels: Mapping[str, str] | None = None,
    source: str = "",
    demo: bool = False,
    lang: str = "vi",
    highlight: Sequence[str] = (),
    code_column: str = "gso_code",
    compact: bool = False,
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
    scale : ColourScale
        Classes and colours, as on screen (:func:`maps.palette.build_colour_scale`).
    title, subtitle : str
        Heading and second line (the period and filters).
    legend : sequence of PrintLegendEntry or (colour, label)
        Legend rows as on screen. A ``(colour, label)`` pair whose colour is the
        no-data colour is drawn as the no-data row.
    legend_title : str
        Heading of the legend (the indicator).
    overlays : mapping, optional
        Layers by key of :data:`PRINT_OVERLAY_KEYS` (``None`` values are skipped).
    overlay_labels : mapping, optional
        Legend labels of the overlays drawn.
    source : str
        Data-source line (see :func:`source_text`).
    demo : bool
        Draw the demo-data badge.
    lang : str
        Catalogue language of the fixed words (badge, north, scale).
    highlight : sequence of str
        Codes outlined in red (the unit of a briefing, say).
    code_column : str
        Column of ``communes`` holding the codes.
    compact : bool
        Small map for the briefing: no title, legend panel or source line.

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
    metric = _to_metric(communes)
    layers = project_layers(overlays or {})
    labels = dict(overlay_labels or {})
    fills, no_data = _fill_colours(metric, values, scale, code_column)

    fig = Figure(figsize=COMPACT_SIZE_IN if compact else PAGE_SIZE_IN)
    _BuildCanvas(fig)
    if compact:
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    else:
        ax = fig.add_axes((0.02, 0.10, 0.68, 0.78))
    ax.set_axis_off()
    ax.set_aspect("equal")

    has_data = ~no_data
    if has_data.any():
        metric[has_data].plot(ax=ax, color=fills[has_data].tolist(), edgecolor="#ffffff", linewidth=0.4)
    if no_data.any():
        metric[no_data].plot(ax=ax, facecolor=NO_DATA_COLOUR, edgecolor=PRINT_NO_DATA_EDGE,
                             hatch=PRINT_NO_DATA_HATCH, linewidth=0.4)
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
    _draw_scale_bar(ax, extent, lang, small)
    _draw_north_arrow(ax, lang, small + 1)

    badge = translate("demo.badge", lang).upper()
    if compact:
        if demo:
            ax.text(0.02, 0.98, badge, transform=ax.transAxes, ha="left", va="top", color="#ffffff",
                    fontproperties=_font(7, bold=True), zorder=30, parse_math=False,
                    bbox={"boxstyle": "round,pad=0.3", "facecolor": DEMO_COLOUR, "edgecolor": DEMO_COLOUR})
        return fig

    fig.text(0.02, 0.955, title, ha="left", va="center", fontproperties=_font(16, bold=True), parse_math=False)
    fig.text(0.02, 0.915, subtitle, ha="left", va="center", fontproperties=_font(10), color="#333333",
             parse_math=False)
    if demo:
        fig.text(0.98, 0.955, badge, ha="right", va="center", color="#ffffff", fontproperties=_font(13, bold=True),
                 parse_math=False, bbox={"boxstyle": "round,pad=0.4", "facecolor": DEMO_COLOUR,
                                         "edgecolor": DEMO_COLOUR})
    legend_ax = fig.add_axes((0.72, 0.10, 0.26, 0.76))
    legend_ax.set_axis_off()
    handles: list[object] = []
    for entry in legend:
        row = entry if isinstance(entry, PrintLegendEntry) else PrintLegendEntry(
            entry[0], entry[1], entry[0] == scale.no_data_colour)
        if row.no_data:
            handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor=PRINT_NO_DATA_EDGE,
                                 hatch=PRINT_NO_DATA_HATCH, label=row.label))
        else:
            handles.append(Patch(facecolor=row.colour, edgecolor="#666666", label=row.label))
    classes = legend_ax.legend(handles=handles, loc="upper left", title=legend_title, prop=_font(9),
                               title_fontproperties=_font(10, bold=True), frameon=False, alignment="left",
                               handlelength=2.2, handleheight=1.4)
    if drawn or highlight:
        # A second legend() call replaces the first; keep the first as a plain artist.
        legend_ax.add_artist(classes)
        line_handles = [Line2D([], [], label=labels.get(key, key), **PRINT_OVERLAY_STYLES[key])
                        for key in drawn]
        if highlight:
            line_handles.append(Line2D([], [], color=PRINT_HIGHLIGHT_COLOUR, linewidth=2.4,
                                       label=labels.get("highlight", translate("print.highlight", lang))))
        legend_ax.legend(handles=line_handles, loc="lower left", prop=_font(9), frameon=False,
                                 title=translate("print.overlays", lang), title_fontproperties=_font(10, bold=True),
                                 alignment="left", handlelength=3)
    for text in legend_ax.findobj(Text):
        text.set_parse_math(False)
    if source:
        fig.text(0.02, 0.035, source, ha="left", va="center", fontproperties=_font(7.5), color="#333333",
                 wrap=True, parse_math=False)
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


def indicator_scale(values: pd.Series, indicator: str, lang: str) -> tuple[ColourScale, list[PrintLegendEntry]]:
    """Classes, colours and legend rows of an indicator exactly as the on-screen map draws them.

    Parameters
    ----------
    values : pd.Series
        Indicator values by unit code (NaN = no data).
    indicator : str
        Indicator column (decides the palette and the number format).
    lang : str
        Catalogue language.

    Returns
    -------
    (ColourScale, list of PrintLegendEntry)
        The last legend row is the no-data row.
    """
    no_data = translate("common.no_data", lang)
    scale = build_colour_scale(values, palette=palette_for(indicator))
    entries = build_legend(values, scale, lambda v: format_indicator(indicator, v, lang, no_data), no_data)
    rows = [PrintLegendEntry(e.colour, e.label) for e in entries[:-1]]
    rows.append(PrintLegendEntry(entries[-1].colour, entries[-1].label, no_data=True))
    return scale, rows


def build_indicator_print_map(
    indicators: pd.DataFrame,
    indicator: str,
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    level: str,
    lang: str,
    title: str,
    subtitle: str,
    demo: bool,
    data_version: int | str | None = None,
    exported_at: str | None = None,
    highlight: Sequence[str] = (),
    compact: bool = False,
) -> Figure:
    """The printable map of the current view: one indicator of ``compute_indicators`` over its units.

    Parameters
    ----------
    indicators : pd.DataFrame
        ``analysis.indicators.compute_indicators`` output, indexed by unit code.
        Units absent from it (filtered out) are drawn as no data, as on screen.
    indicator : str
        Column to map.
    layers : mapping
        Display layers by role (``ui.cache.get_print_layers``: already EPSG:3405).
    level : {"2025", "legacy"}
        Draws ``communes_2025`` or ``communes_legacy``.
    lang, title, subtitle, demo, data_version, exported_at, highlight, compact
        See :func:`build_print_map` and :func:`source_text`.

    Returns
    -------
    Figure

    Raises
    ------
    KeyError
        If ``indicator`` is not a column of ``indicators``.
    ValueError
        If the commune layer is missing.
    """
    values = indicators[indicator].astype(float)
    scale, legend = indicator_scale(values, indicator, lang)
    communes = layers.get("communes_2025" if level == "2025" else "communes_legacy")
    if communes is None:
        raise ValueError("the commune boundary layer is not available")
    overlays = {key: layers.get(OVERLAY_ROLES[key]) for key in PRINT_OVERLAY_KEYS}
    drawn = [key for key, frame in overlays.items() if frame is not None]
    labels = {key: translate(f"map.overlay.{key}", lang) for key in PRINT_OVERLAY_KEYS}
    return build_print_map(
        communes, values, scale=scale, title=title, subtitle=subtitle, legend=legend,
        legend_title=translate(f"indicator.{indicator}", lang), overlays=overlays, overlay_labels=labels,
        source=source_text(level, lang, overlays=drawn, demo=demo, data_version=data_version,
                           exported_at=exported_at),
        demo=demo, lang=lang, highlight=highlight, compact=compact,
    )
