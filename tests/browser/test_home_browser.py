"""The home page (coverage map) in a real browser, with every non-loopback request blocked.

The map draws offline, a click opens the profile, the demo badge shows, a filter changes a KPI
and a shared URL restores the view in a new browser.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import (
    MAP_FRAME,
    N_COMMUNES,
    commune_shapes,
    demo_badge,
    folium_frame,
    label,
    open_app,
    query_param,
    wait_idle,
)

KIY_HOA = "18814"  # Xã Kỳ Hoa in the 2025 registry

#: Finds a point inside one of the commune shapes that really receives the mouse there
#: (a shape's box centre can lie in a neighbour). Runs inside the map's iframe.
_FIND_CLICKABLE = """
(paths) => {
  const order = paths.map((p, i) => i);
  // Start in the middle of the list: the first shapes are often small urban wards.
  order.sort((a, b) => Math.abs(a - paths.length / 2) - Math.abs(b - paths.length / 2));
  for (const i of order) {
    const r = paths[i].getBoundingClientRect();
    if (r.width < 25 || r.height < 25) continue;
    for (const fx of [0.5, 0.4, 0.6, 0.3, 0.7]) {
      for (const fy of [0.5, 0.4, 0.6, 0.3, 0.7]) {
        const x = r.left + r.width * fx, y = r.top + r.height * fy;
        if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) continue;
        if (document.elementFromPoint(x, y) === paths[i]) return {index: i, x: x - r.left, y: y - r.top};
      }
    }
  }
  return null;
}
"""


#: Whether the map's frame has the map's full height: the frame is 0 px tall until the component
#: reports its height, a moment after the shapes are drawn.
_MAP_FRAME_SIZED = """
() => {
  const frame = document.querySelector('iframe[title*="streamlit_folium"]');
  const map = frame && frame.contentDocument && frame.contentDocument.querySelector('.leaflet-container');
  return !!map && frame.getBoundingClientRect().height >= map.getBoundingClientRect().height;
}
"""


def _metric_value(page, key: str):
    metric = page.get_by_test_id("stMetric").filter(has_text=label(f"kpi.{key}"))
    return metric.get_by_test_id("stMetricValue")


def test_home_draws_the_69_communes_offline_with_the_demo_badge(app_server, accounts, guarded, page) -> None:
    open_app(page, app_server.url + "/", accounts["analyst"])
    expect(demo_badge(page)).to_be_visible()
    shapes = commune_shapes(page)
    assert shapes.count() >= N_COMMUNES
    # Drawn, not only present: the shapes have a size on screen.
    box = shapes.nth(0).bounding_box()
    assert box is not None and box["width"] > 0 and box["height"] > 0
    # Basemap "none": no tile images at all.
    assert folium_frame(page).locator("img.leaflet-tile").count() == 0
    wait_idle(page)
    assert guarded.offsite() == [], f"requests left loopback: {guarded.offsite()}"


def test_clicking_a_commune_opens_its_profile_beside_the_map(app_server, accounts, registry, page) -> None:
    open_app(page, app_server.url + "/", accounts["analyst"])
    shapes = commune_shapes(page)
    assert query_param(page.url, "xa") is None
    # No scrolling first: the map is only partly in view, as a user first sees it. Leaflet focuses
    # the map on the first mousedown; were the page scrolled to show the whole map then, the shape
    # would move away before mouseup and the click would be lost (maps.elements.FocusWithoutScroll).
    page.wait_for_function(_MAP_FRAME_SIZED)
    target = shapes.evaluate_all(_FIND_CLICKABLE)
    assert target is not None, "no commune shape receives the mouse anywhere"
    shape = shapes.nth(target["index"])
    position = {"x": target["x"], "y": target["y"]}

    shape.hover(position=position)
    tooltip = folium_frame(page).locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()
    tooltip_text = tooltip.inner_text()

    shape.click(position=position)
    expect(page).to_have_url(re.compile(r"[?&]xa=\d{5}"))
    code = query_param(page.url, "xa")
    assert code in registry.communes.index
    name = registry.communes.at[code, "name"]
    # The commune under the mouse is the one whose profile opens.
    assert name in tooltip_text
    heading = page.get_by_role("heading", name=name, exact=True)
    expect(heading).to_be_visible()
    # Beside the map: the profile column starts right of the map's frame.
    map_box = page.locator(MAP_FRAME).first.bounding_box()
    heading_box = heading.bounding_box()
    assert map_box is not None and heading_box is not None
    assert heading_box["x"] >= map_box["x"] + map_box["width"] - 1


def test_a_filter_changes_a_kpi(app_server, accounts, page) -> None:
    open_app(page, app_server.url + "/", accounts["analyst"])
    value = _metric_value(page, "area_coverage")
    expect(value).to_have_text(re.compile(r"\d"))
    before = value.inner_text()

    focus = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label("filter.focus"))
    focus.click()
    focus.fill(label("focus.border"))  # typing opens the list even where the click lands on the sidebar's edge
    page.get_by_role("option", name=label("focus.border"), exact=True).click()
    expect(focus).to_have_value(label("focus.border"))
    expect(page).to_have_url(re.compile(r"[?&]dia_ban=border"))
    expect(value).not_to_have_text(before)
    expect(value).to_have_text(re.compile(r"\d"))


def test_a_shared_url_opens_the_same_view_in_a_new_browser(app_server, accounts, registry, context_factory) -> None:
    page = context_factory().new_page()
    open_app(page, f"{app_server.url}/?xa={KIY_HOA}&chi_tieu=incidents_per_10k", accounts["analyst"])
    name = registry.communes.at[KIY_HOA, "name"]
    assert name == "Xã Kỳ Hoa"
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    indicator = page.get_by_role("combobox", name=label("map.indicator"))
    expect(indicator).to_have_value(label("indicator.incidents_per_10k"))
    profile = page.get_by_role("combobox", name=label("profile.select"))
    expect(profile).to_have_value(name)


def test_a_view_set_by_hand_survives_its_url_in_a_new_browser(app_server, accounts, registry, context_factory) -> None:
    """Set filters, indicator and commune with the widgets, then open the address bar's URL elsewhere."""
    first = context_factory().new_page()
    open_app(first, app_server.url + "/", accounts["analyst"])
    focus = first.get_by_test_id("stSidebar").get_by_role("combobox", name=label("filter.focus"))
    focus.click()
    focus.fill(label("focus.coastal"))  # typing opens the list even where the click lands on the sidebar's edge
    first.get_by_role("option", name=label("focus.coastal"), exact=True).click()
    expect(first).to_have_url(re.compile(r"[?&]dia_ban=coastal"))
    wait_idle(first)

    indicator = first.get_by_role("combobox", name=label("map.indicator"))
    indicator.click()
    first.get_by_role("option", name=label("indicator.weak_share"), exact=True).click()
    expect(first).to_have_url(re.compile(r"[?&]chi_tieu=weak_share"))
    wait_idle(first)

    coastal = sorted(code for code in registry.communes.index if registry.communes.at[code, "coastal"])
    name = registry.communes.at[coastal[0], "name"]
    profile = first.get_by_role("combobox", name=label("profile.select"))
    profile.click()
    profile.fill(name)  # the list draws only the options in view: type to bring the commune up
    first.get_by_role("option", name=name, exact=True).click()
    expect(first).to_have_url(re.compile(rf"[?&]xa={coastal[0]}"))
    expect(first.get_by_role("heading", name=name, exact=True)).to_be_visible()
    wait_idle(first)
    kpis = first.get_by_test_id("stMetricValue").all_inner_texts()

    second = context_factory().new_page()
    open_app(second, first.url, accounts["analyst"])
    expect(second.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(second.get_by_test_id("stSidebar").get_by_role("combobox", name=label("filter.focus"))).to_have_value(
        label("focus.coastal")
    )
    expect(second.get_by_role("combobox", name=label("map.indicator"))).to_have_value(label("indicator.weak_share"))
    expect(second.get_by_test_id("stMetricValue")).to_have_text(kpis)
