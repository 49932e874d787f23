"""What an incidents import reports: which months, for which communes.

The one place that decides the commune-months an import reports (stored in
``import_reports`` in the import's own transaction):

* **Months.** A stated range (``--reports FROM:TO``, the upload page's dates)
  reports each month it covers whole: 2025-01-15:2025-03-31 reports February
  and March. Without a range, the months the rows span, from the first row's
  month to the last row's, both included.
* **Communes.** The file's own (the 2025 communes of its accepted rows), or
  the whole province (``--reports-communes all``).
* **Rows.** Every accepted row also reports its own commune and month: an
  incident is counted wherever it falls, never dropped as "not reported".
* **Skipped.** Commune-months an import says were not reported are left out,
  unless a row falls in them (the demo uses it for the communes that skipped a month).

A commune-month that a visible import reported with no incident counts 0;
one that none reported is "chưa báo cáo" (``analysis/reporting.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from loaders.ingest.datasets import ImportDataError
from loaders.store import tables

#: The value of ``--reports-communes`` that reports the whole province.
ALL_COMMUNES = "all"
#: Rows per INSERT of the reported commune-months.
_BATCH = 5_000


class ReportScopeError(ImportDataError):
    """A reporting period or commune choice that cannot be used; the message is Vietnamese."""


@dataclass(frozen=True)
class ReportScope:
    """What an incidents import says it reports.

    Attributes
    ----------
    first, last : date or None
        The stated range, both days included; ``None`` for the months the rows span.
    communes : tuple of str or None
        The 2025 communes reported (the whole province for ``all``); ``None`` for the file's own.
    skipped : frozenset of (str, date)
        ``(2025 commune code, first day of month)`` pairs left out.
    """

    first: date | None = None
    last: date | None = None
    communes: tuple[str, ...] | None = None
    skipped: frozenset[tuple[str, date]] = frozenset()

    def __post_init__(self) -> None:
        if (self.first is None) != (self.last is None):
            raise ReportScopeError("Kỳ báo cáo cần cả ngày đầu và ngày cuối.")
        if self.first is not None and self.last is not None:
            if self.first > self.last:
                raise ReportScopeError(
                    f"Kỳ báo cáo «{self.first.isoformat()}:{self.last.isoformat()}»: ngày đầu sau ngày cuối."
                )
            if not whole_months(self.first, self.last):
                raise ReportScopeError(
                    f"Kỳ báo cáo «{self.first.isoformat()}:{self.last.isoformat()}» không trọn tháng nào; "
                    "một tháng chỉ được tính là đã báo cáo khi kỳ phủ cả tháng (ví dụ 2025-01-01:2025-03-31)."
                )


_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*:\s*(\d{4}-\d{2}-\d{2})\s*$")


def parse_scope(reports: str | None, communes: str | None, province: Iterable[str]) -> ReportScope:
    """The scope of the command line's ``--reports FROM:TO`` and ``--reports-communes all``.

    Parameters
    ----------
    reports : str or None
        ``"2025-01-01:2025-03-31"`` (ISO dates, both included), or ``None``.
    communes : str or None
        ``"all"`` for the whole province, or ``None`` for the file's communes.
    province : iterable of str
        The 2025 commune codes of the province (what ``all`` reports).

    Returns
    -------
    ReportScope

    Raises
    ------
    ReportScopeError
        For a malformed range, an impossible date, a start after the end, a range
        covering no whole month, or a commune choice other than ``all``.

    Examples
    --------
    >>> parse_scope("2025-01-01:2025-03-31", None, ()).last
    datetime.date(2025, 3, 31)
    """
    if communes is not None and communes.strip().lower() != ALL_COMMUNES:
        raise ReportScopeError(
            f"--reports-communes «{communes}» không hợp lệ: chỉ nhận «all» (toàn tỉnh); "
            "bỏ trống để báo cáo cho các xã, phường có trong tệp."
        )
    chosen = None if communes is None else tuple(sorted(set(province)))
    if reports is None:
        return ReportScope(communes=chosen)
    match = _RANGE.match(reports)
    if match is None:
        raise ReportScopeError(f"--reports «{reports}» không đúng dạng TỪ:ĐẾN theo ISO, ví dụ 2025-01-01:2025-03-31.")
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as exc:
        raise ReportScopeError(f"--reports «{reports}»: ngày không tồn tại ({exc}).") from exc
    return ReportScope(first=first, last=last, communes=chosen)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return _next_month(month_start(day)) - timedelta(days=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s month to ``last``'s, both included (empty when reversed)."""
    out: list[date] = []
    month = month_start(first)
    while month <= last:
        out.append(month)
        month = _next_month(month)
    return out


