"""What every command of ``python -m loaders`` shares: exit statuses, the acting user, the store, the registry.

Exit status: :data:`EXIT_OK` success; :data:`EXIT_REJECTED` rows rejected, a
refused file, an unresolved reference, a refused rollback or account change;
:data:`EXIT_USAGE` an unreadable file or bad usage (argparse exits 2 itself).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import json
from typing import Any, TextIO

from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Engine

from loaders.geo.boundaries import load_province_polygon
from loaders.geo.loading import load_registry
from loaders.geo.registry import Registry
from loaders.store import db

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2


def default_user() -> str:
    """Who a command acts as when ``--user`` is not given: ``cli:<login name>``, else ``cli``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def acting_user(given: str = "") -> str:
    """Who a command acts as, as audited: always the OS user, ``cli:<login name>[:<given>]``.

    ``--user`` only adds a name after the login name (``cli:nam:an``): a
    command line cannot pretend to be an app user, nor hide who ran it. Used
    as the ``type`` of every ``--user`` option (:func:`add_user_option`).
    """
    given = " ".join(str(given).split())
    return f"{default_user()}:{given}" if given else default_user()


def add_user_option(parser: argparse.ArgumentParser, help_text: str = "Người thực hiện, ghi vào nhật ký") -> None:
    """``--user NAME``: recorded as ``cli:<login name>:NAME``; without it ``cli:<login name>``."""
    # argparse passes a string default through ``type`` too, so args.user is always the full actor.
    parser.add_argument("--user", type=acting_user, default="", help=help_text)


def open_engine() -> Engine:
    """The store named by ``DATABASE_URL``, created and migrated on first use."""
    return db.get_engine()


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """The commune registry, built once per process: in-process callers (tests, a scheduler) run many commands."""
    return load_registry()


@functools.lru_cache(maxsize=1)
def province_polygon() -> BaseGeometry | None:
    """The province outline that imported points are checked against (``None`` without boundaries), loaded once."""
    return load_province_polygon()


def print_json(obj: Any, out: TextIO) -> None:
    """Write ``obj`` as indented JSON, Vietnamese kept readable."""
    out.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
