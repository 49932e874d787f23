"""AppTests: the home and incidents pages say what the incident counts include."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.core import domain
from loaders.core.i18n import translate
from tests.support.apptest import build_demo_store, use_demo_store

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo_scope") / "demo.sqlite3")


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _scope_caption(at, lang: str) -> str:
    head = translate("incidents.scope", lang, fields="").split(":")[0]
    found = [c.value for c in at.caption if c.value.startswith(head)]
    assert len(found) == 1, [c.value for c in at.caption]
    return found[0]


@pytest.mark.parametrize("page", [None, "pages/incidents.py"])
def test_pages_state_what_incidents_count(app_test, page):
    at = app_test(role="viewer", page=page)
    assert not at.exception
    text = _scope_caption(at, "vi")
    # Every field the dataset holds is named, and the demo says it is demo data.
    for field in domain.INCIDENT_FIELDS:
        assert translate(f"enum.field.{field}", "vi").lower() in text
    assert text.endswith("(dữ liệu minh họa)")


def test_the_english_sentence_names_the_same_things():
    text = translate("incidents.scope", "en", fields="x")
    assert "administrative violations" in text and "crimes" in text and text.endswith("x.")
