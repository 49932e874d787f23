"""Sections of the periodic-report page: the unit, the preview of the key figures, the downloads.

The period and the comparison come from the shared sidebar (official or
calendar periods, a custom range, same period last year or the previous one).
Documents are built only when a button is clicked, in Streamlit's worker thread:
everything they need (the report, the words' language, the map layers, the
user) is captured while the page runs, and the click re-checks the account and
writes the audit entry (:func:`ui.access.export_auditor`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analysis import indicators as ind
from analysis import report, report_docx, report_pdf, report_xlsx
from analysis.exports import export_timestamp, file_stem
from analysis.report_text import (
    ReportStamp,
    compare_text,
    last_update,
    period_text,
    rules,
    table_title,
    text_table,
    unit_name,
)
from loaders.ingest.history import list_imports
from maps.report_map import build_report_map_png
from ui import access, cache
from ui.i18n import current_language, option_labels, t
from ui.parts.downloads import FileButton, render_file_buttons
from ui.parts.labels import former_name

UNIT_KINDS = (report.UNIT_PROVINCE, report.UNIT_COMMUNE, report.UNIT_DISTRICT)
#: Tables the page previews (the documents hold them all).
PREVIEW_TABLES = ("key_figures", "models", "coverage")


def render_unit_choice() -> str:
    """The unit of the report as the command line names it: ``province``, a commune code or ``district:<code>``."""
    registry = cache.get_registry()
    kind = (
        st.segmented_control(
            t("report.unit_kind"),
            UNIT_KINDS,
            key="report_unit_kind",
            default=report.UNIT_PROVINCE,
            required=True,
            format_func=option_labels("report.unit."),
        )
        or report.UNIT_PROVINCE
    )
    if kind == report.UNIT_COMMUNE:
        names = registry.communes["name"]
        return st.selectbox(
            t("report.pick_commune"), list(names.index), format_func=lambda c: names[c], key="report_commune"
        )
    if kind == report.UNIT_DISTRICT:
        names = registry.districts["name"]
        code = st.selectbox(
            t("report.pick_district"),
            list(names.index),
            format_func=lambda c: former_name(names[c]),
            key="report_district",
        )
        return f"{report.DISTRICT_PREFIX}{code}"
    return report.UNIT_PROVINCE


def render_threshold() -> float:
    """The coverage threshold below which communes are listed, as a fraction."""
    percent = st.slider(
        t("report.threshold"), 0, 100, round(report.DEFAULT_COVERAGE_THRESHOLD * 100), step=5, key="report_threshold"
    )
    return percent / 100


def request_for(filters: ind.Filters, unit: str, threshold: float) -> report.ReportRequest:
    """The report request of the sidebar's period and comparison, for ``unit``."""
    return report.ReportRequest(
        period=filters.period,
        compare=filters.compare,
        unit=unit,
        hot_spots=filters.hot_spots,
        coverage_threshold=threshold,
        min_baseline=filters.min_baseline,
        rise_threshold=filters.rise_threshold,
    )


def render_preview(built: report.Report) -> None:
    """The heading line, the key tables and the rules they follow."""
    lang = current_language()
    st.subheader(t("report.preview"))
    st.markdown(f"**{unit_name(built, lang)}** · {period_text(built, lang)} · {compare_text(built, lang)}")
    stated = rules(built, lang)
    for name in PREVIEW_TABLES:
        header, rows = text_table(built, name, lang)
        st.markdown(f"**{table_title(built, name, lang)}**")
        # Text cells: st.dataframe shows data, never HTML.
        st.dataframe(pd.DataFrame(rows, columns=header), hide_index=True, width="stretch", key=f"report_{name}")
        rule = {"models": "models", "coverage": "coverage"}.get(name)
        if rule:
            st.caption(stated[rule])
    st.caption(stated["incidents"])


def render_downloads(built: report.Report) -> None:
    """Word, PDF and Excel buttons; each file is built at its click, role-checked and audited."""
    lang = current_language()
    version = cache.data_version()
    layers = cache.get_print_layers()
    stem = file_stem(f"{t('page.report')} {unit_name(built, lang)}")
    allowed = access.can("export")
    audit = access.export_auditor()
    engine = cache.get_engine()  # captured now: the click runs without the page's context

    def make(fmt: str, builder: Callable[[report.Report, ReportStamp], bytes]) -> Callable[[], bytes]:
        def build() -> bytes:
            audit(f"{stem}.{fmt}")
            map_png = build_report_map_png(built, layers, lang) if layers is not None and fmt != "xlsx" else None
            stamp = ReportStamp(
                lang=lang,
                data_version=version,
                generated_at=export_timestamp(),
                map_png=map_png,
                data_updated_at=last_update(list_imports(engine)),
            )
            return builder(built, stamp)

        return build

    st.subheader(t("report.downloads"))
    formats = (
        ("docx", report_docx.build_report_docx, report_docx.MIME_TYPE, ":material/description:"),
        ("pdf", report_pdf.build_report_pdf, report_pdf.MIME_TYPE, ":material/picture_as_pdf:"),
        ("xlsx", report_xlsx.build_report_xlsx, report_xlsx.MIME_TYPE, ":material/table_view:"),
    )
    buttons = [
        FileButton(t(f"report.download.{fmt}"), make(fmt, builder), f"{stem}.{fmt}", mime, f"report_{fmt}", icon)
        for fmt, builder, mime, icon in formats
    ]
    render_file_buttons(buttons, allowed=allowed)
