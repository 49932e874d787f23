"""Measure what the home map sends to the browser and how far its boundaries move.

Builds the home map (all 69 communes plus the former-district lines, the Laos
border, the coastline and the economic zones) from the installed layers, hands it
to streamlit-folium's own ``st_folium`` with the component call captured, and
reports:

* the size of the component arguments as Streamlit serialises them (JSON), which
  is the largest websocket frame of the first load;
* the Hausdorff distance, in metres (EPSG:3405), between each commune as the
  browser draws it (decoded from the embedded TopoJSON) and the source layer.

Budget: at most 400 KB and 50 m. Exit code 1 when either is exceeded.

Usage::

    python bench/map_payload.py [--legacy] [--tolerance METRES] [--json bench/out/map_payload.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(_PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(_PROJECT_ROOT))

import numpy as np
import pandas as pd

from loaders.geo.boundaries import DISPLAY_TOLERANCE_M, load_layer, simplify_for_display
from loaders.geo.schema import CRS_METRIC
from maps.builders import build_coverage_map
from maps.elements import CompactTopoJson
from maps.geometry import hausdorff_by_feature, topology_to_geoseries
from maps.offline import external_asset_urls, use_local_assets
from maps.options import Background, Overlays, ValueStyle

PAYLOAD_BUDGET_BYTES = 400_000
HAUSDORFF_BUDGET_M = 50.0


def captured_component_args(m: Any) -> dict[str, Any]:
    """Run streamlit-folium's ``st_folium`` on ``m`` and return the arguments it sends to the frontend."""
    # Importing streamlit outside ``streamlit run`` warns about the missing runtime; irrelevant here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import streamlit_folium

    captured: dict[str, Any] = {}

    def capture(**kwargs: Any) -> dict[str, Any]:
        captured.update(kwargs)
        return kwargs.get("default", {})

    original = streamlit_folium._component_func
    streamlit_folium._component_func = capture
    try:
        streamlit_folium.st_folium(m, key="home_map", height=600, returned_objects=["last_active_drawing"])
    finally:
        streamlit_folium._component_func = original
    captured.pop("on_change", None)
    return captured


def payload_bytes(args: dict[str, Any]) -> int:
    """Bytes of the component arguments serialised as Streamlit does (``json.dumps`` defaults)."""
    return len(json.dumps(args).encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Build, measure and print; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legacy", action="store_true", help="measure the 209-commune legacy view instead")
    parser.add_argument("--tolerance", type=float, default=DISPLAY_TOLERANCE_M, help="simplification, metres")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    args = parser.parse_args(argv)

    use_local_assets()
    role = "communes_legacy" if args.legacy else "communes_2025"
    source = load_layer(role)
    communes = simplify_for_display(source, args.tolerance)
    overlays = {
        "districts": simplify_for_display(load_layer("districts_legacy"), args.tolerance),
        "border": simplify_for_display(load_layer("border_laos"), args.tolerance),
        "coast": simplify_for_display(load_layer("coastline"), args.tolerance),
        "economic_zones": simplify_for_display(load_layer("economic_zones"), args.tolerance),
    }
    # Demo values with some gaps, so both class colours and no-data styles are in the payload.
    rng = np.random.default_rng(42)
    values = pd.Series(rng.gamma(2.0, 3.0, len(source)), index=source["gso_code"].values)
    values.iloc[::7] = np.nan
    m = build_coverage_map(
        communes,
        values,
        ValueStyle(value_label="Mô hình / 10.000 dân", no_data_label="Chưa có số liệu"),
        overlays=Overlays(
            layers=overlays,
            labels={
                "districts": "Huyện, thị xã, thành phố (cũ)",
                "border": "Biên giới Việt – Lào",
                "coast": "Bờ biển",
                "economic_zones": "Khu kinh tế",
            },
        ),
        background=Background(basemap="osm"),
    )
    args_sent = captured_component_args(m)
    total = payload_bytes(args_sent)
    parts = {k: payload_bytes({k: v}) for k, v in args_sent.items()}

    commune_layer = next(e for e in _walk(m) if isinstance(e, CompactTopoJson) and "communes" in e.data["objects"])
    shown = topology_to_geoseries(commune_layer.data, "communes")
    distances = hausdorff_by_feature(shown, source.geometry, CRS_METRIC)
    per_commune = pd.DataFrame(
        {"gso_code": source["gso_code"].values, "name": source["name"].values, "hausdorff_m": distances.values}
    ).sort_values("hausdorff_m", ascending=False)

    print(f"view: {role} ({len(source)} communes), tolerance {args.tolerance:g} m")
    print(f"payload (st_folium component args, JSON): {total:,} bytes (budget {PAYLOAD_BUDGET_BYTES:,})")
    for key, size in sorted(parts.items(), key=lambda kv: -kv[1])[:4]:
        print(f"  {key:<12} {size:>10,} bytes")
    print(
        f"commune layer TopoJSON: {len(commune_layer.json_text.encode('utf-8')):,} bytes, "
        f"{len(commune_layer.data['arcs'])} arcs"
    )
    print(
        f"max Hausdorff displayed vs source: {per_commune['hausdorff_m'].max():.1f} m "
        f"(budget {HAUSDORFF_BUDGET_M:g} m), median {per_commune['hausdorff_m'].median():.1f} m"
    )
    print("largest per commune:")
    print(per_commune.head(8).to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    external = external_asset_urls(m)
    print(f"external asset URLs: {external or 'none'}")

    ok = total <= PAYLOAD_BUDGET_BYTES and per_commune["hausdorff_m"].max() <= HAUSDORFF_BUDGET_M and not external
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "role": role,
                    "tolerance_m": args.tolerance,
                    "payload_bytes": total,
                    "payload_parts": parts,
                    "max_hausdorff_m": float(per_commune["hausdorff_m"].max()),
                    "per_commune_hausdorff_m": per_commune.set_index("gso_code")["hausdorff_m"].round(2).to_dict(),
                    "ok": bool(ok),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    print("OK" if ok else "OVER BUDGET")
    return 0 if ok else 1


def _walk(element: Any):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


if __name__ == "__main__":
    sys.exit(main())
