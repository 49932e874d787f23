"""The admin's hot spots as a focus group: selection, classes, membership and a comparison, hand-worked."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import comparisons as cmp
from analysis import indicators as ind
from analysis import priority
from loaders.core import domain

B, C, E, M, H = (
    domain.FOCUS_BORDER,
    domain.FOCUS_COASTAL,
    domain.FOCUS_ECONOMIC_ZONE,
    domain.FOCUS_MAJOR_PROJECT,
    domain.FOCUS_HOT_SPOT,
)
V25, LEG = domain.VINTAGE_2025, domain.VINTAGE_LEGACY


class _Registry(SimpleNamespace):
    """2025: A border; B coastal; C and D in no geographic area. Legacy L1, L2 went to C; L3 to D."""

    def focus_codes(self, area: str, vintage: str = V25) -> set[str]:
        return {B: {"A"}, C: {"B"}, E: set(), M: set()}[area]

    def focus_class(self) -> pd.Series:
        return pd.Series({"A": B, "B": C, "C": "other", "D": "other"})

    def to_2025(self, code: str) -> str:
        return {"L1": "C", "L2": "C", "L3": "D"}[code]

    def legacy_members(self, code: str) -> list[str]:
        return {"C": ["L1", "L2"], "D": ["L3"]}.get(code, [])


@pytest.fixture
def registry() -> _Registry:
    return _Registry(
        communes=pd.DataFrame({"population": [1.0e4, 1.0e4, 1.0e4, 2.0e4]}, index=pd.Index(list("ABCD"))),
        legacy=pd.DataFrame({"district_code": ["401"] * 3}, index=pd.Index(["L1", "L2", "L3"])),
    )


PERIOD = ind.Period(date(2025, 1, 1), date(2025, 12, 31))
#: The 2025 list names C; a hot spot that is also coastal (B) keeps its geographic class.
SPOTS = ((V25, "B"), (V25, "C"))


def test_a_list_names_units_in_either_vintage(registry) -> None:
    assert ind.hot_spot_units(registry, SPOTS) == {"B", "C"}
    # A legacy entry counts as the 2025 commune that took its area, and the other way round.
    assert ind.hot_spot_units(registry, [(LEG, "L3")]) == {"D"}
    assert ind.hot_spot_units(registry, [(V25, "C")], LEG) == {"L1", "L2"}
    assert ind.hot_spot_units(registry, []) == set()


def test_the_focus_filter_selects_the_hot_spots_of_the_filters(registry) -> None:
    filters = ind.Filters(PERIOD, focus=H, hot_spots=SPOTS)
    assert list(ind.selected_units(registry, filters)) == ["B", "C"]
    # No list for the period's year: the group is empty, not the whole province.
    assert list(ind.selected_units(registry, ind.Filters(PERIOD, focus=H))) == []


def test_classes_and_membership_gain_the_hot_spot_group(registry) -> None:
    classes, membership = cmp.with_hot_spots(registry, registry.focus_class(), cmp.focus_membership(registry), SPOTS)
    assert classes.to_dict() == {"A": B, "B": C, "C": H, "D": "other"}
    assert list(membership.columns) == list(cmp.FOCUS_MEMBERSHIP)
    assert membership.loc["B", [C, H]].all() and membership.loc["C", H] and not membership.loc["C", "other"]
    assert membership.loc["D", "other"] and not membership.loc["D", H]
    by_class = cmp.focus_groups(registry, registry.communes.index, "class", classes=classes, membership=membership)
    assert {k: list(v) for k, v in by_class.items()} == {B: ["A"], C: ["B"], H: ["C"], "other": ["D"]}
    by_area = cmp.focus_groups(registry, registry.communes.index, "membership", membership=membership)
    assert list(by_area[H]) == ["B", "C"]
    assert priority.FOCUS_WEIGHT[H] == 1.0


def test_a_comparison_shows_the_hot_spot_group_from_its_sums(registry) -> None:
    # Incidents in the period: B 1, C 3, D 1. Hot spots (membership) = B + C: 4 incidents over
    # 20,000 residents = 2.0 per 10,000; the rest of the province without hot spots is A + D.
    indicators = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C", "Xã D"],
            "population": [1.0e4, 1.0e4, 1.0e4, 2.0e4],
            "models_counted": [np.nan] * 4,
            "models_covering": [np.nan] * 4,
            "models_per_10k": [np.nan] * 4,
            "kinds_present": [np.nan] * 4,
            "kinds_missing": [domain.MODEL_KINDS_CORE] * 4,
            "weak_share": [np.nan] * 4,
            "incidents": [0.0, 1.0, 3.0, 1.0],
            "incidents_prev": [0.0, 0.0, 1.0, 1.0],
            "incidents_per_10k": [0.0, 1.0, 3.0, 0.5],
            "incidents_change": [np.nan, np.nan, 2.0, 0.0],
            "incidents_flag": [False] * 4,
            "has_models": [False] * 4,
            "has_incidents": [True] * 4,
        },
        index=pd.Index(list("ABCD"), name="code"),
    )
    data = ind.Datasets(
        models=pd.DataFrame(),
        incidents=pd.DataFrame({"commune_code": [], "occurred_on": pd.to_datetime([])}),
        recognitions=pd.DataFrame({"year": [], "commune_code": [], "unit_type": [], "result": []}),
    )
    _, membership = cmp.with_hot_spots(registry, registry.focus_class(), cmp.focus_membership(registry), SPOTS)
    groups = cmp.focus_groups(registry, indicators.index, "membership", membership=membership)
    table = cmp.compare_groups(indicators, data, ind.Filters(PERIOD, hot_spots=SPOTS), groups)
    assert table.at["units", H] == 2
    assert table.at["incidents", H] == 4
    assert table.at["incidents_per_10k", H] == pytest.approx(2.0)
    assert table.at["incidents", "other"] == 1  # D only: A is a border commune
