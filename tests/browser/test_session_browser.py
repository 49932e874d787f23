"""The sign-in cookie in a real browser.

Sign in, reload: still signed in. A second tab of the same browser is signed in
too. Sign out in one tab, and the other is signed out at its next click.
"""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import _APP_NAV, _PASSWORD_BOX, FIRST_LOAD_TIMEOUT_MS, label, open_app, wait_idle


def _signed_in(page) -> None:
    expect(page.locator(_APP_NAV)).to_be_attached(timeout=FIRST_LOAD_TIMEOUT_MS)
    expect(page.locator(_PASSWORD_BOX)).to_have_count(0)
    expect(page.get_by_role("button", name=label("auth.sign_out"))).to_be_visible()


def test_reload_and_a_second_tab_stay_signed_in_and_sign_out_reaches_both(app_server, accounts, guarded, page) -> None:
    account = accounts["analyst"]
    open_app(page, app_server.url + "/", account)
    _signed_in(page)
    cookies = {c["name"]: c for c in guarded.context.cookies()}
    assert "ht_session" in cookies
    # The cookie names the session; it never carries the role.
    assert account.role not in cookies["ht_session"]["value"]
    assert cookies["ht_session"]["sameSite"] == "Strict"

    page.reload(wait_until="domcontentloaded")
    page.locator(f"{_PASSWORD_BOX}, {_APP_NAV}").first.wait_for(state="attached", timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_idle(page)
    _signed_in(page)

    other = guarded.new_page()
    open_app(other, app_server.url + "/uu_tien")
    _signed_in(other)

    page.get_by_role("button", name=label("auth.sign_out")).click()
    expect(page.locator(_PASSWORD_BOX)).to_be_visible(timeout=FIRST_LOAD_TIMEOUT_MS)
    # The other tab still shows the page it drew; its next click finds the session ended.
    other.get_by_test_id("stSidebarNav").get_by_role("link", name=label("page.focus_areas"), exact=True).click()
    expect(other.locator(_PASSWORD_BOX)).to_be_visible(timeout=FIRST_LOAD_TIMEOUT_MS)
    # And a reload after signing out stays signed out.
    page.reload(wait_until="domcontentloaded")
    expect(page.locator(_PASSWORD_BOX)).to_be_visible(timeout=FIRST_LOAD_TIMEOUT_MS)
