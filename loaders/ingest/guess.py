"""Which dataset a file is, from its headers alone.

The upload page asks before a user wades through rejected rows: a file of
incidents chosen as "Mô hình" has none of the model columns, and the page
offers to read it as incidents instead. The headers are matched exactly as
an import matches them (:func:`loaders.ingest.headers.match_headers`), so a
guess is a dataset whose import would find every required column.

Score
-----
A dataset's score is the share of the file's recognised headers that belong
to that dataset alone, leaving out the commune and coordinate columns every
dataset has: an incidents file (Mã vụ việc, Ngày, Xã, Lĩnh vực, Mức độ)
scores 1 for incidents and 0 for models. Only datasets whose required
columns are all present are guessed; the best one wins, and a tie between two
is no guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loaders.ingest.datasets import DATASET_SPECS
from loaders.ingest.headers import match_headers

#: Columns that say nothing about the dataset: every dataset with a commune has them.
_SHARED: frozenset[str] = frozenset(
    set.intersection(*({c.name for c in spec.columns} for spec in DATASET_SPECS.values()))
) | frozenset({"vi_do", "kinh_do"})


@dataclass(frozen=True)
class DatasetFit:
    """How a file's headers fit one dataset.

    Attributes
    ----------
    dataset : str
    complete : bool
        Every required column (and one of each either/or group) has a header.
    score : float
        Share of the file's recognised, dataset-specific headers that this
        dataset uses, in ``[0, 1]`` (see the module's docstring).
    """

    dataset: str
    complete: bool
    score: float


def dataset_fits(headers: Sequence[str]) -> list[DatasetFit]:
    """How the headers fit each dataset, best first (complete before incomplete, then by score).

    Parameters
    ----------
    headers : sequence of str
        The file's headers as read (:attr:`loaders.ingest.rawtable.RawTable.columns`).

    Returns
    -------
    list of DatasetFit
        One per dataset of :data:`loaders.ingest.datasets.DATASET_SPECS`.
    """
    matches = {name: match_headers(headers, name) for name in DATASET_SPECS}
    specific = {name: set(m.columns.values()) - _sources(m.columns, _SHARED) for name, m in matches.items()}
    recognised = set().union(*specific.values())
    fits = [
        DatasetFit(name, m.complete, len(specific[name]) / len(recognised) if recognised else 0.0)
        for name, m in matches.items()
    ]
    return sorted(fits, key=lambda f: (not f.complete, -f.score))


def _sources(columns: dict[str, str], names: frozenset[str]) -> set[str]:
    """The file's headers matched to any of ``names``."""
    return {source for name, source in columns.items() if name in names}


def guess_dataset(headers: Sequence[str]) -> str | None:
    """The dataset a file's headers fit best, or ``None`` when none fits or two fit equally.

    Examples
    --------
    >>> guess_dataset(["Mã vụ việc", "Ngày", "Tên xã", "Lĩnh vực", "Mức độ"])
    'incidents'
    >>> guess_dataset(["Tên xã", "Tên mô hình", "Loại mô hình", "Nơi triển khai", "Ngày thành lập", "Trạng thái"])
    'models'
    >>> guess_dataset(["STT", "Tên xã"]) is None
    True
    """
    fits = [f for f in dataset_fits(headers) if f.complete and f.score > 0]
    if not fits or (len(fits) > 1 and fits[1].score == fits[0].score):
        return None
    return fits[0].dataset


def better_dataset(headers: Sequence[str], chosen: str) -> str | None:
    """Another dataset to offer when ``chosen`` does not fit the headers and that one does.

    ``chosen`` does not fit when some required column has no header. Returns
    ``None`` when it fits, or when no other dataset is a clear guess.
    """
    if match_headers(headers, chosen).complete:
        return None
    guess = guess_dataset(headers)
    return guess if guess != chosen else None
