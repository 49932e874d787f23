"""Models linked to a thôn/TDP by key when read, each model counted once by its latest record."""

from __future__ import annotations

import pandas as pd

from analysis.model_areas import AreaLinks, area_links, linked_rows


def _models(rows: list[tuple[str, str, int, str | None]]) -> pd.DataFrame:
    """(commune, model key, year, area key)."""
    return pd.DataFrame(rows, columns=["commune_code", "name_key", "rating_year", "area_key"])


AREAS = pd.DataFrame(
    {"commune_code": ["A", "A", "B"], "area_key": ["thon 1", "trungson", "tdp 5"], "year": [2024, 2025, 2025]}
)


def test_a_model_links_by_commune_and_key():
    models = _models(
        [
            ("A", "m1", 2025, "thon 1"),
            ("A", "m2", 2025, "tdp 5"),  # a key of another commune's list: not linked
            ("B", "m3", 2025, "tdp 5"),
            ("C", "m4", 2025, "thon 1"),  # no list for C
            ("A", "m5", 2025, None),  # names no area
        ]
    )
    assert linked_rows(models, AREAS).tolist() == [True, False, True, False, False]
    assert area_links(models, AREAS) == AreaLinks(models=5, named=4, linked=2)
    assert area_links(models, AREAS.iloc[0:0]).unlinked == 4


def test_each_model_counts_once_by_its_latest_record():
    models = _models(
        [
            ("A", "m1", 2024, "thon 9"),  # the 2024 record named an area the list lacks...
            ("A", "m1", 2025, "thon 1"),  # ...the 2025 record names one it has
            ("A", "m2", 2024, "thon 1"),
            ("A", "m2", 2025, None),  # the latest record names none
        ]
    )
    assert area_links(models, AREAS) == AreaLinks(models=2, named=1, linked=1)
    assert area_links(models.iloc[0:0], AREAS) == AreaLinks(0, 0, 0)
