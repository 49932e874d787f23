"""``python -m loaders demo --load|--remove``: put the generated demo data into the store, or take it out."""

from __future__ import annotations

import argparse
from typing import TextIO

from loaders.cli.common import EXIT_OK, add_user_option, open_engine, registry
from loaders.demo.loading import load_demo, remove_demo
from loaders.ingest.history import list_imports


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demo`` to the ``python -m loaders`` parser."""
    p = sub.add_parser("demo", help="Nạp hoặc xóa dữ liệu mẫu")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--load", action="store_true", help="Nạp (thay) dữ liệu mẫu")
    group.add_argument("--remove", action="store_true", help="Xóa toàn bộ dữ liệu mẫu")
    p.add_argument(
        "--if-empty", action="store_true", help="Với --load: chỉ nạp khi kho chưa có lần nhập nào (dùng khi cài đặt)"
    )
    add_user_option(p)
    p.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Load (replace) or remove the demo data; ``--if-empty`` loads only into a store without imports."""
    engine = open_engine()
    if args.remove:
        n = remove_demo(engine, args.user)
        out.write(f"Đã xóa dữ liệu mẫu ({n} lần nhập).\n" if n else "Không có dữ liệu mẫu.\n")
        return EXIT_OK
    if args.if_empty and not list_imports(engine).empty:
        out.write("Kho đã có dữ liệu; không nạp dữ liệu mẫu.\n")
        return EXIT_OK
    outcomes = load_demo(engine, args.user, registry=registry())
    for dataset, outcome in outcomes.items():
        out.write(f"{dataset}: {outcome.written} dòng mẫu (lần nhập số {outcome.import_id})\n")
    return EXIT_OK
