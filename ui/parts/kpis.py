"""The row of key figures for the current filters."""

from __future__ import annotations

import math

import streamlit as st

from ui.i18n import t
from ui.parts.labels import fmt

KPI_INDICATORS: tuple[str, ...] = (
    "models_per_10k",
    "units_all_kinds",
    "weak_share",
    "incidents_per_10k",
    "incidents_change",
    "recognised_communes_share",
)


def render_kpis(summary: dict[str, float], key_prefix: str) -> None:
    """One row of key figures for the current filters."""
    columns = st.columns(len(KPI_INDICATORS))
    for column, name in zip(columns, KPI_INDICATORS):
        value = summary.get(name, math.nan)
        label = t(f"indicator.{name}")
        if name == "units_all_kinds":
            text = f"{fmt(name, value)}/{fmt('units', summary.get('units_with_models'))}"
        elif name == "recognised_communes_share" and not math.isnan(summary.get("recognition_year", math.nan)):
            label = f"{label} ({int(summary['recognition_year'])})"
            text = fmt(name, value)
        else:
            text = fmt(name, value)
        column.metric(label, text, help=t(f"indicator.{name}.help"), border=True)
