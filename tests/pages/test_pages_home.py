"""AppTests of the home page (coverage map), the shared sidebar and shareable URLs, started from app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.core.i18n import translate
from tests.support.apptest import build_demo_store, use_demo_store
from ui.plain_text import plain

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo_home") / "demo.sqlite3")


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _kpis(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_renders_key_widgets_and_demo_badge(app_test, registry):
    at = app_test(role="viewer")
    assert not at.exception
    for key in (
        "map_indicator",
        "map_basemap",
        "map_commune",
        "filter_focus",
        "filter_granularity",
        "filter_period_from_official-year",
        "filter_period_to_official-year",
    ):
        box = at.selectbox(key=key)
        assert box.label and len(box.options) > 1 and box.index is not None, key  # a choice, and one is made
    # The default period is the current official year to date.
    assert at.selectbox(key="filter_granularity").value == "official-year"
    districts = at.multiselect(key="filter_districts")
    assert districts.label == translate("filter.districts", "vi")
    # Former districts read as such: "Thị xã Kỳ Anh (cũ)".
    assert districts.options == [f"{n} (cũ)" for n in registry.districts["name"]] and len(districts.options) == 12
    assert "Thị xã Kỳ Anh (cũ)" in districts.options
    assert districts.value == []  # the whole province by default
    assert any("Dữ liệu minh họa" in w.value for w in at.warning)
    assert len(at.metric) == 6


def test_filters_change_the_kpis(app_test):
    at = app_test(role="viewer")
    before = _kpis(at)
    at.selectbox(key="filter_focus").select("border").run()
    assert not at.exception
    after = _kpis(at)
    assert after != before
    # 7 communes border Laos: the "all four kinds" figure counts at most 7 of them.
    all_kinds = next(v for k, v in after.items() if k.startswith(translate("kpi.units_all_kinds", "vi")))
    assert int(all_kinds.split("/")[1]) <= 7
    at.multiselect(key="filter_districts").set_value(["436"]).run()  # TP Hà Tĩnh is not on the border
    assert next(v for k, v in _kpis(at).items() if k.startswith(translate("kpi.units_all_kinds", "vi"))) == "0/0"


def test_period_change_changes_incident_figures(app_test):
    at = app_test(role="viewer")
    before = next(v for k, v in _kpis(at).items() if k.startswith("Vụ việc"))
    at.selectbox(key="filter_granularity").select("year").run()
    at.selectbox(key="filter_period_from_year").select("2021").run()
    at.selectbox(key="filter_period_to_year").select("2021").run()
    assert not at.exception
    after = next(v for k, v in _kpis(at).items() if k.startswith("Vụ việc"))
    assert after != before
    assert at.query_params["tu"] == "2021" and at.query_params["ky"] == "year"


def test_selected_commune_shows_its_profile_with_predecessors(app_test):
    at = app_test(role="viewer")
    at.session_state["selected_commune"] = "18814"  # as a map click would
    at.run()
    assert not at.exception
    assert "Xã Kỳ Hoa" in [s.value for s in at.subheader]
    first_columns = {v for df in at.dataframe for v in df.value.iloc[:, 0].astype(str)}
    assert "Xã Kỳ Tân" in first_columns  # a predecessor, listed with its former district
    assert at.query_params["xa"] == "18814"
    # The profile opens with the commune's thôn/TDP figures, the same as the map's colour.
    table = next(
        df.value for df in at.dataframe if translate("indicator.area_coverage", "vi") in set(df.value.iloc[:, 0])
    )
    values = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    assert values[translate("indicator.residential_areas", "vi")].isdigit()
    assert values[translate("indicator.area_coverage", "vi")].endswith("%")


def test_shared_url_restores_the_view(app_test):
    at = app_test(
        role="viewer", params={"xa": "18196", "chi_tieu": "incidents_per_10k", "dia_ban": "border", "ky": "quarter"}
    )
    assert not at.exception
    assert at.selectbox(key="map_indicator").value == "incidents_per_10k"
    assert at.selectbox(key="filter_focus").value == "border"
    assert at.selectbox(key="filter_granularity").value == "quarter"
    assert "Xã Sơn Kim 1" in [s.value for s in at.subheader]


def test_invalid_url_parameters_fall_back_with_a_notice(app_test):
    at = app_test(role="viewer", params={"xa": "99999", "chi_tieu": "<script>", "huyen": "436,nope", "ky": "week"})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    # Names and values are shown as literal text (Markdown punctuation escaped, so "chi_tieu" reads chi\\_tieu).
    assert all(plain(name) in notices for name in ("xa", "chi_tieu", "huyen", "ky"))
    assert at.selectbox(key="map_indicator").value == "area_coverage"
    assert at.multiselect(key="filter_districts").value == ["436"]


def test_english_switch_translates_labels(app_test):
    at = app_test(role="viewer", lang="en")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert translate("kpi.area_coverage", "en") in labels
    assert at.selectbox(key="filter_focus").label == "Focus area"


def test_no_data_is_shown_apart_from_zero(app_test):
    at = app_test(role="viewer")
    at.selectbox(key="map_indicator").select("kinds_present").run()
    legend = " ".join(m.value for m in at.markdown)
    assert "Chưa có dữ liệu" in legend


def _click(at: AppTest, key: str, code: str) -> None:
    """What streamlit-folium returns after a click on a commune (``render_map`` stores it under ``key``)."""
    at.session_state[key] = {"last_active_drawing": {"type": "Feature", "properties": {"gso_code": code}}}


def test_selection_survives_a_page_switch(app_test):
    at = app_test(role="viewer")
    at.selectbox(key="map_commune").select("18814").run()
    assert at.session_state["selected_commune"] == "18814"
    at.switch_page("pages/profiles.py").run()
    assert not at.exception
    at.switch_page("pages/coverage_map.py").run()
    assert not at.exception
    assert at.selectbox(key="map_commune").value == "18814"
    assert "Xã Kỳ Hoa" in [s.value for s in at.subheader]


def test_only_a_new_map_click_changes_the_selection(app_test, registry):
    at = app_test(role="viewer")
    _click(at, "map_coverage", "18814")
    at.run()
    assert at.selectbox(key="map_commune").value == "18814"
    at.selectbox(key="map_commune").select("18196").run()  # the map still returns the old click
    assert at.selectbox(key="map_commune").value == "18196"
    assert "Xã Sơn Kim 1" in [s.value for s in at.subheader]
    other = next(c for c in registry.communes.index if c not in ("18814", "18196"))
    _click(at, "map_coverage", other)  # a new click
    at.run()
    assert at.selectbox(key="map_commune").value == other


def test_legacy_view_on_the_home_map(app_test, registry):
    at = app_test(role="viewer", params={"ky": "year", "tu": "2024", "den": "2024"})
    at.segmented_control(key="map_level").set_value("legacy").run()
    assert not at.exception
    legacy = registry.legacy.index[0]
    _click(at, "map_coverage", legacy)
    at.run()
    assert not at.exception
    assert at.session_state["selected_commune"] == registry.to_2025(legacy)  # the profile is of a 2025 commune


def test_without_boundary_files_the_app_shows_communes_as_points(app_test, tmp_path, monkeypatch):
    import shutil as _shutil

    import streamlit as st

    from loaders.core import settings

    bare = tmp_path / "geodata"
    bare.mkdir()
    _shutil.copy(settings.geodata_dir() / "focus_areas.json", bare / "focus_areas.json")
    monkeypatch.setenv("HT_GEODATA_DIR", str(bare))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = app_test(role="viewer")
        assert not at.exception
        warning = " ".join(w.value for w in at.warning)
        assert "Chưa cài dữ liệu ranh giới" in warning and "HT_GEODATA_SOURCE" in warning
        assert len(at.metric) == 6  # the figures still work from the registry fallback
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def _legend_titles(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_legacy_map_shows_rates_where_the_lists_place_the_units(app_test):
    # 2024: the demo's lists of thôn/TDP (from 2024) name every area's legacy commune.
    at = app_test(role="viewer", params={"ky": "year", "tu": "2024", "den": "2024", "don_vi": "legacy"})
    assert not at.exception
    assert at.selectbox(key="map_indicator").value == "area_coverage"
    assert f"**{translate('indicator.area_coverage', 'vi')}**" in _legend_titles(at)
    captions = " ".join(c.value for c in at.caption)
    assert translate("map.rules.legacy", "vi") in captions
    at.selectbox(key="map_indicator").select("models_per_10k").run()
    assert f"**{translate('indicator.models_per_10k', 'vi')}**" in _legend_titles(at)


def test_legacy_map_falls_back_to_counts_without_lists(app_test):
    # 2021: no list of thôn/TDP is in force yet, so no legacy unit has a rate.
    at = app_test(role="viewer", params={"ky": "year", "tu": "2021", "den": "2021", "don_vi": "legacy"})
    assert not at.exception
    assert f"**{translate('indicator.models_covering', 'vi')}**" in _legend_titles(at)
    at.selectbox(key="map_indicator").select("incidents_per_10k").run()
    assert f"**{translate('indicator.incidents', 'vi')}**" in _legend_titles(at)


def test_coverage_legend_names_communes_without_a_list(app_test):
    # 2023: no commune has a list in force, so every commune is "no list", never 0 %.
    at = app_test(role="viewer", params={"ky": "year", "tu": "2023", "den": "2023"})
    assert not at.exception
    legend = _legend_titles(at)
    assert translate("indicator.area_coverage.no_list", "vi") in legend
    assert "0%" not in legend
