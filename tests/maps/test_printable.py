"""Printable maps (maps.printable): scale bar, sources, PNG/PDF output, no-data and hostile text."""

from __future__ import annotations

import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import LineString, box

from loaders.core.i18n import translate
from maps import print_furniture, print_views, printable
from maps.palette import NO_DATA_COLOUR

CODES = ["10001", "10002", "10003"]


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """Three communes, 40 km wide in all, in EPSG:3405 metres."""
    return gpd.GeoDataFrame(
        {"gso_code": CODES, "name": ["Xã Một", "Xã Hai", "Phường Ba"]},
        geometry=[
            box(500_000, 2_000_000, 520_000, 2_010_000),
            box(520_000, 2_000_000, 540_000, 2_010_000),
            box(500_000, 2_010_000, 540_000, 2_030_000),
        ],
        crs="EPSG:3405",
    )


@pytest.fixture
def layers(communes) -> dict[str, gpd.GeoDataFrame]:
    wgs84 = communes.to_crs("EPSG:4326")
    return {
        "communes_2025": wgs84,
        "districts_legacy": gpd.GeoDataFrame({"district_code": ["436"]}, geometry=[wgs84.union_all()], crs="EPSG:4326"),
        "border_laos": gpd.GeoDataFrame(
            {"kind": ["border"]}, geometry=[LineString([(500_000, 2_000_000), (500_000, 2_030_000)])], crs="EPSG:3405"
        ).to_crs("EPSG:4326"),
        "coastline": None,
        "economic_zones": None,
    }


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _figure(communes, values, highlight=(), **kw):
    scale, rows = print_views.indicator_scale(values, "models_per_10k", "vi")
    options = {
        "title": "Mô hình / 10.000 dân",
        "subtitle": "Kỳ: 01/01/2025 – 30/6/2025",
        "source": "Ranh giới: sapnhap.bando.com.vn (2025)",
        "demo": False,
        "lang": "vi",
    }
    options.update(kw)
    return printable.build_print_map(
        communes,
        values,
        legend=printable.PrintLegend(scale=scale, rows=rows, title="Mô hình"),
        sheet=printable.PrintSheet(**options),
        highlight=highlight,
    )


# --------------------------------------------------------------------------- scale bar


@pytest.mark.parametrize(
    ("extent", "expected"),
    [(149_000, 20_000), (40_000, 10_000), (100_000, 20_000), (1_000, 200), (250, 50), (4, 1), (0.5, 0.1)],
)
def test_scale_bar_length_is_round_and_fits(extent, expected):
    assert print_furniture.scale_bar_length(extent) == pytest.approx(expected)


@given(st.floats(min_value=1.0, max_value=1e7, allow_nan=False))
def test_scale_bar_length_is_one_two_or_five_times_a_power_of_ten(extent):
    length = print_furniture.scale_bar_length(extent)
    assert 0 < length <= extent * 0.25 * (1 + 1e-9)
    # More than a fifth of the allowed room is used: the next round step would not fit.
    assert length > extent * 0.25 / 2.5 * (1 - 1e-9)
    mantissa = length / 10 ** math.floor(math.log10(length) + 1e-12)
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)


@pytest.mark.parametrize("bad", [0, -5, math.nan, math.inf])
def test_scale_bar_length_rejects_a_non_positive_extent(bad):
    with pytest.raises(ValueError, match="positive number of metres"):
        print_furniture.scale_bar_length(bad)


@pytest.mark.parametrize(
    ("metres", "lang", "text"),
    [(20_000, "vi", "20 km"), (2_500, "vi", "2,5 km"), (2_500, "en", "2.5 km"), (500, "en", "500 m")],
)
def test_format_distance(metres, lang, text):
    assert print_furniture.format_distance(metres, lang) == text


# --------------------------------------------------------------------------- sources and legend


def test_source_text_names_the_boundary_origin_per_level():
    current = print_furniture.source_text("2025", "vi")
    assert "sapnhap.bando.com.vn (2025)" in current
    assert "GADM" not in current
    legacy = print_furniture.source_text("legacy", "vi")
    assert "Ranh giới: sapnhap.bando.com.vn (2025); GADM 4.1 (xã cũ)" in legacy
    # Former-district outlines are dissolved from the GADM-based legacy communes.
    assert "GADM 4.1" in print_furniture.source_text("2025", "vi", overlays=["districts"])
    assert "1076/QĐ-TTg" in print_furniture.source_text("2025", "vi", overlays=["economic_zones"])


def test_source_text_says_when_figures_are_demo_data_and_carries_the_version():
    text = print_furniture.source_text(
        "2025", "en", demo=True, data_version=12, exported_at="2026-01-02T03:04:05+07:00"
    )
    assert "demo" in text.lower()
    assert "12" in text and "2026-01-02T03:04:05+07:00" in text
    assert "demo" not in print_furniture.source_text("2025", "en", demo=False).lower()


