"""Every environment setting of the project, read here and nowhere else.

Paths, the database, the map's background tiles, demo mode, session and
lockout limits: each setting is one typed function that reads its variable
at call time (so tests and scripts can change it with the environment) and
applies the default and bounds. Other modules call these functions; they
never read ``os.environ`` themselves.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]

GEODATA_DIR_ENV = "HT_GEODATA_DIR"
GEODATA_SOURCE_ENV = "HT_GEODATA_SOURCE"
DATA_DIR_ENV = "HT_DATA_DIR"
DATABASE_URL_ENV = "DATABASE_URL"
BASEMAP_ENV = "HT_BASEMAP"
#: URL template of a local tile server, for the ``local`` basemap.
TILE_URL_ENV = "HT_TILE_URL"
TILE_ATTRIBUTION_ENV = "HT_TILE_ATTRIBUTION"
DEMO_MODE_ENV = "HT_DEMO_MODE"
IDLE_MINUTES_ENV = "HT_SESSION_IDLE_MINUTES"
OIDC_DEFAULT_ROLE_ENV = "HT_OIDC_DEFAULT_ROLE"
LOCKOUT_ATTEMPTS_ENV = "HT_LOCKOUT_ATTEMPTS"
LOCKOUT_MINUTES_ENV = "HT_LOCKOUT_MINUTES"
SESSION_MAX_HOURS_ENV = "HT_SESSION_MAX_HOURS"
TRUSTED_PROXIES_ENV = "HT_TRUSTED_PROXIES"

DEFAULT_IDLE_MINUTES = 30
DEFAULT_LOCKOUT_ATTEMPTS = 5
DEFAULT_LOCKOUT_MINUTES = 15
DEFAULT_SESSION_MAX_HOURS = 12

#: Values of :func:`demo_mode_setting`.
DEMO_ON = "on"
DEMO_AUTO = "auto"
DEMO_OFF = "off"


def _text(name: str) -> str:
    """The variable ``name`` trimmed, or ``""`` when unset."""
    return os.environ.get(name, "").strip()


def _positive_int(name: str, default: int) -> int:
    """The variable ``name`` as an integer of at least 1; ``default`` when unset or not a number."""
    try:
        value = int(_text(name) or default)
    except ValueError:
        return default
    return max(1, value)


def geodata_dir() -> Path:
    """Folder holding the installed boundary layers and the project's own area definitions.

    Returns
    -------
    Path
        ``$HT_GEODATA_DIR`` when set, else ``<project>/geodata``.
    """
    return Path(os.environ.get(GEODATA_DIR_ENV, PROJECT_ROOT / "geodata"))


def geodata_source_dir() -> Path:
    """Folder that setup copies the boundary layers from.

    Returns
    -------
    Path
        ``$HT_GEODATA_SOURCE`` when set, else ``<project>/../shared/geodata``.
    """
    return Path(os.environ.get(GEODATA_SOURCE_ENV, PROJECT_ROOT.parent / "shared" / "geodata"))


def data_dir() -> Path:
    """Folder for the embedded SQLite database and stored upload originals.

    Returns
    -------
    Path
        ``$HT_DATA_DIR`` when set, else ``<project>/data``.
    """
    return Path(os.environ.get(DATA_DIR_ENV, PROJECT_ROOT / "data"))


def database_url() -> str:
    """SQLAlchemy URL of the store.

    Returns
    -------
    str
        ``$DATABASE_URL`` when set, else a SQLite file in :func:`data_dir`.
    """
    url = _text(DATABASE_URL_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir() / 'hatinh.sqlite3'}"


def default_basemap() -> str:
    """Background tiles when the app opens: ``none``, ``local`` (``HT_TILE_URL``) or ``osm``.

    Public tiles tell their server which places analysts look at, so they are an
    explicit choice: anything else, unset or misspelt, means no basemap.

    Returns
    -------
    str
        ``$HT_BASEMAP`` when set to one of those, else ``none``.
    """
    value = os.environ.get(BASEMAP_ENV, "none").strip().lower()
    return value if value in ("osm", "local", "none") else "none"


def tile_url() -> str:
    """URL template of the local tile server.

    Returns
    -------
    str
        ``$HT_TILE_URL`` trimmed, or ``""`` when unset.
    """
    return _text(TILE_URL_ENV)


def tile_attribution() -> str:
    """Attribution shown for the local tiles.

    Returns
    -------
    str
        ``$HT_TILE_ATTRIBUTION`` trimmed, or ``""`` when unset (the map then credits OpenStreetMap).
    """
    return _text(TILE_ATTRIBUTION_ENV)


def demo_mode_setting() -> str:
    """Whether anonymous visitors get the read-only demo, as configured.

    Returns
    -------
    str
        :data:`DEMO_ON` for ``$HT_DEMO_MODE`` in ``1``, ``true``, ``yes``, ``on`` (any case);
        :data:`DEMO_AUTO` for ``auto`` (open only while the store holds nothing but demo data);
        :data:`DEMO_OFF` when unset or anything else.
    """
    value = _text(DEMO_MODE_ENV).lower()
    if value in ("1", "true", "yes", "on"):
        return DEMO_ON
    if value == "auto":
        return DEMO_AUTO
    return DEMO_OFF


def session_idle_minutes() -> int:
    """Idle minutes before a session is signed out.

    Returns
    -------
    int
        ``$HT_SESSION_IDLE_MINUTES``, at least 1; 30 when unset or not a number.
    """
    return _positive_int(IDLE_MINUTES_ENV, DEFAULT_IDLE_MINUTES)


def oidc_default_role() -> str:
    """Role asked for people who sign in through OpenID Connect without a local account.

    Returns
    -------
    str
        ``$HT_OIDC_DEFAULT_ROLE`` trimmed and lower-cased, or ``""`` when unset. The sign-in
        code decides which values it honours.
    """
    return _text(OIDC_DEFAULT_ROLE_ENV).lower()


def lockout_attempts() -> int:
    """Failed sign-ins in a row that lock an account.

    Returns
    -------
    int
        ``$HT_LOCKOUT_ATTEMPTS``, at least 1; 5 when unset or not a number.
    """
    return _positive_int(LOCKOUT_ATTEMPTS_ENV, DEFAULT_LOCKOUT_ATTEMPTS)


def lockout_minutes() -> int:
    """How long a locked account stays locked.

    Returns
    -------
    int
        ``$HT_LOCKOUT_MINUTES``, at least 1; 15 when unset or not a number.
    """
    return _positive_int(LOCKOUT_MINUTES_ENV, DEFAULT_LOCKOUT_MINUTES)


def session_max_hours() -> int:
    """Hours after sign-in when a session ends, however active it is.

    Returns
    -------
    int
        ``$HT_SESSION_MAX_HOURS``, at least 1; 12 when unset or not a number.
    """
    return _positive_int(SESSION_MAX_HOURS_ENV, DEFAULT_SESSION_MAX_HOURS)


def trusted_proxies() -> list[str]:
    """Addresses of the reverse proxies whose ``X-Forwarded-For`` header is believed.

    Returns
    -------
    list of str
        ``$HT_TRUSTED_PROXIES`` split at commas and trimmed: IP addresses or CIDR networks
        (the caller parses them and ignores what does not parse); empty when unset.
    """
    return [part.strip() for part in _text(TRUSTED_PROXIES_ENV).split(",") if part.strip()]
