"""``python -m loaders import|imports|rollback``: commit a file, list the import history, undo one import.

The commands are thin: they go through :mod:`loaders.ingest.preview` and :mod:`loaders.ingest.commit`, the
same code path as the upload page.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

import pandas as pd

from loaders.cli.common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    add_user_option,
    open_engine,
    print_json,
    province_polygon,
    registry,
)
from loaders.core import domain
from loaders.core.clock import format_datetime
from loaders.ingest.commit import commit_import
from loaders.ingest.datasets import ImportDataError
from loaders.ingest.duplicates import duplicate_message
from loaders.ingest.guess import better_dataset
from loaders.ingest.headers import parse_mapping
from loaders.ingest.history import RollbackError, list_imports, rollback_import
from loaders.ingest.preview import ImportPreview, ImportRefused, ImportRequest, preview_import
from loaders.ingest.rawtable import UnreadableFileError
from loaders.ingest.reading import check_upload_size
from loaders.ingest.reporting import ALL_COMMUNES, ReportScope, ReportScopeError, describe, parse_scope, reported_pairs
from loaders.ingest.reports import errors_to_records

#: Errors printed to the terminal without --json (all of them are in --json).
_MAX_ERRORS_SHOWN = 50


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``import``, ``imports`` and ``rollback`` to the ``python -m loaders`` parser."""
    p = sub.add_parser("import", help="Nhập một tệp CSV/XLSX vào kho dữ liệu")
    p.add_argument("--dataset", required=True, choices=list(domain.DATASET_NAMES))
    p.add_argument("file", metavar="FILE")
    p.add_argument("--sheet", help="Trang tính (XLSX); mặc định trang đầu")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar='"Cột trong file=ten_cot_chuan"',
        help="Ánh xạ cột; lặp lại cho nhiều cột",
    )
    p.add_argument(
        "--vintage",
        choices=list(domain.VINTAGES),
        help="Hệ đơn vị hành chính của tên xã khi còn mơ hồ (mô hình); mặc định 2025",
    )
    p.add_argument(
        "--reports",
        metavar="TỪ:ĐẾN",
        help="Kỳ báo cáo của tệp vụ việc, ngày ISO, ví dụ 2025-01-01:2025-03-31 (tháng được tính khi kỳ phủ trọn "
        "tháng); mặc định các tháng mà các dòng trải qua",
    )
    p.add_argument(
        "--reports-communes",
        metavar=ALL_COMMUNES,
        help="«all»: tệp báo cáo cho toàn tỉnh (xã không có vụ việc nào tính là 0); mặc định các xã có trong tệp",
    )
    p.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi")
    p.add_argument("--valid-only", action="store_true", help="Ghi các dòng hợp lệ dù có dòng bị từ chối")
    p.add_argument("--force", action="store_true", help="Nhập cả khi tệp này đã được nhập")
    p.add_argument("--json", action="store_true", help="In kết quả dạng JSON")
    add_user_option(p, "Tên người nhập ghi vào lịch sử (sau cli:<tên đăng nhập máy>)")
    p.set_defaults(handler=run_import)

    p = sub.add_parser("imports", help="Lịch sử các lần nhập")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_imports)

    p = sub.add_parser("rollback", help="Hoàn tác một lần nhập")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    add_user_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_rollback)


def run_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Validate ``args.file`` and commit it (or only check it with ``--dry-run``); return the exit status."""
    try:
        # Refuse an oversized file before reading it into memory, with the reader's own rule and message.
        check_upload_size(os.path.getsize(args.file), args.file)
        with open(args.file, "rb") as handle:
            data = handle.read()
    except UnreadableFileError as exc:
        return _fail_usage(args, str(exc), err, out, reason="unreadable")
    except OSError as exc:
        return _fail_usage(args, f"Không mở được tệp «{args.file}»: {exc.strerror}", err, out, reason="unreadable")
    try:
        scope = _report_scope(args)
    except ReportScopeError as exc:
        return _fail_usage(args, str(exc), err, out, reason="usage")
    try:
        mapping = parse_mapping(args.map)
        engine = open_engine()
        request = ImportRequest(
            dataset=args.dataset,
            data=data,
            file_name=args.file,
            user=args.user,
            sheet=args.sheet,
            mapping=mapping,
            vintage=args.vintage,
        )
        preview = preview_import(engine, request, registry=registry(), province_polygon=province_polygon())
    except ImportRefused as exc:
        return _fail_usage(args, str(exc), err, out, reason=exc.reason)
    except ImportDataError as exc:  # bad mapping, unknown sheet
        return _fail_usage(args, str(exc), err, out, reason="usage")

    summary: dict[str, Any] = {
        "dataset": args.dataset,
        "file": args.file,
        "rows": preview.rows_read,
        "accepted": preview.n_accepted,
        "rejected": preview.n_rejected,
        "import_id": None,
        "dry_run": args.dry_run,
        "committed": False,
        "duplicate_of": preview.duplicate_of,
        "ignored_columns": preview.ignored_columns,
        "missing_columns": preview.missing_columns,
        # The dataset the headers fit when the chosen one lacks required columns (else None).
        "suggested_dataset": better_dataset(preview.source_columns, args.dataset),
        "totals_rows": preview.totals_rows,
        "errors": errors_to_records(preview.errors),
        "warnings": errors_to_records(preview.warnings) if len(preview.warnings) else [],
        "reports": _reports_of(preview, scope),
    }
    if args.dry_run:
        refused = preview.duplicate_of is not None and not args.force
        status = EXIT_REJECTED if (preview.n_rejected or preview.needs_mapping or refused) else EXIT_OK
        summary["message"] = (
            "Kiểm tra xong, không ghi gì (--dry-run)." if not refused else duplicate_message(preview.duplicate_of)
        )
        return _report(args, summary, status, out)
    try:
        outcome = commit_import(
            engine, preview, valid_only=args.valid_only, force=args.force, user=args.user, reports=scope
        )
    except ImportRefused as exc:
        summary.update(message=str(exc), refused=exc.reason)
        return _report(args, summary, EXIT_REJECTED, out)
    summary.update(
        import_id=outcome.import_id, committed=outcome.committed, written=outcome.written, message=outcome.message
    )
    if outcome.committed:
        summary["reports"] = outcome.reports
    status = EXIT_REJECTED if (preview.n_rejected or not outcome.committed) else EXIT_OK
    return _report(args, summary, status, out)


def _reports_of(preview: ImportPreview, scope: ReportScope | None) -> dict[str, Any] | None:
    """What an incidents file's valid rows would report (``None`` for other datasets or no valid row)."""
    if preview.dataset != domain.DATASET_INCIDENTS or not preview.n_accepted or preview.needs_mapping:
        return None
    rows = preview.accepted[["commune_code", "ngay"]].rename(columns={"ngay": "occurred_on"})
    return describe(reported_pairs(scope, rows))


