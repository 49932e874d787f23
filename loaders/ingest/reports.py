"""Error reports: the columns of the error table, and its downloads and JSON form.

Validation builds the table (:mod:`loaders.ingest.errors`); the upload page
offers it as CSV or XLSX, and an import stores it as JSON records
(:data:`REPORT_COLUMNS` and the code). Every text cell is made inert through
:mod:`loaders.core.writers`: the values come from users' files.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from loaders.core.i18n import translate
from loaders.core.writers import neutralise_frame, table_to_csv

#: Columns of the error (and warning) table.
ERROR_COLUMNS: tuple[str, ...] = ("row", "column", "value", "message", "code", "field")
#: Columns of the error report an import keeps (:func:`loaders.ingest.history.import_report`).
REPORT_COLUMNS: list[str] = list(ERROR_COLUMNS[:4])


def error_frame(*, row: Any, column: Any, value: Any, message: Any, code: Any, field: Any) -> pd.DataFrame:
    """Error (or warning) rows with the columns of :data:`ERROR_COLUMNS`, in that order.

    Each argument is one column: a sequence (one value per row) or a scalar
    repeated on every row, as :class:`pandas.DataFrame` takes them. Every
    producer of error rows builds them here, so the columns cannot drift.
    """
    return pd.DataFrame(dict(zip(ERROR_COLUMNS, (row, column, value, message, code, field), strict=True)))


def empty_errors() -> pd.DataFrame:
    """An error table without rows, typed as a filled one."""
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "row" else "str") for c in ERROR_COLUMNS})


def errors_to_records(errors: pd.DataFrame) -> list[dict[str, Any]]:
    """Errors as ``[{row, column, value, message}]`` with plain JSON types."""
    out = []
    cols = REPORT_COLUMNS + [c for c in ("code",) if c in errors.columns]
    for values in errors[cols].itertuples(index=False, name=None):
        record = dict(zip(cols, (None if pd.isna(v) else v for v in values)))
        record["row"] = None if record["row"] is None else int(record["row"])
        out.append({k: v if k == "row" or v is None else str(v) for k, v in record.items()})
    return out


def report_bytes(errors: pd.DataFrame, fmt: str, lang: str = "vi") -> bytes:
    """Render an error report for download (validation's localised CSV or XLSX).

    Parameters
    ----------
    errors : pd.DataFrame
        Validation's error table.
    fmt : {"csv", "xlsx"}
    """
    if fmt == "csv":
        return errors_to_csv(errors, lang)
    if fmt == "xlsx":
        return errors_to_xlsx(errors, lang)
    raise ValueError(f"unknown report format {fmt!r}")


def _labelled(errors: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The columns users see, with localised headers."""
    labels = {c: translate(f"validation.col.{c}", lang) for c in ("row", "column", "value", "message", "code")}
    # Stored reports keep no error code; an empty column keeps the layout the same.
    return errors.reindex(columns=list(labels), fill_value="").rename(columns=labels)


def errors_to_csv(errors: pd.DataFrame, lang: str = "vi") -> bytes:
    """The error table as CSV: UTF-8 with BOM, CRLF rows, formula-safe (:func:`loaders.core.writers.table_to_csv`)."""
    return table_to_csv(_labelled(errors, lang))


def errors_to_xlsx(errors: pd.DataFrame, lang: str = "vi") -> bytes:
    """The error table as an XLSX workbook with one sheet, header in bold, every text cell inert."""
    table = neutralise_frame(_labelled(errors, lang))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(translate("validation.sheet.errors", lang))
    for letter, width in zip("ABCDE", (8, 24, 28, 90, 26)):
        ws.column_dimensions[letter].width = width
    head = []
    for name in table.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in table.itertuples(index=False):
        ws.append([int(row[0]), *row[1:]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
