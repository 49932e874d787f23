"""The warm-up at server start (ui/warmup.py) and the launcher that runs it (ui/serve.py)."""

from __future__ import annotations

import asyncio
import gc
import inspect
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import streamlit as st
import streamlit_folium
from streamlit.web import bootstrap, cli
from streamlit.web.server import Server

import analysis.attention
import analysis.indicators
import loaders.geo.boundaries
import loaders.store.reads
import maps.views
from tests.support.apptest import build_demo_store, use_demo_store
from ui import cache, serve, warmup
from ui.sidebar import FILTERS_KEY

APPTEST_TIMEOUT = 90

#: The builders behind the home page's caches: module, attribute (what a cache miss calls).
BUILDERS = (
    (cache, "load_registry"),
    (loaders.geo.boundaries, "load_display_geometry"),
    (maps.views, "build_base_map"),
    (loaders.store.reads, "refresh_datasets"),
    (analysis.indicators, "compute_indicators"),
    (analysis.indicators, "summarise"),
    (maps.views, "build_restyle"),
    (analysis.attention, "attention_lines"),
)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo_warmup") / "demo.sqlite3")


@pytest.fixture
def demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> Counter:
    calls: Counter = Counter()
    for module, name in BUILDERS:
        original = getattr(module, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)
    return calls


def test_script_imports_name_the_modules_the_pages_use():
    names = warmup.script_imports()
    assert {"streamlit", "ui.cache", "ui.parts.kpis", "analysis.indicators", "ui.sidebar"} <= set(names)
    # ``from ui.i18n import t`` is tried as a module and skipped as an attribute.
    assert "ui.i18n.t" in names
    assert "ui.i18n.t" not in warmup.import_script_modules()


def test_the_home_page_after_a_warm_up_computes_nothing_again(demo_store, app_test, monkeypatch):
    # Nothing of the home page cached: the resources too (``app_test`` clears only the data caches).
    st.cache_resource.clear()
    assert warmup.warm_up() == [
        "imports",
        "components",
        "registry",
        "display layers",
        "base map",
        "datasets",
        "store flags",
        "key figures",
        "map colours",
        "attention",
        "indicators",
    ]
    calls = _count_calls(monkeypatch)
    at = app_test(role="viewer")
    assert not at.exception
    assert calls == Counter(), f"the first visit computed again: {dict(calls)}"


def test_components_declared_outside_a_script_run_are_registered(monkeypatch):
    from streamlit import runtime
    from streamlit.components.lib.local_component_registry import LocalComponentRegistry

    registry = LocalComponentRegistry()
    monkeypatch.setattr(runtime, "exists", lambda: True)
    monkeypatch.setattr(runtime, "get_instance", lambda: SimpleNamespace(component_registry=registry))
    assert warmup.register_components() >= 1
    folium_files = Path(streamlit_folium.__file__).parent / "frontend" / "build"
    assert Path(registry.get_component_path("streamlit_folium.st_folium")) == folium_files


def test_default_filters_are_the_sidebars(demo_store, app_test):
    at = app_test(role="viewer")
    assert at.session_state[FILTERS_KEY] == warmup.default_filters(cache.data_version())


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_a_failing_step_does_not_stop_the_warm_up(demo_store, fresh_data_caches, monkeypatch):
    def broken() -> None:
        raise OSError("no boundary files")

    monkeypatch.setattr(cache, "get_display_layers", broken)
    monkeypatch.setattr(cache, "get_base_map", lambda *args: broken())
    records = _Records()
    logging.getLogger("ui.warmup").addHandler(records)
    try:
        done = warmup.warm_resources()
    finally:
        logging.getLogger("ui.warmup").removeHandler(records)
    assert done == ["imports", "components", "registry"]
    assert "warm-up: display layers failed; the first visitor builds it" in records.messages


def test_the_server_warms_up_and_freezes_before_it_listens(monkeypatch):
    order: list[str] = []

    async def start(self) -> None:
        order.append("listen")

    monkeypatch.setattr(warmup, "warm_resources", lambda: order.append("resources"))
    monkeypatch.setattr(warmup, "warm_data", lambda: order.append("data"))
    monkeypatch.setattr(serve, "freeze_heap", lambda: order.append("freeze"))
    monkeypatch.setattr(serve, "serve_frontend_files_from_memory", lambda: order.append("frontend files"))
    monkeypatch.setattr(Server, "start", start)
    # In a thread of its own: another test in this worker (Playwright's sync API) may have left
    # an event loop running in this thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, serve.WarmServer.__new__(serve.WarmServer).start()).result()
    # The data, replaced by every import, is read after the freeze and stays collectable.
    assert order == ["resources", "freeze", "data", "frontend files", "listen"]


def test_main_runs_streamlits_command_line_with_the_warm_server(monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(bootstrap, "Server", bootstrap.Server)  # restored after the test
    monkeypatch.setattr(cli, "main", lambda args, prog_name: seen.update(args=args, server=bootstrap.Server))
    serve.main(["--server.port", "8600"])
    assert seen == {"args": ["run", str(serve.APP), "--server.port", "8600"], "server": serve.WarmServer}
    assert serve.APP.is_file()


def test_streamlit_still_creates_its_server_where_the_launcher_replaces_it():
    # ui.serve swaps ``bootstrap.Server``; a Streamlit that builds its server elsewhere would skip the warm-up.
    assert "Server(main_script_path" in inspect.getsource(bootstrap.run)
    assert inspect.iscoroutinefunction(Server.start)


def test_freeze_heap_moves_live_objects_out_of_the_collectors_reach():
    try:
        serve.freeze_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
