"""The periodic report's words: heading, rules, table titles and cells as text (pure).

One owner of how the report reads, shared by the Word, PDF and Excel writers
(:mod:`analysis.report_docx`, :mod:`analysis.report_pdf`, :mod:`analysis.report_xlsx`)
so that the three say the same. Every string here is plain text: each writer
escapes or neutralises it for its format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis import report_tables
from analysis.formatting import format_number
from analysis.report_figures import UNIT_PROVINCE, Report, population_source_text
from loaders.core import domain
from loaders.core.clock import format_datetime
from loaders.core.i18n import format_date, format_date_range, translate
from loaders.store.tables import IMPORT_COMMITTED

#: Columns holding a fraction shown as a percentage.
_SHARE_COLUMNS = frozenset({"share", "coverage_any", "change", *domain.MODEL_KINDS_CORE})
#: Columns holding words (names, terms), written as they are.
_TEXT_COLUMNS = frozenset(
    {"figure", "item", "group", "kind", "field", "severity", "district", "code", "name", "model_type"}
)


@dataclass(frozen=True)
class ReportStamp:
    """What a document of the report says about itself: language, data version, time and its map."""

    lang: str = "vi"
    data_version: int | str | None = None
    #: When the document was made, as people read it (``loaders.core.clock.format_datetime``).
    generated_at: str = ""
    #: The coverage map (PNG), ``None`` when it cannot be drawn (no boundary layers).
    map_png: bytes | None = None
    #: When the data last changed: the latest committed import, as people read it (:func:`last_update`).
    data_updated_at: str = ""


def last_update(history: pd.DataFrame) -> str:
    """The time of the latest committed import (``loaders.ingest.history.list_imports``) in Vietnam time, or ``""``."""
    if history.empty:
        return ""
    committed = history.loc[history["status"] == IMPORT_COMMITTED, "created_at"].dropna()
    return format_datetime(committed.max().to_pydatetime()) if len(committed) else ""


def period_text(report: Report, lang: str) -> str:
    """The report's period: ``15/12/2024 – 14/12/2025``."""
    return format_date_range(report.request.period.start, report.request.period.end, lang)


def compare_text(report: Report, lang: str) -> str:
    """The comparison rule and its dates: ``Cùng kỳ năm trước (15/12/2023 – 14/12/2024)``."""
    other = report.request.compare_period()
    return translate(
        f"report.compare.{report.request.compare}", lang, range=format_date_range(other.start, other.end, lang)
    )


def unit_name(report: Report, lang: str) -> str:
    """The unit's name (the province in the report's language)."""
    return translate("report.unit.province", lang) if report.unit.kind == UNIT_PROVINCE else report.unit.name


def heading_rows(report: Report, stamp: ReportStamp) -> list[tuple[str, str]]:
    """The heading as (label, value): unit, period, comparison, date of data, time made, data version."""
    lang = stamp.lang
    rows = [
        (translate("report.heading.unit", lang), unit_name(report, lang)),
        (translate("report.heading.period", lang), period_text(report, lang)),
        (translate("report.heading.compare", lang), compare_text(report, lang)),
        (translate("report.heading.data_date", lang), format_date(report.request.period.end, lang)),
    ]
    if stamp.data_updated_at:
        rows.append((translate("report.heading.data_updated", lang), stamp.data_updated_at))
    if stamp.generated_at:
        rows.append((translate("report.heading.generated", lang), stamp.generated_at))
    if stamp.data_version is not None:
        rows.append((translate("report.heading.data_version", lang), str(stamp.data_version)))
    return rows


def place_date(report: Report, lang: str) -> str:
    """ "Hà Tĩnh, ngày 14 tháng 12 năm 2025": the date of data, as a document's place and date line."""
    day = report.request.period.end
    return translate("report.place_date", lang, day=f"{day.day:02d}", month=day.month, year=day.year)


def population_text(report: Report, lang: str = "vi") -> str:
    """Which population the unit's rates use (its source label), in ``lang``."""
    return population_source_text(report.communes, list(report.unit.communes), lang)


