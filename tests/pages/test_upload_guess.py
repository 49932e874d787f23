"""AppTest: a file uploaded as the wrong dataset is recognised, and one click reads it as the right one."""

from __future__ import annotations

import pytest

from loaders.core.i18n import translate
from loaders.store import tables
from tests.pages.test_pages_upload import counts, incidents_csv, stored, upload
from ui.parts import upload_guess

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90


# Query results and the engine follow each test's own store (clear_data_caches).
pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _offers(at) -> list[str]:
    return [w.value for w in at.warning if "khớp với bộ dữ liệu" in w.value]


def test_an_incidents_file_chosen_as_models_is_offered_as_incidents(app_test):
    at = app_test(role="editor", user="t", page="pages/upload.py")
    data = incidents_csv([f"VV-{i}" for i in range(40)])
    upload(at, "vu_viec.csv", data, dataset="models")
    [offer] = _offers(at)
    assert "«Mô hình»" in offer and "«Vụ việc»" in offer and "«Tên mô hình»" in offer
    assert at.button(key="upload_confirm").disabled

    at.button(key="upload_guess_switch").click().run()
    assert not at.exception
    assert at.selectbox(key=upload_guess.DATASET_KEY).value == "incidents"
    assert not _offers(at)
    assert counts(at) == (40, 40, 0)
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert stored(tables.incidents) == 40 and stored(tables.models) == 0


def test_no_offer_when_the_chosen_dataset_fits(app_test):
    at = app_test(role="editor", user="t", page="pages/upload.py")
    upload(at, "vu_viec.csv", incidents_csv(["VV-1"]), dataset="incidents")
    assert not _offers(at) and not any(b.key == "upload_guess_switch" for b in at.button)
    assert translate("upload.guess.switch", "vi", guess="x")  # the catalogue has the label
