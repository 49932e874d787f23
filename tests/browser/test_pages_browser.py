"""Every page of the navigation in a real browser: offline (nothing leaves loopback) and exports.

An export downloads, and with the basemap set to none no request leaves loopback, page by page
through the sidebar navigation.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import FIRST_LOAD_TIMEOUT_MS, MAP_FRAME, demo_badge, label, open_app, wait_idle

#: Pages every signed-in role sees (url path -> catalogue key of its navigation title).
ANALYST_PAGES = {
    "": "page.coverage_map",
    "dia_ban": "page.focus_areas",
    "vu_viec": "page.incidents",
    "ho_so": "page.profiles",
    "uu_tien": "page.priority_list",
}


def _nav_links(page):
    return page.get_by_test_id("stSidebarNav").get_by_role("link")


def _wait_for_maps(page) -> None:
    """Let every map on the page load its scripts and draw (its requests are what we check)."""
    frames = page.locator(MAP_FRAME)
    for index in range(frames.count()):
        container = page.frame_locator(MAP_FRAME).nth(index).locator(".leaflet-container")
        expect(container).to_be_attached(timeout=FIRST_LOAD_TIMEOUT_MS)


def _go_to(page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()


def test_every_page_stays_on_loopback(app_server, accounts, guarded, page) -> None:
    """The admin sees every page; each is opened from the sidebar, and no request leaves the machine."""
    open_app(page, app_server.url + "/", accounts["admin"])
    links = _nav_links(page)
    expect(links.first).to_be_visible()
    # The link's text without its icon (the icon's ligature name is text too, but aria-hidden).
    targets = [
        (link.get_by_test_id("stMarkdownContainer").inner_text().strip(), link.get_attribute("href"))
        for link in links.all()
    ]
    names = [name for name, _ in targets]
    for key in ANALYST_PAGES.values():
        assert label(key) in names, f"{label(key)!r} missing from the navigation {names}"
    # An admin also sees the data and admin pages.
    for key in ("page.upload", "page.import_history", "page.admin_users", "page.audit_log"):
        assert label(key) in names, f"{label(key)!r} missing from the admin's navigation {names}"

    visited = []
    for name, href in targets:
        _go_to(page, name)
        expect(page).to_have_url(re.compile(re.escape(href.rstrip("/")) + r"/?(\?|$)"))
        wait_idle(page)
        _wait_for_maps(page)
        wait_idle(page)
        assert page.get_by_test_id("stException").count() == 0, f"{name}: the page raised an exception"
        expect(demo_badge(page)).to_be_visible()
        visited.append(name)
        assert guarded.offsite() == [], f"after {visited}: requests left loopback: {guarded.offsite()}"
    assert len(visited) >= len(ANALYST_PAGES)


def _open_priority_list(page, app_server, account) -> None:
    open_app(page, app_server.url + "/", account)
    _go_to(page, label("page.priority_list"))
    expect(page).to_have_url(re.compile(r"/uu_tien"))
    wait_idle(page)


def test_priority_list_downloads_csv_and_xlsx(app_server, accounts, page, tmp_path) -> None:
    _open_priority_list(page, app_server, accounts["analyst"])

    button = page.get_by_role("button", name=label("export.csv")).first
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2, "a header row and at least one commune"
    header = rows[0]
    assert len(header) >= 2 and all(cell.strip() for cell in header)
    # A header row, not data: no cell of it is a bare number.
    assert not any(re.fullmatch(r"[-+]?\d+([.,]\d+)?", cell.strip()) for cell in header)
    assert all(len(row) == len(header) for row in rows[1:])
    # Both sections: the ranked communes and those listed apart without data, told apart by a status column.
    status = [row[header.index(label("col.status"))] for row in rows[1:]]
    assert set(status) == {label("priority.status.ranked"), label("priority.status.no_data")}

    button = page.get_by_role("button", name=label("export.xlsx")).first
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved, read_only=True)
    assert len(book.sheetnames) >= 2, book.sheetnames
    data = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    # The same table as the CSV: same header, same number of rows.
    assert [str(cell) for cell in data[0]] == header
    assert len(data) == len(rows)
    context = [cell for row in book[book.sheetnames[1]].iter_rows(values_only=True) for cell in row if cell]
    assert label("filter.focus") in context
