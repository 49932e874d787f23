"""The context of exports: the time stamp reads in Vietnam time, the file name carries Vietnam's date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from analysis.exports import export_timestamp, file_stem
from loaders.core.clock import vietnam_today


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 12, 2, 15, 57, 10, tzinfo=UTC), "02/12/2026 22:57"),
        (datetime(2026, 12, 2, 17, 30, tzinfo=UTC), "03/12/2026 00:30"),  # after midnight in Vietnam
    ],
)
def test_export_time_is_vietnam_time(moment: datetime, shown: str) -> None:
    assert export_timestamp(moment) == shown


def test_export_time_defaults_to_now_in_vietnam() -> None:
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", export_timestamp())


def test_file_stem_is_ascii_with_vietnams_date() -> None:
    assert file_stem("Bảng xã, phường", date(2026, 12, 3)) == "bang_xa__phuong_2026-12-03"
    assert file_stem("x").endswith(vietnam_today().isoformat())
