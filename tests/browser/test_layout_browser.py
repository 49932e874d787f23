"""The leader's layouts in a real browser: a laptop (1280×800) and a phone (390×844).

Laptop: the map's top edge is in the first screen, every key-figure label reads in full and
the page title is one line. Phone: the map first, the "Cần chú ý" panel right after it, the key
figures two per row, a tapped commune's profile below the map, the filters reachable, and no
page wider than the screen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import FIRST_LOAD_TIMEOUT_MS, MAP_FRAME, commune_shapes, folium_frame, label, open_app, wait_idle

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: Pages and the role that sees them (url path -> account).
PAGES = {
    "": "analyst",
    "dia_ban": "analyst",
    "vu_viec": "analyst",
    "ho_so": "analyst",
    "uu_tien": "analyst",
    "bao_cao": "analyst",
    "tai_len": "admin",
    "lich_su": "admin",
    "tai_khoan": "admin",
    "trong_diem": "admin",
    "nhat_ky": "admin",
}

#: Elements whose content is wider than their box (clipped or ending in "…"), by selector.
_OVERFLOWING = """
(selector) => [...document.querySelectorAll(selector)].flatMap(e => [e, ...e.querySelectorAll('*')])
  .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText || e.tagName)
"""
_PAGE_WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
#: Lines the first h1 takes, from its text's line boxes.
_H1_LINES = """
() => { const walker = document.createTreeWalker(document.querySelector('h1'), NodeFilter.SHOW_TEXT);
  const tops = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange(); range.selectNodeContents(node);
    for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
  }
  return tops.size; }
"""


def _home(page, app_server, account, viewport) -> None:
    page.set_viewport_size(viewport)
    open_app(page, app_server.url + "/", account)
    commune_shapes(page)
    wait_idle(page)


def _top(page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"] + page.evaluate("scrollY")


def _assert_no_horizontal_scroll(page, where: str) -> None:
    scroll_width, client_width = page.evaluate(_PAGE_WIDTH)
    assert scroll_width <= client_width, f"{where}: the page is {scroll_width} px wide on a {client_width} px screen"


def test_laptop_map_in_first_screen_labels_in_full_title_one_line(app_server, accounts, page) -> None:
    _home(page, app_server, accounts["analyst"], LAPTOP)
    assert _top(page, MAP_FRAME) < LAPTOP["height"], "the map's top edge is below the first screen"
    assert page.get_by_test_id("stMetric").count() == 6
    assert page.evaluate(_OVERFLOWING, '[data-testid="stMetricLabel"]') == []
    assert page.evaluate(_H1_LINES) == 1
    # The panel sits beside the map, not below it.
    panel = page.locator(".st-key-map_attention_panel").bounding_box()
    frame = page.locator(MAP_FRAME).first.bounding_box()
    assert panel is not None and frame is not None
    assert panel["x"] >= frame["x"] + frame["width"] - 1
    # The layer list is open on a laptop ...
    assert folium_frame(page).locator(".leaflet-control-layers-expanded").count() == 1
    _assert_no_horizontal_scroll(page, "home")


def test_phone_map_first_then_attention_then_figures_two_per_row(app_server, accounts, page) -> None:
    _home(page, app_server, accounts["analyst"], PHONE)
    map_top = _top(page, MAP_FRAME)
    panel_top = _top(page, ".st-key-map_attention_panel")
    figures_top = _top(page, '[data-testid="stMetric"]')
    assert map_top < panel_top < figures_top
    assert map_top < PHONE["height"], "the map's top edge is below the phone's first screen"
    boxes = [m.bounding_box() for m in page.get_by_test_id("stMetric").all()]
    rows = sorted({round(b["y"]) for b in boxes if b})
    assert len(rows) == 3, f"six figures in {len(rows)} rows"
    assert page.evaluate(_OVERFLOWING, '[data-testid="stMetricLabel"]') == []
    # ... and folded into its icon on a phone, where open it would cover half the map.
    layers = folium_frame(page).locator(".leaflet-control-layers")
    expect(layers).to_be_attached()
    assert folium_frame(page).locator(".leaflet-control-layers-expanded").count() == 0
    _assert_no_horizontal_scroll(page, "home")


def test_phone_a_tapped_line_opens_the_profile_below_the_map(app_server, accounts, registry, page) -> None:
    _home(page, app_server, accounts["analyst"], PHONE)
    line = page.locator('[class*="st-key-map_attention_open_"]').filter(has=page.locator("button:visible")).first
    code = re.search(r"st-key-map_attention_open_(\d{5})", line.get_attribute("class")).group(1)
    line.locator("button:visible").first.click()
    expect(page).to_have_url(re.compile(rf"[?&]xa={code}"))
    heading = page.get_by_role("heading", name=registry.communes.at[code, "name"], exact=True)
    expect(heading).to_be_visible()
    frame = page.locator(MAP_FRAME).first.bounding_box()
    heading_box = heading.bounding_box()
    assert frame is not None and heading_box is not None
    assert heading_box["y"] >= frame["y"] + frame["height"]
    _assert_no_horizontal_scroll(page, "home with a profile")


def test_phone_filters_are_reachable(app_server, accounts, page) -> None:
    _home(page, app_server, accounts["analyst"], PHONE)
    focus = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label("filter.focus"))
    page.get_by_test_id("stExpandSidebarButton").click()
    expect(focus).to_be_visible()
    # The sidebar slides in: wait for the end of its animation, not only for the first frame of it.
    page.wait_for_function("(el) => el.getBoundingClientRect().left >= 0", arg=focus.element_handle())
    box = focus.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("path", list(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(app_server, accounts, page, path) -> None:
    page.set_viewport_size(PHONE)
    # Signed in on the home page first: some pages hold password fields of their own.
    open_app(page, app_server.url + "/", accounts[PAGES[path]])
    page.goto(f"{app_server.url}/{path}", wait_until="domcontentloaded")
    page.get_by_test_id("stSidebarNav").wait_for(state="attached", timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_idle(page)
    frames = page.locator(MAP_FRAME)
    for index in range(frames.count()):
        container = page.frame_locator(MAP_FRAME).nth(index).locator(".leaflet-container")
        expect(container).to_be_attached(timeout=FIRST_LOAD_TIMEOUT_MS)
    wait_idle(page)
    assert page.get_by_test_id("stException").count() == 0
    _assert_no_horizontal_scroll(page, path or "home")
