"""Reusable ``render_*`` pieces that several pages draw (KPIs, legend, commune profile)."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis import series
from analysis.formatting import format_indicator
from loaders.core import domain
from ui import cache
from ui.charts import render_bar_chart
from ui.i18n import current_language, t

SELECTED_COMMUNE_KEY = "selected_commune"

KPI_INDICATORS: tuple[str, ...] = (
    "models_per_10k",
    "units_all_kinds",
    "weak_share",
    "incidents_per_10k",
    "incidents_change",
    "recognised_communes_share",
)


def fmt(indicator: str, value: float | None) -> str:
    """Format a value for the current language."""
    return format_indicator(indicator, value, current_language(), t("common.no_data"))


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


def render_legend(entries: list[tuple[str, str]], title: str) -> None:
    """Draw a colour legend outside the map. Labels are escaped: they may hold formatted numbers only,
    but escaping costs nothing and keeps this helper safe for any text."""
    swatches = "".join(
        f'<span style="display:inline-flex;align-items:center;margin-right:12px">'
        f'<span style="display:inline-block;width:14px;height:14px;background:{html.escape(colour)};'
        f'border:1px solid #666;margin-right:4px"></span>{html.escape(label)}</span>'
        for colour, label in entries
    )
    st.markdown(f"**{html.escape(title)}**<br>{swatches}", unsafe_allow_html=True)


def enum_label(family: str, value: object) -> str:
    """Display label of a stored enumerated value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return t(f"enum.{family}.{value}")


def render_commune_profile(code: str, filters: ind.Filters, indicators: pd.DataFrame, key_prefix: str) -> None:
    """Profile of one 2025 commune: predecessors, indicators, missing kinds, models, incident trend."""
    registry = cache.get_registry()
    if code not in registry.communes.index:
        st.info(t("profile.pick"))
        return
    commune = registry.communes.loc[code]
    st.subheader(commune["name"])
    flags = [t(f"focus.{f}") for f, on in (
        (domain.FOCUS_BORDER, commune["borders_laos"]), (domain.FOCUS_COASTAL, commune["coastal"]),
        (domain.FOCUS_ECONOMIC_ZONE, bool(commune["economic_zones"])),
        (domain.FOCUS_MAJOR_PROJECT, commune["major_project"])) if on]
    if flags:
        st.caption(" · ".join(flags))
    members = registry.legacy.loc[list(registry.legacy_members(code))]
    st.markdown(f"**{t('profile.predecessors')}**")
    st.dataframe(
        pd.DataFrame({t("col.legacy_name"): members["name"], t("col.district"): members["district_name"],
                      t("col.split"): members["split"].map({True: t("common.yes"), False: ""})}),
        hide_index=True, width="stretch", key=f"{key_prefix}_predecessors",
    )
    if code in indicators.index:
        row = indicators.loc[code]
        values = [
            (t(f"indicator.{name}"), fmt(name, row[name]))
            for name in ("models_per_10k", "models_covering", "kinds_present", "weak_share", "incidents",
                         "incidents_per_10k", "incidents_change")
        ]
        values.append((t("indicator.population"), fmt("units", row["population"])))
        st.dataframe(pd.DataFrame(values, columns=[t("col.indicator"), t("col.value")]), hide_index=True,
                     width="stretch", key=f"{key_prefix}_indicators")
        missing = row["kinds_missing"]
        if not row["has_models"]:
            st.warning(t("profile.no_model_data"))
        elif missing:
            st.warning(t("profile.missing_kinds", kinds=", ".join(enum_label("kind", k) for k in missing)))
        else:
            st.success(t("profile.all_kinds"))
    data = cache.get_datasets(cache.data_version())
    models = data.models[data.models["commune_code"] == code]
    st.markdown(f"**{t('profile.models')}** ({len(models)})")
    st.dataframe(
        pd.DataFrame({
            t("col.model_name"): models["model_name"],
            t("col.kind"): models["kind"].map(lambda v: enum_label("kind", v)),
            t("col.setting"): models["setting"].map(lambda v: enum_label("setting", v)),
            t("col.status"): models["status"].map(lambda v: enum_label("status", v)),
            t("col.assessment"): models["assessment"].map(lambda v: enum_label("assessment", v)),
            t("col.founded_on"): models["founded_on"].dt.date,
        }),
        hide_index=True, width="stretch", key=f"{key_prefix}_models",
    )
    st.markdown(f"**{t('profile.incident_trend')}**")
    monthly = series.monthly_incidents(data.incidents, [code], filters.period)
    monthly.columns = [t("indicator.incidents")]
    render_bar_chart(monthly, height=180)


def filter_context(filters: ind.Filters, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """What produced a table: the filters, the data version, the time and the demo notice."""
    from analysis.exports import export_timestamp

    registry = cache.get_registry()
    version = cache.data_version()
    rows = [
        (t("export.context.period"), f"{filters.period.start:%d/%m/%Y} – {filters.period.end:%d/%m/%Y}"),
        (t("filter.districts"), ", ".join(registry.districts.at[d, "name"] for d in filters.districts) or t("filter.all")),
        (t("filter.kinds"), ", ".join(enum_label("kind", k) for k in filters.kinds) or t("filter.all")),
        (t("filter.focus"), t(f"focus.{filters.focus}")),
        (t("export.context.rule"), t("map.rules", threshold=int(filters.rise_threshold * 100),
                                     baseline=filters.min_baseline)),
        *(extra or []),
        (t("export.context.data_version"), str(version)),
        (t("export.context.exported_at"), export_timestamp()),
    ]
    if cache.get_store_flags(version)["demo_shown"]:
        rows.append((t("demo.badge"), t("demo.badge_help")))
    return rows


def render_downloads(frame: pd.DataFrame | Callable[[], pd.DataFrame], context: list[tuple[str, str]], name: str,
                     key_prefix: str) -> None:
    """CSV and XLSX download buttons for a table; files are built only when clicked.

    ``frame`` may be a function that builds the table, called at the click.
    """
    from analysis.exports import file_stem
    from loaders.core.writers import table_to_csv, table_to_xlsx
    from ui import access

    stem = file_stem(name)
    left, right = st.columns(2)
    audit = access.export_auditor()

    def table() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    def _csv() -> bytes:
        audit(f"{stem}.csv")
        return table_to_csv(table())

    def _xlsx() -> bytes:
        audit(f"{stem}.xlsx")
        return table_to_xlsx(table(), context, sheet_name=t("export.sheet.data"),
                             context_sheet_name=t("export.sheet.context"))

    allowed = access.can("export")
    left.download_button(t("export.csv"), _csv, file_name=f"{stem}.csv", mime="text/csv",
                         key=f"{key_prefix}_csv", on_click="ignore", disabled=not allowed,
                         icon=":material/download:")
    right.download_button(t("export.xlsx"), _xlsx, file_name=f"{stem}.xlsx", key=f"{key_prefix}_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          on_click="ignore", disabled=not allowed, icon=":material/table_view:")
    if not allowed:
        st.caption(t("access.export_denied"))
