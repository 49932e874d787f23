"""``render_*`` pieces of the analyst pages: focus areas, incidents, profiles and the priority list.

Shared pieces that every page draws (KPIs, legend, the commune profile, the
downloads) live in :mod:`ui.components`; these are the ones only the analyst
pages use. Tables are drawn with ``st.dataframe`` (text is never put into
unsafe HTML: descriptions and names are user data).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from analysis import comparisons, district_profile, priority, series
from analysis import indicators as ind
from analysis.formatting import PERCENT_INDICATORS
from loaders.core import domain
from loaders.core import settings
from ui import cache
from ui.charts import render_bar_chart, render_line_chart
from ui.components import SELECTED_COMMUNE_KEY, enum_label, filter_context, fmt, render_downloads, render_legend
from ui.i18n import current_language, t
from ui.map_component import render_map

LEVEL_KEY = "map_level"
LEVELS: tuple[str, ...] = (ind.LEVEL_2025, ind.LEVEL_LEGACY)


# ---------------------------------------------------------------- shared bits
def render_level_switch(filters: ind.Filters, key_suffix: str = "") -> str:
    """The 2025 / legacy switch for maps, shown only for periods ending before the reform.

    Returns the level to draw; after the reform it is always ``"2025"``.
    """
    if filters.period.end >= domain.REFORM_DATE:
        if st.session_state.get(LEVEL_KEY) != ind.LEVEL_2025:
            st.session_state[LEVEL_KEY] = ind.LEVEL_2025
        return ind.LEVEL_2025
    if st.session_state.get(LEVEL_KEY) not in LEVELS:
        st.session_state[LEVEL_KEY] = ind.LEVEL_2025
    level = st.segmented_control(
        t("level.label"), LEVELS, key=LEVEL_KEY, required=True, format_func=lambda v: t(f"level.{v}"),
        help=t("level.help"), persist_state="session",
    )
    return level or ind.LEVEL_2025


def map_indicator_for(level: str, preferred: str) -> str:
    """Population rates are unknown for legacy units: fall back to the count there."""
    if level == ind.LEVEL_LEGACY and preferred.endswith("_per_10k"):
        return "models_covering" if preferred.startswith("models") else "incidents"
    return preferred


def rule_sentence(filters: ind.Filters) -> str:
    """The incident-change rule in words, e.g. "tăng hơn 25% và kỳ trước có ít nhất 5 vụ"."""
    return t("incidents.rule", threshold=_num(filters.rise_threshold * 100), baseline=filters.min_baseline)


def _num(value: float) -> str:
    return f"{value:g}"


def indicator_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Percent indicators ×100 (rounded) so tables and exports show the same numbers as the page."""
    out = frame.copy()
    for col in out.columns:
        if col in PERCENT_INDICATORS:
            out[col] = (out[col].astype(float) * 100).round(1)
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(2)
    return out


def indicator_label(name: str) -> str:
    """Column header of an indicator, with "(%)" for shares and changes."""
    label = t(f"indicator.{name}")
    return f"{label} (%)" if name in PERCENT_INDICATORS else label


def render_table(frame: pd.DataFrame, filters: ind.Filters, name: str, key: str,
                 extra: list[tuple[str, str]] | None = None,
                 download: Callable[[], pd.DataFrame] | None = None, **kwargs) -> object:
    """A table and its CSV/XLSX downloads (the XLSX carries the filters sheet).

    ``download`` builds the exported table when it differs from the one shown
    (all rows of a table shown in part); it runs only when a button is clicked.
    """
    result = st.dataframe(frame, hide_index=True, width="stretch", key=key, **kwargs)
    render_downloads(download or frame, filter_context(filters, extra), name, key_prefix=f"{key}_dl")
    return result


def center_of(codes: list[str]) -> tuple[float, float] | None:
    """Mean label point of some 2025 communes (for ``st_folium(center=...)``)."""
    communes = cache.get_registry().communes
    known = [c for c in codes if c in communes.index]
    if not known:
        return None
    rows = communes.loc[known, ["label_lat", "label_lon"]].astype(float).dropna()
    if rows.empty:
        return None
    return float(rows["label_lat"].mean()), float(rows["label_lon"].mean())


def highlight_codes(codes: list[str], level: str) -> tuple[str, ...]:
    """Units to outline for some 2025 communes: themselves, or their legacy predecessors in the legacy view."""
    registry = cache.get_registry()
    known = [c for c in codes if c in registry.communes.index]
    if level == ind.LEVEL_2025:
        return tuple(sorted(known))
    return tuple(sorted({m for c in known for m in registry.legacy_members(c)}))


