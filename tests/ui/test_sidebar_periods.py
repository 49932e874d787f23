"""The period choices of the shared sidebar (pure functions, cached per day)."""

from __future__ import annotations

from datetime import date

from analysis.indicators import Period
from ui.period_picker import PERIOD_KINDS, default_range, period_label, period_labels, period_options


def test_period_options_run_from_january_2020_to_today():
    today = date(2026, 11, 27)
    months = period_options("month", today)
    assert months[0] == Period(date(2020, 1, 1), date(2020, 1, 31))
    assert months[1] == Period(date(2020, 2, 1), date(2020, 2, 29))  # leap year
    assert months[-1] == Period(date(2026, 11, 1), today), "the current period ends today"
    assert len(months) == 6 * 12 + 11
    quarters = period_options("quarter", today)
    assert quarters[-2] == Period(date(2026, 7, 1), date(2026, 9, 30)) and quarters[-1].end == today
    years = period_options("year", today)
    assert [period_label(p, "year") for p in years] == [str(y) for y in range(2020, 2027)]
    assert years[-1] == Period(date(2026, 1, 1), today)


def test_official_options_start_on_the_15th_and_run_to_today():
    today = date(2026, 12, 20)  # official year 2027 has begun
    years = period_options("official-year", today)
    assert years[-1] == Period(date(2026, 12, 15), today)
    assert years[-2] == Period(date(2025, 12, 15), date(2026, 12, 14))
    assert period_labels("official-year", today)[-2:] == ["2026", "2027"]
    halves = period_options("official-half", date(2025, 7, 3))
    assert period_labels("official-half", date(2025, 7, 3))[-2:] == ["H1/2025", "H2/2025"]
    assert halves[-1] == Period(date(2025, 6, 15), date(2025, 7, 3))
    assert [period_label(p, "official-month") for p in period_options("official-month", today)][-1] == "01/2027"


def test_default_selection_ends_with_the_current_period():
    today = date(2026, 12, 7)
    options = period_options("official-year", today)
    first, last = default_range("official-year", options)
    assert (first, last) == (len(options) - 1, len(options) - 1)
    assert Period(options[first].start, options[last].end) == Period(date(2025, 12, 15), today)  # year to date
    months = period_options("month", today)
    assert default_range("month", months) == (len(months) - 12, len(months) - 1)
    assert "custom" in PERIOD_KINDS and PERIOD_KINDS[0] == "official-year"


def test_period_options_follow_the_day_and_return_a_fresh_list():
    first = period_options("month", date(2026, 11, 27))
    first.clear()  # a caller changing its list must not change the cached options
    assert len(period_options("month", date(2026, 11, 27))) == 83
    assert period_options("month", date(2026, 12, 1))[-1] == Period(date(2026, 12, 1), date(2026, 12, 1))
