"""The app started as ``make run`` starts it (``python -m ui.serve``): warmed up, and the map still draws.

The warm-up imports streamlit-folium outside a script run, where Streamlit does not
register its component; unregistered, the map's frame got 404 and stayed blank.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .conftest import AppServer, commune_shapes, open_app, start_app_server


@pytest.fixture(scope="module")
def warm_server(demo_store: dict[str, str]) -> Iterator[AppServer]:
    server = start_app_server(demo_store, {"HT_DEMO_MODE": "1"}, launcher=("ui.serve",))
    yield server
    server.stop()


def test_the_warm_server_draws_the_first_map(warm_server: AppServer, page):
    log = warm_server.log_tail(80)
    for step in ("imports", "components", "registry", "base map", "datasets", "key figures", "map colours"):
        assert f"warm-up: {step} in" in log, log
    assert "failed" not in log, log
    open_app(page, warm_server.url)
    commune_shapes(page)  # drawn: the last of the 69 commune shapes is in the frame
