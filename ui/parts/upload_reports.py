"""The upload page's reporting period of an incidents file: dates and "toàn tỉnh", defaulting from the file.

The rule of what an import reports is :mod:`loaders.ingest.reporting`'s, the same
as ``python -m loaders import --reports FROM:TO [--reports-communes all]``.
"""

from __future__ import annotations

import streamlit as st

from loaders.core import domain
from loaders.ingest.preview import ImportPreview
from loaders.ingest.reporting import ReportScope, ReportScopeError, default_range, reported_pairs
from ui import cache
from ui.i18n import t


def render_report_period(preview: ImportPreview) -> tuple[ReportScope | None, str | None]:
    """The reporting period widgets for an incidents preview with valid rows.

    The dates default to the first and last day of the months the file's rows
    span; the widget keys carry the file's hash, so another file starts from
    its own defaults.

    Returns
    -------
    (ReportScope or None, str or None)
        The scope to commit with (``None`` for another dataset or no valid row),
        and a Vietnamese message when the chosen dates cannot be used.
    """
    if preview.dataset != domain.DATASET_INCIDENTS or preview.n_accepted == 0:
        return None, None
    span = default_range(preview.accepted["ngay"])
    if span is None:
        return None, None
    suffix = preview.sha256[:16]
    st.markdown(f"**{t('upload.reports.title')}**")
    cols = st.columns(2)
    first = cols[0].date_input(
        t("upload.reports.first"), value=span[0], key=f"upload_reports_first_{suffix}", format="DD/MM/YYYY"
    )
    last = cols[1].date_input(
        t("upload.reports.last"), value=span[1], key=f"upload_reports_last_{suffix}", format="DD/MM/YYYY"
    )
    province = st.checkbox(t("upload.reports.province"), key=f"upload_reports_province_{suffix}")
    st.caption(t("upload.reports.help"))
    try:
        communes = tuple(cache.get_registry().communes.index) if province else None
        scope = ReportScope(first=first, last=last, communes=communes)
    except ReportScopeError as exc:
        st.error(str(exc), icon=":material/event_busy:")
        return None, str(exc)
    rows = preview.accepted[["commune_code", "ngay"]].rename(columns={"ngay": "occurred_on"})
    pairs = reported_pairs(scope, rows)
    first_month, last_month = min(pairs["month"]), max(pairs["month"])
    st.caption(
        t(
            "upload.reports.summary",
            months=pairs["month"].nunique(),
            first=f"{first_month.month}/{first_month.year}",
            last=f"{last_month.month}/{last_month.year}",
            communes=pairs["commune_code"].nunique(),
        )
    )
    return scope, None
