"""The one command-line parser: ``python -m loaders <command>``.

Commands
--------
``import``      validate a file and commit it (or ``--dry-run``)    :mod:`loaders.cli.imports`
``imports``     the import history                                  :mod:`loaders.cli.imports`
``rollback``    undo one import                                     :mod:`loaders.cli.imports`
``demo``        ``--load`` or ``--remove`` the demo data             :mod:`loaders.cli.demo`
``resolve``     resolve commune references with the registry        :mod:`loaders.cli.resolve`
``users``       manage local accounts                               :mod:`loaders.cli.users`
``boundaries``  install or check the boundary layers                :mod:`loaders.cli.boundaries`
``backup``      a consistent snapshot of the store into a file      :mod:`loaders.cli.backup`
``restore``     a backup into an empty store                        :mod:`loaders.cli.backup`
``report``      the periodic report: json, docx, pdf or xlsx         :mod:`loaders.cli.report`

The command line is a composition root, like ``app.py``: it may import any
package of the project. The database named by ``DATABASE_URL`` (default: the
SQLite file in the data folder) is created and migrated on first use. Exit
statuses are in :mod:`loaders.cli.common`.

To add a command, write a module with ``register(subparsers)`` that adds a
subparser with ``set_defaults(handler=...)``; a handler takes
``(args, out, err)`` and returns the exit status. Append ``register`` to
:data:`REGISTRARS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from loaders.cli import backup, boundaries, demo, imports, report, resolve, users
from loaders.store import db

#: Subcommand registrars, in help order.
REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    imports.register,
    demo.register,
    resolve.register,
    users.register,
    boundaries.register,
    backup.register,
    report.register,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m loaders", description="Nhập dữ liệu, lịch sử, hoàn tác, dữ liệu mẫu và tra cứu xã/phường."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in REGISTRARS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; return the exit status (argparse usage errors exit 2 themselves)."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args, out, err)
    finally:
        # A big SQLite import copies its log into the database file in the background: let that
        # finish before the process ends rather than leave it to the next start.
        db.wait_for_checkpoints()
