"""Context of the dashboard's exports: the time stamp and the download file name.

The writers themselves (formula-safe CSV and XLSX) are
:mod:`loaders.core.writers`, shared with the importer's error reports.
"""

from __future__ import annotations

from datetime import date, datetime

from loaders.core.clock import format_datetime, vietnam_now, vietnam_today
from loaders.core.textnorm import fold


def export_timestamp(now: datetime | None = None) -> str:
    """The export time as people read it in the context sheet, briefing and printed map: Vietnam time.

    >>> export_timestamp(datetime.fromisoformat("2026-12-02T15:57:10+00:00"))
    '02/12/2026 22:57'
    """
    return format_datetime(now or vietnam_now())


def file_stem(name: str, on: date | None = None) -> str:
    """A safe download file name stem: ASCII letters, digits and underscores, with Vietnam's date."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in fold(name)).strip("_") or "export"
    return f"{slug}_{(on or vietnam_today()).isoformat()}"
