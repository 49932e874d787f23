"""The periodic-report page in a real browser: the Word report downloads and opens."""

from __future__ import annotations

import re

import docx
from playwright.sync_api import expect

from .conftest import label, open_app, wait_idle


def test_the_report_page_downloads_the_word_report(app_server, accounts, page, tmp_path) -> None:
    open_app(page, app_server.url + "/", accounts["analyst"])
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=label("page.report"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/bao_cao"))
    wait_idle(page)
    assert page.get_by_test_id("stException").count() == 0

    button = page.get_by_role("button", name=label("report.download.docx"))
    expect(button).to_be_enabled()
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    document = docx.Document(str(saved))
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert label("report.demo_notice") in texts  # the demo store says so
    assert len(document.tables) >= 8
