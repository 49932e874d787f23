"""The reader's result and its errors: a file read as strings, or why it cannot be.

:class:`RawTable` is what every reader (:mod:`loaders.ingest.delimited`,
:mod:`loaders.ingest.xlsx`) returns and what validation reads;
:class:`UnreadableFileError` is how any of them refuses a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from loaders.core.i18n import translate
from loaders.ingest.datasets import ImportDataError


class UnreadableFileError(ImportDataError):
    """The file cannot be read at all: empty, binary, corrupt, too big or wrong type."""


class SheetNotFoundError(UnreadableFileError):
    """The chosen sheet does not exist; the message lists the sheets that do."""


@dataclass
class RawTable:
    """A file read as strings, with everything needed to point back into it.

    Attributes
    ----------
    frame : pandas.DataFrame
        One column per header (as written, trimmed, NFC; duplicate headers get
        " (2)", " (3)"), one row per data row, every cell a ``str`` (blank is
        ``""``). Blank rows and trailing totals rows are already removed.
    row_numbers : numpy.ndarray of int64
        For each row of ``frame``, its 1-based row number in the spreadsheet,
        counting title, header and blank rows.
    header_row : int
        1-based row number of the header.
    totals_rows : list of int
        Row numbers of the totals rows dropped from the end.
    file_name : str
    sheet : str or None
        Sheet read, for XLSX.
    sheet_names : list of str
        All sheets of an XLSX file.
    encoding : str or None
        Detected text encoding (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1258"``).
    delimiter : str or None
        Detected separator for text files.
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray
    header_row: int
    totals_rows: list[int] = field(default_factory=list)
    file_name: str = ""
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None

    @property
    def columns(self) -> list[str]:
        """Headers in file order."""
        return [str(c) for c in self.frame.columns]


def fail(message_key: str, **params: object) -> UnreadableFileError:
    """An :class:`UnreadableFileError` with the catalogue message ``message_key``."""
    return UnreadableFileError(translate(message_key, **params))
