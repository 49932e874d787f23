"""Periods and comparisons: the one owner of which dates a figure covers and what it is compared with.

Kinds of period (``KINDS``):

* calendar ``month``, ``quarter``, ``half`` and ``year``;
* the official statistical periods of Decree 09/2019/NĐ-CP (art. 12), ``official-*``:
  from the 15th of the month before the period's first month to the 14th of its
  last month. Official year 2025 = 15/12/2024–14/12/2025, official quarter I/2025 =
  15/12/2024–14/3/2025, official half I/2025 = 15/12/2024–14/6/2025, official
  month 7/2025 = 15/6/2025–14/7/2025;
* a custom range of dates (``CUSTOM``).

The default period is the current official year to date: from its first day to
Vietnam's today, since that is the figure leaders are asked for.

Comparisons (``COMPARISONS``): "cùng kỳ năm trước", the same period last year (the
default, as reports compare: seasons such as Tết would otherwise dominate), or
"kỳ liền trước", the adjacent period before of the same length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from loaders.core.i18n import DEFAULT_LANGUAGE, translate

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
OFFICIAL_MONTH, OFFICIAL_QUARTER, OFFICIAL_HALF, OFFICIAL_YEAR = (
    "official-month",
    "official-quarter",
    "official-half",
    "official-year",
)
CUSTOM = "custom"
#: The kinds of period made of whole months, official first (what reports use), in menu order.
KINDS: tuple[str, ...] = (OFFICIAL_YEAR, OFFICIAL_HALF, OFFICIAL_QUARTER, OFFICIAL_MONTH, YEAR, HALF, QUARTER, MONTH)
#: Months per period of each kind (official kinds as their calendar counterpart).
_MONTHS = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}
#: Day of the month an official period starts on (in the month before), and ends the day before.
OFFICIAL_START_DAY = 15

COMPARE_SAME_PERIOD_LAST_YEAR = "same-period-last-year"
COMPARE_PREVIOUS = "previous"
#: Comparison rules, the default first.
COMPARISONS: tuple[str, ...] = (COMPARE_SAME_PERIOD_LAST_YEAR, COMPARE_PREVIOUS)


@dataclass(frozen=True)
class Period:
    """An inclusive date range ``[start, end]``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"period start {self.start} is after its end {self.end}")

    def previous(self) -> Period:
        """The adjacent period before (:func:`previous_period`)."""
        return previous_period(self)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier (:func:`same_period_last_year`)."""
        return same_period_last_year(self)

    def compared_with(self, rule: str) -> Period:
        """The period a figure of this one is compared with under ``rule`` (:func:`comparison_period`)."""
        return comparison_period(self, rule)


def months_since(first: pd.Timestamp, years: int | np.ndarray, months: int | np.ndarray) -> int | np.ndarray:
    """Whole calendar months from ``first``'s month to each ``(year, month)``: 0 for the same month.

    The one month-step arithmetic of the package (previous periods, monthly counts);
    works on scalars and on arrays alike.
    """
    return (years - first.year) * 12 + months - first.month


def _whole_months(period: Period) -> int | None:
    """How many whole months ``period`` spans when it ends the day before its start day recurs, else ``None``.

    True of calendar periods (1st to month end) and official ones (15th to 14th).
    Start days after the 28th are not month-aligned: not every month has them.
    """
    after = period.end + timedelta(days=1)
    if period.start.day > 28 or after.day != period.start.day:
        return None
    return int(months_since(pd.Timestamp(period.start), after.year, after.month))


def _shift_months(day: date, months: int) -> date:
    # pandas clips to the month's last day (29/2 - 12 months = 28/2).
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def previous_period(period: Period) -> Period:
    """ "Kỳ liền trước": the period of equal length that ends the day before ``period`` starts.

    Whole-month periods step back whole months, so that a quarter compares with
    the quarter before, official quarter I/2025 with official quarter IV/2024, and
    a year with the year before; other ranges step back their number of days.

    >>> previous_period(Period(date(2024, 12, 15), date(2025, 3, 14)))
    Period(start=datetime.date(2024, 9, 15), end=datetime.date(2024, 12, 14))
    >>> previous_period(Period(date(2025, 1, 1), date(2025, 1, 10)))
    Period(start=datetime.date(2024, 12, 22), end=datetime.date(2024, 12, 31))
    """
    months = _whole_months(period)
    if months:
        return Period(_shift_months(period.start, -months), period.start - timedelta(days=1))
    prev_end = period.start - timedelta(days=1)
    return Period(prev_end - (period.end - period.start), prev_end)


def same_period_last_year(period: Period) -> Period:
    """ "Cùng kỳ năm trước": both bounds one year earlier, 29 February becoming 28 February.

    A whole-month period maps to the same months of the year before, so the
    calendar February 2025 compares with all of February 2024 (29 days).

    >>> same_period_last_year(Period(date(2024, 12, 15), date(2025, 12, 14)))
    Period(start=datetime.date(2023, 12, 15), end=datetime.date(2024, 12, 14))
    >>> same_period_last_year(Period(date(2024, 2, 29), date(2024, 3, 10)))
    Period(start=datetime.date(2023, 2, 28), end=datetime.date(2023, 3, 10))
    """
    if _whole_months(period):
        after = _shift_months(period.end + timedelta(days=1), -12)
        return Period(_shift_months(period.start, -12), after - timedelta(days=1))
    return Period(_shift_months(period.start, -12), _shift_months(period.end, -12))


def comparison_period(period: Period, rule: str = COMPARE_SAME_PERIOD_LAST_YEAR) -> Period:
    """The period that ``period``'s figures are compared with under ``rule`` (one of :data:`COMPARISONS`).

    Raises
    ------
    ValueError
        For an unknown rule.
    """
    if rule == COMPARE_SAME_PERIOD_LAST_YEAR:
        return same_period_last_year(period)
    if rule == COMPARE_PREVIOUS:
        return previous_period(period)
    raise ValueError(f"unknown comparison {rule!r}; expected one of {', '.join(COMPARISONS)}")


def is_official(kind: str) -> bool:
    """Whether ``kind`` is an official statistical period (Decree 09/2019/NĐ-CP)."""
    return kind.startswith("official-")


def calendar_kind(kind: str) -> str:
    """The calendar kind of the same length: ``official-quarter`` -> ``quarter``."""
    return kind.removeprefix("official-")


def period_of(kind: str, year: int, number: int = 1) -> Period:
    """Period ``number`` (1-based: month 1..12, quarter 1..4, half 1..2, year 1) of ``year``.

    >>> period_of(OFFICIAL_MONTH, 2025, 7)
    Period(start=datetime.date(2025, 6, 15), end=datetime.date(2025, 7, 14))
    >>> period_of(HALF, 2025, 2)
    Period(start=datetime.date(2025, 7, 1), end=datetime.date(2025, 12, 31))

    Raises
    ------
    ValueError
        For an unknown kind or a number out of range.
    """
    base = calendar_kind(kind)
    if kind not in KINDS:
        raise ValueError(f"unknown kind of period {kind!r}")
    size = _MONTHS[base]
    if not 1 <= number <= 12 // size:
        raise ValueError(f"{kind} {number} does not exist: 1 to {12 // size}")
    first = date(year, (number - 1) * size + 1, 1)
    if is_official(kind):
        # From the 15th of the month before the first month to the 14th of the last month.
        return Period(
            _shift_months(first, -1).replace(day=OFFICIAL_START_DAY),
            _shift_months(first, size - 1).replace(day=OFFICIAL_START_DAY - 1),
        )
    return Period(first, _shift_months(first, size) - timedelta(days=1))


def containing(kind: str, day: date) -> tuple[int, int]:
    """``(year, number)`` of the period of ``kind`` that contains ``day``.

    >>> containing(OFFICIAL_YEAR, date(2025, 12, 15))
    (2026, 1)
    >>> containing(OFFICIAL_QUARTER, date(2025, 3, 14))
    (2025, 1)
    """
    size = _MONTHS[calendar_kind(kind)]
    if is_official(kind) and day.day >= OFFICIAL_START_DAY:
        day = _shift_months(day.replace(day=1), 1)
    return day.year, (day.month - 1) // size + 1


def label_of(kind: str, year: int, number: int = 1) -> str:
    """Short label of a period, the same for its official and calendar kinds: 2025, H1/2025, Q3/2025, 7/2025.

    Months are written as official documents write them: a leading zero for
    January and February only (01/2025, 02/2025, 7/2025, 12/2025).
    """
    base = calendar_kind(kind)
    if base == YEAR:
        return f"{year}"
    if base == MONTH:
        return f"{number:02d}/{year}" if number <= 2 else f"{number}/{year}"
    return f"{'H' if base == HALF else 'Q'}{number}/{year}"


_ROMAN = ("I", "II", "III", "IV")


def period_name(kind: str, year: int, number: int = 1, lang: str = DEFAULT_LANGUAGE) -> str:
    """How a period is named in words: "Quý I/2025", "6 tháng đầu năm 2025", "Tháng 7/2025", "Năm 2025".

    The same for a kind's official and calendar periods; the dates tell them apart.

    >>> period_name(OFFICIAL_QUARTER, 2025, 1)
    'Quý I/2025'
    >>> period_name(HALF, 2025, 2, "en")
    'Second half of 2025'
    """
    base = calendar_kind(kind)
    key = f"period.name.{base}.{number}" if base == HALF else f"period.name.{base}"
    return translate(key, lang, year=year, number=number, roman=_ROMAN[(number - 1) % 4])


_LABEL = re.compile(r"^(?:(?P<prefix>[HQ])(?P<n>\d)/|(?P<m>\d{1,2})/)?(?P<year>\d{4})$")


def parse_label(kind: str, label: str) -> tuple[int, int]:
    """``(year, number)`` from a :func:`label_of` label of ``kind``.

    Raises
    ------
    ValueError
        When the label is not one of that kind.
    """
    base = calendar_kind(kind)
    match = _LABEL.match(label.strip())
    expected = {YEAR: None, HALF: "H", QUARTER: "Q", MONTH: "M"}.get(base, "?")
    found = None if not match else ("M" if match["m"] else match["prefix"])
    if not match or found != expected:
        raise ValueError(f"{label!r} is not a {kind} label")
    number = int(match["m"] or match["n"] or 1)
    period_of(kind, int(match["year"]), number)  # range check
    return int(match["year"]), number


def options(kind: str, first: date, today: date) -> list[tuple[str, Period]]:
    """Every period of ``kind`` from the one containing ``first`` to the one containing ``today``, labelled.

    The current period ends today rather than in the future, since no data can
    lie beyond today.
    """
    year, number = containing(kind, first)
    last = containing(kind, today)
    per_year = 12 // _MONTHS[calendar_kind(kind)]
    out = []
    while (year, number) <= last:
        period = period_of(kind, year, number)
        out.append((label_of(kind, year, number), Period(period.start, min(period.end, today))))
        year, number = (year + 1, 1) if number == per_year else (year, number + 1)
    return out


def default_period(today: date) -> Period:
    """The current official year to date: from its start to ``today`` (Vietnam's date).

    >>> default_period(date(2026, 12, 7))
    Period(start=datetime.date(2025, 12, 15), end=datetime.date(2026, 12, 7))
    >>> default_period(date(2026, 12, 15))
    Period(start=datetime.date(2026, 12, 15), end=datetime.date(2026, 12, 15))
    """
    return Period(period_of(OFFICIAL_YEAR, containing(OFFICIAL_YEAR, today)[0]).start, today)


#: The value after ``kind:`` per calendar kind: its pattern (year, number) and an example.
_SPEC_VALUES = {
    YEAR: (re.compile(r"(\d{4})()"), "2025"),
    HALF: (re.compile(r"(\d{4})-[Hh](\d)"), "2025-H1"),
    QUARTER: (re.compile(r"(\d{4})-[Qq](\d)"), "2025-Q1"),
    MONTH: (re.compile(r"(\d{4})-(\d{2})"), "2025-07"),
}


def format_period_spec(kind: str, year: int, number: int = 1) -> str:
    """The command line's name of a period: ``official-year:2025``, ``quarter:2025-Q3``, ``month:2025-07``.

    >>> format_period_spec(OFFICIAL_HALF, 2025, 1)
    'official-half:2025-H1'
    """
    base = calendar_kind(kind)
    period_of(kind, year, number)  # range check
    part = {YEAR: "", HALF: f"-H{number}", QUARTER: f"-Q{number}", MONTH: f"-{number:02d}"}[base]
    return f"{kind}:{year}{part}"


def split_period_spec(spec: str) -> tuple[str, int, int]:
    """``(kind, year, number)`` of a :func:`format_period_spec` name.

    Raises
    ------
    ValueError
        With a Vietnamese message naming the value and the accepted forms.
    """
    kind, _, value = spec.strip().partition(":")
    if kind not in KINDS:
        forms = ", ".join(f"{k}:{_SPEC_VALUES[calendar_kind(k)][1]}" for k in KINDS)
        raise ValueError(f"Kỳ không hợp lệ: {spec!r}. Dạng được nhận: {forms}.")
    pattern, example = _SPEC_VALUES[calendar_kind(kind)]
    match = pattern.fullmatch(value.strip())
    if match:
        year, number = int(match[1]), int(match[2] or 1)
        try:
            period_of(kind, year, number)
        except ValueError:
            pass
        else:
            return kind, year, number
    raise ValueError(f"Kỳ {spec!r} không hợp lệ: với {kind} hãy viết dạng {kind}:{example}.")


def parse_period_spec(spec: str) -> Period:
    """The dates of a period named as on the command line (:func:`format_period_spec`).

    >>> parse_period_spec("official-year:2025")
    Period(start=datetime.date(2024, 12, 15), end=datetime.date(2025, 12, 14))
    >>> parse_period_spec("quarter:2025-Q3")
    Period(start=datetime.date(2025, 7, 1), end=datetime.date(2025, 9, 30))

    Raises
    ------
    ValueError
        With a Vietnamese message naming the value and the accepted forms.
    """
    return period_of(*split_period_spec(spec))


def parse_date_range(start: str, end: str) -> Period:
    """A custom period from two ISO dates (``2025-01-01``), both included.

    Raises
    ------
    ValueError
        With a Vietnamese message naming the bad value, or when the start is after the end.
    """
    days = []
    for name, text in (("--from", start), ("--to", end)):
        try:
            days.append(date.fromisoformat(str(text).strip()))
        except ValueError:
            raise ValueError(
                f"Ngày {name} không hợp lệ: {text!r}. Hãy viết dạng YYYY-MM-DD, ví dụ 2025-01-31."
            ) from None
    if days[0] > days[1]:
        raise ValueError(f"Ngày bắt đầu {days[0].isoformat()} sau ngày kết thúc {days[1].isoformat()}.")
    return Period(days[0], days[1])