def focus_highlight(level: str) -> tuple[str, ...]:
    """Every unit in a focus area (border, coast, economic zone, major project) at ``level``."""
    registry = cache.get_registry()
    codes: set[str] = set()
    for area in domain.FOCUS_AREAS[1:]:
        codes |= set(registry.focus_codes(area, level))
    return tuple(sorted(codes))


def render_commune_map(key: str, level: str, restyle: str, legend: list[tuple[str, str]], legend_title: str, *,
                       kind: str = "coverage", height: int = 480,
                       returned_objects: tuple[str, ...] = ("last_active_drawing",),
                       center: tuple[float, float] | None = None, zoom: int | None = None) -> dict | None:
    """A commune map through the fast path: the base map drawn once, recoloured by ``restyle``.

    Parameters
    ----------
    key : str
        Widget key of the map (page-prefixed).
    level : {"2025", "legacy"}
        Units drawn.
    restyle, legend
        From ``cache.get_map_restyle`` or ``cache.get_priority_restyle``.
    kind : str
        Base-map kind (``cache.MAP_KINDS``): which overlays open with it.
    center, zoom
        Move the view without rebuilding or remounting the map.

    Returns
    -------
    dict or None
        The map's interaction data (``returned_objects``).
    """
    prepared, points_only, _codes = cache.get_base_map(level, settings.default_basemap(), current_language(), kind)
    if points_only:
        st.warning(t("map.no_boundaries"))
    render_legend(legend, legend_title)
    return render_map(prepared, key=key, height=height, returned_objects=returned_objects, restyle=restyle,
                      center=center, zoom=zoom)


def new_click(code: str | None, memory_key: str) -> str | None:
    """The clicked code if it differs from the last click this page handled.

    ``st_folium`` keeps returning the last clicked feature on every rerun; acting
    only on a change lets the select box override an older click.
    """
    if not code or st.session_state.get(memory_key) == code:
        return None
    st.session_state[memory_key] = code
    return code


# ----------------------------------------------------------------- focus areas
def group_label(key: str) -> str:
    return t(f"focus.{key}") if key != domain.FOCUS_ECONOMIC_ZONE else t("focus.economic_zone_project")


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
    render_table(table, filters, t("focus.table_name"), key="focus_comparison_table",
                 extra=[(t("focus.group_by"), t(f"focus.group_by.{by}"))])


def render_trends(trends: Mapping[str, pd.DataFrame]) -> None:
    """One line chart per trend indicator, one line per focus group."""
    for name, frame in trends.items():
        st.markdown(f"**{t(f'indicator.{name}')}**")
        render_line_chart(frame.round(2).rename(columns=group_label), height=220)


def render_missing_kinds(table: pd.DataFrame, filters: ind.Filters) -> None:
    """Per kind, the focus-area communes missing it; then the full table with downloads."""
    if table.empty:
        st.success(t("focus.no_missing"))
        return
    for kind, names in comparisons.missing_by_kind(table).items():
        label = enum_label("kind", kind)
        st.markdown(f"**{label}** ({len(names)}): " + (", ".join(names) if names else "—"))
    frame = pd.DataFrame({
        t("col.commune"): table["name"],
        t("col.focus_areas"): table["areas"].map(lambda areas: ", ".join(group_label(a) for a in areas)),
        **{enum_label("kind", k): table[k].map({True: "✗", False: ""}) for k in domain.MODEL_KINDS_CORE},
        t("col.n_missing"): table["n_missing"],
        t("common.no_data"): table["no_model_data"].map({True: t("common.yes"), False: ""}),
    })
    render_table(frame, filters, t("focus.missing_name"), key="focus_missing_table")


# ------------------------------------------------------------------- incidents
def render_monthly(series: pd.DataFrame, family: str, title: str) -> None:
    """Stacked monthly bars of one split (field or severity)."""
    st.markdown(f"**{title}**")
    if series.empty or not series.to_numpy().sum():
        st.info(t("incidents.none"))
        return
    render_bar_chart(series.rename(columns=lambda v: enum_label(family, v) or t("common.unknown")), height=260)


