"""Streamlit's frontend files served from memory (ui/frontend_files.py), in front of its web app."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ui import serve
from ui.frontend_files import CACHE_CONTROL, FrontendFiles


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    (tmp_path / "static" / "js").mkdir(parents=True)
    (tmp_path / "static" / "js" / "index.abc123.js").write_text("console.log(1)")
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "secret.txt").write_text("not a frontend file")
    return tmp_path


def _get(app, path: str, method: str = "GET") -> tuple[list[dict], list[str]]:
    """The messages ``app`` sends for a request, and the paths that reached Streamlit behind it."""
    passed: list[str] = []

    async def streamlit(scope, receive, send) -> None:
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 404, "headers": []})

    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    middleware = FrontendFiles(streamlit, app[0], app[1])
    # In a thread of its own: another test in this worker (Playwright's sync API) may have left
    # an event loop running in this thread, where asyncio.run refuses to start.
    request = middleware({"type": "http", "method": method, "path": path}, receive, send)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, request).result()
    return sent, passed


def test_a_frontend_file_comes_from_memory_with_streamlits_caching(static_dir):
    sent, passed = _get((static_dir, ""), "/static/js/index.abc123.js")
    assert passed == []
    start, body = sent
    headers = dict(start["headers"])
    assert start["status"] == 200
    assert headers[b"content-type"] in (b"text/javascript", b"application/javascript")
    assert headers[b"content-length"] == b"14"
    assert headers[b"cache-control"] == CACHE_CONTROL
    assert body["body"] == b"console.log(1)"
    head, _ = _get((static_dir, ""), "/static/js/index.abc123.js", method="HEAD")
    assert head[1]["body"] == b""


@pytest.mark.parametrize(
    "path",
    [
        "/",  # the page itself: Streamlit's, never cached
        "/static/js/missing.js",
        "/static/../secret.txt",
        "/static/js/../../secret.txt",
        "/static//js/index.abc123.js",
        "/component/streamlit_folium.st_folium/index.html",
        "/app/static/vendor/leaflet/leaflet.js",
    ],
)
def test_everything_else_goes_on_to_streamlit(static_dir, path):
    _, passed = _get((static_dir, ""), path)
    assert passed == [path]


def test_under_a_base_url_path(static_dir):
    sent, passed = _get((static_dir, "/antt/"), "/antt/static/js/index.abc123.js")
    assert passed == [] and sent[0]["status"] == 200
    _, passed = _get((static_dir, "/antt/"), "/static/js/index.abc123.js")
    assert passed == ["/static/js/index.abc123.js"]


def test_the_launcher_puts_it_in_front_of_streamlits_app(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "create_starlette_app", lambda runtime: ("streamlit app", runtime))
    serve.serve_frontend_files_from_memory()
    serve.serve_frontend_files_from_memory()  # a second call does not wrap twice
    app = starlette_server.create_starlette_app("runtime")
    assert isinstance(app, FrontendFiles)
    assert app.app == ("streamlit app", "runtime")
    assert any(name.endswith(".js") for name in app.files)


def test_streamlit_still_creates_its_web_app_where_the_launcher_wraps_it():
    import inspect

    from streamlit.web.server.starlette import starlette_server

    assert "app = create_starlette_app(self._runtime)" in inspect.getsource(starlette_server.UvicornServer.start)
