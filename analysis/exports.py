"""Context of the dashboard's exports: the time stamp and the download file name.

The writers themselves (formula-safe CSV and XLSX) are
:mod:`loaders.core.writers`, shared with the importer's error reports.
"""

from __future__ import annotations

from datetime import date, datetime

from loaders.core.textnorm import fold


def export_timestamp(now: datetime | None = None) -> str:
    """The export time as shown in the context sheet (local ISO, seconds)."""
    return (now or datetime.now().astimezone()).isoformat(timespec="seconds")


def file_stem(name: str, on: date | None = None) -> str:
    """A safe download file name stem: ASCII letters, digits and underscores, with the date."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in fold(name)).strip("_") or "export"
    return f"{slug}_{(on or date.today()).isoformat()}"
