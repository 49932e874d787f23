"""AppTests of the home page's "Cần chú ý" panel on the demo store, started from app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.attention import SHOWN
from loaders.core.i18n import translate
from tests.support.apptest import build_demo_store, use_demo_store

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90
PREFIX = "map_attention_open_"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo_attention") / "demo.sqlite3")


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _line_buttons(at: AppTest) -> list:
    return [b for b in at.button if str(b.key or "").startswith(PREFIX)]


def _panel_texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def test_panel_lists_the_most_important_five_and_the_rest_on_demand(app_test):
    at = app_test(role="viewer")
    assert not at.exception
    assert f"**{translate('attention.title', 'vi')}**" in _panel_texts(at)
    buttons = _line_buttons(at)
    assert buttons, "the demo data has rising incidents in focus areas"
    more = [x for x in at.toggle if str(x.key) == "map_attention_all"]
    if len(buttons) == SHOWN and more:
        # The rest is drawn only on demand, and then every line is there.
        more[0].set_value(True).run()
        assert not at.exception
        every = _line_buttons(at)
        assert len(every) > SHOWN and more[0].label == translate("attention.more", "vi", n=len(every))
        assert [b.key for b in every[:SHOWN]] == [b.key for b in buttons]
    else:
        assert len(buttons) <= SHOWN and not more
    # Every line says why it is there.
    reasons = [c.value for c in at.caption]
    assert any("so với cùng kỳ năm trước" in r for r in reasons)


def test_a_line_opens_the_communes_profile(app_test, registry):
    at = app_test(role="viewer")
    first = _line_buttons(at)[0]
    code = first.key.removeprefix(PREFIX)
    first.click().run()
    assert not at.exception
    assert at.session_state["selected_commune"] == code
    assert registry.communes.at[code, "name"] in [s.value for s in at.subheader]
    assert at.query_params["xa"] == code


def test_panel_is_empty_safe(app_test):
    at = app_test(role="viewer")
    # TP Hà Tĩnh's communes are not on the Laos border: the filters select no commune.
    at.multiselect(key="filter_districts").set_value(["436"]).run()
    at.selectbox(key="filter_focus").select("border").run()
    assert not at.exception
    assert not _line_buttons(at)
    assert translate("attention.empty", "vi") in [c.value for c in at.caption]


def test_panel_in_english(app_test):
    at = app_test(role="viewer", lang="en")
    assert not at.exception
    assert f"**{translate('attention.title', 'en')}**" in _panel_texts(at)
