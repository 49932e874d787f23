"""Vietnam time: the one owner of "now", "today" and how a moment reads.

Hà Tĩnh's offices live in Indochina Time, UTC+7 all year (Vietnam has no
daylight saving time), whatever zone the server runs in. So every time a
person reads, and every "today" that decides a default period or a "to date"
figure, is Vietnam's; the store keeps UTC and JSON keeps ISO 8601 with its
offset.

A naive ``datetime`` is read as UTC: that is how the store hands back its
times on SQLite (``loaders.store.db.utcnow`` writes UTC).
"""

from __future__ import annotations

import datetime as dt

#: Vietnam's time zone: a fixed offset, so no tz database is needed.
VIETNAM_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


def vietnam_now() -> dt.datetime:
    """The current moment in Vietnam time (aware, UTC+7)."""
    return dt.datetime.now(VIETNAM_TZ)


def vietnam_today(at: dt.datetime | None = None) -> dt.date:
    """Vietnam's date today (or at the moment ``at``): what decides default periods and "to date" figures.

    >>> vietnam_today(dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC))
    datetime.date(2026, 12, 3)
    """
    return to_vietnam(at if at is not None else vietnam_now()).date()


def to_vietnam(value: dt.datetime) -> dt.datetime:
    """``value`` as Vietnam time; a naive value is taken as UTC.

    >>> to_vietnam(dt.datetime(2026, 12, 2, 17, 30)).isoformat()
    '2026-12-03T00:30:00+07:00'
    """
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(VIETNAM_TZ)


def format_datetime(value: dt.datetime) -> str:
    """A moment as people read it: Vietnam time, ``dd/mm/yyyy HH:MM``, zero-padded.

    The form of timestamps on every page, export and report, in both languages
    (dates in running text use :func:`loaders.core.i18n.format_date`). Also takes
    a ``pandas.Timestamp``.

    >>> format_datetime(dt.datetime(2026, 12, 2, 15, 57, 10, tzinfo=dt.UTC))
    '02/12/2026 22:57'
    >>> format_datetime(dt.datetime(2026, 12, 2, 17, 30))
    '03/12/2026 00:30'
    """
    return to_vietnam(value).strftime("%d/%m/%Y %H:%M")


def iso_timestamp(value: dt.datetime | None = None) -> str:
    """ISO 8601 with Vietnam's offset, to the second, for JSON (default: now).

    >>> iso_timestamp(dt.datetime(2026, 12, 2, 15, 57, 10, 500, tzinfo=dt.UTC))
    '2026-12-02T22:57:10+07:00'
    """
    return to_vietnam(value if value is not None else vietnam_now()).isoformat(timespec="seconds")
