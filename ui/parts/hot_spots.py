"""The admin's hot-spot editor: one year's list of "địa bàn trọng điểm, phức tạp" and its history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from loaders.core import domain
from loaders.core.clock import format_datetime
from loaders.focus import hot_spots as spots
from loaders.geo.registry import Registry
from ui import cache
from ui.auth import admin_action
from ui.i18n import t
from ui.parts.labels import former_name

MESSAGE_KEY = "hot_spots_message"


def unit_label(registry: Registry, vintage: str, code: str) -> str:
    """A commune as the editor lists it: the 2025 name, or the legacy name with its former district."""
    if vintage == domain.VINTAGE_2025:
        return str(registry.communes.at[code, "name"]) if code in registry.communes.index else code
    if code not in registry.legacy.index:
        return code
    row = registry.legacy.loc[code]
    return f"{row['name']} – {former_name(row['district_name'])}"


def known_codes(registry: Registry) -> dict[str, list[str]]:
    """The codes a list may name, per vintage."""
    return {domain.VINTAGE_2025: list(registry.communes.index), domain.VINTAGE_LEGACY: list(registry.legacy.index)}


def render_editor(year: int, vintage: str) -> None:
    """The year's list for one vintage: pick communes, give each its reason and decision, save a new version.

    Entries of the other vintage in the same year's list are kept as they are.
    """
    registry = cache.get_registry()
    lists = cache.get_hot_spot_lists(cache.data_version())
    current = lists[lists["year"] == year]
    mine = current[current["vintage"] == vintage].set_index("commune_code")
    others = current[current["vintage"] != vintage]
    options = known_codes(registry)[vintage]
    suffix = f"{year}_{vintage}"
    picked = st.multiselect(
        t("hot_spots.communes"),
        options,
        default=[c for c in mine.index if c in options],
        key=f"hot_spots_communes_{suffix}",
        format_func=lambda c: unit_label(registry, vintage, c),
        placeholder=t("hot_spots.communes_placeholder"),
    )
    entries = []
    for code in picked:
        with st.container(border=True):
            st.markdown(f"**{unit_label(registry, vintage, code)}**")
            left, right = st.columns(2)
            reason = left.text_input(
                t("hot_spots.reason"),
                value=str(mine.at[code, "reason"]) if code in mine.index else "",
                key=f"hot_spots_reason_{suffix}_{code}",
                max_chars=spots.HOT_SPOT_TEXT_MAX,
            )
            decision = right.text_input(
                t("hot_spots.decision"),
                value=str(mine.at[code, "decision"]) if code in mine.index else "",
                key=f"hot_spots_decision_{suffix}_{code}",
                max_chars=spots.HOT_SPOT_TEXT_MAX,
                placeholder=t("hot_spots.decision_placeholder"),
            )
        entries.append(spots.HotSpot(code, reason, decision, vintage))
    kept = [spots.HotSpot(r.commune_code, r.reason, r.decision, r.vintage) for r in others.itertuples()]
    note = st.text_input(t("hot_spots.note"), key=f"hot_spots_note_{suffix}", max_chars=200)
    if st.button(t("hot_spots.save"), key="hot_spots_save", type="primary", icon=":material/save:"):
        actor, address = admin_action("hot_spots")
        try:
            version = spots.save_list(
                cache.get_engine(), year, kept + entries, known_codes(registry), actor, address, note
            )
        except spots.HotSpotError as exc:
            st.error(str(exc))
            return
        st.session_state[MESSAGE_KEY] = t("hot_spots.saved", year=year, version=version, n=len(kept) + len(entries))
        st.rerun()


def render_history(year: int) -> None:
    """Every saved version of the year's list, newest first (user text shown as table data, never as HTML)."""
    registry = cache.get_registry()
    history = spots.load_history(cache.get_engine(), year)
    if history.empty:
        st.info(t("hot_spots.no_history", year=year))
        return
    frame = pd.DataFrame(
        {
            t("hot_spots.col.version"): history["version"],
            t("hot_spots.col.saved_at"): [format_datetime(v) for v in pd.to_datetime(history["created_at"], utc=True)],
            t("hot_spots.col.saved_by"): history["created_by"],
            t("col.commune"): [
                t("hot_spots.emptied") if pd.isna(c) else unit_label(registry, v, c)
                for v, c in zip(history["vintage"], history["commune_code"])
            ],
            t("hot_spots.reason"): history["reason"].fillna(""),
            t("hot_spots.decision"): history["decision"].fillna(""),
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="hot_spots_history_table")
