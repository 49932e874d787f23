"""The periodic report (báo cáo định kỳ): its figures and tables, what the page, the command and the documents use.

The figures are :mod:`analysis.report_figures` (the JSON contract of
``python -m loaders report --format json``), the tables
:mod:`analysis.report_tables`; the documents are laid out by
:mod:`analysis.report_docx`, :mod:`analysis.report_pdf` and :mod:`analysis.report_xlsx`.
"""

from __future__ import annotations

from analysis import indicators as ind
from analysis import report_tables
from analysis.report_figures import (
    DEFAULT_COVERAGE_THRESHOLD,
    UNIT_COMMUNE,
    UNIT_DISTRICT,
    UNIT_PROVINCE,
    Report,
    ReportRequest,
    ReportUnit,
    build_figures,
    parse_unit,
)
from loaders.geo.registry import Registry

__all__ = [
    "DEFAULT_COVERAGE_THRESHOLD",
    "UNIT_COMMUNE",
    "UNIT_DISTRICT",
    "UNIT_PROVINCE",
    "Report",
    "ReportRequest",
    "ReportUnit",
    "build_report",
    "parse_unit",
]


def build_report(data: ind.Datasets, registry: Registry, request: ReportRequest, *, demo: bool = False) -> Report:
    """The report for ``request``: its figures (``Report.figures``, the JSON) and tables (``Report.tables``).

    Parameters
    ----------
    data : Datasets
        The stored datasets (residential areas and reported months included).
    registry : Registry
        The communes, former districts, population and focus areas.
    request : ReportRequest
        Period, comparison, unit (:func:`parse_unit`), hot spots and the rules' thresholds.
    demo : bool
        Whether the data shown is the generated demo data (every document says so).

    Raises
    ------
    ValueError
        For an unknown unit, with a Vietnamese message.
    """
    report = build_figures(data, registry, request, demo=demo)
    report.tables = report_tables.build_tables(report, data, registry)
    return report
