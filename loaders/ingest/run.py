"""The state of one validation run, shared by its steps.

Coercion, commune resolution, the checks and the error tables all read the
same raw cells, row numbers and header match; :class:`ValidationRun` carries
them, with the language of the messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders.core.i18n import translate
from loaders.ingest.headers import HeaderMatch


@dataclass
class ValidationRun:
    """One table being validated.

    Attributes
    ----------
    dataset : str
    raw : pandas.DataFrame
        The file's cells as text, one column per canonical name ("" when blank).
    rows : numpy.ndarray
        Row number of each row as the user sees it in the file.
    header : HeaderMatch
    today : datetime.date
        Dates after it are "in the future".
    lang : str
        Language of the messages.
    """

    dataset: str
    raw: pd.DataFrame
    rows: np.ndarray
    header: HeaderMatch
    today: dt.date
    lang: str

    def t(self, message_key: str, **params: object) -> str:
        """A message of the catalogue in the run's language."""
        return translate(message_key, self.lang, **params)
