"""Deferred downloads re-check the account when the file is built, and audit under the real user.

A download button's callable runs at the click, without a script rerun: the
page that registered it may have been drawn before the account was disabled or
demoted, or before the session went idle. The tests capture the very callables
the page registers and call them as Streamlit would at the click.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from loaders.accounts import audit, sessions, users
from loaders.store import db, tables
from ui.session_cookie import SECRET_KEY

ENTRY = "tests/ui/downloads_page.py"

pytestmark = pytest.mark.usefixtures("fresh_data_caches")


def _draw(app_test, deferred_downloads, role: str, name: str) -> dict[str, Callable[[], object]]:
    at = app_test(role=role, user=name, entry=ENTRY)
    assert not at.exception
    by_kind = {"original": deferred_downloads.get("lan_nhap_7_bao_cao.csv")}
    for name, call in deferred_downloads.items():  # export names carry a time stamp: bang_thu_<time>.csv
        if name.startswith("bang_thu_"):
            by_kind[name.rsplit(".", 1)[1]] = call
    assert all(by_kind.get(k) for k in ("csv", "xlsx", "original")), sorted(deferred_downloads)
    return by_kind


def _entries(action: str) -> list[dict]:
    log = audit.query_events(db.get_engine(), audit.EventFilter(actions=[action]))
    return log.to_dict("records")


def test_an_allowed_export_is_built_and_audited_under_the_user(app_test, deferred_downloads) -> None:
    users.create_user(db.get_engine(), "an", None, "analyst", "test")
    calls = _draw(app_test, deferred_downloads, "analyst", "an")
    assert calls["csv"]().startswith(b"\xef\xbb\xbf")  # the file itself
    [entry] = _entries("export")
    assert entry["user_name"] == "an"
    assert entry["detail"].startswith("bang_thu_") and entry["detail"].endswith(".csv")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda engine: users.disable_user(engine, "an", "admin"), "disabled"),
        (lambda engine: users.set_role(engine, "an", "viewer", "admin"), "role"),
    ],
    ids=["disabled", "demoted"],
)
def test_an_export_drawn_before_the_account_changed_is_refused(app_test, deferred_downloads, change, reason) -> None:
    engine = db.get_engine()
    users.create_user(engine, "an", None, "analyst", "test")
    calls = _draw(app_test, deferred_downloads, "analyst", "an")
    change(engine)
    for name in ("csv", "xlsx"):
        with pytest.raises(PermissionError):
            calls[name]()
    assert _entries("export") == []
    denied = _entries("access_denied")
    assert [e["user_name"] for e in denied] == ["an", "an"]
    assert {json.loads(e["detail"])["reason"] for e in denied} == {reason}


def test_an_export_after_the_idle_limit_is_refused(app_test, deferred_downloads, monkeypatch) -> None:
    users.create_user(db.get_engine(), "an", None, "analyst", "test")
    calls = _draw(app_test, deferred_downloads, "analyst", "an")
    later = time.time() + 31 * 60  # the default idle limit is 30 minutes
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(PermissionError):
        calls["csv"]()
    [entry] = _entries("access_denied")
    assert (entry["user_name"], json.loads(entry["detail"])["reason"]) == ("an", "idle")


def test_a_session_user_without_an_account_cannot_export(app_test, deferred_downloads) -> None:
    calls = _draw(app_test, deferred_downloads, "admin", "ghost")
    with pytest.raises(PermissionError):
        calls["xlsx"]()
    [entry] = _entries("access_denied")
    assert json.loads(entry["detail"])["reason"] == "no_account"


def test_an_original_file_download_is_audited_under_the_user(app_test, deferred_downloads) -> None:
    engine = db.get_engine()
    users.create_user(engine, "binh", None, "editor", "test")
    calls = _draw(app_test, deferred_downloads, "editor", "binh")
    calls["original"]()
    [entry] = _entries("download_original")
    assert entry["user_name"] == "binh"
    users.set_role(engine, "binh", "analyst", "admin")
    with pytest.raises(PermissionError):
        calls["original"]()
    assert len(_entries("download_original")) == 1


def test_an_export_after_the_session_ended_elsewhere_is_refused(app_test, deferred_downloads) -> None:
    engine = db.get_engine()
    users.create_user(engine, "an", None, "analyst", "test")
    with engine.begin() as conn:
        user_id = conn.execute(sa.select(tables.users.c.id).where(tables.users.c.username == "an")).scalar_one()
        secret = sessions.start_session(conn, user_id, "password")
    at = app_test(role="analyst", user="an", entry=ENTRY, run=False)
    at.session_state[SECRET_KEY] = secret
    at.run()
    assert not at.exception
    export = next(
        call for name, call in deferred_downloads.items() if name.endswith(".csv") and name.startswith("bang_thu_")
    )
    assert export().startswith(b"\xef\xbb\xbf")  # the session is open: the file is built
    sessions.end_session(engine, secret)  # signed out in another tab
    with pytest.raises(PermissionError):
        export()
    denied = _entries("access_denied")
    assert [json.loads(e["detail"])["reason"] for e in denied] == ["session_" + sessions.END_USER]
