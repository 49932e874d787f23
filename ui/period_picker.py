"""The sidebar's period and comparison choice: official or calendar periods, a custom range, the comparison.

The rules themselves (which dates a period covers, what it is compared with)
are :mod:`analysis.periods`; this module only draws the choice. "Today" is
Vietnam's date (:func:`loaders.core.clock.vietnam_today`): the current period ends
today, and the default is the current official year to date.
"""

from __future__ import annotations

import functools
from datetime import date

import streamlit as st

from analysis import periods
from analysis.periods import Period
from loaders.core.clock import vietnam_today
from loaders.core.i18n import format_date_range
from ui.i18n import current_language, option_labels, t

#: Kinds of period in the menu: the official ones first (what reports use), then calendar ones, then custom.
PERIOD_KINDS: tuple[str, ...] = (*periods.KINDS, periods.CUSTOM)
DEFAULT_KIND = periods.OFFICIAL_YEAR
FIRST_PERIOD = date(2020, 1, 1)
KIND_KEY = "filter_granularity"
COMPARE_KEY = "filter_compare"
CUSTOM_KEYS = ("filter_period_custom_from", "filter_period_custom_to")
#: How many periods of each length the range selects by default, ending with the current one.
_DEFAULT_SPAN = {periods.MONTH: 12, periods.QUARTER: 4, periods.HALF: 2, periods.YEAR: 1}


def period_options(kind: str, today: date | None = None) -> list[Period]:
    """Every period of ``kind`` from January 2020 to the current one, which ends today (Vietnam's date)."""
    return [period for _, period in _options(kind, today or vietnam_today())]


def period_labels(kind: str, today: date | None = None) -> list[str]:
    """The labels of :func:`period_options`, in the same order (the values kept in the URL)."""
    return [label for label, _ in _options(kind, today or vietnam_today())]


@functools.lru_cache(maxsize=32)
def _options(kind: str, today: date) -> tuple[tuple[str, Period], ...]:
    # Computed once a day per kind, not on every rerun of every page: the options only change when the day does.
    return tuple(periods.options(kind, FIRST_PERIOD, today))


def period_label(period: Period, kind: str) -> str:
    """Short label of a period of ``kind``: 2025, H1/2025, Q1/2025 or 03/2025."""
    return periods.label_of(kind, *periods.containing(kind, period.start))


def period_keys(kind: str) -> tuple[str, str]:
    """Session keys of the period's first and last select boxes for a kind."""
    return f"filter_period_from_{kind}", f"filter_period_to_{kind}"


def default_range(kind: str, options: list[Period]) -> tuple[int, int]:
    """Default selection, ending with the current period: 12 months, 4 quarters, 2 halves or 1 year."""
    last = len(options) - 1
    return max(0, last - _DEFAULT_SPAN[periods.calendar_kind(kind)] + 1), last


def _option_text(kind: str, label: str, lang: str) -> str:
    """A period in words; an official one with its dates, since it does not start on the 1st."""
    year, number = periods.parse_label(kind, label)
    name = periods.period_name(kind, year, number, lang)
    if not periods.is_official(kind):
        return name
    period = periods.period_of(kind, year, number)
    return f"{name} ({format_date_range(period.start, period.end, lang)})"


def _render_range(kind: str) -> Period:
    """The from/to select boxes of a kind of period; the selected span."""
    options = _options(kind, vietnam_today())
    labels = [label for label, _ in options]
    from_key, to_key = period_keys(kind)
    if st.session_state.get(from_key) not in labels:
        st.session_state[from_key] = labels[default_range(kind, [p for _, p in options])[0]]
    if st.session_state.get(to_key) not in labels:
        st.session_state[to_key] = labels[-1]
    lang = current_language()
    # Two select boxes rather than a range slider: exact to pick, and readable on a phone.
    left, right = st.columns(2)
    start_label = left.selectbox(
        t("filter.period_from"), labels, key=from_key, format_func=lambda v: _option_text(kind, v, lang)
    )
    end_label = right.selectbox(
        t("filter.period_to"), labels, key=to_key, format_func=lambda v: _option_text(kind, v, lang)
    )
    first, last = sorted((labels.index(start_label), labels.index(end_label)))
    if first != labels.index(start_label):
        st.caption(t("filter.period_swapped"))
    return Period(options[first][1].start, options[last][1].end)


def _render_custom() -> Period:
    """Two date inputs, from the first data year to today; swapped when given the wrong way round."""
    today = vietnam_today()
    default = periods.default_period(today)
    for key, value in zip(CUSTOM_KEYS, (default.start, default.end), strict=True):
        held = st.session_state.get(key)
        if not isinstance(held, date) or not FIRST_PERIOD <= held <= today:
            st.session_state[key] = value
    left, right = st.columns(2)
    start = left.date_input(
        t("filter.custom_from"), key=CUSTOM_KEYS[0], min_value=FIRST_PERIOD, max_value=today, format="DD/MM/YYYY"
    )
    end = right.date_input(
        t("filter.custom_to"), key=CUSTOM_KEYS[1], min_value=FIRST_PERIOD, max_value=today, format="DD/MM/YYYY"
    )
    if start > end:
        st.caption(t("filter.period_swapped"))
        start, end = end, start
    return Period(start, end)


def render_period_picker() -> tuple[Period, str]:
    """Draw the kind of period, the period and the comparison; return the period and the comparison rule.

    Returns
    -------
    tuple of (Period, str)
        The selected period and one of ``analysis.periods.COMPARISONS``.
    """
    if st.session_state.get(KIND_KEY) not in PERIOD_KINDS:
        st.session_state[KIND_KEY] = DEFAULT_KIND
    kind = st.selectbox(
        t("filter.granularity"),
        PERIOD_KINDS,
        key=KIND_KEY,
        format_func=option_labels("filter.granularity."),
        help=t("filter.official_help"),
    )
    period = _render_custom() if kind == periods.CUSTOM else _render_range(kind)
    compare = st.radio(
        t("filter.compare"),
        periods.COMPARISONS,
        key=COMPARE_KEY,
        format_func=option_labels("compare."),
        help=t("filter.compare_help"),
    )
    st.caption(t("filter.period_summary", period=period_text(period), compare=compare_text(period, compare)))
    return period, compare


def period_text(period: Period) -> str:
    """A period as read on the page: 15/12/2025 – 07/12/2026."""
    return format_date_range(period.start, period.end, current_language())


def compare_text(period: Period, rule: str) -> str:
    """The comparison rule and its dates, e.g. "cùng kỳ năm trước (15/12/2024 – 07/12/2025)"."""
    return t(f"compare.rule.{rule}", dates=period_text(periods.comparison_period(period, rule)))
