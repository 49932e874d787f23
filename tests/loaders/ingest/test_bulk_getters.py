"""The per-column getters of bulk inserts: plain Python values the drivers can bind."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.ingest.bulk import column_getters


def test_an_object_column_of_numpy_scalars_comes_out_as_python_values() -> None:
    frame = pd.DataFrame({"count": pd.Series([np.int64(3), np.int64(3), None], dtype=object), "n": np.array([1, 2, 3])})
    objects, integers = column_getters(frame, iso_dates=False)
    got = objects(0, 3)
    assert got.tolist() == [3, 3, None]
    assert type(got[0]) is int
    assert [type(v) for v in integers(0, 3)] == [int, int, int]
