"""The focus-area page's sections: figures per focus group, trends and missing model kinds."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analysis import comparisons
from analysis import indicators as ind
from loaders.core import domain
from ui import cache
from ui.charts import render_line_chart
from ui.i18n import t
from ui.parts.labels import enum_label, fmt, group_label, indicator_columns, indicator_label
from ui.parts.tables import render_table


def render_focus_figures(comparison: pd.DataFrame, filters: ind.Filters, by: str) -> None:
    """One row of figures per focus group, then the full comparison table."""
    shown = ("models_per_10k", "units_all_kinds", "weak_share", "incidents_per_10k", "incidents_change")
    for group in comparison.columns:
        values = comparison[group]
        st.markdown(f"**{group_label(group)}** · {t('focus.units', n=fmt('units', values['units']))}")
        cols = st.columns(len(shown))
        for col, name in zip(cols, shown):
            text = fmt(name, values[name])
            if name == "units_all_kinds":
                text = f"{text}/{fmt('units', values['units'])}"
            col.metric(t(f"indicator.{name}"), text, help=t(f"indicator.{name}.help"))
    table = indicator_columns(comparison.T).T
    table.index = [indicator_label(i) for i in table.index]
    table.columns = [group_label(c) for c in table.columns]
    table = table.reset_index(names=t("col.indicator"))
    render_table(
        table,
        filters,
        t("focus.table_name"),
        key="focus_comparison_table",
        extra=[(t("focus.group_by"), t(f"focus.group_by.{by}"))],
    )


def render_trends(trends: Mapping[str, pd.DataFrame]) -> None:
    """One line chart per trend indicator, one line per focus group."""
    for name, frame in trends.items():
        st.markdown(f"**{t(f'indicator.{name}')}**")
        render_line_chart(frame.round(2).rename(columns=group_label), height=220)
        if name == "incidents_per_10k":
            gaps = [group_label(g) for g in frame.columns if frame[g].isna().any()]
            rule = t("focus.trend_not_reported", groups=", ".join(gaps)) if gaps else t("focus.trend_reported_rule")
            st.caption(rule)


def render_missing_kinds(table: pd.DataFrame, filters: ind.Filters) -> None:
    """Per kind, the focus-area communes missing it; then the full table with downloads."""
    if table.empty:
        st.success(t("focus.no_missing"))
        return
    for kind, names in comparisons.missing_by_kind(table).items():
        label = enum_label("kind", kind)
        st.markdown(f"**{label}** ({len(names)}): " + (", ".join(names) if names else "—"))
    frame = pd.DataFrame(
        {
            t("col.commune"): table["name"],
            t("col.focus_areas"): table["areas"].map(lambda areas: ", ".join(group_label(a) for a in areas)),
            **{enum_label("kind", k): table[k].map({True: "✗", False: ""}) for k in domain.MODEL_KINDS_CORE},
            t("col.n_missing"): table["n_missing"],
            t("common.no_data"): table["no_model_data"].map({True: t("common.yes"), False: ""}),
        }
    )
    render_table(frame, filters, t("focus.missing_name"), key="focus_missing_table")


def render_hot_spot_note(filters: ind.Filters) -> None:
    """Which hot-spot list the "Địa bàn trọng điểm, phức tạp" group uses: the year the period ends in."""
    year = filters.period.end.year
    registry = cache.get_registry()
    codes = ind.hot_spot_units(registry, filters.hot_spots)
    if not codes:
        st.caption(t("focus.hot_spot_none", year=year))
        return
    names = ", ".join(sorted(registry.communes.loc[sorted(codes), "name"]))
    st.caption(t("focus.hot_spot_note", year=year, n=len(codes), names=names))
