"""``python -m loaders boundaries install|check``: install the boundary layers into ``geodata/``, or validate them.

``install`` copies from ``--source`` (default ``$HT_GEODATA_SOURCE``) into
``--target`` (default ``$HT_GEODATA_DIR``); the Makefile runs it at setup.
``check`` reads every installed layer through the validating loaders.
Exit status 1 when a file is missing or a layer is invalid.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from loaders.cli.common import EXIT_OK, EXIT_REJECTED
from loaders.core import settings
from loaders.geo import boundaries
from loaders.geo.schema import LAYER_FILES, TABLE_SCHEMAS, BoundaryDataError


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``boundaries install|check`` to the ``python -m loaders`` parser."""
    parser = sub.add_parser("boundaries", help="Cài đặt hoặc kiểm tra các lớp ranh giới (geodata/)")
    commands = parser.add_subparsers(dest="boundaries_command", required=True, metavar="BOUNDARIES_COMMAND")
    p = commands.add_parser("install", help="copy the layers into geodata/")
    p.add_argument(
        "--source", type=Path, default=None, help=f"default ${settings.GEODATA_SOURCE_ENV} or ../shared/geodata"
    )
    p.add_argument("--target", type=Path, default=None, help=f"default ${settings.GEODATA_DIR_ENV} or geodata/")
    p.set_defaults(handler=run_install)
    p = commands.add_parser("check", help="validate every installed layer")
    p.add_argument("--target", type=Path, default=None)
    p.set_defaults(handler=run_check)


def run_install(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Copy the layers from the source folder into the target folder."""
    source = args.source or settings.geodata_source_dir()
    target = args.target or settings.geodata_dir()
    try:
        files = boundaries.install_boundaries(source, target)
    except BoundaryDataError as error:
        err.write(f"boundaries: {error}\n")
        return EXIT_REJECTED
    out.write(f"installed {len(files)} boundary files from {source} into {target}\n")
    return EXIT_OK


def run_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Read and validate every installed layer, printing its row count."""
    target = args.target or settings.geodata_dir()
    try:
        for role in LAYER_FILES:
            table = role in TABLE_SCHEMAS
            rows = len(boundaries.load_table(role, target) if table else boundaries.load_layer(role, target))
            out.write(f"{role}: {rows} rows OK\n")
    except BoundaryDataError as error:
        err.write(f"boundaries: {error}\n")
        return EXIT_REJECTED
    return EXIT_OK
