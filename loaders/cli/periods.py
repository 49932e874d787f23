"""The period options that commands share: ``--period``, ``--from``/``--to`` and ``--compare``.

The rules (which dates a period covers, what it is compared with) are
:mod:`analysis.periods`; this module only reads them from a command line. A
command adds the options with :func:`add_period_arguments` and reads them with
:func:`period_from_args`, which raises :class:`PeriodUsageError` (a Vietnamese
message) for the command to print and exit with ``EXIT_USAGE``.
"""

from __future__ import annotations

import argparse
from datetime import date

from analysis import periods
from analysis.periods import Period
from loaders.core.clock import vietnam_today

_EXAMPLES = ", ".join(periods.format_period_spec(kind, 2025, 1) for kind in periods.KINDS)


class PeriodUsageError(ValueError):
    """A period or comparison given on the command line that cannot be used (message in Vietnamese)."""


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--period``, ``--from``, ``--to`` and ``--compare`` to a command's parser."""
    parser.add_argument(
        "--period",
        metavar="KIND:VALUE",
        help=f"Kỳ báo cáo, ví dụ {_EXAMPLES}. Mặc định: năm thống kê hiện tại tính đến hôm nay (giờ Việt Nam).",
    )
    parser.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="Ngày đầu kỳ tự chọn (thay --period)")
    parser.add_argument(
        "--to", dest="date_to", metavar="YYYY-MM-DD", help="Ngày cuối kỳ tự chọn; mặc định hôm nay (giờ Việt Nam)"
    )
    parser.add_argument(
        "--compare",
        default=periods.COMPARE_SAME_PERIOD_LAST_YEAR,
        help=f"So sánh: {', '.join(periods.COMPARISONS)} (mặc định cùng kỳ năm trước, hoặc kỳ liền trước)",
    )


def period_from_args(args: argparse.Namespace, today: date | None = None) -> tuple[Period, str]:
    """The period and the comparison rule that ``args`` ask for.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed with :func:`add_period_arguments`.
    today : date, optional
        Vietnam's today by default: the end of the default period and of ``--from`` without ``--to``.

    Returns
    -------
    tuple of (Period, str)
        The period and one of ``analysis.periods.COMPARISONS``.

    Raises
    ------
    PeriodUsageError
        When ``--period`` and ``--from``/``--to`` are mixed, ``--to`` comes without
        ``--from``, or a value is malformed.
    """
    today = today or vietnam_today()
    compare = getattr(args, "compare", None) or periods.COMPARE_SAME_PERIOD_LAST_YEAR
    if compare not in periods.COMPARISONS:
        raise PeriodUsageError(
            f"--compare không hợp lệ: {compare!r}. Chọn một trong: {', '.join(periods.COMPARISONS)}."
        )
    start, end = args.date_from, args.date_to
    try:
        if args.period and (start or end):
            raise PeriodUsageError("Dùng --period hoặc --from/--to, không dùng cả hai.")
        if args.period:
            return periods.parse_period_spec(args.period), compare
        if end and not start:
            raise PeriodUsageError("--to cần đi cùng --from.")
        if start:
            return periods.parse_date_range(start, end or today.isoformat()), compare
    except PeriodUsageError:
        raise
    except ValueError as exc:
        raise PeriodUsageError(str(exc)) from None
    return periods.default_period(today), compare