def change_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The change table with translated headers; a change reads "no data" apart from zero."""
    return pd.DataFrame({
        t("col.commune"): table["name"],
        t("col.incidents_prev"): table["incidents_prev"],
        t("col.incidents_now"): table["incidents"],
        t("col.difference"): table["difference"],
        indicator_label("incidents_change"): (table["incidents_change"].astype(float) * 100).round(1),
        t("col.flag"): table["incidents_flag"].map({True: t("incidents.flagged"), False: ""}),
        t("common.no_data"): (~table["has_incidents"].astype(bool)).map({True: t("common.yes"), False: ""}),
    })


#: Incident rows drawn in the details table; more are only downloaded. A browser grid of tens of
#: thousands of rows is not read, and building and sending it cost most of a rerun with 1M incidents.
DETAIL_ROWS_SHOWN = 2_000


def details_frame(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Incident detail rows for roles that may read them (descriptions are user text: dataframe only)."""
    registry = cache.get_registry()
    col = "commune_code" if level == ind.LEVEL_2025 else "legacy_code"
    names = (registry.communes if level == ind.LEVEL_2025 else registry.legacy)["name"]
    return pd.DataFrame({
        t("col.incident_code"): rows["incident_code"],
        t("col.date"): rows["occurred_on"].dt.date,
        t("col.commune"): rows[col].map(names),
        t("col.field"): _enum_labels("field", rows["field"]),
        t("col.severity"): _enum_labels("severity", rows["severity"]),
        t("col.description"): rows["description"],
    })


def _enum_labels(family: str, values: pd.Series) -> pd.Series:
    """Labels of a column of enumerated values, looked up once per distinct value."""
    values = values.astype(object)
    labels = {v: enum_label(family, v) for v in values.dropna().unique()}
    return values.map(labels).astype(object).where(values.notna(), "")


# -------------------------------------------------------------------- profiles
def median_frame(comparison: pd.DataFrame) -> pd.DataFrame:
    """Value, province median and difference per indicator, formatted as on the page."""
    rows = []
    for name, row in comparison.iterrows():
        scale = 100 if name in PERCENT_INDICATORS else 1
        rows.append({
            t("col.indicator"): indicator_label(name),
            t("col.value"): _round(row["value"] * scale),
            t("col.province_median"): _round(row["median"] * scale),
            t("col.difference"): _round(row["difference"] * scale),
        })
    return pd.DataFrame(rows)


def _round(value: float) -> float:
    return round(float(value), 2) if value is not None and not math.isnan(value) else math.nan


def render_commune_extras(code: str, filters: ind.Filters, key_prefix: str) -> None:
    """What the shared commune profile lacks: the province median and recognitions by year."""
    version = cache.data_version()
    whole = cache.get_indicators(version, cache.province_filters(filters))
    if code in whole.index:
        st.markdown(f"**{t('profile.vs_median')}**")
        st.caption(t("profile.vs_median_help"))
        comparison = comparisons.median_comparison(whole, code, district_profile.PROFILE_INDICATORS)
        name = cache.get_registry().communes.at[code, "name"]
        render_table(median_frame(comparison), filters, f"{t('profile.vs_median')} {name}",
                     key=f"{key_prefix}_median")
    render_recognitions([code], filters, key_prefix)


def render_recognitions(codes: list[str], filters: ind.Filters, key_prefix: str) -> None:
    """Recognitions "An toàn về ANTT" by year and kind of unit."""
    st.markdown(f"**{t('profile.recognitions')}**")
    data = cache.get_datasets(cache.data_version())
    table = district_profile.recognitions_by_year(data.recognitions, codes)
    if table.empty:
        st.info(t("common.no_data"))
        return
    frame = pd.DataFrame({
        t("col.year"): table["year"].astype(int).astype(str),
        t("col.unit_type"): table["unit_type"].map(lambda v: enum_label("unit_type", v)),
        t("col.assessed"): table["assessed"],
        t("col.passed"): table["passed"],
        f"{t('col.passed_share')} (%)": (table["share"] * 100).round(1),
    })
    render_table(frame, filters, t("profile.recognitions"), key=f"{key_prefix}_recognitions")


def models_frame(models: pd.DataFrame) -> pd.DataFrame:
    """Models with kind, setting, status and assessment labels."""
    names = cache.get_registry().communes["name"]
    return pd.DataFrame({
        t("col.commune"): models["commune_code"].map(names),
        t("col.model_name"): models["model_name"],
        t("col.kind"): _enum_labels("kind", models["kind"]),
        t("col.setting"): _enum_labels("setting", models["setting"]),
        t("col.status"): _enum_labels("status", models["status"]),
        t("col.assessment"): _enum_labels("assessment", models["assessment"]),
        t("col.founded_on"): models["founded_on"].dt.date,
    })


