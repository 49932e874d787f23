"""The row of key figures for the current filters."""

from __future__ import annotations

import math

import streamlit as st

from analysis.residential import population_note_of
from ui.i18n import current_language, t
from ui.parts.labels import fmt

#: The key figures in order. Coverage of thôn/TDP comes first, the figure the province's reports
#: lead with; models per 10,000 residents stays in the map's menu.
KPI_INDICATORS: tuple[str, ...] = (
    "area_coverage",
    "units_all_kinds",
    "weak_share",
    "incidents_per_10k",
    "incidents_change",
    "recognised_communes_share",
)


def render_kpis(summary: dict[str, float], key_prefix: str) -> None:
    """One row of key figures for the current filters (two per row on a phone, by the page style).

    Labels are the short ``kpi.*`` names, so that each reads in full in a sixth of a laptop's
    page; the full name and the definition are in the help tooltip.
    """
    with st.container(key=f"{key_prefix}_kpis"):
        columns = st.columns(len(KPI_INDICATORS))
        for column, name in zip(columns, KPI_INDICATORS):
            value = summary.get(name, math.nan)
            label = t(f"kpi.{name}")
            if name == "units_all_kinds":
                text = f"{fmt(name, value)}/{fmt('units', summary.get('units_with_models'))}"
            elif name == "recognised_communes_share" and not math.isnan(summary.get("recognition_year", math.nan)):
                label = f"{label} ({int(summary['recognition_year'])})"
                text = fmt(name, value)
            else:
                text = fmt(name, value)
            definition = f"**{t(f'indicator.{name}')}**: {t(f'indicator.{name}.help')}"
            column.metric(label, text, help=definition, border=True)
        # Every rate says which population it used: the areas' lists or the shipped figure.
        st.caption(population_note_of(summary, summary.get("units", 0), current_language()))
