"""Profiles: one 2025 commune, its comparison with the province median, and a former district."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from analysis import comparisons, district_profile, model_state, periods, reporting, series
from analysis import indicators as ind
from analysis.formatting import PERCENT_INDICATORS
from analysis.residential import population_source_label
from loaders.core import domain
from loaders.core.i18n import format_date
from ui import cache
from ui.charts import render_bar_chart
from ui.i18n import current_language, t
from ui.parts.labels import enum_label, enum_labels, fmt, former_name, indicator_columns, indicator_label
from ui.parts.tables import render_table


def render_commune_profile(code: str, filters: ind.Filters, indicators: pd.DataFrame, key_prefix: str) -> None:
    """Profile of one 2025 commune: predecessors, indicators, missing kinds, models, incident trend."""
    registry = cache.get_registry()
    if code not in registry.communes.index:
        st.info(t("profile.pick"))
        return
    commune = registry.communes.loc[code]
    st.subheader(commune["name"])
    flags = [
        t(f"focus.{f}")
        for f, on in (
            (domain.FOCUS_BORDER, commune["borders_laos"]),
            (domain.FOCUS_COASTAL, commune["coastal"]),
            (domain.FOCUS_ECONOMIC_ZONE, bool(commune["economic_zones"])),
            (domain.FOCUS_MAJOR_PROJECT, commune["major_project"]),
            (domain.FOCUS_HOT_SPOT, code in ind.hot_spot_units(registry, filters.hot_spots)),
        )
        if on
    ]
    if flags:
        st.caption(" · ".join(flags))
    members = registry.legacy.loc[list(registry.legacy_members(code))]
    st.markdown(f"**{t('profile.predecessors')}**")
    st.dataframe(
        pd.DataFrame(
            {
                t("col.legacy_name"): members["name"],
                t("col.district"): members["district_name"].map(former_name),
                t("col.split"): members["split"].map({True: t("common.yes"), False: ""}),
            }
        ),
        hide_index=True,
        width="stretch",
        key=f"{key_prefix}_predecessors",
    )
    if code in indicators.index:
        row = indicators.loc[code]
        values = [
            (t(f"indicator.{name}"), fmt(name, row[name]))
            for name in (
                "residential_areas",
                "area_coverage",
                "areas_with_security_team_share",
                "areas_with_mediation_share",
                "models_per_10k",
                "models_covering",
                "kinds_present",
                "weak_share",
                "incidents",
                "incidents_per_10k",
                "incidents_change",
            )
        ]
        values.append((t("indicator.population"), fmt("units", row["population"])))
        if "population_source" in row:
            source = population_source_label(row["population_source"], row["population_year"], current_language())
            values.append((t("indicator.population_source"), source))
        st.dataframe(
            pd.DataFrame(values, columns=[t("col.indicator"), t("col.value")]),
            hide_index=True,
            width="stretch",
            key=f"{key_prefix}_indicators",
        )
        missing = row["kinds_missing"]
        if not row["has_models"]:
            st.warning(t("profile.no_model_data"))
        elif missing:
            st.warning(t("profile.missing_kinds", kinds=", ".join(enum_label("kind", k) for k in missing)))
        else:
            st.success(t("profile.all_kinds"))
    data = cache.get_datasets(cache.data_version())
    models = model_state.state_at(data.models[data.models["commune_code"] == code], filters.period.end)
    st.markdown(f"**{t('profile.models')}** ({len(models)})")
    _state_caption(filters)
    st.dataframe(
        pd.DataFrame(
            {
                t("col.model_name"): models["model_name"],
                t("col.kind"): models["kind"].map(lambda v: enum_label("kind", v)),
                t("col.setting"): models["setting"].map(lambda v: enum_label("setting", v)),
                t("col.status"): models["status_at"].map(lambda v: enum_label("status", v)),
                t("col.assessment"): models["rating"].map(lambda v: enum_label("assessment", v)),
                t("col.founded_on"): models["founded_on"].dt.date,
            }
        ),
        hide_index=True,
        width="stretch",
        key=f"{key_prefix}_models",
    )
    st.markdown(f"**{t('profile.incident_trend')}**")
    _render_incident_trend(data, [code], filters)


def median_frame(comparison: pd.DataFrame) -> pd.DataFrame:
    """Value, province median and difference per indicator, formatted as on the page."""
    rows = []
    for name, row in comparison.iterrows():
        scale = 100 if name in PERCENT_INDICATORS else 1
        rows.append(
            {
                t("col.indicator"): indicator_label(name),
                t("col.value"): _round(row["value"] * scale),
                t("col.province_median"): _round(row["median"] * scale),
                t("col.difference"): _round(row["difference"] * scale),
            }
        )
    return pd.DataFrame(rows)


def render_commune_extras(code: str, filters: ind.Filters, key_prefix: str) -> None:
    """What the shared commune profile lacks: the province median and recognitions by year."""
    version = cache.data_version()
    whole = cache.get_indicators(version, cache.province_filters(filters))
    if code in whole.index:
        st.markdown(f"**{t('profile.vs_median')}**")
        st.caption(t("profile.vs_median_help"))
        comparison = comparisons.median_comparison(whole, code, district_profile.PROFILE_INDICATORS)
        name = cache.get_registry().communes.at[code, "name"]
        render_table(median_frame(comparison), filters, f"{t('profile.vs_median')} {name}", key=f"{key_prefix}_median")
    render_recognitions([code], filters, key_prefix)


def render_recognitions(codes: list[str], filters: ind.Filters, key_prefix: str) -> None:
    """Recognitions "An toàn về ANTT" by year and kind of unit."""
    st.markdown(f"**{t('profile.recognitions')}**")
    data = cache.get_datasets(cache.data_version())
    table = district_profile.recognitions_by_year(data.recognitions, codes)
    if table.empty:
        st.info(t("common.no_data"))
        return
    frame = pd.DataFrame(
        {
            t("col.year"): table["year"].astype(int).astype(str),
            t("col.unit_type"): table["unit_type"].map(lambda v: enum_label("unit_type", v)),
            t("col.assessed"): table["assessed"],
            t("col.passed"): table["passed"],
            f"{t('col.passed_share')} (%)": (table["share"] * 100).round(1),
        }
    )
    render_table(frame, filters, t("profile.recognitions"), key=f"{key_prefix}_recognitions")


def _state_caption(filters: ind.Filters) -> None:
    """The rule behind the models tables: each model as it stood at the period's end."""
    st.caption(
        t("profile.models_state", day=format_date(filters.period.end, current_language()), year=filters.period.end.year)
    )


