"""Build at server start what a visitor's first page needs, so that no visitor waits for it.

A fresh app process has imported nothing and cached nothing: the first visitor used
to pay about 7 s of CPU for the imports (pandas, geopandas, folium, the pages' own
modules), the commune registry, the simplified display layers, the base map, the
datasets and the home page's figures. :mod:`ui.serve` calls :func:`warm_up` once
Streamlit's runtime exists (so that ``st.cache_data`` keeps its results in the
runtime's storage, where the visitors' runs look) and before the server listens
(in two parts, :func:`warm_resources` and :func:`warm_data`, with the heap frozen
in between).
The cached builders are the very functions the pages call, with the same
arguments, so a visitor finds them filled (tests/ui/test_warmup.py checks that the
home page then computes none of them again).

Each step is best effort: a store or boundary file that is missing or broken is
the first visitor's to report, never a reason for the server not to start.
"""

from __future__ import annotations

import ast
import importlib
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from analysis import indicators as ind
from analysis import periods
from loaders.core import domain, settings
from loaders.core.i18n import DEFAULT_LANGUAGE
from ui import cache
from ui.parts.map_section import highlight_codes, map_indicator_for
from ui.period_picker import DEFAULT_KIND, default_range, period_options
from ui.sidebar import filters_for

_LOGGER = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
#: The scripts Streamlit executes (not imports): their imports are done here instead.
SCRIPTS: tuple[str, ...] = ("app.py", "pages")


def script_imports(root: Path = ROOT) -> list[str]:
    """The modules that ``app.py`` and the pages import, in first-seen order.

    ``from package import name`` names the module ``package.name`` when there is one
    (``from analysis import indicators``), else the package itself.
    """
    files: list[Path] = []
    for entry in SCRIPTS:
        path = root / entry
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    names: list[str] = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys(names))


def import_script_modules(root: Path = ROOT) -> list[str]:
    """Import every module of :func:`script_imports`; the names imported (a name that is not a module is skipped)."""
    imported = []
    for name in script_imports(root):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            # ``from ui.i18n import t`` also yields "ui.i18n.t", which is an attribute, not a module.
            if error.name != name:
                raise
            continue
        imported.append(name)
    return imported


def register_components() -> int:
    """Register with Streamlit's runtime every v1 custom component that the imports declared.

    ``components.declare_component`` registers a component only when it is called
    inside a script run; declared at import time here, outside one, streamlit-folium's
    map would be served nothing (its frame's files answer 404 and the map stays
    blank). Registering the same component again changes nothing.

    Returns
    -------
    int
        How many components were registered (0 without a runtime).
    """
    from streamlit import runtime
    from streamlit.components.v1.custom_component import CustomComponent

    if not runtime.exists():
        return 0
    found: dict[int, CustomComponent] = {}
    for module in list(sys.modules.values()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if isinstance(value, CustomComponent):
                found[id(value)] = value
    registry = runtime.get_instance().component_registry
    for component in found.values():
        registry.register_component(component)
    return len(found)


def default_filters(version: int) -> ind.Filters:
    """The filters the shared sidebar selects for a new session (``ui.sidebar.render_sidebar``).

    The current official year to date, all former districts, model kinds and focus
    areas, the first comparison, and the hot spots of the year the period ends in.
    """
    options = period_options(DEFAULT_KIND)
    first, last = default_range(DEFAULT_KIND, options)
    return filters_for(version, periods.Period(options[first].start, options[last].end), periods.COMPARISONS[0])


def _step(name: str, build: Callable[[], object], done: list[str]) -> None:
    start = time.perf_counter()
    try:
        build()
    except Exception:  # best effort: the visitor who needs it sees the error, not the start-up
        _LOGGER.warning("warm-up: %s failed; the first visitor builds it", name, exc_info=True)
        return
    done.append(name)
    _LOGGER.info("warm-up: %s in %.2f s", name, time.perf_counter() - start)


def warm_up(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """:func:`warm_resources`, then :func:`warm_data`; the steps that succeeded."""
    return warm_resources(lang) + warm_data(lang)


def warm_resources(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Import the pages' modules and build the home page's resources that do not depend on the data.

    Everything built here lives as long as the process (``st.cache_resource``, keyed
    by the code, the boundary files and the language).

    Returns
    -------
    list of str
        The steps that succeeded.
    """
    done: list[str] = []
    _step("imports", import_script_modules, done)
    _step("components", register_components, done)
    _step("registry", cache.get_registry, done)
    _step("display layers", cache.get_display_layers, done)
    _step("base map", lambda: cache.get_base_map(domain.VINTAGE_2025, settings.default_basemap(), lang), done)
    return done


def warm_data(lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Read the datasets and compute the home page's figures for the default filters, as the page asks for them.

    Both are keyed by the data version: an import replaces them.

    Returns
    -------
    list of str
        The steps that succeeded.
    """
    done: list[str] = []
    version = cache.data_version()
    level = domain.VINTAGE_2025
    _step("datasets", lambda: cache.get_datasets(version), done)
    _step("store flags", lambda: cache.get_store_flags(version), done)
    filters = default_filters(version)
    _step("key figures", lambda: cache.get_summary(version, filters), done)
    shown = map_indicator_for(level, ind.MAP_INDICATORS[0])
    # Positional, as the page calls it: cache keys are built from the arguments as given.
    _step(
        "map colours",
        lambda: cache.get_map_restyle(version, filters, shown, lang, level, highlight_codes([""], level)),
        done,
    )
    _step("attention", lambda: cache.get_attention(version, filters), done)
    _step("indicators", lambda: cache.get_indicators(version, filters), done)
    return done
