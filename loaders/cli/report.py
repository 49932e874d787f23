"""``python -m loaders report``: the periodic report (báo cáo định kỳ) as JSON, Word, PDF or Excel.

Examples::

    python -m loaders report --period official-year:2025 --format docx --out bao_cao.docx
    python -m loaders report --from 2025-01-01 --to 2025-06-30 --compare previous --unit district:436
    python -m loaders report --unit 18073 --format json

The figures are :mod:`analysis.report`'s, the same as the page's. The command
runs with the rights of the person at the terminal, needs no account, and is
audited as ``cli:<login name>`` (action ``export``). Bad usage exits with
:data:`~loaders.cli.common.EXIT_USAGE` and a Vietnamese message.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from analysis import indicators as ind
from analysis import report
from analysis.report_text import ReportStamp, last_update
from loaders.accounts import audit
from loaders.cli.common import EXIT_OK, EXIT_USAGE, default_user, open_engine, print_json, registry
from loaders.cli.periods import PeriodUsageError, add_period_arguments, period_from_args
from loaders.core.clock import format_datetime, vietnam_now
from loaders.focus import hot_spots
from loaders.geo import boundaries
from loaders.geo.schema import boundaries_installed
from loaders.ingest.history import list_imports
from loaders.store import db, reads
from maps import printable
from maps.report_map import build_report_map_png

FORMATS: tuple[str, ...] = ("json", "docx", "pdf", "xlsx")
#: Audit action of a report written by the command (the page's downloads use the same).
ACTION = "export"


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` to the ``python -m loaders`` parser."""
    p = sub.add_parser("report", help="Báo cáo định kỳ: JSON, Word (docx), PDF hoặc Excel (xlsx)")
    add_period_arguments(p)
    p.add_argument(
        "--unit",
        default=report.UNIT_PROVINCE,
        help="province (mặc định), mã xã, phường 2025, hoặc district:<mã huyện cũ>",
    )
    p.add_argument("--format", dest="fmt", default="json", help="json (in ra màn hình), docx, pdf hoặc xlsx")
    p.add_argument("--out", metavar="FILE", help="Tệp kết quả (bắt buộc với docx, pdf, xlsx)")
    p.add_argument(
        "--threshold",
        type=float,
        default=report.DEFAULT_COVERAGE_THRESHOLD * 100,
        help="Ngưỡng tỷ lệ thôn, tổ dân phố có mô hình (%%) để liệt kê xã, phường; mặc định 80",
    )
    p.add_argument("--lang", default="vi", choices=["vi", "en"], help="Ngôn ngữ của tài liệu; mặc định vi")
    p.set_defaults(handler=run_report)


class UsageError(ValueError):
    """Bad usage, with the Vietnamese message the terminal shows."""


def _request(args: argparse.Namespace) -> report.ReportRequest:
    if args.fmt not in FORMATS:
        raise UsageError(f"--format không hợp lệ: {args.fmt!r}. Dùng: {', '.join(FORMATS)}.")
    if args.fmt != "json" and not args.out:
        raise UsageError(f"Định dạng {args.fmt} cần --out TỆP, ví dụ --out bao_cao.{args.fmt}.")
    if not 0 <= args.threshold <= 100:
        raise UsageError(f"--threshold phải từ 0 đến 100 (%), không phải {args.threshold:g}.")
    try:
        period, compare = period_from_args(args)
    except PeriodUsageError as exc:
        raise UsageError(str(exc)) from None
    report.parse_unit(args.unit, registry())  # a bad unit is bad usage, before anything is read
    return report.ReportRequest(
        period=period, compare=compare, unit=args.unit.strip(), coverage_threshold=args.threshold / 100
    )


def load_report(request: report.ReportRequest) -> tuple[report.Report, int]:
    """The report of ``request`` from the store, and the data version it was read at."""
    engine = open_engine()
    loaded = reads.refresh_datasets(engine)
    data = ind.Datasets.from_store(loaded, reads.load_reports(engine))
    with engine.connect() as conn:
        demo = reads.has_demo(conn) and reads.demo_only(conn)
    spots = hot_spots.codes_for_year(hot_spots.load_lists(engine), request.period.end.year)
    request = replace(request, hot_spots=spots)
    return report.build_report(data, registry(), request, demo=demo), db.data_version(engine)


def _map_png(built: report.Report, lang: str) -> bytes | None:
    if not boundaries_installed():
        return None
    layers = printable.project_layers({"communes_2025": boundaries.load_display_geometry("communes_2025")})
    return build_report_map_png(built, layers, lang)


def document(built: report.Report, fmt: str, stamp: ReportStamp) -> bytes:
    """The report as a ``docx``, ``pdf`` or ``xlsx`` file."""
    from analysis import report_docx, report_pdf, report_xlsx

    builders = {
        "docx": report_docx.build_report_docx,
        "pdf": report_pdf.build_report_pdf,
        "xlsx": report_xlsx.build_report_xlsx,
    }
    return builders[fmt](built, stamp)


def run_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Build the report and print it (json) or write it to ``--out``."""
    try:
        request = _request(args)
    except ValueError as exc:
        err.write(f"{exc}\n")
        return EXIT_USAGE
    built, version = load_report(request)
    detail = {
        "format": args.fmt,
        "unit": request.unit,
        "from": request.period.start.isoformat(),
        "to": request.period.end.isoformat(),
        "compare": request.compare,
    }
    if args.fmt == "json":
        payload = built.figures
    else:
        stamp = ReportStamp(
            lang=args.lang,
            data_version=version,
            generated_at=format_datetime(vietnam_now()),
            data_updated_at=last_update(list_imports(open_engine())),
            map_png=_map_png(built, args.lang) if args.fmt != "xlsx" else None,
        )
        content = document(built, args.fmt, stamp)
        target = Path(args.out)
        try:
            target.write_bytes(content)
        except OSError as exc:
            err.write(f"Không ghi được tệp «{target}»: {exc.strerror or exc}.\n")
            return EXIT_USAGE
        detail["file"] = target.name
    with open_engine().begin() as conn:
        audit.record_event(conn, default_user(), ACTION, json.dumps({"report": detail}, ensure_ascii=False))
    if args.fmt == "json":
        print_json(payload, out)
    else:
        out.write(f"Đã ghi báo cáo vào «{args.out}».\n")
    return EXIT_OK
