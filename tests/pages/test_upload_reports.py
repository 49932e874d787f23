"""The upload page's reporting period of an incidents file: defaults from the file, "toàn tỉnh", bad dates."""

from __future__ import annotations

from datetime import date

import pytest

from loaders.core.i18n import translate
from loaders.store import db, reads
from tests.pages.test_pages_upload import USER, incidents_csv, models_csv, upload

APPTEST_TIMEOUT = 90


# Query results and the engine follow each test's own store (clear_data_caches).
pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _reported() -> dict[str, int]:
    frame = reads.load_reports(db.get_engine())
    return frame.groupby(frame["month"].dt.strftime("%Y-%m"))["commune_code"].nunique().to_dict()


def _date_input(at, prefix: str):
    return next(w for w in at.date_input if w.key.startswith(prefix))


def test_an_incidents_file_reports_its_months_or_the_province(app_test) -> None:
    at = app_test(role="editor", user=USER, page="pages/upload.py")
    upload(at, "vu_viec.csv", incidents_csv(["A-1", "A-2"]), dataset="incidents")  # 15/03/2024, Xã Kỳ Tân
    assert _date_input(at, "upload_reports_first_").value == date(2024, 3, 1)
    assert _date_input(at, "upload_reports_last_").value == date(2024, 3, 31)
    assert any("báo cáo 1 tháng (tháng 3/2024 – tháng 3/2024) cho 1 xã, phường" in c.value for c in at.caption)

    # A range that covers no whole month is refused, and the import waits.
    _date_input(at, "upload_reports_first_").set_value(date(2024, 3, 2)).run()
    assert any("không trọn tháng nào" in e.value for e in at.error)
    assert next(b for b in at.button if b.key == "upload_confirm").disabled

    _date_input(at, "upload_reports_first_").set_value(date(2024, 1, 1)).run()
    next(c for c in at.checkbox if c.key.startswith("upload_reports_province_")).check().run()
    assert any("báo cáo 3 tháng (tháng 1/2024 – tháng 3/2024) cho 69 xã, phường" in c.value for c in at.caption)
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert any(translate("upload.done", id=1, rows=2, rejected=0) in s.value for s in at.success)
    assert _reported() == {"2024-01": 69, "2024-02": 69, "2024-03": 69}


def test_other_datasets_have_no_reporting_period(app_test) -> None:
    at = app_test(role="editor", user=USER, page="pages/upload.py")
    upload(at, "mo_hinh.csv", models_csv(["Tổ 1"]), dataset="models")
    assert not [w for w in at.date_input if w.key.startswith("upload_reports_")]
