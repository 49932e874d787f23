"""Shareable views: filters, the selected commune and the map indicator live in the URL.

On a session's first run the query parameters seed the widgets' session state;
after every run the current state is written back, so the address bar always
holds the view. Invalid parameters fall back to defaults with a notice and
never raise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from analysis import periods
from analysis.indicators import MAP_INDICATORS
from loaders.core import domain
from loaders.core.clock import vietnam_today
from loaders.core.textnorm import key
from ui import cache
from ui.i18n import t
from ui.period_picker import COMPARE_KEY, CUSTOM_KEYS, DEFAULT_KIND, FIRST_PERIOD, KIND_KEY, PERIOD_KINDS
from ui.plain_text import plain

_RESTORED_FLAG = "url_restored"
NOTICES_KEY = "url_notices"

#: Query parameter -> session-state key of the widget it drives.
PARAMS: dict[str, str] = {
    "ky": "filter_granularity",
    "tu": "filter_period_from_<ky>",
    "den": "filter_period_to_<ky>",
    "so_sanh": "filter_compare",
    "huyen": "filter_districts",
    "loai": "filter_kinds",
    "dia_ban": "filter_focus",
    "xa": "selected_commune",
    "chi_tieu": "map_indicator",
    "don_vi": "map_level",
}
_KIND_BY_KEY = {key(k): k for k in domain.MODEL_KINDS}


def _split(value: str) -> list[str]:
    return [v for v in (p.strip() for p in value.split(",")) if v]


def restore_from_query_params(period_labels: Callable[[str], list[str]]) -> None:
    """Seed widget state from the URL once per session; remember notices for bad values.

    Parameters
    ----------
    period_labels : callable
        Gives the valid period labels of a kind of period (``ui.period_picker.period_labels``).
    """
    if st.session_state.get(_RESTORED_FLAG):
        return
    st.session_state[_RESTORED_FLAG] = True
    params = st.query_params
    notices: list[str] = []
    registry = cache.get_registry()

    def bad(name: str, value: str) -> None:
        # The value comes from whoever wrote the link: shown as plain, short text, never as Markdown.
        notices.append(t("url.invalid", name=plain(name), value=plain(value)))

    kind = params.get("ky", DEFAULT_KIND)
    if kind not in PERIOD_KINDS:
        bad("ky", kind)
        kind = DEFAULT_KIND
    elif "ky" in params:
        st.session_state[KIND_KEY] = kind
    start, end = params.get("tu"), params.get("den")
    if start or end:
        if kind == periods.CUSTOM:
            days = _custom_days(start, end)
            if days:
                st.session_state[CUSTOM_KEYS[0]], st.session_state[CUSTOM_KEYS[1]] = days
            else:
                bad("tu/den", f"{start}–{end}")
        else:
            labels = period_labels(kind)
            start, end = _same_label(kind, start), _same_label(kind, end)
            if start in labels and end in labels and labels.index(start) <= labels.index(end):
                st.session_state[f"filter_period_from_{kind}"] = start
                st.session_state[f"filter_period_to_{kind}"] = end
            else:
                bad("tu/den", f"{start}–{end}")
    if "so_sanh" in params:
        if params["so_sanh"] in periods.COMPARISONS:
            st.session_state[COMPARE_KEY] = params["so_sanh"]
        else:
            bad("so_sanh", params["so_sanh"])
    if "huyen" in params:
        codes = _split(params["huyen"])
        valid = [c for c in codes if c in registry.districts.index]
        if len(valid) != len(codes):
            bad("huyen", params["huyen"])
        st.session_state["filter_districts"] = valid
    if "loai" in params:
        kinds = [_KIND_BY_KEY.get(key(k)) for k in _split(params["loai"])]
        if None in kinds:
            bad("loai", params["loai"])
        st.session_state["filter_kinds"] = [k for k in kinds if k]
    if "dia_ban" in params:
        if params["dia_ban"] in domain.FOCUS_AREAS:
            st.session_state["filter_focus"] = params["dia_ban"]
        else:
            bad("dia_ban", params["dia_ban"])
    if "xa" in params:
        if params["xa"] in registry.communes.index:
            st.session_state["selected_commune"] = params["xa"]
        else:
            bad("xa", params["xa"])
    if "chi_tieu" in params:
        if params["chi_tieu"] in MAP_INDICATORS:
            st.session_state["map_indicator"] = params["chi_tieu"]
        else:
            bad("chi_tieu", params["chi_tieu"])
    if "don_vi" in params:
        if params["don_vi"] in (domain.VINTAGE_2025, domain.VINTAGE_LEGACY):
            st.session_state["map_level"] = params["don_vi"]
        else:
            bad("don_vi", params["don_vi"])
    st.session_state[NOTICES_KEY] = notices


def _custom_days(start: str | None, end: str | None) -> tuple[date, date] | None:
    """The ISO dates of a custom range, when both are valid, in order and between the first data year and today."""
    try:
        days = date.fromisoformat(start or ""), date.fromisoformat(end or "")
    except ValueError:
        return None
    return days if FIRST_PERIOD <= days[0] <= days[1] <= vietnam_today() else None


def render_notices() -> None:
    """Show (once) what the URL held that could not be used."""
    for notice in st.session_state.pop(NOTICES_KEY, []):
        st.toast(notice, icon=":material/link_off:")
        st.info(notice, icon=":material/link_off:")


def sync_query_params() -> None:
    """Write the current view into the URL (only parameters that differ from defaults)."""
    state = st.session_state
    kind = state.get(KIND_KEY, DEFAULT_KIND)
    wanted: dict[str, str] = {"ky": kind}
    if kind == periods.CUSTOM:
        start, end = (state.get(k) for k in CUSTOM_KEYS)
        start, end = (d.isoformat() if isinstance(d, date) else None for d in (start, end))
    else:
        start, end = state.get(f"filter_period_from_{kind}"), state.get(f"filter_period_to_{kind}")
    if start and end:
        wanted["tu"], wanted["den"] = start, end
    if state.get(COMPARE_KEY, periods.COMPARISONS[0]) != periods.COMPARISONS[0]:
        wanted["so_sanh"] = state[COMPARE_KEY]
    if state.get("filter_districts"):
        wanted["huyen"] = ",".join(state["filter_districts"])
    if state.get("filter_kinds"):
        wanted["loai"] = ",".join(key(k) for k in state["filter_kinds"])
    if state.get("filter_focus", domain.FOCUS_ALL) != domain.FOCUS_ALL:
        wanted["dia_ban"] = state["filter_focus"]
    if state.get("selected_commune"):
        wanted["xa"] = state["selected_commune"]
    if state.get("map_indicator"):
        wanted["chi_tieu"] = state["map_indicator"]
    if state.get("map_level") == domain.VINTAGE_LEGACY:
        wanted["don_vi"] = domain.VINTAGE_LEGACY
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _same_label(kind: str, label: str | None) -> str | None:
    """``label`` as the picker writes it today (a link saved as "07/2025" opens 7/2025)."""
    try:
        return periods.label_of(kind, *periods.parse_label(kind, label or ""))
    except ValueError:
        return label
