"""The priority list's sections: the weight sliders, the rules, the ranked table, the communes listed apart."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis import priority
from analysis.formatting import format_plain
from ui.i18n import current_language, t
from ui.parts.labels import enum_label, group_label
from ui.period_picker import compare_text


def weights_from_state() -> dict[str, float]:
    """The slider weights (defaults where a slider has not been drawn yet)."""
    return {c: float(st.session_state.get(f"priority_w_{c}", priority.DEFAULT_WEIGHTS[c])) for c in priority.COMPONENTS}


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
        col.slider(
            t(f"priority.component.{component}"),
            0.0,
            5.0,
            step=0.5,
            key=key,
            help=t(f"priority.component.{component}.help"),
            persist_state="session",
        )
    st.button(t("priority.reset"), key="priority_reset", on_click=reset_weights, icon=":material/restart_alt:")
    return weights_from_state()


def rule_lines(filters: ind.Filters) -> list[str]:
    """The rules under the formula: who is ranked, the severity weights and the scaled low-base rule."""
    lang = current_language()
    severities = priority.SEVERITY_WEIGHTS.items()
    weights = ", ".join(f"{enum_label('severity', s)} {format_plain(w, lang)}" for s, w in severities)
    days = priority.period_days(filters.period)
    return [
        t("priority.no_data_rule"),
        t("priority.severity_weights", weights=weights, unknown=format_plain(priority.UNKNOWN_SEVERITY_WEIGHT, lang)),
        t(
            "priority.rising_rule",
            compare=compare_text(filters.period, filters.compare),
            baseline=priority.scaled_baseline(filters.min_baseline, filters.period),
            min_baseline=filters.min_baseline,
            days=days,
        ),
    ]


def _reasons(scores: pd.DataFrame) -> list[str]:
    return ["; ".join(t(f"priority.reason.{r}") for r in reasons) for reasons in scores["reasons"]]


def export_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """Every commune as exported: the ranked ones, then those listed apart, with a status column.

    A commune listed apart has no rank, no score and no components (blank
    cells), and the reason instead; its missing kinds are blank when it has no
    model data (unknown, not "all four missing").
    """
    no_models = scores["reasons"].map(lambda r: priority.REASON_NO_MODEL_DATA in r).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            t("col.status"): [t(f"priority.status.{s}") for s in scores["status"]],
            # Nullable whole numbers: an empty cell, not 0 or NaN, for a commune listed apart.
            t("col.rank"): scores["rank"].astype("Int64"),
            t("col.commune"): scores["name"],
            t("priority.score"): (scores["score"] * 100).round(1),
        },
        index=scores.index,
    )
    for component in priority.COMPONENTS:
        frame[t(f"priority.component.{component}")] = (scores[component] * 100).round(0)
    frame[t("col.focus_class")] = scores["focus_class"].map(group_label)
    frame[t("priority.col.area_coverage")] = (scores["area_coverage"].astype(float) * 100).round(0)
    kinds = scores["kinds_missing"].map(lambda ks: ", ".join(enum_label("kind", k) for k in ks))
    frame[t("col.missing_kinds")] = kinds.where(~no_models, "")
    frame[t("priority.col.incident_rate")] = scores["incident_rate"].astype(float).round(1)
    frame[t("priority.col.reasons")] = _reasons(scores)
    return frame.reset_index(drop=True)


def priority_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """The ranked table as shown: rank, score and components on a 0–100 scale (ranked communes only)."""
    ranked = priority.ranked_only(scores)
    frame = export_frame(ranked).drop(columns=[t("col.status"), t("priority.col.reasons")])
    frame[t("col.rank")] = ranked["rank"].astype(int).to_numpy()
    return frame


def no_data_frame(scores: pd.DataFrame) -> pd.DataFrame:
    """The communes listed apart as "chưa có dữ liệu": name, reason, focus group and what is known of coverage."""
    apart = priority.listed_apart(scores)
    return pd.DataFrame(
        {
            t("col.commune"): apart["name"].to_numpy(),
            t("priority.col.reasons"): _reasons(apart),
            t("col.focus_class"): apart["focus_class"].map(group_label).to_numpy(),
            t("priority.col.area_coverage"): (apart["area_coverage"].astype(float) * 100).round(0).to_numpy(),
        }
    )


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
