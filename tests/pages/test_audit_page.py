"""The audit-log page searches, paginates and exports the whole filtered log; refusals are audited."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from loaders.accounts import audit, users
from loaders.store import db, tables
from ui.parts import upload as up

AUDIT_PAGE = "pages/audit_log.py"

pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _fill_log(n: int) -> None:
    now = datetime.now(UTC)
    rows = [
        {"at": now - timedelta(minutes=i), "user_name": f"nguoi_{i % 7}", "action": "export", "detail": f"tep_{i}.csv"}
        for i in range(n)
    ]
    with db.get_engine().begin() as conn:
        conn.execute(tables.events.insert(), rows)


def _entries(action: str) -> list[dict]:
    return audit.query_events(db.get_engine(), audit.EventFilter(actions=[action])).to_dict("records")


def test_search_box_pages_and_a_whole_export(app_test, deferred_downloads) -> None:
    users.create_user(db.get_engine(), "quan_tri", None, "admin", "test")
    _fill_log(5 * audit.PAGE_SIZE + 30)
    at = app_test(role="admin", user="quan_tri", entry=AUDIT_PAGE)
    assert not at.exception
    assert not at.multiselect or [m.key for m in at.multiselect] == ["audit_actions"], "no list of every name"
    assert len(at.dataframe[0].value) == audit.PAGE_SIZE
    at.number_input(key="audit_page").set_value(6).run()
    assert len(at.dataframe[0].value) == 31  # 30 + the admin's own user_created entry
    at.text_input(key="audit_user_search").set_value("NGUOI_3").run()
    matching = sum(1 for i in range(5 * audit.PAGE_SIZE + 30) if i % 7 == 3)
    assert any(f"trong {matching} (" in c.value for c in at.caption), [c.value for c in at.caption]
    [csv] = [call for name, call in deferred_downloads.items() if name.startswith("nhat_ky") and name.endswith(".csv")]
    exported = pd.read_csv(io.BytesIO(csv()), encoding="utf-8-sig")
    assert len(exported) == matching, "the export holds every matching entry, not one page"
    assert set(exported.iloc[:, 2]) == {"nguoi_3"}


def test_a_refused_page_is_audited_once_per_session(app_test) -> None:
    at = app_test(role="viewer", user="xem", entry=AUDIT_PAGE)
    assert not at.exception and at.error
    at.run()
    [denied] = _entries("access_denied")
    assert denied["user_name"] == "xem"
    assert json.loads(denied["detail"]) == {"permission": "audit", "what": "page", "role": "viewer"}


def test_a_refused_upload_is_audited(app_test) -> None:
    at = app_test(role="editor", user="bien_tap", page="pages/upload.py")
    at.selectbox(key="upload_dataset").set_value("incidents").run()
    at.file_uploader(key=f"upload_file_{at.session_state[up.NONCE_KEY]}").set_value(
        ("rac.csv", b"\x00\x01\x02garbage\x00" * 20, "text/csv")
    )
    at.button(key="upload_submit").click()
    at.run()
    assert not at.exception and at.error
    [refused] = _entries("upload_refused")
    assert refused["user_name"] == "bien_tap"
    assert json.loads(refused["detail"])["file"] == "rac.csv"
