"""The incidents page keeps "chưa báo cáo" apart from zero, and shows how complete reporting is.

Store: one incidents import of Xã Kỳ Tân (2025 commune 18814) for the first quarter
of 2024 that reports the whole province, and one of Xã Cẩm Thành (18100) that
reports January only. Period: Q1 2024 (custom range in the URL).
"""

from __future__ import annotations

from datetime import date

from loaders.core.i18n import translate
from loaders.ingest.commit import commit_import
from loaders.ingest.reporting import ReportScope
from loaders.store import db
from tests.support.apptest import table_with
from tests.support.imports import USER, incidents_csv, preview

PARAMS = {"ky": "custom", "tu": "2024-01-01", "den": "2024-03-31"}


def _store(registry) -> None:
    engine = db.get_engine()
    province = ReportScope(first=date(2024, 1, 1), last=date(2024, 3, 31), communes=tuple(registry.communes.index))
    ky_tan = incidents_csv(["K-1", "K-2"], day="15/02/2024")
    commit_import(engine, preview(engine, registry, ky_tan), user=USER, reports=province)
    january = ReportScope(first=date(2024, 1, 1), last=date(2024, 1, 31))
    cam_thanh = incidents_csv(["C-1"], commune="Xã Cẩm Thành", district="Huyện Cẩm Xuyên", day="10/01/2024")
    commit_import(engine, preview(engine, registry, cam_thanh, name="cam_thanh.csv"), user=USER, reports=january)


def test_incidents_page_shows_not_reported_apart_from_zero(app_test, registry) -> None:
    _store(registry)
    at = app_test(role="analyst", page="pages/incidents.py", params=PARAMS)
    assert not at.exception, at.exception
    assert any(translate("reporting.rule")[:40] in c.value for c in at.caption)
    # Every commune reported the three months, so nobody is "chưa báo cáo" and the quarter is complete.
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("reporting.share")] == "100,0 %"
    assert metrics[translate("reporting.col.units_not_reported")] == "0/69"

    table = table_with(at, translate("col.incidents_now"))
    assert set(table[translate("reporting.col.months")]) == {"3/3"}
    assert (table[translate("col.incidents_now")] == 0).sum() == 67  # reported, no incident: zero


def test_a_commune_that_reported_no_month_reads_chua_bao_cao(app_test, registry) -> None:
    engine = db.get_engine()
    january = ReportScope(first=date(2024, 1, 1), last=date(2024, 1, 31))
    cam_thanh = incidents_csv(["C-1"], commune="Xã Cẩm Thành", district="Huyện Cẩm Xuyên", day="10/01/2024")
    commit_import(engine, preview(engine, registry, cam_thanh), user=USER, reports=january)
    at = app_test(role="analyst", page="pages/incidents.py", params=PARAMS)
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("reporting.col.units_not_reported")] == "68/69"
    table = table_with(at, translate("col.incidents_now"))
    not_reported = table[table[translate("reporting.col.not_reported")] == translate("reporting.not_reported")]
    assert len(not_reported) == 68
    assert not_reported[translate("col.incidents_now")].isna().all()  # not zero
    cam = table[table[translate("col.commune")].str.contains("Cẩm")]
    assert set(cam[translate("reporting.col.months")]) >= {"1/3"}
    assert any("tháng 2/2024: 69 xã, phường" in c.value for c in at.caption)