def rules(report: Report, lang: str) -> dict[str, str]:
    """The rules each part of the report states: models, coverage, incidents and focus areas."""
    request = report.request
    return {
        "models": translate("report.rule.models", lang),
        "coverage": translate("report.rule.coverage", lang),
        "incidents": translate(
            "report.rule.incidents",
            lang,
            compare=compare_text(report, lang),
            baseline=request.min_baseline,
            threshold=round(request.rise_threshold * 100),
            population=population_text(report, lang),
        ),
        "focus": translate("report.rule.focus", lang),
    }


def table_title(report: Report, name: str, lang: str) -> str:
    """The title of a table of :data:`analysis.report_tables.TABLES`."""
    year = report.recognition_year if report.recognition_year is not None else "—"
    return translate(f"report.table.{name}", lang, threshold=round(report.request.coverage_threshold * 100), year=year)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def cell_text(column: str, value: object, lang: str, *, share: bool = False) -> str:
    """One cell as text: shares as percentages with one decimal, counts whole, no data as words."""
    if _missing(value):
        return translate("report.no_data", lang)
    if isinstance(value, (bool, str)):
        return str(value)
    number = float(value)
    if share or column in _SHARE_COLUMNS:
        sign = "+" if column == "change" and number > 0 else ""
        return f"{sign}{format_number(number * 100, 1, lang)}"
    if number.is_integer():
        return format_number(number, 0, lang)
    return format_number(number, 2, lang)


def text_table(report: Report, name: str, lang: str) -> tuple[list[str], list[list[str]]]:
    """A table of the report as header and rows of text, in ``lang``."""
    frame = report.tables[name]
    shown = report_tables.display_table(name, frame, lang)
    header = [str(c) for c in shown.columns]
    rows = []
    for position in range(len(frame)):
        raw = frame.iloc[position]
        share_row = name == "key_figures" and raw["figure"] in report_tables.SHARE_FIGURES
        cells = []
        for column, text in zip(frame.columns, shown.iloc[position]):
            if column in _TEXT_COLUMNS:
                cells.append(str(text))
            elif column == "year":
                cells.append(translate("report.no_data", lang) if pd.isna(raw[column]) else str(int(raw[column])))
            elif share_row and column == "change" and not _missing(raw[column]):
                # A share's change is a difference in points; the cell says so (the header says "%").
                cells.append(translate("report.points", lang, value=cell_text(column, raw[column], lang)))
            else:
                as_share = share_row and column in ("value", "compare")
                cells.append(cell_text(column, raw[column], lang, share=as_share))
        rows.append(cells)
    return header, rows


#: The tables of each part of the report, in order; the rule stated under the part's first table.
PARTS: tuple[tuple[tuple[str, ...], str | None], ...] = (
    (("key_figures",), None),
    (("models", "model_types"), "models"),
    (("coverage", "below_threshold", "no_area_list"), "coverage"),
    (("recognitions",), None),
    (("incidents_by_field", "incidents_by_severity", "flagged"), "incidents"),
    (("focus",), "focus"),
    (("completeness",), None),
)


def numeric_table(report: Report, name: str, lang: str) -> pd.DataFrame:
    """A table for a spreadsheet: headers and words in ``lang``, numbers kept, shares as percentages."""
    frame = report.tables[name].copy()
    for column in frame.columns:
        if column in _SHARE_COLUMNS and pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column] * 100
    if name == "key_figures":
        share = frame["figure"].isin(report_tables.SHARE_FIGURES)
        frame.loc[share, ["value", "compare"]] = frame.loc[share, ["value", "compare"]] * 100
    return report_tables.display_table(name, frame, lang)


def context_rows(report: Report, stamp: ReportStamp) -> list[tuple[str, str]]:
    """The filters and sources of the report (the spreadsheet's last sheet): heading, thresholds, rules."""
    lang = stamp.lang
    rows = heading_rows(report, stamp)
    rows.append(
        (
            translate("report.context.threshold", lang),
            f"{format_number(report.request.coverage_threshold * 100, 0, lang)}%",
        )
    )
    for key, text in rules(report, lang).items():
        rows.append((translate("export.context.rule", lang) + f" ({key})", text))
    rows.append(
        (
            translate("report.context.sources", lang),
            translate("report.context.sources_value", lang, population=population_text(report, lang)),
        )
    )
    if report.demo:
        rows.append((translate("demo.badge", lang), translate("report.demo_notice", lang)))
    return rows
