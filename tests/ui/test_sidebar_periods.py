"""The period choices of the shared sidebar (a pure function, cached per day)."""

from __future__ import annotations

from datetime import date

from analysis.indicators import Period
from ui.sidebar import period_label, period_options


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


def test_period_options_follow_the_day_and_return_a_fresh_list():
    first = period_options("month", date(2026, 11, 27))
    first.clear()  # a caller changing its list must not change the cached options
    assert len(period_options("month", date(2026, 11, 27))) == 83
    assert period_options("month", date(2026, 12, 1))[-1] == Period(date(2026, 12, 1), date(2026, 12, 1))
