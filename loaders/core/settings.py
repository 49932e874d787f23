"""Where the project keeps its files and which database it uses.

Every path the project reads or writes is derived here, so that tests and
scripts can redirect all of them with environment variables.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]


def geodata_dir() -> Path:
    """Folder holding the installed boundary layers and the project's own area definitions.

    Returns
    -------
    Path
        ``$HT_GEODATA_DIR`` when set, else ``<project>/geodata``.
    """
    return Path(os.environ.get("HT_GEODATA_DIR", PROJECT_ROOT / "geodata"))


def geodata_source_dir() -> Path:
    """Folder that setup copies the boundary layers from.

    Returns
    -------
    Path
        ``$HT_GEODATA_SOURCE`` when set, else ``<project>/../shared/geodata``.
    """
    return Path(os.environ.get("HT_GEODATA_SOURCE", PROJECT_ROOT.parent / "shared" / "geodata"))


def data_dir() -> Path:
    """Folder for the embedded SQLite database and stored upload originals.

    Returns
    -------
    Path
        ``$HT_DATA_DIR`` when set, else ``<project>/data``.
    """
    return Path(os.environ.get("HT_DATA_DIR", PROJECT_ROOT / "data"))


def database_url() -> str:
    """SQLAlchemy URL of the store.

    Returns
    -------
    str
        ``$DATABASE_URL`` when set, else a SQLite file in :func:`data_dir`.
    """
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / 'hatinh.sqlite3'}"


def default_basemap() -> str:
    """Background tiles when the app opens: ``osm``, ``local`` (``HT_TILE_URL``) or ``none``.

    Returns
    -------
    str
        ``$HT_BASEMAP`` when set to one of those, else ``osm``.
    """
    value = os.environ.get("HT_BASEMAP", "osm").strip().lower()
    return value if value in ("osm", "local", "none") else "osm"
