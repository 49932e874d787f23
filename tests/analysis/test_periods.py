"""Periods: calendar and official (Decree 09/2019/NĐ-CP), the default, comparisons and the CLI names."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from analysis import periods as p
from analysis.periods import Period


def _p(a: str, b: str) -> Period:
    return Period(date.fromisoformat(a), date.fromisoformat(b))


@pytest.mark.parametrize(
    ("kind", "year", "number", "expected"),
    [
        (p.OFFICIAL_YEAR, 2025, 1, _p("2024-12-15", "2025-12-14")),
        (p.OFFICIAL_QUARTER, 2025, 1, _p("2024-12-15", "2025-03-14")),
        (p.OFFICIAL_QUARTER, 2025, 3, _p("2025-06-15", "2025-09-14")),  # across 1/7/2025
        (p.OFFICIAL_MONTH, 2025, 7, _p("2025-06-15", "2025-07-14")),
        (p.OFFICIAL_MONTH, 2025, 1, _p("2024-12-15", "2025-01-14")),
        (p.OFFICIAL_HALF, 2025, 1, _p("2024-12-15", "2025-06-14")),
        (p.OFFICIAL_HALF, 2025, 2, _p("2025-06-15", "2025-12-14")),
        (p.YEAR, 2024, 1, _p("2024-01-01", "2024-12-31")),
        (p.HALF, 2025, 2, _p("2025-07-01", "2025-12-31")),
        (p.QUARTER, 2024, 1, _p("2024-01-01", "2024-03-31")),
        (p.MONTH, 2024, 2, _p("2024-02-01", "2024-02-29")),  # leap year
        (p.MONTH, 2025, 2, _p("2025-02-01", "2025-02-28")),
    ],
)
def test_periods_by_hand(kind: str, year: int, number: int, expected: Period) -> None:
    assert p.period_of(kind, year, number) == expected
    assert p.containing(kind, expected.start) == (year, number)
    assert p.containing(kind, expected.end) == (year, number)
    assert p.parse_period_spec(p.format_period_spec(kind, year, number)) == expected
    assert p.parse_label(kind, p.label_of(kind, year, number)) == (year, number)


@pytest.mark.parametrize(("kind", "number"), [(p.MONTH, 13), (p.QUARTER, 0), (p.HALF, 3), ("week", 1)])
def test_periods_that_do_not_exist(kind: str, number: int) -> None:
    with pytest.raises(ValueError, match=r"does not exist|unknown kind"):
        p.period_of(kind, 2025, number)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 7), _p("2025-12-15", "2026-12-07")),
        (date(2026, 12, 14), _p("2025-12-15", "2026-12-14")),  # the last day of official year 2026
        (date(2026, 12, 15), _p("2026-12-15", "2026-12-15")),  # official year 2027 begins
        (date(2025, 7, 1), _p("2024-12-15", "2025-07-01")),
    ],
)
def test_default_is_the_official_year_to_date(today: date, expected: Period) -> None:
    assert p.default_period(today) == expected


def test_options_run_to_today_and_end_there() -> None:
    opts = p.options(p.OFFICIAL_QUARTER, date(2024, 12, 20), date(2025, 7, 3))
    assert [label for label, _ in opts] == ["Q1/2025", "Q2/2025", "Q3/2025"]
    assert opts[-1][1] == _p("2025-06-15", "2025-07-03")
    months = p.options(p.MONTH, date(2020, 1, 1), date(2020, 3, 5))
    assert months == [("01/2020", _p("2020-01-01", "2020-01-31")), ("02/2020", _p("2020-02-01", "2020-02-29")),
                      ("3/2020", _p("2020-03-01", "2020-03-05"))]  # fmt: skip
    years = p.options(p.OFFICIAL_YEAR, date(2020, 1, 1), date(2026, 12, 20))
    assert [label for label, _ in years] == [str(y) for y in range(2020, 2028)]
    assert years[0][1] == _p("2019-12-15", "2020-12-14")


@pytest.mark.parametrize(
    ("period", "last_year"),
    [
        (_p("2024-12-15", "2025-12-14"), _p("2023-12-15", "2024-12-14")),  # official year 2025
        (_p("2024-12-15", "2025-03-14"), _p("2023-12-15", "2024-03-14")),  # official quarter I/2025
        (_p("2025-06-15", "2025-07-14"), _p("2024-06-15", "2024-07-14")),  # across 1/7/2025
        (_p("2025-07-01", "2025-09-30"), _p("2024-07-01", "2024-09-30")),
        (_p("2025-02-01", "2025-02-28"), _p("2024-02-01", "2024-02-29")),  # the whole month, 29 days
        (_p("2024-02-01", "2024-02-29"), _p("2023-02-01", "2023-02-28")),
        (_p("2024-02-29", "2024-03-10"), _p("2023-02-28", "2023-03-10")),  # 29/2 -> 28/2
        (_p("2025-12-15", "2026-12-07"), _p("2024-12-15", "2025-12-07")),  # official year to date
    ],
)
def test_same_period_last_year(period: Period, last_year: Period) -> None:
    assert p.same_period_last_year(period) == last_year
    assert p.comparison_period(period) == last_year  # the default
    assert period.compared_with(p.COMPARE_SAME_PERIOD_LAST_YEAR) == last_year


@pytest.mark.parametrize(
    ("period", "before"),
    [
        (_p("2024-12-15", "2025-12-14"), _p("2023-12-15", "2024-12-14")),
        (_p("2024-12-15", "2025-03-14"), _p("2024-09-15", "2024-12-14")),  # official quarter IV/2024
        (_p("2025-06-15", "2025-07-14"), _p("2025-05-15", "2025-06-14")),
        (_p("2025-03-15", "2025-04-14"), _p("2025-02-15", "2025-03-14")),  # February's 28 days do not matter
        (_p("2025-04-01", "2025-06-30"), _p("2025-01-01", "2025-03-31")),
        (_p("2025-01-10", "2025-01-19"), _p("2024-12-31", "2025-01-09")),  # days step back days
        (_p("2025-01-31", "2025-02-27"), _p("2025-01-03", "2025-01-30")),  # a 31st is not month-aligned
    ],
)
def test_previous_adjacent_period(period: Period, before: Period) -> None:
    assert p.previous_period(period) == before
    assert p.comparison_period(period, p.COMPARE_PREVIOUS) == before
    assert before.end + timedelta(days=1) == period.start  # adjacent


def test_an_unknown_comparison_fails() -> None:
    with pytest.raises(ValueError, match="unknown comparison"):
        p.comparison_period(_p("2025-01-01", "2025-01-31"), "next")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("official-year:2025", _p("2024-12-15", "2025-12-14")),
        ("official-quarter:2025-Q1", _p("2024-12-15", "2025-03-14")),
        ("official-month:2025-07", _p("2025-06-15", "2025-07-14")),
        ("official-half:2025-H1", _p("2024-12-15", "2025-06-14")),
        ("year:2025", _p("2025-01-01", "2025-12-31")),
        ("quarter:2025-Q3", _p("2025-07-01", "2025-09-30")),
        ("month:2025-07", _p("2025-07-01", "2025-07-31")),
        ("half:2025-H2", _p("2025-07-01", "2025-12-31")),
        (" quarter:2025-q3 ", _p("2025-07-01", "2025-09-30")),
    ],
)
def test_period_specs(spec: str, expected: Period) -> None:
    assert p.parse_period_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("week:2025-12", "Dạng được nhận"),
        ("2025", "Dạng được nhận"),
        ("quarter:2025-Q5", "quarter:2025-Q1"),
        ("month:2025-7", "month:2025-07"),
        ("month:2025-13", "month:2025-07"),
        ("official-year:2025-Q1", "official-year:2025"),
        ("half:2025-Q1", "half:2025-H1"),
    ],
)
def test_bad_period_specs_say_what_is_expected(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        p.parse_period_spec(spec)


def test_custom_range() -> None:
    assert p.parse_date_range("2025-01-01", "2025-03-31") == _p("2025-01-01", "2025-03-31")
    with pytest.raises(ValueError, match="--to không hợp lệ: '31/3/2025'"):
        p.parse_date_range("2025-01-01", "31/3/2025")
    with pytest.raises(ValueError, match="sau ngày kết thúc"):
        p.parse_date_range("2025-04-01", "2025-03-31")


@pytest.mark.parametrize(
    ("kind", "number", "lang", "name"),
    [
        (p.OFFICIAL_YEAR, 1, "vi", "Năm 2025"),
        (p.OFFICIAL_HALF, 1, "vi", "6 tháng đầu năm 2025"),
        (p.HALF, 2, "vi", "6 tháng cuối năm 2025"),
        (p.OFFICIAL_QUARTER, 4, "vi", "Quý IV/2025"),
        (p.MONTH, 7, "vi", "Tháng 7/2025"),
        (p.QUARTER, 3, "en", "Q3/2025"),
        (p.MONTH, 7, "en", "07/2025"),
    ],
)
def test_period_names(kind: str, number: int, lang: str, name: str) -> None:
    assert p.period_name(kind, 2025, number, lang) == name
