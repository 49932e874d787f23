"""Communes that reported no month are drawn "chưa báo cáo": apart from zero, from no data and in the legend."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
from matplotlib.colors import to_hex
from pypdf import PdfReader
from shapely.geometry import box

from loaders.core.i18n import translate
from maps import print_views, printable
from maps.palette import NO_DATA_COLOUR, NOT_REPORTED_COLOUR
from maps.styles import HIGHLIGHT_COLOUR
from maps.views import build_value_restyle


def _restyle(not_reported=("c",), highlight=()):
    values = pd.Series({"a": 0.0, "b": 4.0, "c": float("nan"), "d": float("nan")})
    return build_value_restyle(
        values,
        "Vụ việc",
        lambda v: f"{v:g}",
        "Chưa có dữ liệu",
        ["a", "b", "c", "d"],
        highlight,
        "OrRd",
        not_reported,
        "Chưa báo cáo",
    )


def test_not_reported_has_its_own_fill_tooltip_and_legend_row():
    styles, texts, legend = _restyle()
    assert styles["c"]["fillColor"] == NOT_REPORTED_COLOUR
    assert styles["d"]["fillColor"] == NO_DATA_COLOUR
    assert styles["a"]["fillColor"] not in (NOT_REPORTED_COLOUR, NO_DATA_COLOUR)  # zero is a class colour
    assert texts["c"] == "Vụ việc: Chưa báo cáo" and texts["a"] == "Vụ việc: 0"
    assert legend[-1] == (NOT_REPORTED_COLOUR, "Chưa báo cáo")
    assert NOT_REPORTED_COLOUR not in [colour for colour, _ in legend[:-1]]


def test_without_not_reported_units_the_legend_has_no_such_row():
    _, _, legend = _restyle(not_reported=())
    assert all(colour != NOT_REPORTED_COLOUR for colour, _ in legend)


def test_a_highlighted_not_reported_commune_keeps_its_outline():
    styles, _, _ = _restyle(highlight=("c",))
    assert styles["c"]["fillColor"] == NOT_REPORTED_COLOUR and styles["c"]["color"] == HIGHLIGHT_COLOUR


def test_the_printed_map_draws_and_names_not_reported_communes():
    codes = ["10001", "10002", "10003"]
    communes = gpd.GeoDataFrame(
        {"gso_code": codes},
        geometry=[box(500_000 + 20_000 * i, 2_000_000, 520_000 + 20_000 * i, 2_010_000) for i in range(3)],
        crs="EPSG:3405",
    )
    indicators = pd.DataFrame(
        {"incidents": [0.0, 3.0, float("nan")], "not_reported": [False, False, True]}, index=codes
    )
    figure = print_views.build_indicator_print_map(
        indicators,
        "incidents",
        {"communes_2025": communes},
        level="2025",
        sheet=printable.PrintSheet(title="Vụ việc", subtitle="Q1 2024", lang="vi"),
    )
    fills = {to_hex(colour) for layer in figure.axes[0].collections for colour in layer.get_facecolor()}
    assert NOT_REPORTED_COLOUR in fills
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(printable.render_print_map(figure, "pdf"))).pages)
    assert translate("reporting.not_reported", "vi") in text
