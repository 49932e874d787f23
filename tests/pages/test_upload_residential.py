"""AppTest: a list of thôn and tổ dân phố uploaded on the upload page, then used by the home page's rates."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from loaders.core.i18n import translate
from loaders.store import db, tables
from tests.support.apptest import table_with
from tests.support.files import csv_bytes
from ui.parts import upload as up

HEADER = ["Tên xã/phường", "Xã cũ", "Thôn/Tổ dân phố", "Số hộ", "Số nhân khẩu", "Năm", "Có tổ hòa giải"]
ROWS = [
    ["Xã Kỳ Hoa", "Kỳ Tân", "Thôn 1", "300", "1.200", "2025", "có"],
    ["Xã Kỳ Hoa", "Xã Kỳ Hoa", "Thôn 2", "250", "1.000", "2025", "có"],
    ["Xã Kỳ Hoa", "", "thôn 01", "10", "40", "2025", ""],  # the same area as Thôn 1: rejected
]


# Query results and the engine follow each test's own store (clear_data_caches).
pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _stored() -> int:
    with db.get_engine().connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(tables.residential_areas)).scalar()


def test_a_list_is_checked_stored_and_its_population_used(app_test) -> None:
    at = app_test(role="editor", user="t", page="pages/upload.py")
    assert not at.exception
    at.selectbox(key="upload_dataset").set_value("residential_areas").run()
    assert translate("upload.dataset.residential_areas.help", "vi") in [c.value for c in at.caption]
    at.file_uploader(key=f"upload_file_{at.session_state[up.NONCE_KEY]}").set_value(
        ("thon.csv", csv_bytes([HEADER, *ROWS], newline="\n"), "text/csv")
    )
    at.checkbox(key="upload_valid_only").set_value(True)
    at.button(key="upload_submit").click()
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert [metrics[translate(f"upload.preview.{k}", "vi")] for k in ("read", "accepted", "rejected")] == [
        "3",
        "2",
        "1",
    ]
    assert _stored() == 0  # nothing written before the confirmation
    at.button(key="upload_confirm").click().run()
    assert not at.exception and _stored() == 2

    # The home page's rates now say that one commune's population comes from its list of 2025.
    at.switch_page("pages/coverage_map.py").run()
    assert not at.exception
    notes = " ".join(c.value for c in at.caption)
    assert "1/69 xã, phường" in notes and "danh sách năm 2025" in notes, notes

    # The commune's profile names the population it used.
    profile = app_test(role="viewer", page="pages/profiles.py", params={"xa": "18814"})
    assert not profile.exception
    shown = table_with(profile, translate("col.indicator", "vi"))
    values = dict(zip(shown[translate("col.indicator", "vi")], shown[translate("col.value", "vi")]))
    assert values[translate("indicator.population_source", "vi")] == "Tổng nhân khẩu các thôn, TDP năm 2025"
    assert values[translate("indicator.population", "vi")] == "2.200"
