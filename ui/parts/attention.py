"""The "Cần chú ý" panel: communes that need attention now, each with why, each opening its profile.

The rules and their order are in :mod:`analysis.attention`; this module only words them.
A line's button selects the commune (the shared :data:`SELECTED_COMMUNE_KEY`), so its
profile opens on the same page: beside the map on a laptop, below it on a phone.
"""

from __future__ import annotations

import streamlit as st

from analysis import attention as att
from analysis import indicators as ind
from ui import cache
from ui.i18n import t
from ui.parts.labels import enum_label, fmt
from ui.parts.map_section import SELECTED_COMMUNE_KEY


def reason_text(reason: att.Reason, compare: str) -> str:
    """One reason as a sentence in the current language; ``compare`` is ``Filters.compare``."""
    if reason.kind == att.REASON_INCIDENTS_ROSE:
        areas = ", ".join(t(f"focus.{a}") for a in reason.value("areas"))
        return t(
            "attention.incidents_rose",
            change=fmt("incidents_change", reason.value("change")),
            before=reason.value("before"),
            now=reason.value("now"),
            areas=areas,
            compared=t(f"attention.compared.{compare}"),
        )
    if reason.kind == att.REASON_COVERAGE_FELL:
        text = t("attention.coverage_fell", before=reason.value("before"), now=reason.value("now"))
        lost = reason.value("kinds_lost")
        if lost:
            text += t("attention.kinds_lost", kinds=", ".join(enum_label("kind", k) for k in lost))
        return text
    if reason.kind == att.REASON_NOT_REPORTED:
        return t("attention.not_reported", n=reason.value("count"))
    parts = [
        t(f"attention.{team}", n=reason.value(team))
        for team in ("without_security_team", "without_mediation_team")
        if reason.value(team)
    ]
    return "; ".join(parts)


def _select(code: str) -> None:
    st.session_state[SELECTED_COMMUNE_KEY] = code


def _render_line(line: att.AttentionLine, compare: str, key_prefix: str) -> None:
    # Names come from the registry, reasons from the catalogue and numbers: no user text here.
    st.button(
        line.name,
        key=f"{key_prefix}_open_{line.code}",
        type="tertiary",
        icon=":material/chevron_right:",
        help=t("attention.open"),
        on_click=_select,
        args=(line.code,),
    )
    st.caption(" · ".join(reason_text(r, compare) for r in line.reasons))


def render_attention(filters: ind.Filters, key_prefix: str = "attention") -> list[att.AttentionLine]:
    """The panel for the filters: the :data:`analysis.attention.SHOWN` most important lines, the rest on demand.

    Returns
    -------
    list of AttentionLine
        Every line, in order (the page's tests and the caller may use them).
    """
    lines = cache.get_attention(cache.data_version(), filters)
    with st.container(key=f"{key_prefix}_panel", border=True):
        st.markdown(f"**{t('attention.title')}**", help=t("attention.rules"))
        if not lines:
            st.caption(t("attention.empty"))
            return lines
        for line in lines[: att.SHOWN]:
            _render_line(line, filters.compare, key_prefix)
        rest = lines[att.SHOWN :]
        # The rest is drawn only when asked for: tens of lines drawn collapsed in an expander
        # still cost the browser their rendering before the map's frame appears.
        if rest and st.toggle(t("attention.more", n=len(lines)), key=f"{key_prefix}_all"):
            for line in rest:
                _render_line(line, filters.compare, key_prefix)
    return lines
