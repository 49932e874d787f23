"""Command line for scheduled and batch work: ``python -m loaders <command>``.

Commands
--------
``import``    validate a file and commit it (or ``--dry-run``)
``imports``   the import history
``rollback``  undo one import
``demo``      ``--load`` or ``--remove`` the demo data
``resolve``   resolve commune references with the registry

The commands are thin: everything they do goes through
:mod:`loaders.ingest.importer` (the same code path as the upload page) or the
registry. The database named by ``DATABASE_URL`` (default: the SQLite file in
the data folder) is created and migrated on first use.

Exit status: 0 success; 1 rows rejected, a refused file, an unresolved
reference or a refused rollback; 2 an unreadable file or bad usage.

To add a command, write ``_add_<name>(subparsers)`` that registers a
subparser with ``set_defaults(handler=...)`` and append it to
:data:`REGISTRARS` (for example ``users add|set-role|disable|list``).
"""

from __future__ import annotations

import argparse
import functools
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TextIO

import pandas as pd

from loaders.core import domain

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_USAGE = 2

#: Errors printed to the terminal without --json (all of them are in --json).
_MAX_ERRORS_SHOWN = 50


def _default_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _engine():  # noqa: ANN202 - Engine
    from loaders.store import engine as store

    return store.get_engine()


@functools.lru_cache(maxsize=1)
def _registry():  # noqa: ANN202 - Registry
    # Built once per process: in-process callers (tests, a scheduler) run many commands.
    from loaders.geo.registry import load_registry

    return load_registry()


@functools.lru_cache(maxsize=1)
def _province_polygon():  # noqa: ANN202 - shapely geometry or None
    from loaders.ingest import importer

    return importer.load_province_polygon()


def _print_json(obj: Any, out: TextIO) -> None:
    out.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


# --------------------------------------------------------------------- import
def _add_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="Nhập một tệp CSV/XLSX vào kho dữ liệu")
    p.add_argument("--dataset", required=True, choices=["models", "incidents", "recognitions"])
    p.add_argument("file", metavar="FILE")
    p.add_argument("--sheet", help="Trang tính (XLSX); mặc định trang đầu")
    p.add_argument("--map", action="append", default=[], metavar='"Cột trong file=ten_cot_chuan"',
                   help="Ánh xạ cột; lặp lại cho nhiều cột")
    p.add_argument("--vintage", choices=list(domain.VINTAGES),
                   help="Hệ đơn vị hành chính của tên xã khi còn mơ hồ (mô hình); mặc định 2025")
    p.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
    p.add_argument("--valid-only", action="store_true", help="Ghi các dòng hợp lệ dù có dòng bị từ chối")
    p.add_argument("--force", action="store_true", help="Nhập cả khi tệp này đã được nhập")
    p.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
    p.add_argument("--user", default=_default_user(), help="Tên người nhập ghi vào lịch sử")
    p.set_defaults(handler=_run_import)


