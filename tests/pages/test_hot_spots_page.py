"""AppTests of the admin's hot-spot editor and of the hot-spot group on the focus page."""

from __future__ import annotations

import sqlalchemy as sa

from loaders.core import domain
from loaders.core.i18n import translate
from loaders.focus import hot_spots as spots
from loaders.store import db, tables
from tests.support.apptest import table_with

APPTEST_TIMEOUT = 90
PAGE = "pages/hot_spots.py"
DENIED = translate("access.denied", "vi")
HOSTILE = "<img src=x onerror=alert(1)> tụ tập đông người"
KNOWN = {domain.VINTAGE_2025: {"18196", "18172"}, domain.VINTAGE_LEGACY: set()}


def test_the_admin_keeps_a_yearly_list_with_its_history(app_test) -> None:
    at = app_test(role="admin", user="boss", page=PAGE)
    assert not at.exception
    at.number_input(key="hot_spots_year").set_value(2026).run()
    at.multiselect(key="hot_spots_communes_2026_2025").select("18196").run()
    at.text_input(key="hot_spots_reason_2026_2025_18196").input(HOSTILE)
    at.text_input(key="hot_spots_decision_2026_2025_18196").input("KH 12/KH-CAT ngày 05/01/2026")
    at.button(key="hot_spots_save").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [translate("hot_spots.saved", year=2026, version=1, n=1)]
    lists = spots.load_lists(db.get_engine())
    assert lists[["year", "commune_code", "reason"]].values.tolist() == [[2026, "18196", HOSTILE]]
    # The reason is shown as table data (escaped by the table), never as markdown or HTML.
    history = table_with(at, translate("hot_spots.reason"))
    assert history[translate("hot_spots.reason")].tolist() == [HOSTILE]
    assert not any(HOSTILE in m.value for m in at.markdown)

    # A second save is a new version; the first stays in the history.
    at.multiselect(key="hot_spots_communes_2026_2025").unselect("18196").select("18172").run()
    at.text_input(key="hot_spots_reason_2026_2025_18172").input("Ma túy")
    at.text_input(key="hot_spots_decision_2026_2025_18172").input("KH 20/KH-CAT")
    at.button(key="hot_spots_save").click().run()
    assert not at.exception
    history = table_with(at, translate("hot_spots.col.version"))
    assert history[translate("hot_spots.col.version")].tolist() == [2, 1]
    with db.get_engine().connect() as conn:
        saved = conn.execute(
            sa.select(tables.events.c.user_name).where(tables.events.c.action == spots.ACTION_SAVED)
        ).all()
    assert [row.user_name for row in saved] == ["boss", "boss"]


def test_a_missing_reason_is_refused_with_its_row_and_column(app_test) -> None:
    at = app_test(role="admin", page=PAGE)
    at.number_input(key="hot_spots_year").set_value(2026).run()
    at.multiselect(key="hot_spots_communes_2026_2025").select("18196").run()
    at.button(key="hot_spots_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("hot_spots.error.required", row=1, column="Lý do")]
    assert spots.load_lists(db.get_engine()).empty


def test_only_an_admin_may_open_the_editor(app_test) -> None:
    for role in ("viewer", "analyst", "editor"):
        at = app_test(role=role, entry=PAGE)
        assert not at.exception
        assert [e.value for e in at.error] == [DENIED]
        assert not at.button and not at.multiselect
    assert spots.load_lists(db.get_engine()).empty


def test_the_year_s_hot_spots_are_a_group_on_the_focus_page(app_test) -> None:
    at = app_test(role="viewer")
    year = at.session_state["shared_filters"].period.end.year
    spots.save_list(db.get_engine(), year, [spots.HotSpot("18172", "Ma túy", "KH 1/KH-CAT")], KNOWN, "boss")
    at = app_test(role="viewer", page="pages/focus_areas.py")
    assert not at.exception
    at.segmented_control(key="focus_group_by").set_value("membership").run()
    assert not at.exception
    label = translate("focus.hot_spot")
    assert label in table_with(at, label).columns
    assert any(translate("focus.hot_spot_note", year=year, n=1, names="Xã Sơn Tây") == c.value for c in at.caption)
    at.selectbox(key="filter_focus").set_value(domain.FOCUS_HOT_SPOT).run()
    assert not at.exception
    assert at.session_state["shared_filters"].hot_spots == ((domain.VINTAGE_2025, "18172"),)
    assert translate("filter.hot_spot_year", year=year, n=1) in [c.value for c in at.sidebar.caption]


def test_a_commune_profile_names_it_a_hot_spot_of_the_year(app_test) -> None:
    at = app_test(role="viewer")
    year = at.session_state["shared_filters"].period.end.year
    spots.save_list(db.get_engine(), year, [spots.HotSpot("18172", "Ma túy", "KH 1/KH-CAT")], KNOWN, "boss")
    at = app_test(role="viewer", params={"xa": "18172"}, page="pages/profiles.py")
    assert not at.exception
    assert any(translate("focus.hot_spot") in c.value for c in at.caption)
