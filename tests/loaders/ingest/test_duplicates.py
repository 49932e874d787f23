"""The refusal of a re-upload names the earlier import and when it was made, in Vietnam time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from loaders.ingest.duplicates import duplicate_message, fmt_time


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("2026-12-02T17:30:00", "03/12/2026 00:30"),  # naive UTC, as SQLite returns it
        ("2026-12-02T17:30:00+00:00", "03/12/2026 00:30"),  # aware, as PostgreSQL returns it
    ],
)
def test_duplicate_message_names_the_time_in_vietnam(stored: str, shown: str) -> None:
    message = duplicate_message({"import_id": 3, "file_name": "a.csv", "user": "an", "created_at": stored})
    assert f"lần nhập số 3, tệp «a.csv», lúc {shown}, người nhập an" in message


def test_fmt_time_keeps_other_values_as_text() -> None:
    assert fmt_time(datetime(2025, 7, 1, 0, 5, tzinfo=UTC)) == "01/07/2025 07:05"
    assert fmt_time("?") == "?"
