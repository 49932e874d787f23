"""AppTests of the home page (coverage map), the shared sidebar and shareable URLs, started from app.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders import importer, store
from ui.access import USER_KEY, SessionUser

APP = Path(__file__).parents[1] / "app.py"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo_home") / "demo.sqlite3"
    engine = store.get_engine(f"sqlite:///{path}")
    importer.load_demo(engine, user="test")
    store.dispose_engines()
    return path


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, _isolated_store: Path) -> None:
    shutil.copy(demo_db, _isolated_store / "hatinh.sqlite3")
    st.cache_data.clear()
    st.cache_resource.clear()


def _home(params: dict[str, str] | None = None, role: str = "viewer", lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state[USER_KEY] = SessionUser(f"test_{role}", role)
    if lang:
        at.session_state["ui_lang"] = lang
    for name, value in (params or {}).items():
        at.query_params[name] = value
    return at.run()


def _kpis(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_renders_key_widgets_and_demo_badge():
    at = _home()
    assert not at.exception
    for key in ("map_indicator", "map_basemap", "map_commune", "filter_focus", "filter_granularity",
                "filter_period_from_month", "filter_period_to_month"):
        assert at.selectbox(key=key) if key.startswith(("map_", "filter_focus", "filter_period")) \
            else at.radio(key=key)
    assert at.multiselect(key="filter_districts") is not None
    assert any("Dữ liệu minh họa" in w.value for w in at.warning)
    assert len(at.metric) == 6


def test_filters_change_the_kpis():
    at = _home()
    before = _kpis(at)
    at.selectbox(key="filter_focus").select("border").run()
    assert not at.exception
    after = _kpis(at)
    assert after != before
    # 7 communes border Laos: the "all four kinds" figure counts at most 7 of them.
    all_kinds = next(v for k, v in after.items() if k.startswith("Xã có đủ 4"))
    assert int(all_kinds.split("/")[1]) <= 7
    at.multiselect(key="filter_districts").set_value(["436"]).run()  # TP Hà Tĩnh is not on the border
    assert next(v for k, v in _kpis(at).items() if k.startswith("Xã có đủ 4")) == "0/0"


def test_period_change_changes_incident_figures():
    at = _home()
    before = next(v for k, v in _kpis(at).items() if k.startswith("Vụ việc"))
    at.radio(key="filter_granularity").set_value("year").run()
    at.selectbox(key="filter_period_from_year").select("2021").run()
    at.selectbox(key="filter_period_to_year").select("2021").run()
    assert not at.exception
    after = next(v for k, v in _kpis(at).items() if k.startswith("Vụ việc"))
    assert after != before
    assert at.query_params["tu"] == "2021" and at.query_params["ky"] == "year"


def test_selected_commune_shows_its_profile_with_predecessors():
    at = _home()
    at.session_state["selected_commune"] = "18814"  # as a map click would
    at.run()
    assert not at.exception
    assert "Xã Kỳ Hoa" in [s.value for s in at.subheader]
    first_columns = {v for df in at.dataframe for v in df.value.iloc[:, 0].astype(str)}
    assert "Xã Kỳ Tân" in first_columns  # a predecessor, listed with its former district
    assert at.query_params["xa"] == "18814"


def test_shared_url_restores_the_view():
    at = _home({"xa": "18196", "chi_tieu": "incidents_per_10k", "dia_ban": "border", "ky": "quarter"})
    assert not at.exception
    assert at.selectbox(key="map_indicator").value == "incidents_per_10k"
    assert at.selectbox(key="filter_focus").value == "border"
    assert at.radio(key="filter_granularity").value == "quarter"
    assert "Xã Sơn Kim 1" in [s.value for s in at.subheader]


def test_invalid_url_parameters_fall_back_with_a_notice():
    at = _home({"xa": "99999", "chi_tieu": "<script>", "huyen": "436,nope", "ky": "week"})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "xa" in notices and "chi_tieu" in notices and "huyen" in notices and "ky" in notices
    assert at.selectbox(key="map_indicator").value == "models_per_10k"
    assert at.multiselect(key="filter_districts").value == ["436"]


def test_english_switch_translates_labels():
    at = _home(lang="en")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Active models per 10,000 residents" in labels
    assert at.selectbox(key="filter_focus").label == "Focus area"


def test_no_data_is_shown_apart_from_zero():
    at = _home()
    at.selectbox(key="map_indicator").select("kinds_present").run()
    legend = " ".join(m.value for m in at.markdown)
    assert "Chưa có dữ liệu" in legend
