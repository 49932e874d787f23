"""Frames of stored rows that grow by whole imports without copying what they hold.

After an import, a rollback or a demo change the pages' frames change by
whole imports only (see :func:`loaders.store.reads.refresh_dataset`). This
module is the one interface for changing such a frame:

* :func:`buffered` puts freshly read rows into :class:`ColumnBuffers`, arrays
  with spare capacity behind the numeric and categorical columns;
* :func:`append_rows` adds an import's rows, written behind the existing rows
  when the buffers can take them, so that appending to a large frame copies
  only the new rows;
* :func:`without_imports` drops whole imports.

Guarantee: every frame returned is equal, in rows, order (``id``), dtypes and
categories (sorted, only those in use), to what reading the same imports from
the store in full would give; and no frame handed out earlier ever changes.
"""

from __future__ import annotations

from threading import Lock

import numpy as np
import pandas as pd


def buffered(frame: pd.DataFrame) -> tuple[pd.DataFrame, ColumnBuffers | None]:
    """Rows read from the store, placed in buffers with spare capacity: ``(frame, buffers)``.

    The next import then appends behind these rows like every later one,
    instead of copying them in the rerun that follows it. The copy here is
    paid once, within the read's own time. An empty frame has nothing to keep
    (``None``).
    """
    if frame.empty:
        return frame, None
    empty = frame.iloc[0:0]
    buffers = ColumnBuffers(frame, empty)
    return buffers.frame(frame, empty), buffers


