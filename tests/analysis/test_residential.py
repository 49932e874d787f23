"""Residential areas by year and the population rule, on hand-worked lists.

Commune A (00001, shipped 10,000 people) has a complete list of 2023 (4,000 +
5,000 = 9,000) and of 2025 (6,000 + 6,000 = 12,000); commune B (00002, shipped
20,000) has a list of 2024 with one area's population missing, so it is
incomplete; commune C (00004, shipped 5,000) has no list.
"""

from __future__ import annotations

import doctest
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import residential
from analysis.residential import (
    SOURCE_AREAS,
    SOURCE_NONE,
    SOURCE_SHIPPED,
    areas_at,
    commune_population,
    population_note,
)
from loaders.core import domain
from loaders.geo.registry import Registry

Q1_2025 = ind.Period(date(2025, 1, 1), date(2025, 3, 31))


def _areas(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    frame = residential.empty_areas()
    data = pd.DataFrame(rows, columns=["commune_code", "year", "area_name", "population"])
    data["id"] = np.arange(1, len(data) + 1)
    data["import_id"] = 1
    return pd.concat([frame, data], ignore_index=True)[list(residential.AREA_COLUMNS)].astype(
        {"id": "int64", "import_id": "int64", "year": "int64", "population": "float64"}
    )


AREAS = _areas(
    [
        ("00001", 2023, "Thôn 1", 4_000.0),
        ("00001", 2023, "Thôn 2", 5_000.0),
        ("00001", 2025, "Thôn 1", 6_000.0),
        ("00001", 2025, "Thôn 2", 6_000.0),
        ("00002", 2024, "Thôn X", 1_000.0),
        ("00002", 2024, "Thôn Y", np.nan),
    ]
)
SHIPPED = pd.Series([10_000.0, 20_000.0, 5_000.0], index=pd.Index(["00001", "00002", "00004"], dtype=object))


@pytest.fixture
def tiny_registry() -> Registry:
    communes = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Phường C"],
            "population": SHIPPED.to_numpy(),
            "district_codes": [("401",), ("401",), ("402",)],
            "borders_laos": [False, False, False],
            "coastal": [False, False, False],
            "economic_zones": [(), (), ()],
            "major_project": [False, False, False],
        },
        index=pd.Index(["00001", "00002", "00004"], name="code"),
    )
    legacy = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Phường C"],
            "district_code": ["401", "401", "402"],
            "borders_laos": [False, False, False],
            "coastal": [False, False, False],
            "economic_zones": [(), (), ()],
            "major_project": [False, False, False],
        },
        index=pd.Index(["00001", "00002", "00004"], name="code"),
    )
    districts = pd.DataFrame({"name": ["Huyện X", "Huyện Y"]}, index=pd.Index(["401", "402"]))
    return Registry(communes, legacy, districts, pd.DataFrame(), pd.DataFrame(), {}, True)


def test_doctests() -> None:
    assert doctest.testmod(residential).failed == 0


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2022, []),  # no list yet
        (2023, [("00001", 2023), ("00001", 2023)]),
        (2024, [("00001", 2023), ("00001", 2023), ("00002", 2024), ("00002", 2024)]),
        (2025, [("00001", 2025), ("00001", 2025), ("00002", 2024), ("00002", 2024)]),
        (2030, [("00001", 2025), ("00001", 2025), ("00002", 2024), ("00002", 2024)]),
    ],
)
def test_each_commune_uses_its_latest_list_not_after_the_year(year, expected) -> None:
    got = areas_at(AREAS, year)
    assert list(zip(got["commune_code"], got["year"])) == expected


def test_population_is_the_sum_of_a_complete_list_else_the_shipped_figure() -> None:
    got = commune_population(AREAS, SHIPPED, 2025)
    assert got["population"].tolist() == [12_000.0, 20_000.0, 5_000.0]
    assert got["population_source"].tolist() == [SOURCE_AREAS, SOURCE_SHIPPED, SOURCE_SHIPPED]
    assert got["population_year"].tolist() == [2025, pd.NA, pd.NA]
    earlier = commune_population(AREAS, SHIPPED, 2024)
    assert earlier.loc["00001", "population"] == 9_000.0 and earlier.loc["00001", "population_year"] == 2023
    assert commune_population(residential.empty_areas(), SHIPPED, 2025)["population"].tolist() == SHIPPED.tolist()


