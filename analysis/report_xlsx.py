"""The periodic report as an Excel workbook: every table on its own sheet, then its filters and sources.

Written through :func:`loaders.core.writers.tables_to_xlsx`, which makes every
text cell inert (a leading ``'`` before ``=``, ``+``, ``-``, ``@``, tab, CR).
"""

from __future__ import annotations

from analysis.report_figures import Report
from analysis.report_tables import TABLES
from analysis.report_text import ReportStamp, context_rows, numeric_table, table_title
from loaders.core.i18n import translate
from loaders.core.writers import tables_to_xlsx

MIME_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_report_xlsx(report: Report, stamp: ReportStamp) -> bytes:
    """The workbook of the report: one sheet per table of :data:`analysis.report_tables.TABLES`, then the context.

    Sheet titles are the tables' titles cut to Excel's 31 characters (made distinct by a number when cut alike).
    """
    lang = stamp.lang
    sheets, seen = [], set()
    for position, name in enumerate(TABLES, start=1):
        title = table_title(report, name, lang)[:31].strip()
        if title in seen:
            title = f"{position} {title}"[:31]
        seen.add(title)
        sheets.append((title, numeric_table(report, name, lang)))
    return tables_to_xlsx(
        sheets, context_rows(report, stamp), context_sheet_name=translate("report.sheet.context", lang)
    )
