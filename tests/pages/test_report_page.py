"""The periodic-report page: unit choice, preview, and downloads that are role-checked and audited.

Store: one incidents import of Xã Kỳ Tân (2025 commune 18814) dated 15/02/2024 that
reports the first quarter of 2024 for the whole province. Period: Q1 2024 (custom
range in the URL), compared with Q1 2023 (not reported: "chưa có dữ liệu", not 0).
"""

from __future__ import annotations

import io
from datetime import date

import docx
import sqlalchemy as sa

from loaders.accounts import users
from loaders.core.i18n import translate
from loaders.ingest.commit import commit_import
from loaders.ingest.reporting import ReportScope
from loaders.store import db
from loaders.store.tables import events
from tests.support.apptest import table_with
from tests.support.imports import USER, incidents_csv, preview

PARAMS = {"ky": "custom", "tu": "2024-01-01", "den": "2024-03-31"}
PAGE = "pages/report.py"


def _store(registry) -> None:
    engine = db.get_engine()
    province = ReportScope(first=date(2024, 1, 1), last=date(2024, 3, 31), communes=tuple(registry.communes.index))
    commit_import(
        engine, preview(engine, registry, incidents_csv(["K-1", "K-2"], day="15/02/2024")), user=USER, reports=province
    )


def _exports() -> list[tuple[str, str]]:
    with db.get_engine().connect() as conn:
        rows = conn.execute(sa.select(events.c.user_name, events.c.detail).where(events.c.action == "export")).all()
    return [(r.user_name, r.detail) for r in rows]


def test_the_page_previews_and_downloads_the_report(app_test, registry, deferred_downloads) -> None:
    _store(registry)
    users.create_user(db.get_engine(), "can_bo", None, "analyst", actor="setup")
    at = app_test(role="analyst", user="can_bo", page=PAGE, params=PARAMS)
    assert not at.exception, at.exception
    assert at.title[0].value == translate("page.report")
    key = table_with(at, translate("report.col.figure"))
    incidents = key[key[translate("report.col.figure")] == translate("report.row.incidents")].iloc[0]
    assert incidents[translate("report.col.value")] == "2"
    assert incidents[translate("report.col.compare")] == translate("report.no_data")  # Q1 2023 not reported
    assert any(translate("report.rule.coverage")[:40] in c.value for c in at.caption)

    # A commune: the unit's name heads the preview.
    at.segmented_control(key="report_unit_kind").set_value("commune").run()
    at.selectbox(key="report_commune").set_value("18814").run()
    assert not at.exception, at.exception
    assert any(registry.communes.at["18814", "name"] in m.value for m in at.markdown)

    names = [n for n in deferred_downloads if n.endswith(".docx")]
    assert names, list(deferred_downloads)
    content = deferred_downloads[names[-1]]()
    document = docx.Document(io.BytesIO(content))
    assert any(p.text == "BÁO CÁO" for p in document.paragraphs)
    assert len(document.tables) >= 8
    exports = _exports()
    assert exports and exports[-1][0] == "can_bo" and exports[-1][1] == names[-1]


def test_a_viewer_sees_the_report_but_cannot_download(app_test, registry) -> None:
    at = app_test(role="viewer", page=PAGE, params=PARAMS)
    assert not at.exception, at.exception
    assert any(translate("access.export_denied") == c.value for c in at.caption)
