"""Hostile text from imports is shown as text in the browser: no dialog, no script runs.

A copy of the demo store gets models and incidents whose names, notes, codes and
descriptions are HTML/script payloads, imported with the project's own command (the same
code path as the upload page), by an importing "user" whose name is a payload too. The app
then shows them on the pages that exist today: the commune profile on the home page and on
the profiles page (models table), the incident details table, and the admin audit log (user
names in a filter's options and in the table). Every payload would call ``alert`` and set a
canary on ``window`` if it ever ran.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from loaders.core import domain

from .conftest import (
    FIRST_LOAD_TIMEOUT_MS,
    AppServer,
    label,
    open_app,
    run_loaders,
    start_app_server,
    store_env_for,
    wait_idle,
)

COMMUNE = "18814"  # Xã Kỳ Hoa
CANARY = "__ht_xss"
PAYLOADS = (
    f"<img src=x onerror=\"window.{CANARY}=1;alert('xss-img')\">",
    f"</script><script>window.{CANARY}=2;alert('xss-script')</script>",
    f"\"'><svg onload=\"window.{CANARY}=3;alert('xss-svg')\">",
    f"<iframe srcdoc=\"<script>parent.{CANARY}=4;alert('xss-frame')</script>\"></iframe>",
    "javascript:alert('xss-link')",
    f'<a href="javascript:alert(\'xss-a\')" id="{CANARY}">bấm</a>',
)
HOSTILE_USER = f"<img src=x onerror=\"window.{CANARY}=9;alert('xss-user')\">"


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import(store_env: dict[str, str], dataset: str, path: Path, rows: int) -> None:
    out = run_loaders(store_env, "import", "--dataset", dataset, str(path), "--json", "--user", HOSTILE_USER)
    summary = json.loads(out)
    assert summary["committed"] and summary["accepted"] == rows, summary


@pytest.fixture(scope="module")
def hostile_server(demo_store: dict[str, str], accounts, tmp_path_factory: pytest.TempPathFactory):
    """The demo store (with its accounts) plus the hostile rows, served by an app of its own."""
    root = tmp_path_factory.mktemp("browser-hostile")
    shutil.copytree(demo_store["HT_DATA_DIR"], root / "data")
    env = store_env_for(root / "data")
    recent = (date.today() - timedelta(days=20)).strftime("%d/%m/%Y")
    models = [
        {
            "ma_xa": COMMUNE,
            "ten_mo_hinh": payload,
            "loai_mo_hinh": domain.MODEL_KINDS_CORE[index % 4],
            "noi_trien_khai": domain.MODEL_SETTINGS[0],
            "ngay_thanh_lap": recent,
            "trang_thai": domain.STATUS_ACTIVE,
            "danh_gia": domain.ASSESSMENT_EFFECTIVE,
            "ghi_chu": payload,
        }
        for index, payload in enumerate(PAYLOADS)
    ]
    incidents = [
        {
            "ma_vu_viec": f"XSS-{index}-{payload}",
            "ngay": recent,
            "ma_xa": COMMUNE,
            "linh_vuc": domain.INCIDENT_FIELDS[0],
            "muc_do": domain.INCIDENT_SEVERITIES[0],
            "mo_ta": payload,
        }
        for index, payload in enumerate(PAYLOADS)
    ]
    _import(env, "models", _write_csv(root / "hostile_models.csv", models), len(models))
    _import(env, "incidents", _write_csv(root / "hostile_incidents.csv", incidents), len(incidents))
    server = start_app_server(env, log_dir=root)
    yield server
    server.stop()


@pytest.fixture
def watched(page):
    """The page, with every dialog recorded (and dismissed, so nothing blocks)."""
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    return page


def _assert_nothing_ran(page, where: str) -> None:
    # Give an onerror/onload handler time to fire after the last render.
    page.wait_for_timeout(1000)
    assert page.dialogs == [], f"{where}: a payload opened a dialog: {page.dialogs}"
    for frame in page.frames:
        if frame.is_detached():
            continue
        canary = frame.evaluate(f"() => window.{CANARY} === undefined ? null : String(window.{CANARY})")
        assert canary is None, f"{where}: a payload ran in frame {frame.url}: canary={canary}"
    assert page.locator(f"#{CANARY}").count() == 0, f"{where}: a payload's markup was inserted as HTML"


def _expect_literal_payload(page) -> None:
    """At least one payload is in a table as a cell's plain text.

    ``st.dataframe`` paints on a canvas; its grid keeps a hidden table of the visible cells'
    text (for screen readers), which is what this reads.
    """
    cell = page.locator('[data-testid="stDataFrame"] td[role="gridcell"]').filter(has_text=CANARY).first
    expect(cell).to_be_attached()
    text = cell.text_content()
    assert any(payload in text for payload in PAYLOADS), text


def _open_page(page, key: str, path: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=label(key), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{path}(\?|$)"))
    wait_idle(page)


def test_hostile_text_stays_text_on_every_page_that_shows_it(
    hostile_server: AppServer, accounts, registry, watched
) -> None:
    """One session walks the views that show imported text; nothing may run anywhere on the way."""
    # Home: the commune's profile beside the map lists the hostile models.
    open_app(watched, f"{hostile_server.url}/?xa={COMMUNE}", accounts["admin"])
    expect(watched.get_by_role("heading", name=registry.communes.at[COMMUNE, "name"], exact=True)).to_be_visible()
    expect(watched.get_by_test_id("stDataFrame").first).to_be_visible()
    wait_idle(watched)
    _expect_literal_payload(watched)
    _assert_nothing_ran(watched, "home profile")

    # Profiles page: the same commune (kept in the session) with its models table.
    _open_page(watched, "page.profiles", "ho_so")
    expect(watched.get_by_test_id("stDataFrame").first).to_be_visible(timeout=FIRST_LOAD_TIMEOUT_MS)
    _expect_literal_payload(watched)
    _assert_nothing_ran(watched, "profiles page")

    # Incidents page: hostile incident codes and descriptions in the details table.
    _open_page(watched, "page.incidents", "vu_viec")
    expect(watched.get_by_role("heading", name=label("incidents.details_title"))).to_be_visible(
        timeout=FIRST_LOAD_TIMEOUT_MS
    )
    _expect_literal_payload(watched)
    _assert_nothing_ran(watched, "incidents page")

    # Audit log: the importing user's hostile name typed into the user search, then in the table.
    _open_page(watched, "page.audit_log", "nhat_ky")
    search = watched.get_by_role("textbox", name=label("audit.filter.user_search"))
    search.fill(HOSTILE_USER)
    search.press("Enter")
    wait_idle(watched)
    expect(watched.get_by_test_id("stDataFrame").first).to_be_visible()
    _assert_nothing_ran(watched, "audit log")
