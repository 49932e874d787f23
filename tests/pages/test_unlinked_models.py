"""AppTest: the upload page says how many models name a thôn/TDP that no stored list has yet."""

from __future__ import annotations

import pytest

from loaders.ingest.commit import commit_import
from loaders.ingest.preview import ImportRequest, preview_import
from loaders.store import db
from tests.support.files import csv_bytes

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 90

HEADER = ["Tên xã/phường", "Huyện (cũ)", "Tên mô hình", "Loại mô hình", "Nơi triển khai", "Ngày thành lập"]
HEADER += ["Trạng thái", "Thôn/Tổ dân phố"]


# Query results and the engine follow each test's own store (clear_data_caches).
pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _import(registry, dataset: str, rows: list[list[str]]) -> None:
    engine = db.get_engine()
    request = ImportRequest(dataset=dataset, data=csv_bytes(rows, newline="\n"), file_name="f.csv", user="setup")
    assert commit_import(engine, preview_import(engine, request, registry=registry), user="setup").committed


def _notes(at) -> list[str]:
    return [i.value for i in at.info if "chưa gắn được" in i.value]


def test_the_upload_page_counts_models_not_linked_to_a_list(app_test, registry):
    place = ["Xã Kỳ Tân", "Huyện Kỳ Anh"]
    model = ["tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"]
    _import(registry, "models", [HEADER, [*place, "Tổ 1", *model, "Thôn 3"], [*place, "Tổ 2", *model, ""]])
    at = app_test(role="editor", user="t", page="pages/upload.py")
    assert not at.exception
    [note] = _notes(at)
    assert note.startswith("1/1 mô hình")

    _import(
        registry,
        "residential_areas",
        [["Tên xã/phường", "Huyện (cũ)", "Thôn/Tổ dân phố", "Năm"], [*place, "thôn 03", "2025"]],
    )
    at = app_test(role="editor", user="t", page="pages/upload.py")
    assert not at.exception and not _notes(at)


def test_the_home_page_counts_them_under_the_coverage_rule(app_test, registry):
    place = ["Xã Kỳ Tân", "Huyện Kỳ Anh"]
    model = ["tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"]
    _import(registry, "models", [HEADER, [*place, "Tổ 1", *model, "Thôn 3"], [*place, "Tổ 2", *model, "Thôn 4"]])
    at = app_test(role="viewer", user="t")
    assert not at.exception
    assert at.selectbox(key="map_indicator").value == "area_coverage"
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Tỷ lệ thôn, tổ dân phố có mô hình:") for c in captions)  # the rule, under the map
    assert "2 mô hình ghi thôn, tổ dân phố chưa có trong danh sách" in " ".join(captions)
    # Nothing is said when every named thôn/TDP is in a list.
    _import(
        registry,
        "residential_areas",
        [
            ["Tên xã/phường", "Huyện (cũ)", "Thôn/Tổ dân phố", "Năm"],
            [*place, "thôn 03", "2025"],
            [*place, "Thôn 4", "2025"],
        ],
    )
    at = app_test(role="viewer", user="t")
    assert not at.exception
    assert not [c.value for c in at.caption if "chưa có trong danh sách" in c.value]
    # Another indicator does not repeat the coverage rule.
    at.selectbox(key="map_indicator").select("incidents").run()
    assert not [c.value for c in at.caption if c.value.startswith("Tỷ lệ thôn, tổ dân phố có mô hình:")]
