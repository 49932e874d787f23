"""Time the periodic report of the whole province with the demo data: figures, tables and each document.

What is timed is what the page and ``python -m loaders report`` run: the report's
figures and tables (``analysis.report.build_report``) for the official year 2025
over the 69 communes, then each document built from them (Word, PDF, Excel), and
the coverage map (PNG) the Word and PDF files carry. The datasets are read once
beforehand, as the cache layer does; display layers are loaded and projected once.
One cold run (imports, fonts), then the median of the following runs.

Budget: a province report (figures and tables, its map and the Word document) in
at most 3 s, median CPU time: on this shared 2-core machine wall time mostly
measures the other processes. Exit code 1 when exceeded.

Usage::

    python bench/report.py [--runs 5] [--json bench/out/report.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

from analysis import indicators as ind
from analysis import report, report_docx, report_pdf, report_xlsx
from analysis.periods import parse_period_spec
from analysis.report_text import ReportStamp
from loaders.demo.loading import load_demo
from loaders.geo import boundaries
from loaders.geo.loading import load_registry
from loaders.geo.schema import boundaries_installed
from loaders.store import db, reads
from maps import printable
from maps.report_map import build_report_map_png

BUDGET_S = 3.0


def _timed(func: Callable[[], object], runs: int) -> dict[str, float]:
    wall, cpu = [], []
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "cold_s": round(wall[0], 3),
        "median_s": round(statistics.median(wall[1:]), 3),
        "median_cpu_s": round(statistics.median(cpu[1:]), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the cold one (median reported)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    registry = load_registry()
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.get_engine(f"sqlite:///{tmp}/bench.db")
        load_demo(engine, user="bench", registry=registry)
        loaded = reads.refresh_datasets(engine)
        data = ind.Datasets.from_store(loaded, reads.load_reports(engine))
        engine.dispose()
    layers = None
    if boundaries_installed():
        layers = printable.project_layers({"communes_2025": boundaries.load_display_geometry("communes_2025")})
    request = report.ReportRequest(parse_period_spec("official-year:2025"))
    built = report.build_report(data, registry, request, demo=True)
    stamp = ReportStamp(lang="vi", data_version=1, generated_at="01/01/2026 08:00")

    def whole() -> bytes:
        fresh = report.build_report(data, registry, request, demo=True)
        map_png = build_report_map_png(fresh, layers) if layers is not None else None
        return report_docx.build_report_docx(fresh, ReportStamp(lang="vi", data_version=1, map_png=map_png))

    results = {
        "figures_and_tables": _timed(lambda: report.build_report(data, registry, request, demo=True), args.runs),
        "coverage_map_png": _timed(lambda: build_report_map_png(built, layers) if layers else b"", args.runs),
        "docx": _timed(lambda: report_docx.build_report_docx(built, stamp), args.runs),
        "pdf": _timed(lambda: report_pdf.build_report_pdf(built, stamp), args.runs),
        "xlsx": _timed(lambda: report_xlsx.build_report_xlsx(built, stamp), args.runs),
        "province_report_docx": _timed(whole, args.runs),
    }
    print(f"{'step':<24}{'cold s':>9}{'median s':>10}{'CPU s':>8}")
    for name, row in results.items():
        print(f"{name:<24}{row['cold_s']:>9.2f}{row['median_s']:>10.2f}{row['median_cpu_s']:>8.2f}")
    over = results["province_report_docx"]["median_cpu_s"] > BUDGET_S
    print(f"budget {BUDGET_S:.0f} s CPU for a province report: {'exceeded' if over else 'met'}")
    if layers is None:
        print("boundary files are not installed: the map was not drawn")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": args.runs, "budget_s": BUDGET_S, "results": results}, indent=2))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
