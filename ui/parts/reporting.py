"""Reporting completeness on a page: the rule, the figure and the months some communes did not report."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis.formatting import format_number
from ui import cache
from ui.charts import render_bar_chart
from ui.i18n import current_language, t
from ui.parts.tables import render_table


def render_reporting_rule() -> None:
    """The rule for commune-months nobody reported, stated on the page (``analysis.reporting``)."""
    st.caption(t("reporting.rule"))


def _percent(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{format_number(value * 100, 1, current_language())} %"


def render_completeness(version: int, filters: ind.Filters) -> None:
    """Completeness of the filtered communes, the months with gaps and the table per former district."""
    table = cache.get_completeness(version, filters)
    whole = table.iloc[-1]
    st.subheader(t("reporting.title"))
    cols = st.columns(2)
    cols[0].metric(t("reporting.share"), _percent(float(whole["share"])), help=t("reporting.share.help"))
    cols[1].metric(t("reporting.col.units_not_reported"), f"{int(whole['units_not_reported'])}/{int(whole['units'])}")
    monthly = cache.get_monthly_reporting(version, filters)
    gaps = monthly[monthly["not_reported"] > 0]
    if len(gaps):
        months = "; ".join(
            t("reporting.gap_month", month=m.month, year=m.year, n=int(n)) for m, n in gaps["not_reported"].items()
        )
        st.caption(t("reporting.gaps", months=months))
        # The months that look low in the incident bars because some communes did not report.
        render_bar_chart(monthly[["not_reported"]].rename(columns={"not_reported": t("reporting.chart")}), height=140)
    districts = table.iloc[:-1]
    districts = districts[districts["units"] > 0]
    registry = cache.get_registry()
    frame = pd.DataFrame(
        {
            t("col.district"): [registry.districts.at[code, "name"] for code in districts.index],
            t("reporting.col.months"): [
                f"{int(r)}/{int(n)}" for r, n in zip(districts["months_reported"], districts["months_total"])
            ],
            t("reporting.col.share"): (districts["share"].astype(float) * 100).round(1).to_numpy(),
            t("reporting.col.units_not_reported"): districts["units_not_reported"].astype(int).to_numpy(),
        }
    )
    st.markdown(f"**{t('reporting.by_district')}**")
    render_table(frame, filters, t("reporting.by_district"), key="incidents_reporting_table")
