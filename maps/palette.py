"""The colour rule of every indicator map: palette, classes, legend and number format.

One module owns which palette an indicator uses (:func:`palette_for`: warm where
a high value is bad) and how values are cut into classes
(:func:`build_colour_scale`), so the on-screen map, its restyle and the printed
map always agree. No data is never a class colour (:data:`NO_DATA_COLOUR`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import branca.utilities
import numpy as np
import pandas as pd

#: Fill of communes without data: neutral grey, dashed outline, never a class colour.
NO_DATA_COLOUR = "#c8c8c8"
#: Fill of communes that reported no month of the period ("chưa báo cáo"): apart from zero,
#: from no data and from every class of both palettes (a cool lilac, dotted outline).
NOT_REPORTED_COLOUR = "#b9aed8"
#: Cool sequential palette of indicators where a high value is good (or neutral).
DEFAULT_PALETTE = "YlGnBu"
#: Warm sequential palette of indicators where a high value is bad.
HIGH_IS_BAD_PALETTE = "OrRd"
#: Indicators where a high value is bad: they get :data:`HIGH_IS_BAD_PALETTE`. The
#: priority score is one of them: a high score means the commune needs attention first.
HIGH_IS_BAD: frozenset[str] = frozenset(
    {"weak_share", "incidents_per_10k", "incidents_change", "incidents", "priority_score"}
)


#: Catalogue key of the no-data label of indicators whose "no data" has a reason of its own;
#: every other indicator says ``common.no_data``. Coverage of thôn/TDP is unknown, never 0 %,
#: where the commune has no list of thôn/TDP in force.
NO_DATA_LABEL_KEYS: dict[str, str] = {
    "area_coverage": "indicator.area_coverage.no_list",
    "areas_with_mediation_share": "indicator.area_coverage.no_list",
    "areas_with_security_team_share": "indicator.area_coverage.no_list",
}


def no_data_label_key(indicator: str) -> str:
    """Catalogue key of an indicator's no-data label (legend row and tooltips), see :data:`NO_DATA_LABEL_KEYS`."""
    return NO_DATA_LABEL_KEYS.get(indicator, "common.no_data")


def palette_for(indicator: str) -> str:
    """ColorBrewer palette of an indicator: warm where a high value is bad, cool otherwise.

    Parameters
    ----------
    indicator : str
        Indicator column name, e.g. ``"coverage"`` or ``"incidents_per_10k"``.

    Returns
    -------
    str
        :data:`HIGH_IS_BAD_PALETTE` for :data:`HIGH_IS_BAD` indicators, else :data:`DEFAULT_PALETTE`.
    """
    return HIGH_IS_BAD_PALETTE if indicator in HIGH_IS_BAD else DEFAULT_PALETTE


def default_format(value: float) -> str:
    """Format a number with thousands separators and at most one decimal."""
    rounded = round(float(value), 1)
    if rounded.is_integer():
        return f"{rounded:,.0f}"
    return f"{rounded:,.1f}"


@dataclass(frozen=True)
class ColourScale:
    """Classes of an indicator and their fill colours.

    Attributes
    ----------
    breaks : tuple of float
        Ascending class edges, one more than ``colours``. Class ``i`` holds values
        in ``[breaks[i], breaks[i + 1])``; the last class includes its upper edge.
    colours : tuple of str
        Hex colour per class, light to dark unless reversed.
    no_data_colour : str
        Fill for missing values (NaN), distinct from every class colour.
    """

    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    no_data_colour: str = NO_DATA_COLOUR

    def class_of(self, value: float | None) -> int | None:
        """Index of the class holding ``value``; ``None`` for missing or non-finite values."""
        if value is None or not math.isfinite(float(value)) or not self.colours:
            return None
        inner = np.asarray(self.breaks[1:-1], dtype=float)
        return int(np.searchsorted(inner, float(value), side="right"))

    def colour_for(self, value: float | None) -> str:
        """Fill colour of ``value``; the no-data colour for NaN/None."""
        index = self.class_of(value)
        return self.no_data_colour if index is None else self.colours[index]


