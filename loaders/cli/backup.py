"""``python -m loaders backup|restore``: a consistent snapshot of the store, and restoring one into an empty store.

The work is in :mod:`loaders.store.backup`; these commands print what a backup
holds. Both act as ``cli:<login name>`` in the audit log. A refusal (the file
exists, is not a backup, the store is not empty) exits with :data:`EXIT_USAGE`.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from loaders.cli.common import EXIT_OK, EXIT_USAGE, default_user, open_engine, print_json
from loaders.store.backup import BackupError, BackupSummary, backup_store, restore_store


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``backup`` and ``restore`` to the ``python -m loaders`` parser."""
    p = sub.add_parser("backup", help="Sao lưu toàn bộ kho vào một tệp (chạy được khi ứng dụng đang chạy)")
    p.add_argument("--out", required=True, metavar="FILE", help="Tệp sao lưu mới (không ghi đè tệp đã có)")
    p.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
    p.set_defaults(handler=run_backup)

    p = sub.add_parser("restore", help="Khôi phục một bản sao lưu vào kho trống")
    p.add_argument("file", metavar="FILE", help="Tệp do «python -m loaders backup» tạo")
    p.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
    p.set_defaults(handler=run_restore)


def run_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write a snapshot of the store to ``args.out``."""
    try:
        summary = backup_store(open_engine(), args.out, default_user())
    except BackupError as exc:
        return _refuse(args, str(exc), out, err)
    return _report(args, f"Đã sao lưu kho vào «{summary.path}».", summary, out)


def run_restore(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Restore ``args.file`` into the (empty) store named by ``DATABASE_URL``."""
    try:
        summary = restore_store(open_engine(), args.file, default_user())
    except BackupError as exc:
        return _refuse(args, str(exc), out, err)
    return _report(args, f"Đã khôi phục bản sao lưu «{summary.path}».", summary, out)


def _refuse(args: argparse.Namespace, message: str, out: TextIO, err: TextIO) -> int:
    if args.json:
        print_json({"ok": False, "message": message}, out)
    else:
        err.write(message + "\n")
    return EXIT_USAGE


def _report(args: argparse.Namespace, message: str, summary: BackupSummary, out: TextIO) -> int:
    if args.json:
        print_json({"ok": True, "message": message, **summary.as_dict()}, out)
        return EXIT_OK
    out.write(message + "\n")
    out.write(f"Phiên bản dữ liệu {summary.data_version} · lược đồ {summary.revision} · {summary.size_bytes} byte\n")
    for table, n in summary.rows.items():
        out.write(f"  {table}: {n} dòng\n")
    return EXIT_OK