def _run_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from loaders.ingest import importer
    from loaders.ingest.datasets import ImportDataError, parse_mapping

    from loaders.ingest import reading
    from loaders.core.i18n import translate

    try:
        # Refuse an oversized file before reading it into memory, with the reader's own message.
        size = os.path.getsize(args.file)
        if size > reading.MAX_UPLOAD_BYTES:
            message = translate("import.error.too_large", file=os.path.basename(args.file),
                                size_mb=-(-size // 2**20), limit_mb=reading.MAX_UPLOAD_BYTES // 2**20)
            return _fail_usage(args, message, err, out, reason="unreadable")
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return _fail_usage(args, f"Không mở được tệp «{args.file}»: {exc.strerror}", err, out, reason="unreadable")
    try:
        mapping = parse_mapping(args.map)
        engine = _engine()
        preview = importer.preview_import(
            engine, args.dataset, data, args.file, sheet=args.sheet, mapping=mapping, vintage=args.vintage,
            registry=_registry(), province_polygon=_province_polygon(), user=args.user,
        )
    except importer.ImportRefused as exc:
        return _fail_usage(args, str(exc), err, out, reason=exc.reason)
    except ImportDataError as exc:  # bad mapping, unknown sheet
        return _fail_usage(args, str(exc), err, out, reason="usage")

    summary: dict[str, Any] = {
        "dataset": args.dataset, "file": args.file, "rows": preview.rows_read, "accepted": preview.n_accepted,
        "rejected": preview.n_rejected, "import_id": None, "dry_run": args.dry_run, "committed": False,
        "duplicate_of": preview.duplicate_of, "ignored_columns": preview.ignored_columns,
        "missing_columns": preview.missing_columns, "totals_rows": preview.totals_rows,
        "errors": importer.errors_to_records(preview.errors),
        "warnings": importer.errors_to_records(preview.warnings) if len(preview.warnings) else [],
    }
    if args.dry_run:
        refused = preview.duplicate_of is not None and not args.force
        status = EXIT_REJECTED if (preview.n_rejected or preview.needs_mapping or refused) else EXIT_OK
        summary["message"] = ("Kiểm tra xong, không ghi gì (--dry-run)." if not refused else
                              importer.duplicate_message(preview.duplicate_of))
        return _report(args, summary, status, out)
    try:
        outcome = importer.commit_import(engine, preview, valid_only=args.valid_only, force=args.force,
                                         user=args.user)
    except importer.ImportRefused as exc:
        summary.update(message=str(exc), refused=exc.reason)
        return _report(args, summary, EXIT_REJECTED, out)
    summary.update(import_id=outcome.import_id, committed=outcome.committed, written=outcome.written,
                   message=outcome.message)
    status = EXIT_REJECTED if (preview.n_rejected or not outcome.committed) else EXIT_OK
    return _report(args, summary, status, out)


def _fail_usage(args: argparse.Namespace, message: str, err: TextIO, out: TextIO, reason: str) -> int:
    status = EXIT_USAGE if reason in ("unreadable", "usage") else EXIT_REJECTED
    if getattr(args, "json", False):
        _print_json({"dataset": getattr(args, "dataset", None), "rows": 0, "accepted": 0, "rejected": 0,
                     "import_id": None, "duplicate_of": None, "errors": [], "refused": reason, "message": message},
                    out)
    else:
        err.write(message + "\n")
    return status


def _report(args: argparse.Namespace, summary: dict[str, Any], status: int, out: TextIO) -> int:
    if args.json:
        _print_json(summary, out)
        return status
    out.write(f"{summary['message']}\n")
    out.write(f"Bộ dữ liệu: {summary['dataset']} · đọc {summary['rows']} dòng · hợp lệ {summary['accepted']} · "
              f"bị từ chối {summary['rejected']}")
    out.write(f" · lần nhập số {summary['import_id']}\n" if summary["import_id"] is not None else "\n")
    if summary["ignored_columns"]:
        out.write("Cột bỏ qua: " + ", ".join(summary["ignored_columns"]) + "\n")
    if summary["totals_rows"]:
        out.write("Dòng tổng cộng bỏ qua: " + ", ".join(map(str, summary["totals_rows"])) + "\n")
    errors = summary["errors"]
    for e in errors[:_MAX_ERRORS_SHOWN]:
        out.write(f"  dòng {e['row']}, cột «{e['column']}», giá trị «{e['value'] or ''}»: {e['message']}\n")
    if len(errors) > _MAX_ERRORS_SHOWN:
        out.write(f"  … và {len(errors) - _MAX_ERRORS_SHOWN} lỗi khác (dùng --json để xem tất cả)\n")
    return status


# -------------------------------------------------------------------- imports
def _add_imports(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("imports", help="Lịch sử các lần nhập")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_run_imports)


def _run_imports(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from loaders.ingest import importer

    frame = importer.list_imports(_engine())
    if args.json:
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        _print_json(records, out)
        return EXIT_OK
    if frame.empty:
        out.write("Chưa có lần nhập nào.\n")
        return EXIT_OK
    cols = ["id", "dataset", "file_name", "user_name", "created_at", "rows_read", "rows_accepted", "rows_rejected",
            "is_demo", "status"]
    out.write(frame[cols].to_string(index=False) + "\n")
    return EXIT_OK


# ------------------------------------------------------------------- rollback
def _add_rollback(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rollback", help="Hoàn tác một lần nhập")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    p.add_argument("--user", default=_default_user())
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_run_rollback)


def _run_rollback(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from loaders.ingest import importer

    try:
        deleted = importer.rollback_import(_engine(), args.import_id, args.user)
    except importer.RollbackError as exc:
        if args.json:
            _print_json({"import_id": args.import_id, "rolled_back": False, "message": str(exc)}, out)
        else:
            err.write(str(exc) + "\n")
        return EXIT_REJECTED
    message = f"Đã hoàn tác lần nhập số {args.import_id}: xóa {deleted} dòng."
    if args.json:
        _print_json({"import_id": args.import_id, "rolled_back": True, "deleted": deleted, "message": message}, out)
    else:
        out.write(message + "\n")
    return EXIT_OK


# ----------------------------------------------------------------------- demo
def _add_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="Nạp hoặc xóa dữ liệu mẫu")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--load", action="store_true", help="Nạp (thay) dữ liệu mẫu")
    group.add_argument("--remove", action="store_true", help="Xóa toàn bộ dữ liệu mẫu")
    p.add_argument("--if-empty", action="store_true",
                   help="Với --load: chỉ nạp khi kho chưa có lần nhập nào (dùng khi cài đặt)")
    p.add_argument("--user", default=_default_user())
    p.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from loaders.ingest import importer

    engine = _engine()
    if args.remove:
        n = importer.remove_demo(engine, args.user)
        out.write(f"Đã xóa dữ liệu mẫu ({n} lần nhập).\n" if n else "Không có dữ liệu mẫu.\n")
        return EXIT_OK
    if args.if_empty and not importer.list_imports(engine).empty:
        out.write("Kho đã có dữ liệu; không nạp dữ liệu mẫu.\n")
        return EXIT_OK
    outcomes = importer.load_demo(engine, args.user, registry=_registry())
    for dataset, outcome in outcomes.items():
        out.write(f"{dataset}: {outcome.written} dòng mẫu (lần nhập số {outcome.import_id})\n")
    return EXIT_OK


# -------------------------------------------------------------------- resolve
_RESOLVE_CSV_COLUMNS = ["input", "on", "status", "vintage", "legacy_code", "legacy_name", "district_code",
                        "district_name", "code", "name", "split", "candidates", "message"]


def _add_resolve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resolve", help="Tra cứu xã/phường theo mã hoặc tên (cũ hoặc mới)")
    p.add_argument("query", nargs="?", help='Ví dụ: "Xã Kỳ Tân, Huyện Kỳ Anh" hoặc 18814')
    p.add_argument("--file", help="Tệp CSV có cột 'query' (và cột 'on' tùy chọn); mỗi dòng cho một kết quả")
    p.add_argument("--on", help="Ngày của bản ghi (YYYY-MM-DD); trước 01/07/2025 là đơn vị cũ")
    p.add_argument("--vintage", choices=list(domain.VINTAGES), help="Hệ đơn vị của tên (ghi đè --on)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_run_resolve)


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())


def _run_resolve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from loaders.geo.registry import STATUS_RESOLVED

    if (args.query is None) == (args.file is None):
        err.write("Cần đúng một trong hai: một chuỗi tra cứu hoặc --file.\n")
        return EXIT_USAGE
    try:
        on = _parse_day(args.on) if args.on else None
    except ValueError:
        err.write(f"Ngày --on «{args.on}» không hợp lệ; dùng dạng YYYY-MM-DD.\n")
        return EXIT_USAGE
    if args.query is not None:
        registry = _registry()
        result = registry.resolve(args.query, on=on, vintage=args.vintage).to_dict()
        if args.json:
            _print_json(result, out)
        else:
            out.write(_describe(result) + "\n")
        return EXIT_OK if result["status"] == STATUS_RESOLVED else EXIT_REJECTED
    try:
        queries = pd.read_csv(args.file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        err.write(f"Không đọc được tệp «{args.file}»: {exc}\n")
        return EXIT_USAGE
    if "query" not in queries.columns:
        err.write(f"Tệp «{args.file}» cần cột 'query'.\n")
        return EXIT_USAGE
    registry = _registry()
    results: list[dict[str, Any]] = []
    memo: dict[tuple[str, date | None], dict[str, Any]] = {}
    for i, row in enumerate(queries.to_dict("records"), start=2):
        row_on = on
        if row.get("on", "").strip():
            try:
                row_on = _parse_day(row["on"])
            except ValueError:
                err.write(f"Dòng {i}: ngày «{row['on']}» không hợp lệ; dùng dạng YYYY-MM-DD.\n")
                return EXIT_USAGE
        k = (row["query"], row_on)
        if k not in memo:
            memo[k] = registry.resolve(row["query"], on=row_on, vintage=args.vintage).to_dict()
        results.append({**memo[k], "on": row_on.isoformat() if row_on else None})
    if args.json:
        _print_json(results, out)
    else:
        flat = pd.DataFrame([{**r, "candidates": "; ".join(_candidate_text(c) for c in r["candidates"])
                              if r["status"] != STATUS_RESOLVED or r["split"] else ""}
                             for r in results], columns=_RESOLVE_CSV_COLUMNS)
        flat.to_csv(out, index=False, lineterminator="\n")
    return EXIT_OK if all(r["status"] == STATUS_RESOLVED for r in results) else EXIT_REJECTED


def _candidate_text(c: dict[str, Any]) -> str:
    if c.get("legacy_code"):
        return f"{c.get('legacy_name')} ({c.get('legacy_code')}) -> {c.get('name')} ({c.get('code')})"
    return f"{c.get('name')} ({c.get('code')})"


def _describe(r: dict[str, Any]) -> str:
    if r["status"] == "resolved":
        text = f"{r['input']} → {r['name']} (mã {r['code']}, đơn vị từ 01/07/2025)"
        if r["legacy_code"]:
            text += f"; đơn vị cũ: {r['legacy_name']} (mã {r['legacy_code']}, {r['district_name']})"
        if r.get("message"):
            text += f"\n  {r['message']}"
        return text
    lines = [f"{r['input']}: {r['message'] or r['status']}"]
    lines += [f"  - {_candidate_text(c)}" for c in r["candidates"]]
    return "\n".join(lines)


# ----------------------------------------------------------------------- main
#: Subcommand registrars, in help order. Add new commands here.
REGISTRARS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_import, _add_imports, _add_rollback, _add_demo, _add_resolve,
]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="python -m loaders",
                                     description="Nhập dữ liệu, lịch sử, hoàn tác, dữ liệu mẫu và tra cứu xã/phường.")
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
        store = sys.modules.get("loaders.store.engine")
        if store is not None:
            store.wait_for_checkpoints()


# ---------------------------------------------------------------------- users
def _add_users(sub: argparse._SubParsersAction) -> None:
    # The users commands live with the accounts they manage (loaders.accounts.auth).
    from loaders.accounts import auth

    auth.add_cli_commands(sub, _default_user())


REGISTRARS.append(_add_users)
