"""The server's entry point: app.py's pages, with the slow shared objects built at server start.

``streamlit run serve.py`` (what ``make run`` does) serves the same app as ``streamlit run app.py``,
through Streamlit's ASGI ``st.App``, whose lifespan starts :func:`ui.cache.warm_up` in a background
thread when the server starts: the registry, the display layers, the default base map and the
datasets are then ready for the first visitor instead of being built during that visit.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def _lifespan(_app: st.App) -> AsyncIterator[None]:
    from ui.cache import warm_up

    # A thread: the server answers at once, and a visitor arriving early waits on the same caches.
    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    yield


app = st.App("app.py", lifespan=_lifespan)
