"""AppTests of the analyst pages (focus areas, incidents, profiles, priority list), started from app.py.

The demo data is generated once per module into a SQLite file, and each test
copies that file into its own isolated store.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from loaders.core.i18n import translate
from tests.support.apptest import build_demo_store, table_with, use_demo_store

PAGES = ("pages/focus_areas.py", "pages/incidents.py", "pages/profiles.py", "pages/priority_list.py")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo") / "demo.sqlite3")


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders(app_test, page: str) -> None:
    at = app_test(role="viewer", page=page)
    assert not at.exception
    assert at.title


def _metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def _flag_count(at: AppTest) -> int:
    caption = next(c.value for c in at.caption if "bị đánh dấu tăng" in c.value)
    return int(caption.split()[0])


def test_focus_areas_figures_follow_the_district_filter(app_test) -> None:
    at = app_test(role="viewer", page="pages/focus_areas.py")
    before = _metric_values(at)
    assert before
    at.multiselect(key="filter_districts").set_value(["447"]).run()  # Huyện Kỳ Anh (Vũng Áng)
    assert not at.exception
    after = _metric_values(at)
    assert after != before
    at.segmented_control(key="focus_group_by").set_value("membership").run()
    assert not at.exception
    assert _metric_values(at) != after


def test_focus_filter_narrows_the_missing_kinds_list(app_test) -> None:
    at = app_test(role="viewer", page="pages/focus_areas.py")
    column = translate("col.n_missing")
    everyone = table_with(at, column)
    at.selectbox(key="filter_focus").set_value("border").run()
    assert not at.exception
    border = table_with(at, column) if any(column in d.value.columns for d in at.dataframe) else everyone.iloc[:0]
    assert len(border) < len(everyone)


def test_incident_rule_sliders_change_the_flags(app_test) -> None:
    at = app_test(role="viewer", page="pages/incidents.py")
    # The rule names the comparison, the same period last year by default, with its dates.
    assert any(
        "tăng hơn 25% so với cùng kỳ năm trước (" in i.value and "và kỳ so sánh có ít nhất 5 vụ" in i.value
        for i in at.info
    )
    default = _flag_count(at)
    at.slider(key="incidents_rise").set_value(0)
    at.slider(key="incidents_baseline").set_value(0).run()
    assert not at.exception
    assert any("tăng hơn 0% so với" in i.value and "có ít nhất 0 vụ" in i.value for i in at.info)
    assert _flag_count(at) > default


def test_incident_details_and_points_only_for_allowed_roles(app_test) -> None:
    viewer = app_test(role="viewer", page="pages/incidents.py")
    details = translate("incidents.details_title")
    assert details not in [s.value for s in viewer.subheader]
    assert "incidents_points" not in [w.key for w in viewer.toggle]
    analyst = app_test(role="analyst", page="pages/incidents.py")
    assert details in [s.value for s in analyst.subheader]
    assert translate("col.description") in table_with(analyst, translate("col.description")).columns
    toggle = analyst.toggle(key="incidents_points")
    assert toggle.value is False  # aggregates by default
    toggle.set_value(True).run()
    assert not analyst.exception


def test_profile_from_the_url(app_test, registry) -> None:
    code = registry.communes.index[5]
    at = app_test(role="viewer", page="pages/profiles.py", params={"xa": code})
    assert not at.exception
    assert registry.communes.at[code, "name"] in [s.value for s in at.subheader]
    assert table_with(at, translate("col.province_median")).shape[0] > 0


def test_incident_details_show_the_newest_rows_and_download_them_all(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.parts import incidents, tables

    exported = []
    real_downloads = tables.render_downloads

    def spy(frame, context, name, key_prefix):
        exported.append((key_prefix, frame))
        real_downloads(frame, context, name, key_prefix)

    monkeypatch.setattr(incidents, "DETAIL_ROWS_SHOWN", 5)
    monkeypatch.setattr(tables, "render_downloads", spy)
    at = app_test(role="analyst", page="pages/incidents.py")
    assert not at.exception
    shown = table_with(at, translate("col.description"))
    assert len(shown) == 5
    dates = pd.to_datetime(shown[translate("col.date")])
    assert dates.is_monotonic_decreasing  # newest first
    capped = [
        c.value for c in at.caption if "5" in c.value and translate("incidents.details_capped").split("{")[0] in c.value
    ]
    assert capped
    build = dict(exported)["incidents_details_dl"]
    everything = build()  # what the CSV/XLSX buttons export, built only when clicked
    assert len(everything) > 5 and list(everything.columns) == list(shown.columns)
    pd.testing.assert_frame_equal(
        everything.head(5).reset_index(drop=True), shown.reset_index(drop=True), check_dtype=False
    )  # the shown table came back through Arrow


def test_invalid_url_parameters_show_a_notice(app_test) -> None:
    at = app_test(role="viewer", params={"xa": "99999", "don_vi": "nowhere"})
    assert not at.exception
    notices = " ".join(i.value for i in at.info)
    assert "99999" in notices and "nowhere" in notices
    at.switch_page("pages/profiles.py")
    at.run()
    assert not at.exception
    assert translate("profile.pick") in [i.value for i in at.info]


def test_district_profile(app_test) -> None:
    at = app_test(role="viewer", page="pages/profiles.py")
    at.segmented_control(key="profiles_mode").set_value("district").run()
    at.selectbox(key="profiles_district").set_value("447").run()
    assert not at.exception
    # Since 1 July 2025 a former district is named as such.
    assert "Huyện Kỳ Anh (cũ)" in [s.value for s in at.subheader]
    assert not table_with(at, translate("col.province_median")).empty


def _top(at: AppTest) -> str:
    return table_with(at, translate("col.rank"))[translate("col.commune")].iloc[0]


def test_priority_weights_change_the_ranking_and_reset_restores(app_test) -> None:
    from analysis.priority import COMPONENTS, DEFAULT_WEIGHTS

    at = app_test(role="viewer", page="pages/priority_list.py")
    assert not at.exception
    default_top = _top(at)
    assert any("3 × Thiếu độ phủ thôn, tổ dân phố" in i.value for i in at.info)  # the formula is on the page
    for component in COMPONENTS:
        at.slider(key=f"priority_w_{component}").set_value(5.0 if component == "focus" else 0.0)
    at.run()
    assert not at.exception
    table = table_with(at, translate("col.rank"))
    assert _top(at) != default_top
    assert table[translate("col.focus_class")].iloc[0] != translate("focus.other")
    at.button(key="priority_reset").click().run()
    assert not at.exception
    assert [at.slider(key=f"priority_w_{c}").value for c in COMPONENTS] == [DEFAULT_WEIGHTS[c] for c in COMPONENTS]
    assert _top(at) == default_top


def test_priority_lists_communes_without_data_apart(app_test) -> None:
    # The demo has communes that never reported a model: they are listed under "Chưa có dữ liệu"
    # with the reason, never in the ranked table, and the rule is stated on the page.
    at = app_test(role="viewer", page="pages/priority_list.py")
    assert not at.exception
    assert translate("priority.no_data.title") in [s.value for s in at.subheader]
    ranked = table_with(at, translate("col.rank"))
    apart = table_with(at, translate("priority.col.reasons"))
    assert len(apart) > 0 and translate("col.rank") not in apart.columns
    assert translate("priority.score") not in apart.columns
    assert not set(apart[translate("col.commune")]) & set(ranked[translate("col.commune")])
    assert ranked[translate("col.rank")].tolist() == list(range(1, len(ranked) + 1))
    reasons = set(apart[translate("priority.col.reasons")])
    assert any(translate("priority.reason.no_model_data") in r for r in reasons)
    assert any(translate("priority.no_data.caption", count=len(apart)) == c.value for c in at.caption)
    rules = " ".join(m.value for m in at.markdown)
    assert translate("priority.no_data_rule") in rules and "⌈5 ×" in rules


def test_priority_page_in_english(app_test) -> None:
    at = app_test(role="viewer", lang="en", page="pages/priority_list.py")
    assert not at.exception
    assert translate("priority.no_data.title", "en") in [s.value for s in at.subheader]
    apart = table_with(at, translate("priority.col.reasons", "en"))
    english = {translate(f"priority.reason.{r}", "en") for r in ("no_list", "no_model_data", "not_reported")}
    assert all(set(cell.split("; ")) <= english for cell in apart[translate("priority.col.reasons", "en")])
    rules = " ".join(m.value for m in at.markdown)
    assert translate("priority.severity_weights", "en").split(":")[0] in rules and "Very serious 3" in rules


def test_priority_download_holds_both_sections_with_a_status(app_test, deferred_downloads) -> None:
    import csv
    import io

    from loaders.accounts import users
    from loaders.store import db

    users.create_user(db.get_engine(), "an", None, "analyst", "test")
    at = app_test(role="analyst", user="an", page="pages/priority_list.py")
    assert not at.exception
    [build] = [call for name, call in deferred_downloads.items() if "uu_tien" in name and name.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(build().decode("utf-8-sig"))))
    status, rank = translate("col.status"), translate("col.rank")
    ranked = [r for r in rows if r[status] == translate("priority.status.ranked")]
    apart = [r for r in rows if r[status] == translate("priority.status.no_data")]
    assert len(ranked) + len(apart) == len(rows) == 69 and ranked and apart
    assert [int(r[rank]) for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(r[rank] == "" and r[translate("priority.score")] == "" for r in apart)
    assert all(r[translate("priority.col.reasons")] for r in apart)


def test_priority_all_zero_weights_warn(app_test) -> None:
    from analysis.priority import COMPONENTS

    at = app_test(role="viewer", page="pages/priority_list.py")
    for component in COMPONENTS:
        at.slider(key=f"priority_w_{component}").set_value(0.0)
    at.run()
    assert not at.exception
    assert translate("priority.all_zero") in [w.value for w in at.warning]


def test_priority_filter_and_selection(app_test, registry) -> None:
    at = app_test(role="viewer", page="pages/priority_list.py")
    everyone = table_with(at, translate("col.rank"))
    at.multiselect(key="filter_districts").set_value(["436"]).run()
    assert not at.exception
    assert len(table_with(at, translate("col.rank"))) < len(everyone)
    code = registry.communes_in_districts(["436"])[0]
    at.session_state["selected_commune"] = code
    at.run()
    assert not at.exception
    assert registry.communes.at[code, "name"] in [s.value for s in at.subheader]


@pytest.mark.parametrize("page", PAGES)
def test_legacy_switch_only_before_the_reform(app_test, page: str) -> None:
    after = app_test(role="viewer", page=page)
    assert "map_level" not in [w.key for w in after.segmented_control]
    before = app_test(role="viewer", page=page, params={"ky": "year", "tu": "2024", "den": "2024"})
    switch = before.segmented_control(key="map_level")
    assert switch.value == "2025"
    switch.set_value("legacy").run()
    assert not before.exception
    assert before.query_params.get("don_vi") in ("legacy", ["legacy"])


def test_points_map_draws_every_located_incident(app_test) -> None:
    analyst = app_test(role="analyst", page="pages/incidents.py")
    analyst.toggle(key="incidents_points").set_value(True).run()
    assert not analyst.exception
    caption = next(c.value for c in analyst.caption if "có tọa độ" in c.value)
    drawn = int(next(w for w in caption.split() if w.isdigit()))
    in_period = next(c.value for c in analyst.caption if "vụ việc trong kỳ" in c.value)
    assert 0 < drawn <= int(in_period.split()[0])  # every located incident of the period, no more
    assert drawn > 300  # the old cap is gone


def test_clear_data_caches_keeps_only_static_resources() -> None:
    from tests.support.apptest import STATIC_RESOURCES, clear_data_caches

    cleared = set(clear_data_caches())
    assert {"get_engine", "get_datasets", "get_incident_rows", "_indicators", "get_map_restyle"} <= cleared
    assert not cleared & STATIC_RESOURCES
