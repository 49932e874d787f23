"""The priority list's sections: the weight sliders, the ranked table and its row selection."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis import priority
from ui.i18n import t
from ui.parts.labels import enum_label, group_label


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


def priority_frame(ranked: pd.DataFrame) -> pd.DataFrame:
    """The ranked table as shown and exported: score and components on a 0–100 scale."""
    frame = pd.DataFrame(
        {
            t("col.rank"): ranked["rank"],
            t("col.commune"): ranked["name"],
            t("priority.score"): (ranked["score"] * 100).round(1),
        }
    )
    for component in priority.COMPONENTS:
        frame[t(f"priority.component.{component}")] = (ranked[component] * 100).round(0)
    frame[t("col.focus_class")] = ranked["focus_class"].map(group_label)
    frame[t("col.missing_kinds")] = ranked["kinds_missing"].map(
        lambda kinds: ", ".join(enum_label("kind", k) for k in kinds)
    )
    notes = []
    for no_models, no_incidents in zip(ranked["no_model_data"], ranked["no_incident_data"]):
        parts = ([t("priority.no_model_data")] if no_models else []) + (
            [t("priority.no_incident_data")] if no_incidents else []
        )
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
