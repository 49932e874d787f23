"""The incidents page's sections: monthly bars, the change table and the detail rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.core import domain
from ui import cache
from ui.charts import render_bar_chart
from ui.i18n import t
from ui.parts.labels import enum_label, enum_labels, indicator_label


def render_monthly(series: pd.DataFrame, family: str, title: str) -> None:
    """Stacked monthly bars of one split (field or severity)."""
    st.markdown(f"**{title}**")
    if series.empty or not series.to_numpy().sum():
        st.info(t("incidents.none"))
        return
    render_bar_chart(series.rename(columns=lambda v: enum_label(family, v) or t("common.unknown")), height=260)


def change_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The change table with translated headers; a change reads "no data" apart from zero.

    With reports, a commune that reported no month of the period reads "chưa báo cáo",
    and the months it reported are shown (``analysis.reporting``).
    """
    frame = pd.DataFrame(
        {
            t("col.commune"): table["name"],
            t("col.incidents_prev"): table["incidents_prev"],
            t("col.incidents_now"): table["incidents"],
            t("col.difference"): table["difference"],
            indicator_label("incidents_change"): (table["incidents_change"].astype(float) * 100).round(1),
            t("col.flag"): table["incidents_flag"].map({True: t("incidents.flagged"), False: ""}),
        }
    )
    if "not_reported" not in table:
        frame[t("common.no_data")] = (~table["has_incidents"].astype(bool)).map({True: t("common.yes"), False: ""})
        return frame
    # Compared month by month: where there is a comparison, "now" counts the months reported in
    # both periods, as "before" does; elsewhere it is the period's count (0, or NaN: not reported).
    frame[t("col.incidents_now")] = table["incidents_compared"].where(
        table["comparable"].astype(bool), table["incidents"]
    )
    frame[t("reporting.col.months")] = [
        f"{int(r)}/{int(n)}" for r, n in zip(table["months_reported"], table["months_total"])
    ]
    frame[t("reporting.col.compared")] = [
        f"{int(c)}/{int(n)}" for c, n in zip(table["months_compared"], table["months_total"])
    ]
    frame[t("reporting.col.not_reported")] = (
        table["not_reported"].astype(bool).map({True: t("reporting.not_reported"), False: ""})
    )
    return frame


#: Incident rows drawn in the details table; more are only downloaded. A browser grid of tens of
#: thousands of rows is not read, and building and sending it does not fit a rerun's budget.
DETAIL_ROWS_SHOWN = 2_000


def details_frame(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Incident detail rows for roles that may read them (descriptions are user text: dataframe only)."""
    registry = cache.get_registry()
    col = "commune_code" if level == domain.VINTAGE_2025 else "legacy_code"
    names = (registry.communes if level == domain.VINTAGE_2025 else registry.legacy)["name"]
    return pd.DataFrame(
        {
            t("col.incident_code"): rows["incident_code"],
            t("col.date"): rows["occurred_on"].dt.date,
            t("col.commune"): rows[col].map(names),
            t("col.field"): enum_labels("field", rows["field"]),
            t("col.severity"): enum_labels("severity", rows["severity"]),
            t("col.description"): rows["description"],
        }
    )


def render_scope_caption() -> None:
    """Say what the incident counts include: the reported crimes and violations, by field.

    The fields come from the domain, so the sentence lists exactly what the dataset can hold;
    while only demo data is shown the sentence says so.
    """
    fields = "; ".join(enum_label("field", f).lower() for f in domain.INCIDENT_FIELDS)
    text = t("incidents.scope", fields=fields)
    if cache.get_store_flags(cache.data_version())["demo_shown"]:
        text = f"{text} ({t('demo.badge').lower()})"
    st.caption(text)