def _report_scope(args: argparse.Namespace) -> ReportScope | None:
    """The reporting period of ``--reports`` / ``--reports-communes`` (``None`` when neither is given)."""
    if args.reports is None and args.reports_communes is None:
        return None
    if args.dataset != domain.DATASET_INCIDENTS:
        raise ReportScopeError("--reports và --reports-communes chỉ dùng cho bộ dữ liệu vụ việc (incidents).")
    return parse_scope(args.reports, args.reports_communes, registry().communes.index)


def _fail_usage(args: argparse.Namespace, message: str, err: TextIO, out: TextIO, reason: str) -> int:
    status = EXIT_USAGE if reason in ("unreadable", "usage") else EXIT_REJECTED
    if getattr(args, "json", False):
        print_json(
            {
                "dataset": getattr(args, "dataset", None),
                "rows": 0,
                "accepted": 0,
                "rejected": 0,
                "import_id": None,
                "duplicate_of": None,
                "errors": [],
                "refused": reason,
                "message": message,
            },
            out,
        )
    else:
        err.write(message + "\n")
    return status


def _report(args: argparse.Namespace, summary: dict[str, Any], status: int, out: TextIO) -> int:
    if args.json:
        print_json(summary, out)
        return status
    out.write(f"{summary['message']}\n")
    out.write(
        f"Bộ dữ liệu: {summary['dataset']} · đọc {summary['rows']} dòng · hợp lệ {summary['accepted']} · "
        f"bị từ chối {summary['rejected']}"
    )
    out.write(f" · lần nhập số {summary['import_id']}\n" if summary["import_id"] is not None else "\n")
    reports = summary.get("reports")
    if reports and reports["months"]:
        out.write(
            f"Báo cáo: {reports['months']} tháng ({reports['first_month']} – {reports['last_month']}), "
            f"{reports['communes']} xã, phường\n"
        )
    if summary.get("suggested_dataset"):
        suggested = summary["suggested_dataset"]
        out.write(f"Các cột của tệp khớp với bộ dữ liệu «{suggested}»: có lẽ cần --dataset {suggested}.\n")
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


def run_imports(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print the import history, newest first (a table, or every field with ``--json``)."""
    frame = list_imports(open_engine())
    if args.json:
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        print_json(records, out)
        return EXIT_OK
    if frame.empty:
        out.write("Chưa có lần nhập nào.\n")
        return EXIT_OK
    cols = [
        "id",
        "dataset",
        "file_name",
        "user_name",
        "created_at",
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "is_demo",
        "status",
    ]
    shown = frame[cols].copy()
    # Vietnam time, as people read it; --json keeps ISO 8601.
    shown["created_at"] = [format_datetime(v) if pd.notna(v) else "" for v in shown["created_at"]]
    out.write(shown.to_string(index=False) + "\n")
    return EXIT_OK


def run_rollback(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Undo import ``args.import_id``; exit :data:`EXIT_REJECTED` when the history refuses it."""
    try:
        deleted = rollback_import(open_engine(), args.import_id, args.user)
    except RollbackError as exc:
        if args.json:
            print_json({"import_id": args.import_id, "rolled_back": False, "message": str(exc)}, out)
        else:
            err.write(str(exc) + "\n")
        return EXIT_REJECTED
    message = f"Đã hoàn tác lần nhập số {args.import_id}: xóa {deleted} dòng."
    if args.json:
        print_json({"import_id": args.import_id, "rolled_back": True, "deleted": deleted, "message": message}, out)
    else:
        out.write(message + "\n")
    return EXIT_OK
