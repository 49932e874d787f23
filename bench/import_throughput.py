"""Import throughput: 10k, 100k and 1M incident rows, dry run and commit, SQLite and PostgreSQL.

Usage::

    .venv/bin/python bench/import_throughput.py [--sizes 10000 100000 1000000]
        [--backends sqlite postgresql] [--repeat 1]

For each size a valid incidents CSV is generated (resolvable commune codes and
names with former districts, legacy and 2025 dates, a third of rows with
coordinates inside their commune), then each measurement runs in a fresh
child process so that its peak memory (``ru_maxrss``) is its own:

- ``read_csv``: a bare ``pandas.read_csv(path, dtype=str)``, the baseline;
- ``dry run``: :func:`loaders.ingest.preview.preview_import` (read, match, validate,
  registry resolution, polygon check, duplicate lookup against the store);
- ``commit``: preview then :func:`loaders.ingest.commit.commit_import` into an
  empty store (one transaction), until the rows are committed and visible.
  A big SQLite import then copies its write-ahead log into the database file
  in a background thread (``db.write_transaction``); the table reports how
  long that ran on ("checkpoint after"), and its CPU is in the CPU columns.

PostgreSQL is a temporary server started like the test fixture
(``tests/support/pg_server.py``), with fsync on. Prints a markdown table and exits 1
when the 1M-row SQLite commit exceeds its budget (15 s, 1.5 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The budget, on SQLite for 1M rows: validated and committed within 15 s, peak memory within 1.5 GB.
BUDGET_SECONDS = 15.0
BUDGET_PEAK_MB = 1536
sys.path.insert(0, str(ROOT))


def generate_csv(path: Path, n: int, seed: int = 7, prefix: str = "VV") -> None:
    """Write ``n`` valid incident rows with Vietnamese headers, coded ``{prefix}-0000000`` upwards."""
    import numpy as np
    import pandas as pd

    from loaders.core import domain
    from loaders.geo.loading import load_registry

    reg = load_registry()
    rng = np.random.default_rng(seed)
    legacy = reg.legacy[~reg.legacy["split"]]
    idx = rng.integers(0, len(legacy), n)
    picked = legacy.iloc[idx]
    start = pd.Timestamp("2020-01-01").value // 86_400_000_000_000
    end = pd.Timestamp("2026-06-30").value // 86_400_000_000_000
    days = pd.to_datetime(rng.integers(start, end, n), unit="D")
    is_2025 = days >= pd.Timestamp(domain.REFORM_DATE)
    # Legacy-dated rows: half by code, half by name + former district; 2025 rows by their 2025 code.
    by_code = rng.random(n) < 0.5
    new_code = picked["new_code"].to_numpy()
    code = np.where(is_2025, new_code, np.where(by_code, picked.index.to_numpy(), ""))
    name = np.where(is_2025 | by_code, "", picked["name"].to_numpy())
    district = np.where(is_2025 | by_code, "", picked["district_name"].to_numpy())
    with_point = rng.random(n) < 0.33
    lat = np.where(with_point, picked["label_lat"].to_numpy().round(5).astype(str), "")
    lon = np.where(with_point, picked["label_lon"].to_numpy().round(5).astype(str), "")
    fields = np.array(domain.INCIDENT_FIELDS)[rng.integers(0, len(domain.INCIDENT_FIELDS), n)]
    severities = np.array(domain.INCIDENT_SEVERITIES)[rng.integers(0, len(domain.INCIDENT_SEVERITIES), n)]
    frame = pd.DataFrame(
        {
            "Mã vụ việc": [f"{prefix}-{i:07d}" for i in range(n)],
            "Ngày": days.strftime("%d/%m/%Y"),
            "Mã xã": code,
            "Tên xã": name,
            "Huyện (cũ)": district,
            "Lĩnh vực": fields,
            "Mức độ": severities,
            "Vĩ độ": lat,
            "Kinh độ": lon,
            "Mô tả": np.where(rng.random(n) < 0.2, "Vụ việc mô phỏng", ""),
        }
    )
    frame.to_csv(path, index=False)


def _peak_mb() -> float:
    """This process's peak resident memory, in MB.

    ``VmHWM`` rather than ``ru_maxrss``: on Linux a child keeps its parent's
    ``ru_maxrss`` across fork and exec, so every child would report at least
    the memory the parent used to generate the CSV.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, path: Path, url: str | None) -> dict:
    """One measurement in this (fresh) process."""
    if mode == "read_csv":
        import pandas as pd

        t, cpu = time.perf_counter(), time.process_time()
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        return {
            "seconds": time.perf_counter() - t,
            "cpu_s": time.process_time() - cpu,
            "rows": len(frame),
            "peak_mb": _peak_mb(),
        }
    from loaders.geo.boundaries import load_province_polygon
    from loaders.geo.loading import load_registry
    from loaders.ingest.commit import commit_import
    from loaders.ingest.preview import ImportRequest, preview_import
    from loaders.ingest.reports import errors_to_records
    from loaders.store import db

    engine = db.get_engine(url)
    registry = load_registry()
    polygon = load_province_polygon()
    # A running app has its registry, locator and modules warm: one tiny preview first (its cost is reported).
    warm_cpu = time.process_time()
    with path.open("rb") as f:
        head = b"".join(f.readline() for _ in range(11))
    warm = ImportRequest(dataset="incidents", data=head, file_name="warm.csv", user="bench")
    preview_import(engine, warm, registry=registry, province_polygon=polygon)
    warm_cpu = time.process_time() - warm_cpu
    base_mb = _peak_mb()
    data = path.read_bytes()
    cpu = time.process_time()
    t = time.perf_counter()
    request = ImportRequest(dataset="incidents", data=data, file_name=path.name, user="bench")
    preview = preview_import(engine, request, registry=registry, province_polygon=polygon)
    t_preview = time.perf_counter() - t
    out = {
        "rows": preview.rows_read,
        "accepted": preview.n_accepted,
        "preview_s": t_preview,
        "preview_cpu_s": time.process_time() - cpu,
        "warm_up_cpu_s": warm_cpu,
        "setup_mb": base_mb,
    }
    if preview.n_rejected:
        out["first_errors"] = errors_to_records(preview.errors.head(3))
    if mode == "commit":
        t = time.perf_counter()
        outcome = commit_import(engine, preview, user="bench", valid_only=True)
        out["commit_s"] = time.perf_counter() - t
        out["written"] = outcome.written
        # A big SQLite import leaves the WAL checkpoint to a background thread: how long it ran on.
        waited = time.perf_counter()
        db.wait_for_checkpoints()
        out["checkpoint_after_s"] = time.perf_counter() - waited
    out["seconds"] = out["commit_s"] + t_preview if mode == "commit" else t_preview
    out["cpu_s"] = time.process_time() - cpu
    out["peak_mb"] = _peak_mb()
    return out


