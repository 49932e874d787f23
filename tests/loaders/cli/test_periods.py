"""The period options that commands share: ``--period``, ``--from``/``--to``, ``--compare``."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from analysis import periods
from analysis.periods import Period
from loaders.cli.periods import PeriodUsageError, add_period_arguments, period_from_args

TODAY = date(2026, 12, 7)


def _parse(*argv: str) -> tuple[Period, str]:
    parser = argparse.ArgumentParser()
    add_period_arguments(parser)
    return period_from_args(parser.parse_args(argv), today=TODAY)


SAME, PREVIOUS = periods.COMPARE_SAME_PERIOD_LAST_YEAR, periods.COMPARE_PREVIOUS
OFFICIAL_Q1 = Period(date(2024, 12, 15), date(2025, 3, 14))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ((), (Period(date(2025, 12, 15), TODAY), SAME)),  # the official year to date
        (("--period", "official-year:2025"), (Period(date(2024, 12, 15), date(2025, 12, 14)), SAME)),
        (("--period", "official-quarter:2025-Q1", "--compare", PREVIOUS), (OFFICIAL_Q1, PREVIOUS)),
        (("--from", "2025-01-01", "--to", "2025-03-31"), (Period(date(2025, 1, 1), date(2025, 3, 31)), SAME)),
        (("--from", "2026-11-01"), (Period(date(2026, 11, 1), TODAY), SAME)),  # to today
    ],
)  # fmt: skip
def test_period_options(argv: tuple[str, ...], expected: tuple[Period, str]) -> None:
    assert _parse(*argv) == expected


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--period", "official-year:2025", "--from", "2025-01-01"), "không dùng cả hai"),
        (("--to", "2025-01-01"), "--to cần đi cùng --from"),
        (("--period", "quarter:2025-Q5"), "quarter:2025-Q1"),
        (("--period", "week:2025-01"), "Dạng được nhận"),
        (("--from", "01/01/2025"), "YYYY-MM-DD"),
        (("--from", "2025-04-01", "--to", "2025-03-31"), "sau ngày kết thúc"),
    ],
)
def test_bad_period_options_say_why_in_vietnamese(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(PeriodUsageError, match=message):
        _parse(*argv)


def test_an_unknown_comparison_is_refused_in_vietnamese_naming_the_choices() -> None:
    with pytest.raises(PeriodUsageError) as refused:
        period_from_args(_parse("--compare", "next"))
    assert "--compare không hợp lệ: 'next'" in str(refused.value)
    assert "same-period-last-year" in str(refused.value)