def whole_months(first: date, last: date) -> list[date]:
    """First days of the months that ``[first, last]`` covers whole.

    Examples
    --------
    >>> [m.month for m in whole_months(date(2025, 1, 15), date(2025, 3, 31))]
    [2, 3]
    """
    return [m for m in months_between(first, last) if m >= first and month_end(m) <= last]


def default_range(occurred_on: pd.Series) -> tuple[date, date] | None:
    """The first and last day of the months the rows span (the upload page's defaults); ``None`` without rows."""
    when = pd.to_datetime(occurred_on, errors="coerce").dropna()
    if when.empty:
        return None
    return month_start(when.min().date()), month_end(when.max().date())


def reported_pairs(scope: ReportScope | None, rows: pd.DataFrame) -> pd.DataFrame:
    """The commune-months an import reports.

    Parameters
    ----------
    scope : ReportScope or None
        ``None`` is the default scope: the months the rows span, for the file's communes.
    rows : pd.DataFrame
        The import's rows: ``commune_code`` (2025) and ``occurred_on``.

    Returns
    -------
    pd.DataFrame
        ``month`` (date, first day) and ``commune_code``, unique, sorted.
    """
    scope = scope or ReportScope()
    own = _row_pairs(rows)
    if scope.first is not None and scope.last is not None:
        months = whole_months(scope.first, scope.last)
    elif len(own):
        months = months_between(min(own["month"]), max(own["month"]))
    else:
        months = []
    communes = sorted(set(own["commune_code"])) if scope.communes is None else list(scope.communes)
    stated = pd.DataFrame(
        [(m, c) for m in months for c in communes if (c, m) not in scope.skipped], columns=["month", "commune_code"]
    )
    # A row's own month is reported even when skipped: no stored incident is ever left out.
    pairs = pd.concat([stated, own], ignore_index=True).drop_duplicates()
    return pairs.sort_values(["month", "commune_code"], ignore_index=True)


def _row_pairs(rows: pd.DataFrame) -> pd.DataFrame:
    """The distinct (month, commune) of the rows.

    Deduplicated as (day, commune) integers marked in a boolean table, with no
    sort: a million rows reduce to a few thousand pairs before any date object is made.
    """
    when = pd.to_datetime(rows["occurred_on"], errors="coerce").to_numpy(dtype="datetime64[D]")
    code_index, code_values = pd.factorize(rows["commune_code"], sort=True)
    known = ~np.isnat(when) & (code_index >= 0)
    if not known.any():
        return pd.DataFrame({"month": [], "commune_code": []}, dtype=object)
    days = when[known].astype(np.int64)
    first, k = int(days.min()), len(code_values)
    seen = np.zeros((int(days.max()) - first + 1) * k, dtype=bool)
    seen[(days - first) * k + code_index[known]] = True
    marks = np.flatnonzero(seen)
    months = (marks // k + first).astype("datetime64[D]").astype("datetime64[M]")
    pairs = pd.DataFrame({"month": months, "commune_code": np.asarray(code_values, dtype=object)[marks % k]})
    pairs = pairs.drop_duplicates()
    pairs["month"] = [date.fromisoformat(f"{m}-01") for m in pairs["month"].to_numpy(dtype="datetime64[M]").astype(str)]
    pairs["commune_code"] = pairs["commune_code"].astype(str)
    return pairs.reset_index(drop=True)


def describe(pairs: pd.DataFrame) -> dict[str, object]:
    """A summary of reported commune-months for messages and ``--json``.

    Returns
    -------
    dict
        ``months`` and ``communes`` (distinct counts), ``commune_months``, and
        ``first_month`` / ``last_month`` as ``"YYYY-MM"`` (``None`` without any).
    """
    months = sorted(set(pairs["month"]))
    return {
        "months": len(months),
        "communes": int(pairs["commune_code"].nunique()),
        "commune_months": len(pairs),
        "first_month": months[0].isoformat()[:7] if months else None,
        "last_month": months[-1].isoformat()[:7] if months else None,
    }


def write_reports(conn: Connection, import_id: int, pairs: pd.DataFrame) -> int:
    """Insert an import's reported commune-months in the caller's transaction; returns the rows written."""
    values = [
        {"import_id": import_id, "month": month, "commune_code": str(code)}
        for month, code in zip(pairs["month"], pairs["commune_code"])
    ]
    for start in range(0, len(values), _BATCH):
        conn.execute(sa.insert(tables.import_reports), values[start : start + _BATCH])
    return len(values)
