"""Placing records of split legacy communes by their point.

A legacy commune whose area went to several 2025 communes (Phường Đại Nài,
Xã Kỳ Lợi) converts without doubt only when the record has coordinates: the
point decides, among the 2025 communes that legacy commune fed. The name
alone gives only the commune that took most of its area.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from loaders.geo.boundaries import load_layer
from loaders.geo.loading import load_registry
from loaders.geo.schema import boundaries_installed


class SplitCommuneLocator:
    """Places records of split legacy communes in the right 2025 commune by their point.

    Parameters
    ----------
    communes_2025 : GeoDataFrame
        The 2025 commune polygons with their ``gso_code``, EPSG:4326.
    targets : dict of str to tuple of str
        For each split legacy commune, the 2025 communes it fed.
    """

    def __init__(self, communes_2025: gpd.GeoDataFrame, targets: dict[str, tuple[str, ...]]) -> None:
        self._codes = communes_2025["gso_code"].astype(str).to_numpy()
        self._tree = shapely.STRtree(communes_2025.geometry.values)
        self._geoms = communes_2025.geometry.values
        self._targets = targets

    def locate(self, legacy_codes: pd.Series | list, lon: pd.Series | list, lat: pd.Series | list) -> list[str | None]:
        """The 2025 commune holding each point, when it is one the legacy commune fed; else ``None``.

        Parameters
        ----------
        legacy_codes, lon, lat : aligned sequences
            Legacy commune code and WGS84 coordinates of each record (NaN = no point).

        Returns
        -------
        list of str or None
        """
        out: list[str | None] = []
        for legacy, x, y in zip(legacy_codes, lon, lat):
            allowed = self._targets.get(str(legacy)) if legacy is not None else None
            if not allowed or x is None or y is None or pd.isna(x) or pd.isna(y):
                out.append(None)
                continue
            point = shapely.Point(float(x), float(y))
            hits = [self._codes[i] for i in self._tree.query(point, predicate="intersects")]
            inside = [c for c in hits if c in allowed]
            out.append(inside[0] if len(inside) == 1 else None)
        return out


def load_split_locator(geodata_dir: Path | None = None) -> SplitCommuneLocator | None:
    """A locator for the split legacy communes, or ``None`` when the boundaries are not installed.

    Parameters
    ----------
    geodata_dir : Path, optional
        Folder holding the layers; default :func:`loaders.core.settings.geodata_dir`.
    """
    if not boundaries_installed(geodata_dir):
        return None
    registry = load_registry(geodata_dir)
    split = registry.legacy[registry.legacy["split"]]
    targets = {code: tuple(codes) for code, codes in split["new_codes"].items()}
    return SplitCommuneLocator(load_layer("communes_2025", geodata_dir), targets)
