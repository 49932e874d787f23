"""Time the printable exports with the demo data: map PNG, map PDF and the one-page briefing.

What is timed is what a click on a download button runs (ui/parts/printing.py): build
the figure from cached indicators and display layers, then render it; for the
briefing, also the unit summary, the priority ranking, the small map and the PDF.
The display layers are loaded, simplified and projected once beforehand, as the
cache layer does. The first (cold) run, which pays for imports and font loading,
is reported apart from the median of the following runs.

Budget: a map export (PNG or PDF) takes at most 3 s (median). Exit code 1 when exceeded.

Usage::

    python bench/export_speed.py [--runs 5] [--json bench/out/export_speed.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

from analysis import briefing, briefing_pdf, priority
from analysis import indicators as ind
from loaders.core import domain
from loaders.demo.loading import load_demo
from loaders.geo import boundaries
from loaders.geo.loading import load_registry
from loaders.geo.schema import boundaries_installed
from loaders.store import db, reads
from maps import print_views, printable

BUDGET_S = 3.0
_ROLES = ("communes_2025", "communes_legacy", "districts_legacy", "border_laos", "coastline", "economic_zones")


def _timed(func: Callable[[], bytes], runs: int) -> dict[str, float]:
    """Wall and CPU seconds of one cold run and ``runs`` warm runs (CPU time shows the cost on a busy machine)."""
    wall, cpu, size = [], [], 0
    for _ in range(runs + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        size = len(func())
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {
        "cold_s": round(wall[0], 3),
        "median_s": round(statistics.median(wall[1:]), 3),
        "max_s": round(max(wall[1:]), 3),
        "median_cpu_s": round(statistics.median(cpu[1:]), 3),
        "bytes": size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the cold one (median reported)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    if not boundaries_installed():
        print("boundary files are not installed: run `python -m loaders boundaries install` first")
        return 2
    registry = load_registry()
    layers = printable.project_layers({role: boundaries.load_display_geometry(role) for role in _ROLES})
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.get_engine(f"sqlite:///{tmp}/bench.db")
        load_demo(engine, user="bench", registry=registry)
        data = ind.Datasets(
            *(
                reads.load_dataset(engine, d)
                for d in (domain.DATASET_MODELS, domain.DATASET_INCIDENTS, domain.DATASET_RECOGNITIONS)
            )
        )
        engine.dispose()
    filters = ind.Filters(ind.Period(date(2025, 1, 1), date(2025, 6, 30)))
    indicators = ind.compute_indicators(data, registry, filters)
    province_summary = ind.summarise(indicators, data, filters)
    sheet = printable.PrintSheet(
        title="Mô hình hoạt động / 10.000 dân – tỉnh Hà Tĩnh",
        subtitle="Kỳ: 01/01/2025 – 30/6/2025 · Huyện, thị xã, thành phố (cũ): Tất cả",
        demo=True,
        lang="vi",
    )
    options = {
        "level": domain.VINTAGE_2025,
        "sheet": sheet,
        "data_version": 1,
        "exported_at": "2026-01-01T00:00:00+07:00",
    }

    def map_export(fmt: str) -> Callable[[], bytes]:
        def run() -> bytes:
            figure = print_views.build_indicator_print_map(indicators, "models_per_10k", layers, **options)
            return printable.render_print_map(figure, fmt)

        return run

    def briefing_export(kind: str, unit: str) -> Callable[[], bytes]:
        if kind == briefing.UNIT_COMMUNE:
            name, codes = registry.communes.at[unit, "name"], [unit]
        else:
            name, codes = registry.districts.at[unit, "name"], registry.communes_in_districts([unit])

        def run() -> bytes:
            members = indicators.index.intersection(codes)
            unit_summary = ind.summarise(indicators.loc[members], data, filters)
            ranking = priority.priority_scores(indicators, data, registry, filters, priority.DEFAULT_WEIGHTS)
            content = briefing.build_briefing(
                briefing.BriefingUnit(name=name, kind=kind, codes=codes),
                briefing.BriefingSources(
                    indicators=indicators, unit_summary=unit_summary, province_summary=province_summary, ranking=ranking
                ),
                briefing.BriefingStamp(
                    period="01/01/2025 – 30/06/2025",
                    context=[("Huyện, thị xã, thành phố (cũ)", "Tất cả")],
                    demo=True,
                    data_version=1,
                    exported_at="2026-01-01T00:00:00+07:00",
                ),
            )
            figure = print_views.build_indicator_print_map(
                indicators,
                "models_per_10k",
                layers,
                level=domain.VINTAGE_2025,
                sheet=printable.PrintSheet(title="", subtitle="", demo=True, lang="vi", compact=True),
                highlight=tuple(codes),
            )
            return briefing_pdf.build_briefing_pdf(content, printable.render_print_map(figure, "png", dpi=110))

        return run

    commune = registry.communes.index[0]
    district = registry.districts.index[0]
    results = {
        "map_png": _timed(map_export("png"), args.runs),
        "map_pdf": _timed(map_export("pdf"), args.runs),
        "briefing_commune": _timed(briefing_export(briefing.UNIT_COMMUNE, commune), args.runs),
        "briefing_district": _timed(briefing_export(briefing.UNIT_DISTRICT, district), args.runs),
    }
    print(f"{'export':<20}{'cold s':>9}{'median s':>10}{'max s':>8}{'CPU s':>8}{'KB':>8}")
    for name, row in results.items():
        print(
            f"{name:<20}{row['cold_s']:>9.2f}{row['median_s']:>10.2f}{row['max_s']:>8.2f}"
            f"{row['median_cpu_s']:>8.2f}{row['bytes'] / 1000:>8.0f}"
        )
    over = [n for n in ("map_png", "map_pdf") if results[n]["median_s"] > BUDGET_S]
    print(f"budget {BUDGET_S:.0f} s per map export: {'exceeded by ' + ', '.join(over) if over else 'met'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": args.runs, "budget_s": BUDGET_S, "results": results}, indent=2))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
