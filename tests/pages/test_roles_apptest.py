"""The role matrix through AppTest: every role against every page and action, allowed and refused.

Two layers are checked. Navigation lists a page only for roles that may use
it (AppTest refuses to switch to a page that is not listed). And each page or
action checks the role again on the server: run directly, a page refuses a
role without the permission, whatever the navigation showed.

The real sign-in form is exercised too: failures, lockout, sign-out, idle
timeout, and an account disabled or demoted while its session is open.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.accounts import access, audit, users
from loaders.core import settings
from loaders.core.i18n import translate
from loaders.store import db, tables
from tests.support.accounts import as_role, fast_hashing
from tests.support.apptest import table_with
from ui import auth, cache, session_cookie
from ui.access import USER_KEY, SessionUser

#: Seconds per script run of this module's ``app_test`` sessions.
APPTEST_TIMEOUT = 60
PASSWORD = "correct horse battery"
DENIED = translate("access.denied", "vi")
HOME_TITLE = translate("page.coverage_map.title", "vi")
FAILED = "Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang bị khóa tạm thời."

#: Every page and the permission it needs.
PAGES: dict[str, str] = {
    "pages/coverage_map.py": "view",
    "pages/focus_areas.py": "view",
    "pages/incidents.py": "view",
    "pages/profiles.py": "view",
    "pages/priority_list.py": "view",
    "pages/report.py": "view",
    "pages/upload.py": "import",
    "pages/import_history.py": "import",
    "pages/admin_users.py": "users",
    "pages/hot_spots.py": "hot_spots",
    "pages/audit_log.py": "audit",
}
#: Pages that, run directly, refuse a role without their permission (``ui.access.require`` at the top).
SELF_CHECKING_PAGES = (
    "pages/upload.py",
    "pages/import_history.py",
    "pages/admin_users.py",
    "pages/hot_spots.py",
    "pages/audit_log.py",
)
MATRIX = [(role, page) for role in access.ROLES for page in PAGES]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch):
    fast_hashing(monkeypatch)
    monkeypatch.delenv("HT_DEMO_MODE", raising=False)
    # Query results and the engine follow the per-test store; the registry and boundary layers are
    # read-only and stay cached across tests (reloading them per test would only cost time).
    st.cache_data.clear()
    cache.get_engine.clear()
    yield
    st.cache_data.clear()
    cache.get_engine.clear()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def events(action: str | None = None) -> list[sa.Row]:
    query = sa.select(tables.events).order_by(tables.events.c.id)
    if action:
        query = query.where(tables.events.c.action == action)
    with db.get_engine().connect() as conn:
        return conn.execute(query).all()


# ------------------------------------------------------------------- pages
@pytest.mark.parametrize(("role", "page"), MATRIX)
def test_page_matrix_through_navigation(app_test, role: str, page: str) -> None:
    at = app_test(role=role)
    assert not at.exception
    if access.allowed(role, PAGES[page]):
        at.switch_page(page).run()
        assert not at.exception
        assert DENIED not in errors(at)
        assert at.title, f"{page} drew nothing for {role}"
    else:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


@pytest.mark.parametrize("role", access.ROLES)
@pytest.mark.parametrize("page", SELF_CHECKING_PAGES)
def test_pages_check_the_role_on_the_server(app_test, role: str, page: str) -> None:
    at = app_test(role=role, entry=page)
    assert not at.exception
    if access.allowed(role, PAGES[page]):
        assert DENIED not in errors(at)
        assert at.title
    else:
        assert errors(at) == [DENIED]
        assert not at.dataframe and not at.text_input and not at.button


def test_anonymous_sees_only_the_sign_in_page(app_test) -> None:
    at = app_test()
    assert not at.exception
    assert titles(at) == [translate("auth.title", "vi")]
    assert at.text_input(key="sign_in_password").proto.type == at.text_input(key="sign_in_password").proto.PASSWORD
    for page in PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_demo_mode_gives_anonymous_visitors_the_viewer_role(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HT_DEMO_MODE", "1")
    at = app_test()
    assert not at.exception
    assert titles(at) == [HOME_TITLE]  # the map, not the sign-in page
    for page, permission in PAGES.items():
        if access.allowed(access.ROLE_VIEWER, permission):
            at.switch_page(page).run()
            assert not at.exception
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)
    # Staff can still sign in from the demo.
    at.switch_page("pages/sign_in.py").run()
    assert titles(at) == [translate("auth.title", "vi")]
    assert [w.key for w in at.text_input] == ["sign_in_username", "sign_in_password"]


# ----------------------------------------------------------------- actions
def _downloads_script() -> None:
    import pandas as pd

    from ui.parts.tables import render_downloads

    render_downloads(pd.DataFrame({"a": [1]}), [("k", "v")], "bang", "matrix")


def _record_export_script() -> None:
    import streamlit as st

    from ui.access import record_export

    try:
        record_export("bang.csv")
    except PermissionError:
        st.error("refused")
    else:
        st.success("recorded")


def _require_script(permission: str) -> None:
    import streamlit as st

    from ui.access import require

    require(permission)
    st.success("allowed")


@pytest.mark.parametrize("role", access.ROLES)
def test_export_buttons_follow_the_role(role: str) -> None:
    at = AppTest.from_function(_downloads_script, default_timeout=60)
    as_role(at, role).run()
    buttons = at.get("download_button")
    assert len(buttons) == 2
    assert all(b.proto.disabled is not access.allowed(role, "export") for b in buttons)


@pytest.mark.parametrize("role", access.ROLES)
def test_export_is_refused_on_the_server_and_audited_when_allowed(role: str) -> None:
    # The export re-checks the account in the store: the session's user must have one.
    users.create_user(db.get_engine(), "ai_do", None, role, actor="setup")
    at = AppTest.from_function(_record_export_script, default_timeout=60)
    as_role(at, role, name="ai_do").run()
    if access.allowed(role, "export"):
        assert [s.value for s in at.success] == ["recorded"]
        assert [(e.user_name, e.detail) for e in events("export")] == [("ai_do", "bang.csv")]
    else:
        assert errors(at) == ["refused"]
        assert events("export") == []
        assert [e.user_name for e in events("access_denied")] == ["ai_do"]


@pytest.mark.parametrize("role", access.ROLES)
@pytest.mark.parametrize("permission", ["import", "rollback", "demo", "users", "audit", "hot_spots"])
def test_actions_are_checked_on_the_server(role: str, permission: str) -> None:
    at = AppTest.from_function(_require_script, args=(permission,), default_timeout=60)
    as_role(at, role).run()
    assert not at.exception
    if access.allowed(role, permission):
        assert [s.value for s in at.success] == ["allowed"]
    else:
        assert errors(at) == [DENIED]
        assert not at.success


def test_admin_creates_and_changes_accounts_on_the_page_and_it_is_audited(app_test) -> None:
    engine = db.get_engine()
    users.create_user(engine, "boss", PASSWORD, "admin", actor="setup")
    at = app_test(role="admin", user="boss", page="pages/admin_users.py")
    at.text_input(key="admin_users_new_name").input("Nguyen.An")
    at.selectbox(key="admin_users_new_role").select("analyst")
    at.text_input(key="admin_users_new_password").input(PASSWORD)
    at.text_input(key="admin_users_new_password2").input(PASSWORD)
    at.button(key="admin_users_create_submit").click().run()
    assert not at.exception
    assert users.get_account(engine, "nguyen.an").role == "analyst"
    at.selectbox(key="admin_users_pick").select("nguyen.an")
    at.selectbox(key="admin_users_role").select("editor")
    at.button(key="admin_users_set_role").click().run()
    at.selectbox(key="admin_users_pick").select("nguyen.an")
    at.button(key="admin_users_disable").click().run()
    assert not at.exception
    account = users.get_account(engine, "nguyen.an")
    assert (account.role, account.disabled) == ("editor", True)
    assert [(e.user_name, e.action) for e in events()][1:] == [
        ("boss", "user_created"),
        ("boss", "role_changed"),
        ("boss", "user_disabled"),
    ]
    # Refusals from the store reach the admin as a message, not a crash.
    at.selectbox(key="admin_users_pick").select("boss")
    at.button(key="admin_users_disable").click().run()
    assert not at.exception
    assert any("quản trị viên cuối cùng" in e for e in errors(at))


def test_admin_reads_filters_and_can_export_the_audit_log(app_test) -> None:
    engine = db.get_engine()
    with engine.begin() as conn:
        audit.record_event(conn, "an", "import", '{"dataset": "models"}', "10.0.0.1")
        audit.record_event(conn, "binh", "export", "bang.csv")
    at = app_test(role="admin", page="pages/audit_log.py")
    assert not at.exception
    user_column = translate("audit.col.user", "vi")
    assert len(table_with(at, user_column)) == 2
    at.text_input(key="audit_user_search").input("AN").run()  # a search box, not a list of every name
    assert list(table_with(at, user_column)[user_column]) == ["an"]
    assert all(not b.proto.disabled for b in at.get("download_button"))
    # Nothing on the page edits or deletes entries.
    assert not at.get("data_editor")
    assert {b.key for b in at.button} <= {"auth_sign_out"}


# ------------------------------------------------------ the real sign-in form
def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_username").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.button(key="sign_in_submit").click().run()


def test_sign_in_form_signs_in_and_out(app_test) -> None:
    users.create_user(db.get_engine(), "boss", PASSWORD, "admin", actor="setup")
    at = sign_in(app_test(), "boss", "not the password")
    assert not at.exception
    assert errors(at) == [FAILED]
    assert USER_KEY not in at.session_state
    at = sign_in(at, "Boss", PASSWORD)
    assert not at.exception
    assert at.session_state[USER_KEY] == SessionUser("boss", "admin")
    assert titles(at) == [HOME_TITLE]  # signed in, on the map
    at.switch_page("pages/admin_users.py").run()
    assert not at.exception
    at.button(key="auth_sign_out").click().run()
    assert USER_KEY not in at.session_state
    assert titles(at) == [translate("auth.title", "vi")]
    assert [e.action for e in events()][1:] == ["sign_in_failed", "sign_in", "sign_out"]


def test_locked_account_gets_the_same_message(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "2")
    monkeypatch.setattr(auth, "FREE_ATTEMPTS", 10)  # the per-session throttle has its own test
    users.create_user(db.get_engine(), "an", PASSWORD, "viewer", actor="setup")
    at = app_test()
    messages = [
        errors(sign_in(at, name, password))
        for name, password in [("nobody", PASSWORD), ("an", "wrong one"), ("an", "wrong two"), ("an", PASSWORD)]
    ]
    assert messages == [[FAILED]] * 4
    assert USER_KEY not in at.session_state


def test_idle_session_is_signed_out(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HT_SESSION_IDLE_MINUTES", "5")
    users.create_user(db.get_engine(), "an", PASSWORD, "viewer", actor="setup")
    at = sign_in(app_test(), "an", PASSWORD)
    assert at.session_state[USER_KEY].name == "an"
    last_seen(minutes_ago=4)
    at.run()
    assert at.session_state[USER_KEY].name == "an"
    last_seen(minutes_ago=6)
    at.run()
    assert USER_KEY not in at.session_state
    assert [i.value for i in at.info] == [translate("auth.ended.idle", "vi", minutes=5)]
    assert '"idle"' in events("sign_out")[-1].detail


def test_disabling_or_demoting_takes_effect_in_open_sessions(app_test) -> None:
    engine = db.get_engine()
    users.create_user(engine, "boss", PASSWORD, "admin", actor="setup")
    users.create_user(engine, "deputy", PASSWORD, "admin", actor="setup")
    at = sign_in(app_test(), "deputy", PASSWORD)
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception
    # A role change ends the session at the next click; signed in again, the new role applies.
    users.set_role(engine, "deputy", "viewer", actor="boss")
    at.run()
    assert USER_KEY not in at.session_state
    assert [i.value for i in at.info] == [translate("auth.ended.role_changed", "vi")]
    at = sign_in(at, "deputy", PASSWORD)
    assert at.session_state[USER_KEY].role == "viewer"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/audit_log.py")
    users.disable_user(engine, "deputy", actor="boss")
    at.run()
    assert USER_KEY not in at.session_state
    assert titles(at) == [translate("auth.title", "vi")]


def test_a_password_change_elsewhere_ends_the_session(app_test) -> None:
    engine = db.get_engine()
    users.create_user(engine, "an", PASSWORD, "viewer", actor="setup")
    at = sign_in(app_test(), "an", PASSWORD)
    assert at.session_state[USER_KEY].name == "an"
    users.change_password(engine, "an", "a brand new passphrase", actor="an")
    at.run()
    assert USER_KEY not in at.session_state
    assert [i.value for i in at.info] == [translate("auth.ended.password_changed", "vi")]


def test_a_session_ends_at_its_maximum_age_however_active(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.SESSION_MAX_HOURS_ENV, "1")
    users.create_user(db.get_engine(), "an", PASSWORD, "viewer", actor="setup")
    at = sign_in(app_test(), "an", PASSWORD)
    with db.get_engine().begin() as conn:
        conn.execute(tables.sessions.update().values(created_at=db.utcnow() - timedelta(minutes=61)))
    at.run()
    assert USER_KEY not in at.session_state
    assert [i.value for i in at.info] == [translate("auth.ended.max_age", "vi", hours=1)]


def test_signing_out_in_one_tab_ends_the_other_tab_at_its_next_click(app_test) -> None:
    users.create_user(db.get_engine(), "an", PASSWORD, "viewer", actor="setup")
    first = sign_in(app_test(), "an", PASSWORD)
    # A second tab of the same browser resumes the same session (what the cookie carries).
    second = app_test(run=False)
    second.session_state[USER_KEY] = SessionUser("an", "viewer")
    second.session_state[auth.SOURCE_KEY] = auth.SOURCE_PASSWORD
    second.session_state[session_cookie.SECRET_KEY] = first.session_state[session_cookie.SECRET_KEY]
    second.run()
    assert second.session_state[USER_KEY].name == "an"
    first.button(key="auth_sign_out").click().run()
    second.run()
    assert USER_KEY not in second.session_state
    assert titles(second) == [translate("auth.title", "vi")]


def test_repeated_failures_in_one_session_must_wait(app_test, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.LOCKOUT_ATTEMPTS_ENV, "50")
    users.create_user(db.get_engine(), "an", PASSWORD, "viewer", actor="setup")
    at = app_test()
    for attempt in range(auth.FREE_ATTEMPTS):
        assert errors(sign_in(at, "an", f"wrong {attempt}")) == [FAILED]
    # Now even the right password waits; the attempt is not even checked.
    at = sign_in(at, "an", PASSWORD)
    assert errors(at) == []
    assert [w.value for w in at.warning] == [translate("auth.slow_down", "vi", seconds=2)]
    assert USER_KEY not in at.session_state
    at.session_state[auth.NEXT_ATTEMPT_KEY] = time.time() - 1
    at = sign_in(at, "an", PASSWORD)
    assert at.session_state[USER_KEY].name == "an"


def last_seen(minutes_ago: float) -> None:
    """Move every session's last activity into the past (the idle limit is measured in the store)."""
    with db.get_engine().begin() as conn:
        conn.execute(tables.sessions.update().values(last_seen_at=db.utcnow() - timedelta(minutes=minutes_ago)))


def test_oidc_configuration_replaces_the_password_form(app_test) -> None:
    at = app_test(run=False)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32}
    at.run()
    assert not at.exception
    assert [b.key for b in at.button] == ["sign_in_oidc"]
    assert not at.text_input


def test_language_switch_on_the_sign_in_page(app_test) -> None:
    at = app_test()
    at.radio(key="ui_lang").set_value("en").run()
    assert titles(at) == [translate("auth.title", "en")]


def test_first_run_explains_how_to_create_the_first_admin(app_test) -> None:
    at = app_test()
    assert any("users add" in i.value for i in at.info)
    users.create_user(db.get_engine(), "boss", PASSWORD, "admin", actor="setup")
    at.run()
    assert not any("users add" in i.value for i in at.info)
