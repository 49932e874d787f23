"""The small frozen contexts the folium map builders take, grouped by what varies together.

A map is the commune geometry and its values, plus three independent choices:
how the values are coloured and labelled (:class:`ValueStyle`), which context
layers sit on top (:class:`Overlays`) and what lies underneath
(:class:`Background`). The incident points map names its layers with
:class:`PointsLabels`. Pages change one without the others: the language
changes the labels, the map kind the overlays shown, the settings the tiles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import geopandas as gpd

from maps.offline import BASEMAP_NONE
from maps.palette import ColourScale, default_format


@dataclass(frozen=True, kw_only=True)
class ValueStyle:
    """How a value per commune is coloured, outlined and named in the tooltip.

    Parameters
    ----------
    value_label : str
        Label of the value in the tooltip.
    format_value : callable
        Formats a value for the tooltip.
    scale : ColourScale, optional
        Default :func:`maps.palette.build_colour_scale` of the values. Pass the
        same scale to :func:`maps.palette.build_legend`.
    no_data_label : str
        Tooltip text for communes without data.
    name_label : str
        Tooltip label of the commune name.
    highlight_codes : set of str
        Communes outlined in red, e.g. the selected commune or a focus list.
    """

    value_label: str
    format_value: Callable[[float], str] = default_format
    scale: ColourScale | None = None
    no_data_label: str = "No data"
    name_label: str = "Commune"
    highlight_codes: AbstractSet[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Overlays:
    """Context layers drawn over the communes, each a group in the layer control.

    Parameters
    ----------
    layers : mapping
        GeoDataFrames keyed by ``"districts"``, ``"border"``, ``"coast"``,
        ``"economic_zones"``, ``"major_projects"`` (points or polygons); ``None``
        entries are skipped.
    labels : mapping
        Layer-control names by overlay key (default: the key).
    shown : mapping
        Overrides :data:`maps.styles.DEFAULT_SHOWN` (district lines, border and
        economic zones on when the map opens).
    """

    layers: Mapping[str, gpd.GeoDataFrame | None] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    shown: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Background:
    """The tiles under a map.

    Parameters
    ----------
    basemap : {"osm", "local", "none"}
        Background tiles, none by default; see :func:`maps.offline.tile_layer`.
    tile_url : str, optional
        Tile URL template for ``basemap="local"``.
    """

    basemap: str = BASEMAP_NONE
    tile_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class PointsLabels:
    """Layer-control names of the incident points map.

    Parameters
    ----------
    points, heat : str
        The clustered points and the heat map.
    boundaries : str
        The commune outlines drawn under the points.
    """

    points: str = "Incidents"
    heat: str = "Heat map"
    boundaries: str = "Communes"