def render_district_profile(district: str, filters: ind.Filters, key_prefix: str) -> None:
    """Profile of one former district: member communes, figures against the district median,
    models, recognitions and the incident trend."""
    registry = cache.get_registry()
    version = cache.data_version()
    communes, legacy = district_profile.district_members(registry, district)
    st.subheader(registry.districts.at[district, "name"])
    whole = cache.get_indicators(version, cache.province_filters(filters))
    members = whole.loc[whole.index.intersection(communes.index)]
    st.markdown(f"**{t('profile.member_communes')}** ({len(communes)})")
    shown = ("models_per_10k", "kinds_present", "weak_share", "incidents_per_10k", "incidents_change")
    frame = indicator_columns(members[["name", *shown]])
    frame.columns = [t("col.commune"), *(indicator_label(c) for c in shown)]
    render_table(frame, filters, registry.districts.at[district, "name"], key=f"{key_prefix}_members")
    st.caption(t("profile.legacy_members", n=len(legacy), names=", ".join(legacy["name"])))
    st.markdown(f"**{t('profile.vs_district_median')}**")
    table = cache.get_district_table(version, filters)
    comparison = comparisons.median_comparison(table, district, district_profile.DISTRICT_INDICATORS)
    render_table(median_frame(comparison), filters, t("profile.vs_district_median"), key=f"{key_prefix}_median")
    data = cache.get_datasets(version)
    models = data.models[data.models["commune_code"].isin(communes.index)]
    st.markdown(f"**{t('profile.models')}** ({len(models)})")
    render_table(models_frame(models), filters, t("profile.models"), key=f"{key_prefix}_models")
    render_recognitions(list(communes.index), filters, key_prefix)
    st.markdown(f"**{t('profile.incident_trend')}**")
    monthly = series.monthly_incidents(data.incidents, list(communes.index), filters.period)
    monthly.columns = [t("indicator.incidents")]
    render_bar_chart(monthly, height=180)


# -------------------------------------------------------------- priority list
def weights_from_state() -> dict[str, float]:
    """The slider weights (defaults where a slider has not been drawn yet)."""
    return {c: float(st.session_state.get(f"priority_w_{c}", priority.DEFAULT_WEIGHTS[c]))
            for c in priority.COMPONENTS}


def reset_weights() -> None:
    """``on_click`` of the reset button: put every slider back to its default."""
    for component, weight in priority.DEFAULT_WEIGHTS.items():
        st.session_state[f"priority_w_{component}"] = weight


def render_weight_sliders() -> dict[str, float]:
    """One slider per component (keys ``priority_w_<component>``) and the reset button."""
    cols = st.columns(len(priority.COMPONENTS))
    for col, component in zip(cols, priority.COMPONENTS):
        key = f"priority_w_{component}"
        if key not in st.session_state:
            st.session_state[key] = priority.DEFAULT_WEIGHTS[component]
        col.slider(t(f"priority.component.{component}"), 0.0, 5.0, step=0.5, key=key,
                   help=t(f"priority.component.{component}.help"), persist_state="session")
    st.button(t("priority.reset"), key="priority_reset", on_click=reset_weights, icon=":material/restart_alt:")
    return weights_from_state()


def priority_frame(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked table as shown and exported: score and components on a 0–100 scale."""
    frame = pd.DataFrame({
        t("col.rank"): ranked["rank"],
        t("col.commune"): ranked["name"],
        t("priority.score"): (ranked["score"] * 100).round(1),
    })
    for component in priority.COMPONENTS:
        frame[t(f"priority.component.{component}")] = (ranked[component] * 100).round(0)
    frame[t("col.focus_class")] = ranked["focus_class"].map(group_label)
    frame[t("col.missing_kinds")] = ranked["kinds_missing"].map(
        lambda kinds: ", ".join(enum_label("kind", k) for k in kinds))
    notes = []
    for no_models, no_incidents in zip(ranked["no_model_data"], ranked["no_incident_data"]):
        parts = ([t("priority.no_model_data")] if no_models else []) + (
            [t("priority.no_incident_data")] if no_incidents else [])
        notes.append("; ".join(parts))
    frame[t("col.notes")] = notes
    return frame


def selected_row_code(event: object, ranked: pd.DataFrame, memory_key: str) -> str | None:
    """The commune of a newly selected table row (the table keeps its selection across reruns)."""
    rows = []
    selection = getattr(event, "selection", None)
    if selection is not None:
        rows = list(getattr(selection, "rows", []) or [])
    if st.session_state.get(memory_key) == rows:
        return None
    st.session_state[memory_key] = rows
    if rows and rows[0] < len(ranked):
        return str(ranked.index[rows[0]])
    return None


def sync_selection(widget_key: str) -> None:
    """``on_change`` of a page's commune select box: copy its value to the shared selection."""
    st.session_state[SELECTED_COMMUNE_KEY] = st.session_state.get(widget_key) or ""
