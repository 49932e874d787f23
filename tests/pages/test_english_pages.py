"""Pages opened in English after the home page: every option label stays in the page's language."""

from __future__ import annotations

import pytest

from loaders.core.i18n import translate


@pytest.mark.parametrize("page", ["pages/incidents.py", "pages/profiles.py", "pages/focus_areas.py"])
def test_an_english_session_moves_from_the_home_page_to(app_test, page: str) -> None:
    at = app_test(role="analyst", lang="en", page=page)
    assert not at.exception
    # The home page's indicator choice, read after the run, is labelled in English.
    at.switch_page("pages/coverage_map.py").run()
    labels = at.selectbox(key="map_indicator").options
    assert translate("indicator.models_per_10k", "en") in labels
    assert translate("indicator.models_per_10k", "vi") not in labels
