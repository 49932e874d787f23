"""The periodic report's coverage map: the share of thôn/TDP covered by any kind, per 2025 commune (pure).

Drawn with the printable-map furniture (:mod:`maps.print_views`), so its colours,
legend and "no data" follow the on-screen rules: a commune without a list of
thôn/TDP in force is "no data", not 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from analysis.report_figures import Report
from loaders.core import domain
from loaders.core.i18n import format_date, translate
from maps import print_views, printable

#: The indicator the map draws: percent of a commune's thôn/TDP covered by any kind.
INDICATOR = "report_coverage_any"


def coverage_values(report: Report) -> pd.DataFrame:
    """Per 2025 commune, the percent of its thôn/TDP covered by any kind (NaN without a list)."""
    communes = report.communes
    return pd.DataFrame({INDICATOR: communes["covered_any"] / communes["residential_areas"] * 100})


def build_report_map_png(
    report: Report, layers: Mapping[str, gpd.GeoDataFrame | None], lang: str = "vi", *, dpi: int = 110
) -> bytes | None:
    """The coverage map as PNG (title, legend, source), the report's unit outlined; ``None`` without communes.

    Parameters
    ----------
    report : Report
        From :func:`analysis.report.build_report`.
    layers : mapping
        Display layers by role, in EPSG:3405 (:func:`maps.printable.project_layers`).
    lang : str
        Language of the legend and furniture.
    """
    if layers.get("communes_2025") is None:
        return None
    period = report.request.period
    sheet = printable.PrintSheet(
        title=translate(f"indicator.{INDICATOR}", lang),
        subtitle=f"{report.unit.name if report.unit.code else translate('report.unit.province', lang)} · "
        f"{format_date(period.end, lang)}",
        demo=report.demo,
        lang=lang,
    )
    highlight = () if report.unit.code is None else report.unit.communes
    figure = print_views.build_indicator_print_map(
        coverage_values(report), INDICATOR, layers, level=domain.VINTAGE_2025, sheet=sheet, highlight=highlight
    )
    return printable.render_print_map(figure, "png", dpi=dpi)
