"""Start the app as ``streamlit run app.py`` does, warmed up: ``python -m ui.serve [streamlit options]``.

``make run`` uses it. It is Streamlit's own command line with one change: the
server, once its runtime exists and before it listens, imports the pages'
modules, builds the registry, the display layers and the base map
(:func:`ui.warmup.warm_resources`), freezes the heap (:func:`freeze_heap`), then
reads the datasets and computes the home page's default figures
(:func:`ui.warmup.warm_data`); it also serves Streamlit's frontend files from
memory (:mod:`ui.frontend_files`). So the first visitor after a start finds a warm
server, and no visitor's run pays a full garbage collection of those objects.
Options are Streamlit's, e.g. ``python -m ui.serve --server.port 8600``.

Streamlit 1.67 has no start-up hook for ``streamlit run`` (the ASGI ``st.App``
lifespan serves no v1 components, so streamlit-folium's map stays blank), hence
the subclass of its ``Server`` put in place of the one ``bootstrap.run`` creates.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.web import bootstrap, cli
from streamlit.web.server import Server

from ui.frontend_files import FrontendFiles

APP = Path(__file__).resolve().parents[1] / "app.py"
#: Streamlit's logger that warns about every ``st`` call made outside a script run.
_NO_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def freeze_heap() -> None:
    """Move every object alive now out of the cyclic garbage collector's reach.

    Streamlit collects all generations after every script run
    (``runner.postScriptGC``). With the imported modules, the registry, the display
    layers and the base map in the heap, that full collection cost about 0.15 s of
    CPU per run, a third of a warm first load's server time (bench/README.md, "First
    map"). Frozen objects are still freed by reference counting; only reference
    cycles among them are never collected, so freeze only what lives as long as the
    process.
    """
    gc.collect()
    gc.freeze()


def _no_context_warnings(record: logging.LogRecord) -> bool:
    return "missing ScriptRunContext" not in record.msg


@contextmanager
def _quiet_outside_script_runs() -> Iterator[None]:
    """Without the warning Streamlit logs for an ``st`` call made outside a script run: the warm-up is one."""
    # A filter, not a level: Streamlit resets its loggers' levels whenever its configuration is read.
    logger = logging.getLogger(_NO_CONTEXT_LOGGER)
    logger.addFilter(_no_context_warnings)
    try:
        yield
    finally:
        logger.removeFilter(_no_context_warnings)


class WarmServer(Server):
    """Streamlit's server that warms the app up before it starts listening."""

    async def start(self) -> None:
        """Warm up (the runtime exists: ``st.cache_data`` keeps its results there), then start."""
        # Imported here, not above: importing the app's modules reads Streamlit's configuration,
        # which must first be loaded with the command line's options.
        with _quiet_outside_script_runs():
            from ui import warmup

            warmup.warm_resources()
            # Frozen: what lives as long as the process. The datasets and figures, replaced at every
            # import, are read after it and stay collectable (they add about 3 ms to a collection).
            freeze_heap()
            warmup.warm_data()
        serve_frontend_files_from_memory()
        await super().start()


def serve_frontend_files_from_memory() -> None:
    """Put :class:`ui.frontend_files.FrontendFiles` in front of the web app Streamlit is about to create."""
    from streamlit import config, file_util
    from streamlit.web.server.starlette import starlette_server

    create = starlette_server.create_starlette_app
    if getattr(create, "with_frontend_files", False):
        return

    def create_with_frontend_files(runtime: object) -> FrontendFiles:
        app = create(runtime)
        return FrontendFiles(app, Path(file_util.get_static_dir()), config.get_option("server.baseUrlPath") or "")

    create_with_frontend_files.with_frontend_files = True  # type: ignore[attr-defined]
    starlette_server.create_starlette_app = create_with_frontend_files


def _show_warm_up_steps() -> None:
    logger = logging.getLogger("ui.warmup")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("  %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def streamlit_args(options: list[str]) -> list[str]:
    """The arguments of Streamlit's command line that run the app with ``options``."""
    return ["run", str(APP), *options]


def main(options: list[str] | None = None) -> None:
    """Run Streamlit's command line with :class:`WarmServer` (it exits the process)."""
    _show_warm_up_steps()
    bootstrap.Server = WarmServer
    cli.main(args=streamlit_args(sys.argv[1:] if options is None else options), prog_name="streamlit")


if __name__ == "__main__":
    main()