def test_indicator_scale_ends_with_the_no_data_row_and_warms_bad_indicators():
    values = pd.Series([0.0, 3.0, np.nan], index=CODES)
    scale, legend = print_views.indicator_scale(values, "models_per_10k", "vi")
    assert legend[-1].no_data and legend[-1].colour == NO_DATA_COLOUR and legend[-1].label == "Chưa có dữ liệu"
    assert not any(row.no_data for row in legend[:-1])
    # Zero is a class of its own colour, not the no-data grey.
    assert scale.colour_for(0.0) != NO_DATA_COLOUR
    cold, _ = print_views.indicator_scale(values, "models_per_10k", "vi")
    warm, _ = print_views.indicator_scale(values, "incidents_per_10k", "vi")
    assert cold.colours != warm.colours


# --------------------------------------------------------------------------- rendering


def test_png_decodes_at_the_page_size(communes):
    values = pd.Series([1.0, 0.0, 4.0], index=CODES)
    data = printable.render_print_map(_figure(communes, values), "png", dpi=100)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    width, height = printable.PAGE_SIZE_IN
    assert image.size == (round(width * 100), round(height * 100))


def test_pdf_has_one_page_with_title_period_legend_scale_and_demo_badge(communes):
    values = pd.Series([1.0, 0.0, np.nan], index=CODES)
    data = printable.render_print_map(_figure(communes, values, demo=True), "pdf", title="Bản đồ")
    assert data.startswith(b"%PDF")
    pages, text = _pdf_text(data)
    assert pages == 1
    for expected in (
        "Mô hình / 10.000 dân",
        "Kỳ: 01/01/2025 – 30/6/2025",
        "DỮ LIỆU MINH HỌA",
        "Chưa có dữ liệu",
        "10 km",
        "sapnhap.bando.com.vn",
        "B",
    ):
        assert expected in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Bản đồ"


def test_no_demo_badge_without_demo_data(communes):
    values = pd.Series([1.0, 2.0, 3.0], index=CODES)
    _, text = _pdf_text(printable.render_print_map(_figure(communes, values, demo=False), "pdf"))
    assert "DỮ LIỆU MINH HỌA" not in text


def test_text_is_never_parsed_as_mathtext_or_markup(communes):
    values = pd.Series([1.0, 2.0, 3.0], index=CODES)
    hostile = "Xã $\\frac{1}{0}$ <img src=x onerror=alert(1)>"
    _, text = _pdf_text(printable.render_print_map(_figure(communes, values, title=hostile), "pdf"))
    assert "$\\frac{1}{0}$" in text
    assert "<img src=x onerror=alert(1)>" in text


def test_no_data_only_values_still_draw_a_map(communes):
    values = pd.Series([np.nan, np.nan, np.nan], index=CODES)
    figure = _figure(communes, values, demo=True)
    pages, text = _pdf_text(printable.render_print_map(figure, "pdf"))
    assert pages == 1 and "Chưa có dữ liệu" in text
    assert printable.render_print_map(figure, "png").startswith(b"\x89PNG")


def test_missing_codes_count_as_no_data_and_highlight_is_drawn(communes):
    values = pd.Series([2.0], index=["10001"])
    figure = _figure(communes, values, highlight=["10002", "99999"])
    _, text = _pdf_text(printable.render_print_map(figure, "pdf"))
    assert "Đơn vị được chọn" in text


def test_compact_map_has_no_title_or_source(communes):
    values = pd.Series([1.0, 2.0, 3.0], index=CODES)
    figure = _figure(communes, values, compact=True, demo=True)
    _, text = _pdf_text(printable.render_print_map(figure, "pdf"))
    assert "DỮ LIỆU MINH HỌA" in text
    assert "Mô hình / 10.000 dân" not in text and "sapnhap" not in text


def test_render_rejects_an_unknown_format(communes):
    with pytest.raises(ValueError, match="format"):
        printable.render_print_map(_figure(communes, pd.Series([1.0, 2.0, 3.0], index=CODES)), "svg")


def test_build_rejects_an_empty_layer_or_a_missing_code_column(communes):
    values = pd.Series([1.0], index=["10001"])
    with pytest.raises(ValueError, match="no commune"):
        _figure(communes.iloc[0:0], values)
    with pytest.raises(ValueError, match="column"):
        _figure(communes.rename(columns={"gso_code": "code"}), values)


def test_indicator_print_map_uses_the_layers_and_states_its_sources(layers):
    indicators = pd.DataFrame({"models_per_10k": [1.5, 0.0, np.nan]}, index=CODES)
    projected = printable.project_layers(layers)
    assert projected["communes_2025"].crs.to_epsg() == 3405 and projected["coastline"] is None
    figure = print_views.build_indicator_print_map(
        indicators,
        "models_per_10k",
        projected,
        level="2025",
        sheet=printable.PrintSheet(title="Coverage", subtitle="Q1 2025", demo=True, lang="en"),
        data_version=4,
        exported_at="2026-01-01T00:00:00+07:00",
    )
    _, text = _pdf_text(printable.render_print_map(figure, "pdf"))
    for expected in (
        "Coverage",
        "Q1 2025",
        translate("map.overlay.districts", "en"),
        translate("map.overlay.border", "en"),
        "GADM 4.1",
        "demo",
        "N",
    ):
        assert expected.lower() in text.lower()
    with pytest.raises(ValueError, match="commune boundary"):
        print_views.build_indicator_print_map(
            indicators, "models_per_10k", {}, level="2025", sheet=printable.PrintSheet(title="", subtitle="", lang="en")
        )


