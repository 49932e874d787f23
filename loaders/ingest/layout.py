"""Where the table sits in a sheet: the header row, its names, and the rows around the data.

Real files put title rows above the header, leave blank lines and columns,
and end with a totals row. Both readers (text and XLSX) use these rules, so
a file reads the same whichever format it was saved in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from loaders.core.textnorm import key
from loaders.ingest.headers import all_header_keys

#: How many leading rows may be titles before the header.
HEADER_SEARCH_ROWS: int = 30
#: A row is the header when at least this many of its cells are known headers.
HEADER_MIN_MATCHES: int = 2
#: Keys of cell texts that mark a totals row ("Tổng cộng", "Cộng", "Tổng", "Tổng số").
TOTAL_KEYS: frozenset[str] = frozenset({"tongcong", "cong", "tong", "tongso"})


def find_header(rows: Sequence[Sequence[str]]) -> int:
    """0-based index of the header among the first rows.

    The first row with :data:`HEADER_MIN_MATCHES` known headers; failing that
    (a file with its own headers, to be mapped by hand), the first row that is
    at least half as wide as the widest row, so title rows are still skipped.
    """
    known = all_header_keys()
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    for i in range(limit):
        if sum(1 for cell in rows[i] if key(cell) in known) >= HEADER_MIN_MATCHES:
            return i
    widths = [sum(1 for cell in rows[i] if str(cell).strip()) for i in range(limit)]
    widest = max(widths, default=0)
    for i, w in enumerate(widths):
        if w and w * 2 >= widest:
            return i
    return 0


def unique_headers(cells: Iterable[object]) -> list[str]:
    """Trim headers, name blank ones after their column letter ("Cột C"), number repeats ("Tên (2)")."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells, start=1):
        name = " ".join(str(cell if cell is not None else "").split()) or f"Cột {get_column_letter(i)}"
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name} ({n})")
    return out


def tidy(frame: pd.DataFrame, row_numbers: np.ndarray) -> tuple[pd.DataFrame, np.ndarray, list[int]]:
    """Trim cells, drop blank rows, empty unnamed columns and trailing totals rows.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray, list of int)
        The kept rows (index reset), their row numbers, and the row numbers
        of the totals rows dropped from the end.
    """
    for col in frame.columns:
        frame[col] = frame[col].astype("str").str.strip()
    unnamed = [c for c in frame.columns if c.startswith("Cột ") and not (frame[c] != "").any()]
    if unnamed:
        frame = frame.drop(columns=unnamed)
    keep = (frame != "").any(axis=1).to_numpy() if frame.shape[1] else np.zeros(len(frame), dtype=bool)
    if not keep.all():
        frame = frame.loc[keep]
        row_numbers = row_numbers[keep]
    totals: list[int] = []
    n = len(frame)
    while n and _is_totals_row(frame.iloc[n - 1]):
        n -= 1
        totals.append(int(row_numbers[n]))
    totals.reverse()
    frame = frame.iloc[:n].reset_index(drop=True)
    return frame, row_numbers[:n], totals


def _is_totals_row(row: pd.Series) -> bool:
    # The label opens the row ("Tổng cộng" in the first filled cell); a data row
    # whose later cell merely says "Cộng" or "Tổng" (a note, a name) is data.
    first = next((v for v in row if v), "")
    return key(first) in TOTAL_KEYS
