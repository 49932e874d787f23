"""``python -m loaders resolve``: resolve commune references (old or new codes and names) with the registry.

One query prints one answer, with the stage of the resolver that found it
(the code, the name as written, a cell joining commune and former district,
an outdated unit type, or the ``vietnamadminunits`` parser); ``--file`` resolves a CSV column ``query`` (with
an optional ``on`` date per row) and prints one CSV row per input. Exit
:data:`~loaders.cli.common.EXIT_REJECTED` when any reference stays unresolved.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any, TextIO

import pandas as pd

from loaders.cli.common import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, print_json, registry
from loaders.core import domain
from loaders.core.i18n import format_date
from loaders.geo.resolve import (
    STAGE_CODE,
    STAGE_JOINED,
    STAGE_LIBRARY,
    STAGE_NAME,
    STAGE_OLD_TYPE,
    STATUS_RESOLVED,
)

_RESOLVE_CSV_COLUMNS = [
    "input",
    "on",
    "status",
    "vintage",
    "legacy_code",
    "legacy_name",
    "district_code",
    "district_name",
    "code",
    "name",
    "split",
    "candidates",
    "message",
    "stage",
]


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``resolve`` to the ``python -m loaders`` parser."""
    p = sub.add_parser("resolve", help="Tra cứu xã/phường theo mã hoặc tên (cũ hoặc mới)")
    p.add_argument("query", nargs="?", help='Ví dụ: "Xã Kỳ Tân, Huyện Kỳ Anh" hoặc 18814')
    p.add_argument("--file", help="Tệp CSV có cột 'query' (và cột 'on' tùy chọn); mỗi dòng cho một kết quả")
    p.add_argument("--on", help="Ngày của bản ghi (YYYY-MM-DD); trước 01/7/2025 là đơn vị cũ")
    p.add_argument("--vintage", choices=list(domain.VINTAGES), help="Hệ đơn vị của tên (ghi đè --on)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=run_resolve)


def _parse_day(text: str) -> date:
    return date.fromisoformat(text.strip())


def run_resolve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Resolve ``args.query`` or every row of ``args.file``; return the exit status."""
    if (args.query is None) == (args.file is None):
        err.write("Cần đúng một trong hai: một chuỗi tra cứu hoặc --file.\n")
        return EXIT_USAGE
    try:
        on = _parse_day(args.on) if args.on else None
    except ValueError:
        err.write(f"Ngày --on «{args.on}» không hợp lệ; dùng dạng YYYY-MM-DD.\n")
        return EXIT_USAGE
    if args.query is not None:
        result = registry().resolve(args.query, on=on, vintage=args.vintage).to_dict()
        if args.json:
            print_json(result, out)
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
    reg = registry()
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
            memo[k] = reg.resolve(row["query"], on=row_on, vintage=args.vintage).to_dict()
        results.append({**memo[k], "on": row_on.isoformat() if row_on else None})
    if args.json:
        print_json(results, out)
    else:
        flat = pd.DataFrame(
            [
                {
                    **r,
                    "candidates": "; ".join(_candidate_text(c) for c in r["candidates"])
                    if r["status"] != STATUS_RESOLVED or r["split"]
                    else "",
                }
                for r in results
            ],
            columns=_RESOLVE_CSV_COLUMNS,
        )
        flat.to_csv(out, index=False, lineterminator="\n")
    return EXIT_OK if all(r["status"] == STATUS_RESOLVED for r in results) else EXIT_REJECTED


_STAGE_TEXT = {
    STAGE_CODE: "theo mã",
    STAGE_NAME: "theo tên",
    STAGE_JOINED: "tách tên xã và huyện cũ",
    STAGE_OLD_TYPE: "loại đơn vị cũ",
    STAGE_LIBRARY: "gói vietnamadminunits",
}


def _candidate_text(c: dict[str, Any]) -> str:
    if c.get("legacy_code"):
        return f"{c.get('legacy_name')} ({c.get('legacy_code')}) -> {c.get('name')} ({c.get('code')})"
    return f"{c.get('name')} ({c.get('code')})"


def _describe(r: dict[str, Any]) -> str:
    if r["status"] == STATUS_RESOLVED:
        text = f"{r['input']} → {r['name']} (mã {r['code']}, đơn vị từ {format_date(domain.REFORM_DATE)})"
        if r["legacy_code"]:
            text += f"; đơn vị cũ: {r['legacy_name']} (mã {r['legacy_code']}, {r['district_name']})"
        text += f" [{_STAGE_TEXT.get(r.get('stage'), r.get('stage'))}]"
        if r.get("message"):
            text += f"\n  {r['message']}"
        return text
    lines = [f"{r['input']}: {r['message'] or r['status']}"]
    lines += [f"  - {_candidate_text(c)}" for c in r["candidates"]]
    return "\n".join(lines)
