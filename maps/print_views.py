"""The printable map of the dashboard's view: one indicator over its units, as on screen.

The classes, colours, legend rows and overlay names are the on-screen map's
(:mod:`maps.palette`, the catalogues); :func:`maps.printable.build_print_map`
draws the sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from analysis.formatting import format_indicator
from analysis.reporting import not_reported_units
from loaders.core.i18n import translate
from maps.palette import (
    NOT_REPORTED_COLOUR,
    ColourScale,
    build_colour_scale,
    build_legend,
    no_data_label_key,
    palette_for,
)
from maps.print_furniture import source_text
from maps.printable import PrintLegend, PrintLegendEntry, PrintSheet, build_print_map
from maps.styles import OVERLAY_ROLES, PRINT_OVERLAY_KEYS


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
    no_data = translate(no_data_label_key(indicator), lang)
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
    sheet: PrintSheet,
    data_version: int | str | None = None,
    exported_at: str | None = None,
    highlight: Sequence[str] = (),
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
    sheet : PrintSheet
        As in :func:`build_print_map`, except its ``source``: the source line is
        written here by :func:`maps.print_furniture.source_text` from the
        level, the overlays drawn, the demo flag and the two values below.
    data_version, exported_at : optional
        Appended to the source line when given.
    highlight : sequence of str
        Codes outlined in red.

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
    lang = sheet.lang
    values = indicators[indicator].astype(float)
    silent = not_reported_units(indicators, indicator)
    scale, rows = indicator_scale(values.drop(list(silent)), indicator, lang)
    if silent:
        rows = [*rows, PrintLegendEntry(NOT_REPORTED_COLOUR, translate("reporting.not_reported", lang))]
    communes = layers.get("communes_2025" if level == "2025" else "communes_legacy")
    if communes is None:
        raise ValueError("the commune boundary layer is not available")
    overlays = {key: layers.get(OVERLAY_ROLES[key]) for key in PRINT_OVERLAY_KEYS}
    drawn = [key for key, frame in overlays.items() if frame is not None]
    labels = {key: translate(f"map.overlay.{key}", lang) for key in PRINT_OVERLAY_KEYS}
    source = source_text(
        level, lang, overlays=drawn, demo=sheet.demo, data_version=data_version, exported_at=exported_at
    )
    return build_print_map(
        communes,
        values,
        legend=PrintLegend(scale=scale, rows=rows, title=translate(f"indicator.{indicator}", lang)),
        sheet=replace(sheet, source=source),
        overlays=overlays,
        overlay_labels=labels,
        highlight=highlight,
        not_reported=silent,
    )