def in_id_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` sorted by ``id`` (stable) with a fresh 0..n-1 index; no sort when already in order."""
    if frame["id"].is_monotonic_increasing:
        return frame.reset_index(drop=True)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def _drop_unused_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as a full read would give them: only values the remaining rows hold.

    Counted with ``bincount`` over the codes: pandas' ``remove_unused_categories``
    sorts the codes, which is much slower on large frames.
    """
    changed = {}
    for col in frame.columns:
        values = frame[col]
        if not isinstance(values.dtype, pd.CategoricalDtype):
            continue
        codes = values.cat.codes.to_numpy()
        categories = values.cat.categories
        used = np.bincount(codes + 1, minlength=len(categories) + 1)[1:] > 0
        if used.all():
            continue
        remap = np.full(len(categories) + 1, -1, dtype=codes.dtype)  # the last slot maps code -1 (missing)
        remap[:-1][used] = np.arange(int(used.sum()), dtype=codes.dtype)
        changed[col] = pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype(categories[used]))
    return frame.assign(**changed) if changed else frame


def without_imports(frame: pd.DataFrame, import_ids: frozenset[int]) -> pd.DataFrame:
    """``frame`` without the rows of ``import_ids``, in the same order.

    Rows are in ``id`` order, so an import's rows usually form one block: the
    kept rows are then a few slices, which concatenate without gathering every
    column row by row as a boolean mask would.
    """
    drop = frame["import_id"].isin(sorted(import_ids)).to_numpy()
    if not drop.any():
        return frame
    edges = np.flatnonzero(np.diff(np.concatenate(([True], drop, [True])).astype(np.int8)))
    # Between consecutive edges alternate kept and dropped runs; kept runs start where drop turns False.
    kept = [(int(start), int(stop)) for start, stop in zip(edges[::2], edges[1::2])]
    if len(kept) <= 32:
        parts = [frame.iloc[start:stop] for start, stop in kept]
        out = pd.concat(parts, ignore_index=True) if parts else frame.iloc[0:0].reset_index(drop=True)
    else:
        out = frame[~drop].reset_index(drop=True)
    return _drop_unused_categories(out)


def append_rows(
    frame: pd.DataFrame, rows: pd.DataFrame, buffers: ColumnBuffers | None = None
) -> tuple[pd.DataFrame, ColumnBuffers | None]:
    """``frame`` and ``rows`` as one frame in ``id`` order, categories merged and sorted.

    New rows usually continue the ``id`` order with the same categories: they
    are then written behind ``frame``'s rows into the buffers' spare capacity
    and the result views that storage, so an import into a large store copies
    nothing but its own rows (a concat would copy every column into fresh
    memory, which the first computations then pay for again).

    Returns
    -------
    tuple of (pd.DataFrame, ColumnBuffers or None)
        The frame and the buffers behind it (``None`` when the rows had to be
        sorted in).
    """
    if rows.empty:
        return frame, buffers
    if frame.empty:
        return buffered(rows)
    if buffers is not None:
        appended = buffers.append(frame, rows)
        if appended is not None:
            return appended, buffers
    parts = []
    for part in (frame, rows):
        # Both parts need the same categories, or concat falls back to plain strings.
        changed = {}
        for col in part.columns:
            if isinstance(part[col].dtype, pd.CategoricalDtype):
                both = frame[col].cat.categories.union(rows[col].cat.categories).sort_values()
                if not part[col].cat.categories.equals(both):
                    changed[col] = part[col].cat.set_categories(both)
        parts.append(part.assign(**changed) if changed else part)
    if int(rows["id"].iloc[0]) > int(frame["id"].iloc[-1]):
        buffers = ColumnBuffers(parts[0], parts[1])
        return buffers.frame(parts[0], parts[1]), buffers
    return in_id_order(pd.concat(parts, ignore_index=True)), None


class ColumnBuffers:
    """Arrays with spare capacity behind a frame's numeric and categorical columns.

    A frame built on them views their first rows; appending writes behind
    those rows and builds a new frame viewing more of them. Frames of earlier
    data versions keep viewing their own, shorter prefix, which no append
    touches: only the frame whose rows end at ``used`` may grow the buffers
    (under the lock); any other gets a copy. Text columns are Arrow arrays,
    which concatenate without copying anyway.
    """

    SPARE = 0.25

    def __init__(self, head: pd.DataFrame, tail: pd.DataFrame) -> None:
        n = len(head) + len(tail)
        capacity = n + max(int(n * self.SPARE), 4096)
        self.lock = Lock()
        self.used = n
        self.arrays: dict[str, np.ndarray] = {}
        self.dtypes: dict[str, object] = {}
        for col in head.columns:
            first, second = self._values(head[col]), self._values(tail[col])
            if first is None:
                continue
            buffer = np.empty(capacity, dtype=first.dtype)
            buffer[: len(first)] = first
            buffer[len(first) : n] = second
            self.arrays[col] = buffer
            self.dtypes[col] = head[col].dtype

    @staticmethod
    def _values(column: pd.Series) -> np.ndarray | None:
        if isinstance(column.dtype, pd.CategoricalDtype):
            return column.cat.codes.to_numpy()
        if column.dtype.kind in "iufM":
            return column.to_numpy()
        return None

    def frame(self, head: pd.DataFrame, tail: pd.DataFrame) -> pd.DataFrame:
        """``head`` then ``tail`` as one frame on the first ``len(head) + len(tail)`` buffered rows."""
        n = len(head) + len(tail)
        columns = {}
        for col in head.columns:
            buffer = self.arrays.get(col)
            if buffer is None:
                columns[col] = pd.concat([head[col], tail[col]], ignore_index=True)
            elif isinstance(self.dtypes[col], pd.CategoricalDtype):
                columns[col] = pd.Categorical.from_codes(buffer[:n], dtype=self.dtypes[col], validate=False)
            else:
                columns[col] = buffer[:n]
        return pd.DataFrame(columns, copy=False)

    def append(self, frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame | None:
        """``frame`` plus ``rows`` without copying ``frame``, or ``None`` when these buffers cannot take them."""
        n, k = len(frame), len(rows)
        if int(rows["id"].iloc[0]) <= int(frame["id"].iloc[-1]):
            return None
        values = {}
        for col, dtype in self.dtypes.items():
            if frame[col].dtype != dtype:
                return None
            column = rows[col]
            if isinstance(dtype, pd.CategoricalDtype):
                # A batch holds some of the categories: recoded into the frame's, unless it brings new ones.
                if not column.cat.categories.isin(dtype.categories).all():
                    return None
                column = column.astype(dtype)
            elif column.dtype != dtype:
                return None
            values[col] = self._values(column)
        with self.lock:
            if self.used != n or any(n + k > len(a) for a in self.arrays.values()):
                return None
            for col, buffer in self.arrays.items():
                buffer[n : n + k] = values[col]
            self.used = n + k
        return self.frame(frame, rows)