def _run_child(mode: str, path: Path, url: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(path)] + ([url] if url else [])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fresh_sqlite(tmp: Path, tag: str) -> str:
    path = tmp / f"{tag}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, path, *url = args.child
        print(json.dumps(child(mode, Path(path), url[0] if url else None)))
        return

    server = None
    if "postgresql" in args.backends:
        from tests.support.pg_server import start_postgres

        server = start_postgres(durable=True)
    try:
        with tempfile.TemporaryDirectory(prefix="ht-bench-") as tmpdir:
            tmp = Path(tmpdir)
            rows = []
            for n in args.sizes:
                csv_path = tmp / f"incidents_{n}.csv"
                generate_csv(csv_path, n)
                base = _run_child("read_csv", csv_path, None)
                size_mb = csv_path.stat().st_size / 1e6
                for backend in args.backends:
                    for mode in ("dry_run", "commit"):
                        if backend == "sqlite":
                            url = _fresh_sqlite(tmp, f"{backend}_{n}_{mode}")
                        else:
                            import psycopg

                            dbname = f"bench_{n}_{mode}"
                            with psycopg.connect(
                                host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
                            ) as conn:
                                conn.execute(f"DROP DATABASE IF EXISTS {dbname}")
                                conn.execute(f"CREATE DATABASE {dbname}")
                            url = server.url(dbname)
                        r = _run_child(mode, csv_path, url)
                        if r["accepted"] != n:
                            raise RuntimeError(f"bench data not fully valid: {r}")
                        rows.append((n, size_mb, backend, mode, r, base))
                        print(
                            f"{n:>9} {backend:<10} {mode:<7} {r['seconds']:.2f}s cpu {r['cpu_s']:.2f}s "
                            f"(preview {r['preview_s']:.2f}s) peak {r['peak_mb']:.0f} MB",
                            file=sys.stderr,
                        )
    finally:
        if server is not None:
            server.stop()

    print(f"\nload average at end: {os.getloadavg()[0]:.1f} (2 cores)\n")
    print(
        "| rows | CSV MB | store | mode | wall s | importer CPU s | validate CPU s | validate s (wall) "
        "| commit s (wall) | checkpoint after s | peak MB | read_csv s (CPU s) | × read_csv (wall) "
        "| × read_csv (CPU) |"
    )
    print("|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, size_mb, backend, mode, r, base in rows:
        commit = f"{r['commit_s']:.2f}" if "commit_s" in r else "–"
        after = f"{r['checkpoint_after_s']:.2f}" if "checkpoint_after_s" in r else "–"
        print(
            f"| {n:,} | {size_mb:.1f} | {backend} | {mode.replace('_', ' ')} | {r['seconds']:.2f} "
            f"| {r['cpu_s']:.2f} | {r['preview_cpu_s']:.2f} | {r['preview_s']:.2f} | {commit} | {after} "
            f"| {r['peak_mb']:.0f} "
            f"| {base['seconds']:.2f} ({base['cpu_s']:.2f}) | {r['seconds'] / base['seconds']:.1f} "
            f"| {r['cpu_s'] / base['cpu_s']:.1f} |"
        )
    over = [
        (n, backend, mode, r)
        for n, _s, backend, mode, r, _b in rows
        if n >= 1_000_000
        and backend == "sqlite"
        and mode == "commit"
        and (r["seconds"] > BUDGET_SECONDS or r["peak_mb"] > BUDGET_PEAK_MB)
    ]
    warm = [r["warm_up_cpu_s"] for *_x, r, _b in rows]
    print(
        f"\nfirst-use cost in each fresh process (tiny preview before timing, not counted): "
        f"{min(warm):.2f}–{max(warm):.2f} s CPU"
    )
    for n, backend, mode, r in over:
        print(
            f"\nBUDGET EXCEEDED: {n:,} rows {backend} {mode}: {r['seconds']:.1f} s (budget {BUDGET_SECONDS} s), "
            f"peak {r['peak_mb']:.0f} MB (budget {BUDGET_PEAK_MB} MB)"
        )
    if over:
        sys.exit(1)


if __name__ == "__main__":
    main()
