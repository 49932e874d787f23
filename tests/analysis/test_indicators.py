"""Indicator maths on tiny hand-made fixtures."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import series
from analysis.formatting import format_indicator
from analysis.periods import COMPARE_PREVIOUS
from loaders.core import domain
from loaders.geo.registry import Registry

Q1 = ind.Period(date(2025, 1, 1), date(2025, 3, 31))


@pytest.fixture
def tiny_registry() -> Registry:
    communes = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C"],
            "name_short": ["A", "B", "C"],
            "type": ["Xã", "Xã", "Phường"],
            "population": [10_000.0, 20_000.0, 5_000.0],
            "legacy_codes": [("00001",), ("00002", "00003"), ("00004",)],
            "district_codes": [("401",), ("401",), ("402",)],
            "borders_laos": [True, False, False],
            "coastal": [False, True, False],
            "economic_zones": [(), (), ("vung_ang",)],
            "major_project": [False, False, True],
        },
        index=pd.Index(["00001", "00002", "00004"], name="code"),
    )
    legacy = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã B2", "Xã C"],
            "district_code": ["401", "401", "401", "402"],
            "borders_laos": [True, False, False, False],
            "coastal": [False, True, False, False],
            "economic_zones": [(), (), (), ("vung_ang",)],
            "major_project": [False, False, False, True],
        },
        index=pd.Index(["00001", "00002", "00003", "00004"], name="code"),
    )
    districts = pd.DataFrame({"name": ["Huyện X", "Huyện Y"]}, index=pd.Index(["401", "402"]))
    return Registry(communes, legacy, districts, pd.DataFrame(), pd.DataFrame(), {}, True)


def _models(rows: list[dict]) -> pd.DataFrame:
    base = {
        "legacy_code": None,
        "status": domain.STATUS_ACTIVE,
        "assessment": domain.ASSESSMENT_EFFECTIVE,
        "dissolved_on": pd.NaT,
        "suspended_on": pd.NaT,
        "kind": "tự quản",
        "rating_year": 2025,
    }
    columns = ["commune_code", "name_key", "founded_on", *base]
    # Each row its own model unless a test names it: one record per model, of 2025.
    frame = pd.DataFrame([{"name_key": f"m{i}", **base, **r} for i, r in enumerate(rows)], columns=columns)
    for column in ("founded_on", "dissolved_on", "suspended_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _incidents(rows: list[tuple[str, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["commune_code", "occurred_on"])
    frame["legacy_code"] = None
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def _empty_recognitions() -> pd.DataFrame:
    return pd.DataFrame(columns=["year", "commune_code", "legacy_code", "unit_type", "unit_name", "result"])


def test_active_in_period_rule():
    models = _models(
        [
            {"commune_code": "00001", "founded_on": "2025-03-31"},  # founded on the last day: counts
            {"commune_code": "00001", "founded_on": "2025-04-01"},  # founded after: no
            {"commune_code": "00001", "founded_on": "2020-01-01", "dissolved_on": "2024-12-31"},  # gone before: no
            {"commune_code": "00001", "founded_on": "2020-01-01", "dissolved_on": "2025-01-01"},  # gone during: counts
        ]
    )
    assert ind.models_counted(models, Q1).tolist() == [True, False, False, True]


def test_weak_and_suspended_models_are_a_gap_not_coverage(tiny_registry):
    models = _models(
        [
            {"commune_code": "00001", "founded_on": "2024-01-01", "kind": "tự phòng"},
            {
                "commune_code": "00001",
                "founded_on": "2024-01-01",
                "kind": "tự quản",
                "assessment": domain.ASSESSMENT_WEAK,
            },
            {
                "commune_code": "00001",
                "founded_on": "2024-01-01",
                "kind": "tự bảo vệ",
                "status": domain.STATUS_SUSPENDED,
            },
            {"commune_code": "00001", "founded_on": "2024-01-01", "kind": "tự hòa giải"},
        ]
    )
    data = ind.Datasets(models, _incidents([]), _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1))
    a = out.loc["00001"]
    assert a["models_counted"] == 4
    assert a["models_covering"] == 2
    assert a["models_per_10k"] == pytest.approx(2.0)
    assert a["kinds_present"] == 2
    assert a["kinds_missing"] == ("tự quản", "tự bảo vệ")
    assert a["weak_share"] == pytest.approx(0.25)


def test_no_data_is_not_zero(tiny_registry):
    models = _models(
        [
            {"commune_code": "00001", "founded_on": "2024-01-01"},
            # B reported a model, but it was founded after the period: zero, not no data.
            {"commune_code": "00002", "founded_on": "2026-01-01"},
        ]
    )
    incidents = _incidents([("00001", "2025-02-01"), ("00002", "2023-05-05")])
    data = ind.Datasets(models, incidents, _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1))
    assert out.loc["00002", "models_covering"] == 0
    assert out.loc["00002", "kinds_present"] == 0
    assert out.loc["00002", "incidents"] == 0
    assert math.isnan(out.loc["00004", "models_covering"])  # C never reported models
    assert math.isnan(out.loc["00004", "kinds_present"])
    assert math.isnan(out.loc["00004", "incidents_per_10k"])
    assert not out.loc["00004", "has_models"]


def test_incident_rates_change_and_flag_rule(tiny_registry):
    rows = [("00001", "2024-11-15")] * 10 + [("00001", "2025-02-01")] * 13  # +30% on 10: flagged
    rows += [("00002", "2024-12-01")] * 2 + [("00002", "2025-01-10")] * 4  # +100% on 2: tiny baseline
    rows += [("00004", "2024-10-01")] * 10 + [("00004", "2025-03-01")] * 12  # +20%: below threshold
    data = ind.Datasets(_models([]), _incidents(rows), _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1, compare=COMPARE_PREVIOUS))
    assert out.loc["00001", "incidents_per_10k"] == pytest.approx(13.0)
    assert out.loc["00001", "incidents_change"] == pytest.approx(0.3)
    assert out["incidents_flag"].to_dict() == {"00001": True, "00002": False, "00004": False}
    stricter = ind.compute_indicators(
        data, tiny_registry, ind.Filters(Q1, rise_threshold=0.5, compare=COMPARE_PREVIOUS)
    )
    assert not stricter.loc["00001", "incidents_flag"]


def test_change_compares_with_the_same_period_last_year_by_default(tiny_registry):
    rows = [("00001", "2024-02-29")] * 8 + [("00001", "2024-12-20")] * 50  # Q1/2024 has 8; Q4/2024 is not compared
    rows += [("00001", "2025-03-31")] * 12  # Q1/2025: +50% on 8
    data = ind.Datasets(_models([]), _incidents(rows), _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1))
    assert out.loc["00001", ["incidents", "incidents_prev"]].tolist() == [12, 8]
    assert out.loc["00001", "incidents_change"] == pytest.approx(0.5)
    assert out.loc["00001", "incidents_flag"]


def test_a_period_over_a_year_long_counts_the_overlap_in_both(tiny_registry):
    two_years = ind.Period(date(2024, 1, 1), date(2025, 12, 31))  # compared with 2023-2024
    rows = [("00001", "2023-06-01")] * 2 + [("00001", "2024-06-01")] * 3 + [("00001", "2025-06-01")] * 4
    data = ind.Datasets(_models([]), _incidents(rows), _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(two_years))
    assert out.loc["00001", ["incidents", "incidents_prev"]].tolist() == [7, 5]
    assert math.isnan(out.loc["00002", "incidents"])  # no data, not a neighbour's count


def test_previous_period_is_equal_and_adjacent():
    assert Q1.previous() == ind.Period(date(2024, 10, 1), date(2024, 12, 31))
    year = ind.Period(date(2024, 1, 1), date(2024, 12, 31))
    assert year.previous() == ind.Period(date(2023, 1, 1), date(2023, 12, 31))
    days = ind.Period(date(2025, 1, 10), date(2025, 1, 19))
    assert days.previous() == ind.Period(date(2024, 12, 31), date(2025, 1, 9))
    with pytest.raises(ValueError, match="is after its end"):
        ind.Period(date(2025, 2, 1), date(2025, 1, 1))


def test_filters_select_units(tiny_registry):
    data = ind.Datasets(
        _models([{"commune_code": "00004", "founded_on": "2024-01-01"}]), _incidents([]), _empty_recognitions()
    )
    assert list(ind.compute_indicators(data, tiny_registry, ind.Filters(Q1, districts=("402",))).index) == ["00004"]
    assert list(ind.compute_indicators(data, tiny_registry, ind.Filters(Q1, focus=domain.FOCUS_BORDER)).index) == [
        "00001"
    ]
    assert list(
        ind.compute_indicators(data, tiny_registry, ind.Filters(Q1, focus=domain.FOCUS_ECONOMIC_ZONE)).index
    ) == ["00004"]
    only_other = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1, kinds=("khác",)))
    assert only_other.loc["00004", "models_covering"] == 0


def test_legacy_level_uses_legacy_codes_without_conversion(tiny_registry):
    models = _models(
        [
            {"commune_code": "00002", "legacy_code": "00003", "founded_on": "2024-01-01"},
            {"commune_code": "00002", "legacy_code": None, "founded_on": "2024-01-01"},  # 2025-coded: no legacy unit
        ]
    )
    data = ind.Datasets(models, _incidents([]), _empty_recognitions())
    out = ind.compute_indicators(data, tiny_registry, ind.Filters(Q1), level=domain.VINTAGE_LEGACY)
    assert len(out) == 4
    assert out.loc["00003", "models_covering"] == 1
    assert math.isnan(out.loc["00002", "models_covering"])
    assert out["models_per_10k"].isna().all()  # no legacy population


def test_summary_and_recognitions(tiny_registry):
    models = _models(
        [
            {"commune_code": c, "founded_on": "2024-01-01", "kind": k}
            for c in ("00001", "00002")
            for k in domain.MODEL_KINDS_CORE
        ]
    )
    recognitions = pd.DataFrame(
        [
            {
                "year": 2024,
                "commune_code": "00001",
                "legacy_code": "00001",
                "unit_type": "xã, phường, thị trấn",
                "unit_name": "Xã A",
                "result": "đạt",
            },
            {
                "year": 2024,
                "commune_code": "00002",
                "legacy_code": "00002",
                "unit_type": "xã, phường, thị trấn",
                "unit_name": "Xã B",
                "result": "không đạt",
            },
            {
                "year": 2024,
                "commune_code": "00002",
                "legacy_code": "00002",
                "unit_type": "khu dân cư",
                "unit_name": "Thôn 1",
                "result": "đạt",
            },
        ]
    )
    data = ind.Datasets(models, _incidents([("00001", "2025-01-05")]), recognitions)
    filters = ind.Filters(Q1)
    out = ind.compute_indicators(data, tiny_registry, filters)
    summary = ind.summarise(out, data, filters)
    assert summary["models_covering"] == 8
    assert summary["models_per_10k"] == pytest.approx(8 / 30_000 * 10_000)
    assert summary["units_all_kinds"] == 2
    assert summary["recognition_year"] == 2024
    assert summary["recognised_communes_share"] == pytest.approx(0.5)
    assert summary["recognised_residential_share"] == pytest.approx(1.0)
    assert out.loc["00001", "recognised"] == 1.0 and out.loc["00002", "recognised"] == 0.0
    assert np.isnan(out.loc["00004", "recognised"])


def test_monthly_incidents_fills_every_month():
    incidents = _incidents([("00001", "2025-01-05"), ("00001", "2025-01-20"), ("00002", "2025-03-01")])
    incidents["field"] = ["ma túy", "hình sự", "ma túy"]
    monthly = series.monthly_incidents(incidents, ["00001", "00002"], Q1)
    assert monthly["incidents"].tolist() == [2, 0, 1]
    by_field = series.monthly_incidents(incidents, ["00001"], Q1, by="field")
    assert by_field.loc["2025-01-01", "ma túy"] == 1 and by_field["hình sự"].sum() == 1


@pytest.mark.parametrize(
    ("indicator", "value", "lang", "text"),
    [
        ("models_per_10k", 1234.56, "vi", "1.234,6"),
        ("models_per_10k", 1234.56, "en", "1,234.6"),
        ("weak_share", 0.256, "vi", "26%"),
        ("incidents_change", 0.3, "en", "+30%"),
        ("kinds_present", 3.0, "vi", "3"),
        ("kinds_present", float("nan"), "vi", "Chưa có dữ liệu"),
    ],
)
def test_format_indicator(indicator, value, lang, text):
    assert format_indicator(indicator, value, lang, "Chưa có dữ liệu") == text


def test_incident_rows_select_period_and_units_newest_first():
    incidents = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "commune_code": pd.Categorical(["00001", "00002", "00001", "00004", None, "00001"]),
            "legacy_code": pd.Categorical(["00001", "00003", None, "00004", "00002", "00001"]),
            "occurred_on": pd.to_datetime(
                ["2025-01-01", "2025-03-31", "2025-03-31", "2025-02-10", "2025-02-01", "2025-04-01"]
            ),
            "description": ["a", "b", "c", "d", "e", "f"],
        }
    )
    rows = ind.incident_rows(incidents, pd.Index(["00001", "00002"]), Q1)
    # Both ends of the period count; same day: the later id first; outside units or period: left out.
    assert rows["id"].tolist() == [3, 2, 1]
    assert rows["description"].tolist() == ["c", "b", "a"]
    legacy = ind.incident_rows(incidents, pd.Index(["00002", "00003"]), Q1, domain.VINTAGE_LEGACY)
    assert legacy["id"].tolist() == [2, 5]
    assert ind.incident_rows(incidents, pd.Index([], dtype=object), Q1).empty


def test_values_derived_from_the_frames_are_computed_once_per_datasets() -> None:
    frames = {name: pd.DataFrame() for name in ("models", "incidents", "recognitions")}
    data = ind.Datasets(**frames)
    calls = []
    assert data.derived("k", lambda: calls.append(1) or 42) == 42
    assert data.derived("k", lambda: calls.append(1) or 43) == 42
    assert calls == [1]
    # Other frames (a new data version, or a filtered copy) start with nothing derived.
    assert replace(data, models=pd.DataFrame({"x": [1]})).derived("k", lambda: 7) == 7
