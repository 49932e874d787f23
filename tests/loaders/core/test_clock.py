"""Vietnam time: UTC+7 whatever the server's zone, in the form people read."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders.core import clock


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        (dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC), "03/12/2026 00:30"),  # past midnight in Vietnam
        (dt.datetime(2026, 12, 2, 16, 59, tzinfo=dt.UTC), "02/12/2026 23:59"),
        (dt.datetime(2026, 12, 2, 15, 57, 10, tzinfo=dt.UTC), "02/12/2026 22:57"),
        (dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC), "01/01/2026 00:00"),  # a new year in Vietnam
        (dt.datetime(2025, 7, 1, 0, 5), "01/07/2025 07:05"),  # naive is UTC, as the store returns it
    ],
)
def test_format_datetime_shows_vietnam_time(utc: dt.datetime, shown: str) -> None:
    assert clock.format_datetime(utc) == shown
    assert clock.format_datetime(pd.Timestamp(utc)) == shown


def test_other_zones_are_converted_not_relabelled() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert clock.format_datetime(dt.datetime(2026, 12, 2, 18, 30, tzinfo=paris)) == "03/12/2026 00:30"


def test_iso_timestamp_keeps_iso_8601_with_the_offset() -> None:
    moment = dt.datetime(2026, 12, 2, 17, 30, 5, 999, tzinfo=dt.UTC)
    assert clock.iso_timestamp(moment) == "2026-12-03T00:30:05+07:00"
    assert dt.datetime.fromisoformat(clock.iso_timestamp(moment)) == moment.replace(microsecond=0)


def test_today_is_vietnams_date() -> None:
    assert clock.vietnam_today(dt.datetime(2026, 12, 2, 17, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 3)
    assert clock.vietnam_today(dt.datetime(2026, 12, 2, 16, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 2)
    assert clock.vietnam_now().utcoffset() == dt.timedelta(hours=7)
    assert clock.vietnam_today() == clock.vietnam_now().date()
