"""The furniture of a printed map: fonts, scale bar, north arrow and the data-source line.

Everything a sheet of paper needs around the map itself, drawn on matplotlib
axes in EPSG:3405 metres. Text is set in DejaVu Sans from matplotlib's own data
folder, which covers Vietnamese, and never goes through mathtext
(``parse_math=False``): a ``$`` in a name stays a ``$``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle

from loaders.core.i18n import translate


@cache
def font_path(bold: bool = False) -> Path:
    """Path of matplotlib's bundled DejaVu Sans (regular or bold), which covers Vietnamese."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def font(size: float, bold: bool = False) -> FontProperties:
    """DejaVu Sans at ``size`` points (see :func:`font_path`)."""
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
    text = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return text.replace(".", ",") if lang == "vi" else text


def source_text(
    level: str,
    lang: str,
    *,
    overlays: Sequence[str] = (),
    demo: bool = False,
    data_version: int | str | None = None,
    exported_at: str | None = None,
) -> str:
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


def draw_scale_bar(ax: Axes, extent: tuple[float, float, float, float], lang: str, size: float) -> float:
    """Draw a measured scale bar in the lower left of ``ax`` (EPSG:3405 metres); return its length."""
    xmin, ymin, xmax, ymax = extent
    width, height = xmax - xmin, ymax - ymin
    length = scale_bar_length(width)
    x0, y0 = xmin + 0.04 * width, ymin + 0.05 * height
    bar_h = 0.012 * height
    half = length / 2
    for i, colour in enumerate(("#000000", "#ffffff")):
        ax.add_patch(
            Rectangle((x0 + i * half, y0), half, bar_h, facecolor=colour, edgecolor="#000000", linewidth=0.8, zorder=20)
        )
    for offset, text in (
        (0, "0"),
        (half, format_distance(half, lang).split()[0]),
        (length, format_distance(length, lang)),
    ):
        ax.text(
            x0 + offset,
            y0 + bar_h * 1.6,
            text,
            ha="center",
            va="bottom",
            fontproperties=font(size),
            zorder=20,
            parse_math=False,
        )
    return length


def draw_north_arrow(ax: Axes, lang: str, size: float) -> None:
    """Draw the north arrow in the upper right of ``ax``."""
    # EPSG:3405 grid north is within half a degree of true north over Hà Tĩnh, so the
    # arrow points straight up.
    ax.annotate(
        "",
        xy=(0.95, 0.95),
        xytext=(0.95, 0.84),
        xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_width=0.5,head_length=0.9", "color": "#000000", "linewidth": 1.8},
        zorder=20,
    )
    ax.text(
        0.95,
        0.955,
        translate("print.north", lang),
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontproperties=font(size, bold=True),
        zorder=20,
        parse_math=False,
    )