@functools.lru_cache(maxsize=64)
def _brewer_ramp(palette: str, n: int) -> tuple[str, ...]:
    """The ``n`` colours of a ColorBrewer scheme. branca reads its schemes file (JSON) at every
    call, which cost more than the rest of a scale; a scheme's colours never change."""
    return tuple(branca.utilities.color_brewer(palette, n=n))


def build_colour_scale(
    values: pd.Series | Sequence[float],
    n_classes: int = 5,
    reverse: bool = False,
    method: str = "quantile",
    palette: str = DEFAULT_PALETTE,
) -> ColourScale:
    """Class breaks and colours for an indicator.

    Parameters
    ----------
    values : Series or sequence of float
        Indicator values; NaN (no data) is ignored when computing breaks.
    n_classes : int
        Wanted number of classes (at least 1). Fewer result when values repeat,
        e.g. many zeros: quantile edges that coincide are merged.
    reverse : bool
        Dark colours for low values (when low is bad, e.g. coverage).
    method : {"quantile", "equal"}
        Quantile classes (equal counts) or equal-width classes.
    palette : str
        A ColorBrewer sequential scheme name known to branca, e.g. ``"YlGnBu"``, ``"OrRd"``.

    Returns
    -------
    ColourScale
        With no classes when there is no finite value.

    Raises
    ------
    ValueError
        For ``n_classes < 1`` or an unknown ``method``.
    """
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1, got {n_classes}")
    if method not in ("quantile", "equal"):
        raise ValueError(f"method must be 'quantile' or 'equal', got {method!r}")
    finite = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
    finite = finite[np.isfinite(finite)]
    if finite.empty:
        return ColourScale(breaks=(), colours=())
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        edges = [low, high]
    elif method == "quantile":
        edges = sorted(set(np.quantile(finite, np.linspace(0, 1, n_classes + 1)).tolist()))
    else:
        edges = np.linspace(low, high, n_classes + 1).tolist()
    count = len(edges) - 1
    # ColorBrewer sequential schemes start at 3 colours; take evenly spaced ones for fewer.
    ramp = list(_brewer_ramp(palette, max(count, 3)))
    if count < 3:
        ramp = [ramp[round(float(i))] for i in np.linspace(0, len(ramp) - 1, count)]
    colours = tuple(reversed(ramp)) if reverse else tuple(ramp)
    return ColourScale(breaks=tuple(float(e) for e in edges), colours=colours)


class LegendEntry(NamedTuple):
    """One row of a legend drawn outside the map."""

    colour: str
    label: str
    count: int


def build_legend(
    values: pd.Series | Sequence[float],
    scale: ColourScale,
    format_value: Callable[[float], str] = default_format,
    no_data_label: str = "No data",
) -> list[LegendEntry]:
    """Legend rows for a choropleth: one per class, then the no-data entry.

    Parameters
    ----------
    values : Series or sequence of float
        The mapped values (NaN = no data), used for the counts.
    scale : ColourScale
        The scale the map was built with.
    format_value : callable
        Formats a class edge.
    no_data_label : str
        Label of the no-data row (always present, so users learn the grey means "no report").

    Returns
    -------
    list of LegendEntry
        ``(colour, label, count)``; labels read ``"a – b"``, or ``"a"`` for a one-value class.
    """
    series = pd.to_numeric(pd.Series(values, dtype="float64"), errors="coerce")
    classes = [scale.class_of(v) for v in series]
    entries = []
    for index, colour in enumerate(scale.colours):
        low, high = scale.breaks[index], scale.breaks[index + 1]
        label = format_value(low) if low == high else f"{format_value(low)} – {format_value(high)}"
        entries.append(LegendEntry(colour, label, sum(1 for c in classes if c == index)))
    entries.append(LegendEntry(scale.no_data_colour, no_data_label, sum(1 for c in classes if c is None)))
    return entries
