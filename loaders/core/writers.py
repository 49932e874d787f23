"""Safe CSV and XLSX writers: every table a user downloads goes through here.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) are prefixed with a single quote,
following the OWASP advice on CSV injection, so uploaded text can never
execute in Excel. CSV is UTF-8 with a BOM (so Excel shows Vietnamese) and
CRLF rows (so pandas quotes any cell holding a bare CR, which Excel would
otherwise read as a line break starting a new row).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: Longest sheet name Excel accepts.
_SHEET_NAME_MAX = 31


def neutralise(value: object) -> object:
    """Make one cell inert: text that starts like a formula gets a leading quote.

    Numbers stay numbers (a negative number is not a formula); only text is touched.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header made inert."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def table_to_csv(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so Excel shows Vietnamese correctly), formula-safe."""
    # CRLF rows make pandas quote any cell holding a bare CR, so it cannot start a new row in Excel.
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _excel_value(value: object) -> object:
    # pd.NA is the missing value of nullable columns (e.g. a rank only some rows have): an empty cell.
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (tuple, list, frozenset, set)):
        return ", ".join(str(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()  # numpy scalar
    return neutralise(value)


def table_to_xlsx(
    frame: pd.DataFrame,
    context: Sequence[tuple[str, str]],
    *,
    sheet_name: str = "Dữ liệu",
    context_sheet_name: str = "Bộ lọc",
) -> bytes:
    """XLSX with the data on the first sheet and its context (filters, data version, time) on the second.

    Parameters
    ----------
    frame : pd.DataFrame
        The table as shown.
    context : sequence of (label, value)
        What produced it: filters, data version, export time, demo notice.
    sheet_name, context_sheet_name : str
        Sheet titles (cut to Excel's 31 characters).

    Returns
    -------
    bytes
        The workbook. Text cells are written as text, never as formulas.
    """
    return tables_to_xlsx([(sheet_name, frame)], context, context_sheet_name=context_sheet_name)


def _sheet_title(title: str) -> str:
    """A title Excel accepts: no ``[]:*?/\\`` and no quote at either end, at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title)).strip().strip("'")
    return cleaned[:_SHEET_NAME_MAX].strip() or "Sheet"


def tables_to_xlsx(
    sheets: Sequence[tuple[str, pd.DataFrame]],
    context: Sequence[tuple[str, str]],
    *,
    context_sheet_name: str = "Bộ lọc",
) -> bytes:
    """XLSX with one sheet per table, in order, then a sheet of their context (filters, sources, time).

    Parameters
    ----------
    sheets : sequence of (title, frame)
        Sheet titles (cut to Excel's 31 characters; they must stay distinct) and their tables.
    context : sequence of (label, value)
        What produced them.
    context_sheet_name : str
        Title of the last sheet.

    Returns
    -------
    bytes
        The workbook. Text cells are written as text, never as formulas.
    """
    wb = Workbook()
    wb.remove(wb.active)
    for title, frame in sheets:
        data_ws = wb.create_sheet(_sheet_title(title))
        data_ws.append([_excel_value(str(c)) for c in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            data_ws.append([_excel_value(v) for v in row])
        for index, column in enumerate(frame.columns, start=1):
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)]) + 2
            data_ws.column_dimensions[get_column_letter(index)].width = min(width, 60)
    context_ws = wb.create_sheet(context_sheet_name[:_SHEET_NAME_MAX])
    for label, value in context:
        context_ws.append([_excel_value(label), _excel_value(value)])
    context_ws.column_dimensions["A"].width = 28
    context_ws.column_dimensions["B"].width = 80
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
