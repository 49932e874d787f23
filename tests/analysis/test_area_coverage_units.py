"""Coverage of thôn/TDP per unit and the legacy population from the lists, on a hand-worked province.

Two 2025 communes and three legacy communes:

* legacy W (00010) went whole to 2025 commune X (00010);
* legacy S (00020) was split between X and 2025 commune Y (00030);
* legacy V (00030) went whole to Y.

The 2025 lists (year 2025):

* X: "Thôn 1" (W, 1,000 people), "Thôn 2" (W, 2,000), "Thôn 3" (S, 500), all placed;
* Y: "Thôn 4" (S, 700), "Thôn 5" (no legacy commune written, 800).

Models (all founded 2020, rated 2025): a "tự quản" in Thôn 1, a weak "tự phòng" in
Thôn 2 (a gap), a "khác" in Thôn 3 and a "tự phòng" in Thôn 4.

So, by hand, at 31/12/2025:

* X: 3 areas; covered by any kind Thôn 1 and Thôn 3 → 2/3; by "tự quản" only → 1/3.
* Y: 2 areas; Thôn 4 covered → 1/2.
* W is placed (X's list places every area): 2 areas, 1 covered → 1/2, population 3,000.
* S is not placed (Y's Thôn 5 has no legacy commune): NaN, no population.
* V is not placed either (same reason).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import residential
from analysis.residential import SOURCE_AREAS, SOURCE_NONE
from loaders.core import domain
from loaders.geo.registry import Registry

YEAR_2025 = ind.Period(date(2025, 1, 1), date(2025, 12, 31))
FIRST_HALF_2024 = ind.Period(date(2024, 1, 1), date(2024, 6, 30))
X, Y = "00010", "00030"
W, S, V = "00010", "00020", "00030"


@pytest.fixture
def registry() -> Registry:
    communes = pd.DataFrame(
        {
            "name": ["Xã X", "Xã Y"],
            "population": [9_000.0, 4_000.0],
            "legacy_codes": [(W, S), (S, V)],
            "district_codes": [("401",), ("401",)],
            "borders_laos": [False, False],
            "coastal": [False, False],
            "economic_zones": [(), ()],
            "major_project": [False, False],
        },
        index=pd.Index([X, Y], name="code"),
    )
    legacy = pd.DataFrame(
        {
            "name": ["Xã W", "Xã S", "Xã V"],
            "district_code": ["401", "401", "401"],
            "new_code": [X, X, Y],
            "new_codes": [(X,), (X, Y), (Y,)],
            "borders_laos": [False] * 3,
            "coastal": [False] * 3,
            "economic_zones": [()] * 3,
            "major_project": [False] * 3,
        },
        index=pd.Index([W, S, V], name="code"),
    )
    districts = pd.DataFrame({"name": ["Huyện Z"]}, index=pd.Index(["401"]))
    return Registry(communes, legacy, districts, pd.DataFrame(), pd.DataFrame(), {}, True)


def _areas(rows: list[tuple[str, str | None, str, float, bool]], year: int = 2025) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["commune_code", "legacy_code", "area_name", "population", "has_security_team"])
    frame["area_key"] = frame["area_name"].str.lower()
    frame["year"] = year
    frame["id"] = np.arange(1, len(frame) + 1)
    frame["import_id"] = 1
    frame["has_mediation_team"] = True
    for column in residential.AREA_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame[list(residential.AREA_COLUMNS)]


AREAS = _areas(
    [
        (X, W, "Thôn 1", 1_000.0, True),
        (X, W, "Thôn 2", 2_000.0, False),
        (X, S, "Thôn 3", 500.0, True),
        (Y, S, "Thôn 4", 700.0, True),
        (Y, None, "Thôn 5", 800.0, True),
    ]
)


def _models() -> pd.DataFrame:
    rows = [
        (X, "m1", "tự quản", "thôn 1", domain.ASSESSMENT_EFFECTIVE),
        (X, "m2", "tự phòng", "thôn 2", domain.ASSESSMENT_WEAK),
        (X, "m3", "khác", "thôn 3", None),
        (Y, "m4", "tự phòng", "thôn 4", domain.ASSESSMENT_EFFECTIVE),
    ]
    frame = pd.DataFrame(rows, columns=["commune_code", "name_key", "kind", "area_key", "assessment"])
    frame["legacy_code"] = None
    frame["rating_year"] = 2025
    frame["status"] = domain.STATUS_ACTIVE
    frame["founded_on"] = pd.Timestamp("2020-01-01")
    for column in ("dissolved_on", "suspended_on"):
        frame[column] = pd.NaT
    return frame


def _recognitions() -> pd.DataFrame:
    return pd.DataFrame(columns=["year", "commune_code", "legacy_code", "unit_type", "unit_name", "result"])


def _incidents() -> pd.DataFrame:
    # Six incidents in legacy W in 2025: 6 per 3,000 people of its areas = 20 per 10,000.
    frame = pd.DataFrame({"commune_code": [X] * 6, "legacy_code": [W] * 6})
    frame["occurred_on"] = pd.to_datetime(["2025-03-01"] * 6)
    return frame


def _data(areas: pd.DataFrame = AREAS) -> ind.Datasets:
    return ind.Datasets(_models(), _incidents(), _recognitions(), residential_areas=areas)


def test_coverage_of_2025_communes_by_any_kind(registry):
    out = ind.compute_indicators(_data(), registry, ind.Filters(YEAR_2025))
    assert out["residential_areas"].tolist() == [3.0, 2.0]
    assert out["areas_covered"].tolist() == [2.0, 1.0]  # the weak "tự phòng" leaves Thôn 2 a gap
    assert out["area_coverage"].tolist() == pytest.approx([2 / 3, 1 / 2])
    assert out["areas_with_security_team_share"].tolist() == pytest.approx([2 / 3, 1.0])
    assert out["areas_with_mediation_share"].tolist() == pytest.approx([1.0, 1.0])


def test_coverage_counts_the_selected_kinds_only(registry):
    out = ind.compute_indicators(_data(), registry, ind.Filters(YEAR_2025, kinds=("tự quản",)))
    assert out["areas_covered"].tolist() == [1.0, 0.0]
    assert out["area_coverage"].tolist() == pytest.approx([1 / 3, 0.0])
    other = ind.compute_indicators(_data(), registry, ind.Filters(YEAR_2025, kinds=("khác",)))
    assert other["areas_covered"].tolist() == [1.0, 0.0]  # "khác" is a kind of its own


def test_a_commune_without_a_list_is_not_zero(registry):
    only_x = AREAS[AREAS["commune_code"] == X]
    out = ind.compute_indicators(_data(only_x), registry, ind.Filters(YEAR_2025))
    assert out.loc[X, "area_coverage"] == pytest.approx(2 / 3)
    assert math.isnan(out.loc[Y, "residential_areas"]) and math.isnan(out.loc[Y, "area_coverage"])
    # A list of a later year is not in force yet.
    later = ind.compute_indicators(_data(), registry, ind.Filters(FIRST_HALF_2024))
    assert later["area_coverage"].isna().all()


def test_security_teams_count_from_1_july_2024(registry):
    areas_2024 = _areas([(X, W, "Thôn 1", 1_000.0, True)], year=2024)
    out = ind.compute_indicators(_data(areas_2024), registry, ind.Filters(FIRST_HALF_2024))
    assert out.loc[X, "areas_with_mediation_share"] == 1.0
    assert math.isnan(out.loc[X, "areas_with_security_team_share"])


def test_legacy_communes_take_their_placed_areas(registry):
    out = ind.compute_indicators(_data(), registry, ind.Filters(YEAR_2025), level=domain.VINTAGE_LEGACY)
    w, s, v = out.loc[W], out.loc[S], out.loc[V]
    assert (w["residential_areas"], w["areas_covered"]) == (2.0, 1.0)
    assert w["area_coverage"] == pytest.approx(0.5)
    assert w["population"] == 3_000.0 and w["population_source"] == SOURCE_AREAS and w["population_year"] == 2025
    assert w["incidents_per_10k"] == pytest.approx(20.0)
    # S is split, and Y (which holds part of it) has an area with no legacy commune: unknown, not zero.
    for unit in (s, v):
        assert math.isnan(unit["residential_areas"]) and math.isnan(unit["area_coverage"])
        assert math.isnan(unit["population"]) and unit["population_source"] == SOURCE_NONE
        assert pd.isna(unit["population_year"])


def test_a_split_legacy_commune_counts_once_every_holder_places_its_areas(registry):
    placed = AREAS.copy()
    placed.loc[placed["area_name"] == "Thôn 5", "legacy_code"] = V
    out = ind.compute_indicators(_data(placed), registry, ind.Filters(YEAR_2025), level=domain.VINTAGE_LEGACY)
    # S: Thôn 3 (in X, covered by "khác") and Thôn 4 (in Y, covered): 2/2, 500 + 700 people.
    assert out.loc[S, "residential_areas"] == 2.0 and out.loc[S, "area_coverage"] == 1.0
    assert out.loc[S, "population"] == 1_200.0
    # V: Thôn 5, no model: 0 %, not unknown.
    assert out.loc[V, "area_coverage"] == 0.0 and out.loc[V, "population"] == 800.0


def test_a_legacy_population_needs_complete_lists(registry):
    placed = AREAS.copy()
    placed.loc[placed["area_name"] == "Thôn 5", "legacy_code"] = V
    placed.loc[placed["area_name"] == "Thôn 4", "population"] = np.nan
    out = residential.legacy_population(placed, residential.legacy_holders(registry), 2025)
    assert out.loc[W, "population"] == 3_000.0  # X's list is complete
    # Y's list lacks a population: S and V are placed (coverage known) but have no population.
    assert out.loc[[S, V], "placed"].tolist() == [True, True]
    assert out.loc[[S, V], "population"].isna().all()


def test_the_province_figure_sums_areas_over_the_communes_with_a_list(registry):
    data, filters = _data(), ind.Filters(YEAR_2025)
    out = ind.compute_indicators(data, registry, filters)
    summary = ind.summarise(out, data, filters)
    assert summary["area_coverage"] == pytest.approx(3 / 5)  # (2 + 1) / (3 + 2), not the mean of 2/3 and 1/2
    assert summary["units_with_areas"] == 2
    only_x = _data(AREAS[AREAS["commune_code"] == X])
    assert ind.summarise(ind.compute_indicators(only_x, registry, filters), only_x, filters)[
        "area_coverage"
    ] == pytest.approx(2 / 3)  # Y, without a list, is left out
    no_lists = _data(AREAS.iloc[0:0])
    assert math.isnan(
        ind.summarise(ind.compute_indicators(no_lists, registry, filters), no_lists, filters)["area_coverage"]
    )


def test_per_area_tables_are_computed_once_per_period_end(registry, monkeypatch):
    from analysis import area_coverage as ac

    calls = []
    original = ac.area_coverage
    monkeypatch.setattr(ac, "area_coverage", lambda *a: calls.append(a[2]) or original(*a))
    data = _data()
    for districts, kinds in (((), ()), (("401",), ()), ((), ("tự quản",))):
        ind.compute_indicators(data, registry, ind.Filters(YEAR_2025, districts=districts, kinds=kinds))
    assert calls == [YEAR_2025.end]  # one per data version and period end, whatever the selection
    ind.compute_indicators(data, registry, ind.Filters(FIRST_HALF_2024))
    assert calls == [YEAR_2025.end, FIRST_HALF_2024.end]


def test_model_indicators_are_the_model_columns_of_the_indicators(registry):
    data = _data()
    filters = ind.Filters(YEAR_2025, kinds=("tự phòng", "tự quản"))
    for level in (domain.VINTAGE_2025, domain.VINTAGE_LEGACY):
        full = ind.compute_indicators(data, registry, filters, level)
        models = ind.model_indicators(data, registry, filters, level)
        pd.testing.assert_frame_equal(models, full[models.columns])