def models_frame(models: pd.DataFrame) -> pd.DataFrame:
    """Models as they stood (``model_state.state_at``) with kind, setting, status and rating labels."""
    names = cache.get_registry().communes["name"]
    return pd.DataFrame(
        {
            t("col.commune"): models["commune_code"].map(names),
            t("col.model_name"): models["model_name"],
            t("col.kind"): enum_labels("kind", models["kind"]),
            t("col.setting"): enum_labels("setting", models["setting"]),
            t("col.status"): enum_labels("status", models["status_at"]),
            t("col.assessment"): enum_labels("assessment", models["rating"]),
            t("col.founded_on"): models["founded_on"].dt.date,
        }
    )


def render_district_profile(district: str, filters: ind.Filters, key_prefix: str) -> None:
    """Profile of one former district: member communes, figures against the district median,
    models, recognitions and the incident trend."""
    registry = cache.get_registry()
    version = cache.data_version()
    communes, legacy = district_profile.district_members(registry, district)
    district_name = former_name(registry.districts.at[district, "name"])
    st.subheader(district_name)
    whole = cache.get_indicators(version, cache.province_filters(filters))
    members = whole.loc[whole.index.intersection(communes.index)]
    st.markdown(f"**{t('profile.member_communes')}** ({len(communes)})")
    shown = ("models_per_10k", "kinds_present", "weak_share", "incidents_per_10k", "incidents_change")
    frame = indicator_columns(members[["name", *shown]])
    frame.columns = [t("col.commune"), *(indicator_label(c) for c in shown)]
    render_table(frame, filters, district_name, key=f"{key_prefix}_members")
    st.caption(t("profile.legacy_members", n=len(legacy), names=", ".join(legacy["name"])))
    st.markdown(f"**{t('profile.vs_district_median')}**")
    table = cache.get_district_table(version, filters)
    comparison = comparisons.median_comparison(table, district, district_profile.DISTRICT_INDICATORS)
    render_table(median_frame(comparison), filters, t("profile.vs_district_median"), key=f"{key_prefix}_median")
    data = cache.get_datasets(version)
    models = model_state.state_at(data.models[data.models["commune_code"].isin(communes.index)], filters.period.end)
    st.markdown(f"**{t('profile.models')}** ({len(models)})")
    _state_caption(filters)
    render_table(models_frame(models), filters, t("profile.models"), key=f"{key_prefix}_models")
    render_recognitions(list(communes.index), filters, key_prefix)
    st.markdown(f"**{t('profile.incident_trend')}**")
    _render_incident_trend(data, list(communes.index), filters)


def _render_incident_trend(data: ind.Datasets, codes: list[str], filters: ind.Filters) -> None:
    """Incidents per month; a month none of ``codes`` reported is left blank ("chưa báo cáo"), not 0."""
    monthly = series.monthly_incidents(data.incidents, codes, filters.period)
    monthly = reporting.blank_unreported_months(monthly, data.reports, codes)
    missing = monthly.index[monthly.isna().all(axis=1)]
    monthly.columns = [t("indicator.incidents")]
    render_bar_chart(monthly, height=180)
    if len(missing):
        months = ", ".join(periods.label_of(periods.MONTH, m.year, m.month) for m in missing)
        st.caption(t("profile.months_not_reported", months=months))


def _round(value: float) -> float:
    return round(float(value), 2) if value is not None and not math.isnan(value) else math.nan
