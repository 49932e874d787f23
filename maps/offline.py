"""Serve every map script and stylesheet locally, and choose the tile layer.

folium classes list their browser dependencies as class attributes
(``default_js``/``default_css``) pointing at public CDNs. streamlit-folium
collects those same attributes from the map's elements and loads them in the
component's frame, so rewriting them at class level covers both the plain
``Map.get_root().render()`` output and the ``st_folium`` payload. Without it the
map never draws on a machine without internet access.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import branca
import folium
import folium.elements
import folium.plugins

from loaders.core import settings
from maps.assets import ASSET_PATHS
from maps.elements import PointsLayer

#: Where Streamlit serves ``static/vendor/`` when ``server.enableStaticServing = true``.
DEFAULT_VENDOR_URL = "/app/static/vendor"

BASEMAP_OSM = "osm"
BASEMAP_LOCAL = "local"
BASEMAP_NONE = "none"
BASEMAPS: tuple[str, ...] = (BASEMAP_OSM, BASEMAP_LOCAL, BASEMAP_NONE)

_OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#: Leaflet's ``referrerPolicy`` for tile images (Leaflet 1.9+): no ``Referer`` header with any tile.
_NO_REFERRER = "no-referrer"
_OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

# Absolute (http:, https:) and protocol-relative (//host) URLs leave the machine.
_EXTERNAL_URL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
_ASSET_TAG_URL = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"']|<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"']",
    re.IGNORECASE,
)
_CSS_IMPORT_URL = re.compile(r"@import\s+(?:url\()?\s*[\"']?([^\"')\s;]+)", re.IGNORECASE)

# streamlit-folium adds these to the frame whenever a branca colormap is on the map.
_BRANCA_COLORMAP_JS = (
    "https://d3js.org/d3.v4.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
)


#: The resources of ``folium.Map`` that the project's maps use: Leaflet itself. folium lists jQuery,
#: Bootstrap (script and styles), the glyphicons, Font Awesome and awesome-markers for every map,
#: for its ``Icon`` markers and Bootstrap-styled popups; no map here has either, and loading them
#: delayed every map frame before it drew (bench/README.md, "First map").
MAP_RESOURCES_USED: frozenset[str] = frozenset({"leaflet", "leaflet_css"})


class OfflineAssetError(Exception):
    """A folium class needs a browser file that the project does not install."""


def localised_classes() -> tuple[type, ...]:
    """The folium classes whose assets are served locally.

    These are the ones the project's builders use. A class not listed keeps its
    CDN links, and :func:`external_asset_urls` reports them.
    """
    return (
        folium.Map,
        folium.TopoJson,
        folium.plugins.MarkerCluster,
        folium.plugins.HeatMap,
        PointsLayer,
    )


def _local_links(cls: type, attribute: str, base_url: str) -> list[tuple[str, str]]:
    links = []
    for name, _url in getattr(cls, attribute, []):
        if cls is folium.Map and name not in MAP_RESOURCES_USED:
            continue
        if name not in ASSET_PATHS:
            raise OfflineAssetError(
                f"{cls.__module__}.{cls.__name__}.{attribute} needs '{name}', which maps/assets.py does not install."
            )
        links.append((name, f"{base_url}/{ASSET_PATHS[name]}"))
    return links


def use_local_assets(base_url: str = DEFAULT_VENDOR_URL) -> None:
    """Point the ``default_js``/``default_css`` of the used folium classes at local copies.

    ``folium.Map`` keeps only :data:`MAP_RESOURCES_USED`: a map that adds folium's ``Icon``
    markers or Bootstrap popups must list their resources there first.

    Changes class attributes, so it affects every map built afterwards in this
    process (and maps already built but not yet rendered). Calling it again
    with the same URL changes nothing.

    Parameters
    ----------
    base_url : str
        URL under which ``static/vendor/`` is served. Include Streamlit's
        ``server.baseUrlPath`` if one is set, e.g. ``"/dashboard/app/static/vendor"``.

    Raises
    ------
    OfflineAssetError
        If a class needs a resource that is not in :data:`maps.assets.ASSET_PATHS`.
    """
    base = base_url.rstrip("/")
    # Compute everything first, so a missing resource leaves all classes unchanged.
    replacements = {
        cls: (_local_links(cls, "default_js", base), _local_links(cls, "default_css", base))
        for cls in localised_classes()
    }
    for cls, (js, css) in replacements.items():
        cls.default_js = js
        cls.default_css = css


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def external_asset_urls(m: folium.Map) -> list[str]:
    """Script and stylesheet URLs of a map that would be fetched from outside the machine.

    Checks both ways a map reaches the browser: the standalone HTML of
    ``m.get_root().render()`` (``<script src>``, ``<link href>``, CSS ``@import``)
    and the links streamlit-folium collects from the elements' ``default_js`` and
    ``default_css`` (plus the d3 scripts it adds for branca colormaps). Tile
    images and attribution links are not assets and are not reported.

    Parameters
    ----------
    m : folium.Map
        The map to check. It is rendered, which does not change what it shows.

    Returns
    -------
    list of str
        Distinct external URLs in first-seen order; empty when the map is fully offline.
    """
    html = m.get_root().render()
    urls = [src or href for src, href in _ASSET_TAG_URL.findall(html)]
    urls += _CSS_IMPORT_URL.findall(html)
    for element in _walk(m):
        if isinstance(element, branca.colormap.ColorMap):
            urls.extend(_BRANCA_COLORMAP_JS)
        if isinstance(element, folium.elements.JSCSSMixin):
            urls.extend(url for _, url in element.default_js)
            urls.extend(url for _, url in element.default_css)
    external = [url.strip() for url in urls if _EXTERNAL_URL.match(url)]
    return list(dict.fromkeys(external))


def tile_layer(
    basemap: str = BASEMAP_NONE,
    tile_url: str | None = None,
    attribution: str | None = None,
) -> folium.TileLayer | None:
    """The background tile layer for a basemap choice.

    Parameters
    ----------
    basemap : {"osm", "local", "none"}
        ``"osm"``: OpenStreetMap's public tiles (needs internet in the browser, and tells that server
        where on the map analysts look: only by explicit choice).
        ``"local"``: a tile server given by ``tile_url`` or ``$HT_TILE_URL``.
        ``"none"``: no background; the boundaries alone.
    tile_url : str, optional
        URL template such as ``"http://127.0.0.1:8080/{z}/{x}/{y}.png"`` for ``"local"``.
    attribution : str, optional
        Attribution for ``"local"`` tiles; default ``$HT_TILE_ATTRIBUTION`` or the OSM credit.

    Returns
    -------
    folium.TileLayer or None
        ``None`` for ``"none"``. The layer is kept out of the layer control (``control=False``), and its
        tile requests carry no ``Referer`` (Leaflet's ``referrerPolicy: "no-referrer"``), so a tile
        server does not learn the app's address or page.

    Raises
    ------
    ValueError
        For an unknown basemap, or ``"local"`` without a URL template.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"Unknown basemap '{basemap}'; choose one of {', '.join(BASEMAPS)}.")
    if basemap == BASEMAP_NONE:
        return None
    if basemap == BASEMAP_OSM:
        return folium.TileLayer(
            _OSM_URL,
            attr=_OSM_ATTRIBUTION,
            name="OpenStreetMap",
            max_zoom=19,
            control=False,
            referrer_policy=_NO_REFERRER,
        )
    url = tile_url or settings.tile_url()
    if not url:
        raise ValueError(f"Basemap 'local' needs a tile URL template: pass tile_url or set {settings.TILE_URL_ENV}.")
    attr = attribution or settings.tile_attribution() or _OSM_ATTRIBUTION
    return folium.TileLayer(url, attr=attr, name="Local tiles", control=False, referrer_policy=_NO_REFERRER)
