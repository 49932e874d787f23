"""Streamlit's own frontend files served from memory, ahead of its web stack.

A browser that opens the app for the first time fetches about 110 of Streamlit's
hashed script, style and font files (``/static/...``). Through Starlette's
middleware, router and file response each cost the server about 2.7 ms of CPU,
about 0.29 s per first load: as much as the whole budget of a first load
(bench/README.md, "First map"). :class:`FrontendFiles` answers exactly those
files, by exact name, from bytes read once, with Streamlit's own caching headers
(hashed names never change: ``immutable``); every other request goes on to
Streamlit unchanged. Behind a reverse proxy that serves or caches ``/static/``
itself these requests never reach the app.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: What Streamlit sends with its hashed frontend files (one year, never revalidated).
CACHE_CONTROL = b"public, immutable, max-age=31536000"


class FrontendFiles:
    """ASGI middleware that serves the files under Streamlit's ``static/static/`` folder from memory.

    Parameters
    ----------
    app
        Streamlit's ASGI application, which gets every other request.
    static_dir : Path
        Streamlit's frontend build (``streamlit.file_util.get_static_dir()``); its
        ``static/`` subfolder is what the browser asks for as ``/static/...``.
    base_path : str
        Streamlit's ``server.baseUrlPath``, if any.
    """

    def __init__(self, app: ASGIApp, static_dir: Path, base_path: str = "") -> None:
        self.app = app
        base = base_path.strip("/")
        self.prefix = f"/{base}/static/" if base else "/static/"
        root = static_dir / "static"
        # Only the files that exist now, by their exact names: a request never becomes a path.
        self.files = {path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()}
        self._loaded: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}

    def _response(self, name: str) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        loaded = self._loaded.get(name)
        if loaded is None:
            body = self.files[name].read_bytes()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            headers = [
                (b"content-type", content_type.encode("latin-1")),
                (b"content-length", str(len(body)).encode("latin-1")),
                (b"cache-control", CACHE_CONTROL),
            ]
            loaded = self._loaded[name] = (body, headers)
        return loaded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a GET or HEAD of a known frontend file; pass everything else to Streamlit."""
        path = scope.get("path", "") if scope["type"] == "http" else ""
        name = path[len(self.prefix) :] if path.startswith(self.prefix) else None
        if name in self.files and scope["method"] in ("GET", "HEAD"):
            body, headers = self._response(name)
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
            return
        await self.app(scope, receive, send)
