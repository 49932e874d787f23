"""Tables with their downloads: the filter context sheet and the CSV/XLSX buttons.

Tables are drawn with ``st.dataframe``: text is never put into unsafe HTML,
because descriptions and names are user data. Download files are built only
when a button is clicked, and every download is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis.exports import export_timestamp, file_stem
from loaders.core.i18n import format_date_range
from loaders.core.writers import table_to_csv, table_to_xlsx
from ui import access, cache
from ui.i18n import current_language, t
from ui.parts.downloads import XLSX_MIME, FileButton, render_file_buttons
from ui.parts.labels import enum_label, former_name
from ui.period_picker import compare_text


def filter_context(filters: ind.Filters, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """What produced a table: the filters, the data version, the time and the demo notice."""
    registry = cache.get_registry()
    version = cache.data_version()
    rows = [
        (t("export.context.period"), format_date_range(filters.period.start, filters.period.end, current_language())),
        (
            t("filter.districts"),
            ", ".join(former_name(registry.districts.at[d, "name"]) for d in filters.districts) or t("filter.all"),
        ),
        (t("filter.kinds"), ", ".join(enum_label("kind", k) for k in filters.kinds) or t("filter.all")),
        (t("filter.focus"), t(f"focus.{filters.focus}")),
        (t("filter.compare"), compare_text(filters.period, filters.compare)),
        (
            t("export.context.rule"),
            t("map.rules", threshold=int(filters.rise_threshold * 100), baseline=filters.min_baseline),
        ),
        *(extra or []),
        (t("export.context.data_version"), str(version)),
        (t("export.context.exported_at"), export_timestamp()),
    ]
    if cache.get_store_flags(version)["demo_shown"]:
        rows.append((t("demo.badge"), t("demo.badge_help")))
    return rows


def render_downloads(
    frame: pd.DataFrame | Callable[[], pd.DataFrame],
    context: list[tuple[str, str]],
    name: str,
    key_prefix: str,
    permissions: Sequence[str] = ("export",),
) -> None:
    """CSV and XLSX download buttons for a table; files are built only when clicked.

    ``frame`` may be a function that builds the table, called at the click.
    At the click the account is checked again in the store (exists, enabled,
    its role holds every one of ``permissions``, not idle): see
    :func:`ui.access.deferred_auditor`.
    """
    stem = file_stem(name)
    audit = access.export_auditor(permissions)

    def table() -> pd.DataFrame:
        return frame() if callable(frame) else frame

    def _csv() -> bytes:
        audit(f"{stem}.csv")
        return table_to_csv(table())

    def _xlsx() -> bytes:
        audit(f"{stem}.xlsx")
        return table_to_xlsx(
            table(), context, sheet_name=t("export.sheet.data"), context_sheet_name=t("export.sheet.context")
        )

    allowed = all(access.can(p) for p in permissions)
    csv = FileButton(t("export.csv"), _csv, f"{stem}.csv", "text/csv", f"{key_prefix}_csv")
    xlsx = FileButton(t("export.xlsx"), _xlsx, f"{stem}.xlsx", XLSX_MIME, f"{key_prefix}_xlsx", ":material/table_view:")
    render_file_buttons([csv, xlsx], allowed=allowed)


def render_table(
    frame: pd.DataFrame,
    filters: ind.Filters,
    name: str,
    key: str,
    extra: list[tuple[str, str]] | None = None,
    download: Callable[[], pd.DataFrame] | None = None,
    **kwargs: Any,
) -> object:
    """A table and its CSV/XLSX downloads (the XLSX carries the filters sheet).

    ``download`` builds the exported table when it differs from the one shown
    (all rows of a table shown in part); it runs only when a button is clicked.
    """
    result = st.dataframe(frame, hide_index=True, width="stretch", key=key, **kwargs)
    render_downloads(download or frame, filter_context(filters, extra), name, key_prefix=f"{key}_dl")
    return result