def test_the_source_is_said_in_words() -> None:
    got = commune_population(AREAS, SHIPPED, 2025)
    assert residential.population_source_label("areas", 2025) == "Tổng nhân khẩu các thôn, TDP năm 2025"
    assert residential.population_source_label("shipped", None, "en") == "Population shipped with the app"
    note = population_note(got)
    assert "1/3 xã, phường" in note and "năm 2025" in note
    counts = residential.population_counts(got)
    assert counts == {"units_population_from_areas": 1.0, "population_list_first": 2025, "population_list_last": 2025}
    assert "kèm theo ứng dụng" in population_note(commune_population(residential.empty_areas(), SHIPPED, 2025))


def _incidents(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["commune_code", "occurred_on"])
    frame["legacy_code"] = None
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def _no_models() -> pd.DataFrame:
    columns = ["commune_code", "legacy_code", "name_key", "founded_on", "status", "assessment", "kind"]
    frame = pd.DataFrame(columns=columns)
    for column in ("dissolved_on", "suspended_on", "founded_on"):
        frame[column] = pd.to_datetime(pd.Series([], dtype="object"))
    frame["rating_year"] = pd.Series([], dtype="int64")
    return frame


def test_rates_per_10k_use_the_population_rule_and_say_which(tiny_registry) -> None:
    # 12 incidents in A in Q1 2025: 12 / 12,000 × 10,000 = 10.0 (the shipped 10,000 would give 12.0).
    incidents = _incidents([("00001", "2025-02-01")] * 12 + [("00002", "2025-02-01")] * 4)
    recognitions = pd.DataFrame(columns=["year", "commune_code", "legacy_code", "unit_type", "unit_name", "result"])
    data = ind.Datasets(_no_models(), incidents, recognitions, residential_areas=AREAS)
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1_2025))
    assert out.loc["00001", "incidents_per_10k"] == pytest.approx(10.0)
    assert out.loc["00002", "incidents_per_10k"] == pytest.approx(2.0)  # 4 / 20,000 (incomplete list)
    assert out["population"].tolist() == [12_000.0, 20_000.0, 5_000.0]
    assert out.loc["00001", "population_source"] == SOURCE_AREAS and out.loc["00001", "population_year"] == 2025
    assert out.loc["00002", "population_source"] == SOURCE_SHIPPED and pd.isna(out.loc["00002", "population_year"])
    # Without lists the shipped figure is used, as before.
    plain = ind.compute_indicators(
        ind.Datasets(_no_models(), incidents, recognitions), tiny_registry, ind.Filters(Q1_2025)
    )
    assert plain.loc["00001", "incidents_per_10k"] == pytest.approx(12.0)
    # Legacy units: the lists place no area in a legacy commune here, so none has a population.
    legacy = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1_2025), level=domain.VINTAGE_LEGACY)
    assert math.isnan(legacy.loc["00001", "population"])
    assert legacy.loc["00001", "population_source"] == SOURCE_NONE


def test_group_trends_use_the_same_population(tiny_registry) -> None:
    from analysis.comparisons import group_trends

    incidents = _incidents([("00001", "2025-01-10")] * 12)
    recognitions = pd.DataFrame(columns=["year", "commune_code", "legacy_code", "unit_type", "unit_name", "result"])
    data = ind.Datasets(_no_models(), incidents, recognitions, residential_areas=AREAS)
    groups = {"a": pd.Index(["00001"], dtype=object)}
    trends = group_trends(data, tiny_registry, ind.Filters(Q1_2025), groups, "month")
    # January: 12 incidents per 12,000 people of A's 2025 list = 10 per 10,000.
    assert trends["incidents_per_10k"]["a"].iloc[0] == pytest.approx(10.0)