# --------------------------------------------------------------------------- download buttons (ui.parts.printing)


class _Buttons:
    """Captures what the render helpers hand to ``download_button``."""

    def __init__(self) -> None:
        self.calls: dict[str, dict] = {}

    def __call__(self, _dg, label, data, **kwargs):
        self.calls[kwargs["key"]] = {"label": label, "data": data, **kwargs}
        return False


@pytest.fixture
def buttons(monkeypatch):
    """Bare-mode streamlit (no runtime) with ``download_button`` captured and fresh caches."""
    import streamlit
    from streamlit.delta_generator import DeltaGenerator

    from loaders.geo import schema

    if not schema.boundaries_installed():
        pytest.fail("boundary files are not installed (make test installs them)")
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()
    capture = _Buttons()
    monkeypatch.setattr(DeltaGenerator, "download_button", lambda dg, *a, **k: capture(dg, *a, **k))
    monkeypatch.setattr(streamlit, "download_button", lambda *a, **k: capture(None, *a, **k))
    yield capture
    streamlit.session_state.clear()
    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()


def _sign_in(role: str) -> None:
    """A signed-in session of an account that exists in the store (downloads check it at the click)."""
    import streamlit

    from loaders.accounts import users
    from ui import cache
    from ui.access import USER_KEY, SessionUser

    users.create_user(cache.get_engine(), f"user-{role}", None, role, "test")
    streamlit.session_state[USER_KEY] = SessionUser(f"user-{role}", role)


def _export_events() -> list[tuple[str, str]]:
    import sqlalchemy as sa

    from loaders.store import tables
    from ui import cache

    with cache.get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(tables.events.c.user_name, tables.events.c.detail).where(tables.events.c.action == "export")
        ).all()
    return [tuple(r) for r in rows]


def test_map_buttons_build_png_and_pdf_on_click_and_audit_the_user(buttons, registry):
    from datetime import date

    from analysis import indicators as ind
    from ui.parts.printing import render_print_map_downloads

    _sign_in("analyst")
    filters = ind.Filters(ind.Period(date(2025, 1, 1), date(2025, 6, 30)))
    render_print_map_downloads(filters, "models_per_10k", key_prefix="t_print", highlight=(registry.communes.index[0],))
    png, pdf = buttons.calls["t_print_png"], buttons.calls["t_print_pdf"]
    assert not png["disabled"] and callable(png["data"]) and png["mime"] == "image/png"
    assert _export_events() == []  # nothing is built or audited before a click
    # The click runs in a worker thread where the session is not visible: the user was captured.
    import streamlit

    streamlit.session_state.clear()
    assert png["data"]().startswith(b"\x89PNG")
    pages, text = _pdf_text(pdf["data"]())
    assert pages == 1 and "sapnhap.bando.com.vn" in text and "Chưa có dữ liệu" in text
    assert _export_events() == [("user-analyst", png["file_name"]), ("user-analyst", pdf["file_name"])]


def test_briefing_buttons_for_a_commune_and_a_district(buttons, registry):
    from datetime import date

    from analysis import indicators as ind
    from ui.parts.printing import render_briefing_download

    _sign_in("analyst")
    filters = ind.Filters(ind.Period(date(2025, 1, 1), date(2025, 6, 30)))
    commune = registry.communes.index[0]
    district = registry.districts.index[0]
    render_briefing_download(commune, "commune", filters, key_prefix="t_commune")
    render_briefing_download(district, "district", filters, key_prefix="t_district")
    render_briefing_download("00000", "commune", filters, key_prefix="t_unknown")
    assert "t_unknown_briefing" not in buttons.calls
    for key, name in (
        ("t_commune_briefing", registry.communes.at[commune, "name"]),
        ("t_district_briefing", registry.districts.at[district, "name"]),
    ):
        pages, text = _pdf_text(buttons.calls[key]["data"]())
        assert pages == 1 and name in text
    assert len(_export_events()) == 2


def test_viewers_get_disabled_buttons_and_a_forged_click_is_refused(buttons, registry):
    from datetime import date

    from analysis import indicators as ind
    from ui.parts.printing import render_print_map_downloads

    _sign_in("viewer")
    filters = ind.Filters(ind.Period(date(2025, 1, 1), date(2025, 6, 30)))
    render_print_map_downloads(filters, "incidents", key_prefix="t_print")
    assert buttons.calls["t_print_pdf"]["disabled"]
    with pytest.raises(PermissionError):
        buttons.calls["t_print_pdf"]["data"]()
    assert _export_events() == []
