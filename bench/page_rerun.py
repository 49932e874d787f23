"""Server time of a page rerun after a filter change, for every page, with the demo data.

Usage::

    .venv/bin/python bench/page_rerun.py [--reruns 12] [--data-dir DIR]

The script builds (or reuses) a demo store, runs the app in Streamlit's AppTest
and times the script run itself (Streamlit's ``ScriptRunner._run_script``), i.e.
the server's work for one rerun, excluding the test harness's polling: wall time,
and the script thread's CPU time (``time.thread_time``), which a shared machine's
load does not inflate. ``--pages`` limits the run to some pages (``coverage_map``). Each
rerun selects a different former district, so every measured run is a cache
miss for the filter-dependent work, as after a real filter change. It prints a
Markdown table: first load (cold caches) and the median and maximum rerun.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = [
    "pages/coverage_map.py",
    "pages/focus_areas.py",
    "pages/incidents.py",
    "pages/profiles.py",
    "pages/priority_list.py",
]


def _timed_runs() -> tuple[list[float], list[float]]:
    """Patch Streamlit's script runner to record each script run's wall and thread CPU time."""
    import streamlit.runtime.scriptrunner.script_runner as script_runner

    durations: list[float] = []
    cpu: list[float] = []
    original = script_runner.ScriptRunner._run_script

    def timed(self, *args, **kwargs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            durations.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)

    script_runner.ScriptRunner._run_script = timed
    return durations, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=12)
    parser.add_argument("--data-dir", type=Path, default=None, help="reuse a data folder holding a demo store")
    parser.add_argument("--pages", nargs="*", default=None, help="page file stems to run, e.g. coverage_map")
    args = parser.parse_args()

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ht_bench_"))
    os.environ["HT_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)

    from streamlit.testing.v1 import AppTest

    from loaders.accounts.access import ROLE_ADMIN
    from loaders.demo.loading import load_demo
    from loaders.store import db, reads
    from ui.access import SessionUser

    engine = db.get_engine()
    with engine.connect() as conn:
        empty = not reads.has_demo(conn)
    if empty:
        load_demo(engine, user="bench")
    db.dispose_engines()

    durations, cpu = _timed_runs()
    pages = [p for p in PAGES if args.pages is None or Path(p).stem in args.pages]
    registry_districts = None
    rows = []
    for page in pages:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.session_state["auth_user"] = SessionUser("bench", ROLE_ADMIN)
        at.run()
        if page != PAGES[0]:
            at.switch_page(page).run()
        first = durations[-1]
        if at.exception:
            nan = float("nan")
            rows.append((page, first, nan, nan, nan, f"exception: {at.exception[0].message}"))
            continue
        if registry_districts is None:
            from loaders.geo.loading import load_registry

            registry_districts = list(load_registry().districts.index)
        reruns, reruns_cpu = [], []
        for i in range(args.reruns):
            at.multiselect(key="filter_districts").set_value([registry_districts[i % len(registry_districts)]])
            at.run()
            reruns.append(durations[-1])
            reruns_cpu.append(cpu[-1])
        note = "" if not at.exception else "exception"
        rows.append((page, first, statistics.median(reruns), max(reruns), statistics.median(reruns_cpu), note))

    print("| page | first load (s) | rerun median (ms) | rerun max (ms) | rerun median CPU (ms) | note |")
    print("|---|---|---|---|---|---|")
    for page, first, median, worst, median_cpu, note in rows:
        print(f"| {page} | {first:.2f} | {median * 1000:.0f} | {worst * 1000:.0f} | {median_cpu * 1000:.0f} | {note} |")


if __name__ == "__main__":
    main()
