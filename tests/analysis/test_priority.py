"""Priority score: who is ranked, the components worked out by hand, weights and the formula text."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import priority
from analysis.periods import COMPARE_PREVIOUS, Period
from loaders.core import domain

CORE = domain.MODEL_KINDS_CORE
LESS, SERIOUS, VERY, MOST = domain.INCIDENT_SEVERITIES[1:]
ADMIN = domain.INCIDENT_SEVERITIES[0]

# Quarter I/2025: 1/1–31/3/2025, 90 days; the same period last year 1/1–31/3/2024, 91 days (leap year).
QUARTER = Period(date(2025, 1, 1), date(2025, 3, 31))
FILTERS = ind.Filters(period=QUARTER, min_baseline=5)
CODES = ["A", "B", "C", "D", "E"]


class _Registry(SimpleNamespace):
    def focus_class(self) -> pd.Series:
        return self.classes


@pytest.fixture
def registry() -> _Registry:
    return _Registry(
        classes=pd.Series(
            {"A": "other", "B": domain.FOCUS_BORDER, "C": domain.FOCUS_COASTAL, "D": "other", "E": "other"}
        )
    )


def _indicators(**overrides) -> pd.DataFrame:
    """Five communes.

    A: a list of 10 thôn/TDP, 4 covered (coverage 0.4), two kinds missing, a quarter of its rated models weak.
    B: border, every one of 20 areas covered, all kinds, nothing rated.
    C: list and models, but no month of the quarter reported for incidents.
    D: models and incidents, but no list of thôn/TDP in force.
    E: a list but never reported a model, nor incidents this quarter.
    """
    frame = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C", "Xã D", "Xã E"],
            "population": [10_000.0, 5_000.0, 8_000.0, 6_000.0, 4_000.0],
            "residential_areas": [10.0, 20.0, 5.0, np.nan, 8.0],
            "areas_covered": [4.0, 20.0, 1.0, np.nan, 0.0],
            "area_coverage": [0.4, 1.0, 0.2, np.nan, 0.0],
            "kinds_missing": [(CORE[0], CORE[1]), (), (CORE[3],), (), CORE],
            "weak_share": [0.25, np.nan, 0.0, 0.1, np.nan],
            "incidents": [3.0, 2.0, np.nan, 1.0, np.nan],
            "has_models": [True, True, True, True, False],
            "has_incidents": [True, True, True, True, False],
        },
        index=pd.Index(CODES, name="code"),
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def _incidents() -> pd.DataFrame:
    rows = [
        # A, this quarter: 2 + 3 + 0.5 = 5.5 points; last year: 1 + 1 + 1 (no severity) = 3 points, 3 incidents.
        ("A", "2025-01-10", SERIOUS),
        ("A", "2025-02-10", VERY),
        ("A", "2025-03-10", ADMIN),
        ("A", "2024-01-10", LESS),
        ("A", "2024-02-10", LESS),
        ("A", "2024-03-10", None),
        # B: 2 × 4 = 8 points against one incident last year: under the baseline of 2, no rise counted.
        ("B", "2025-02-01", MOST),
        ("B", "2025-03-01", MOST),
        ("B", "2024-02-01", LESS),
        # C: only last year (this quarter not reported).
        ("C", "2024-01-05", LESS),
        # D: one this quarter.
        ("D", "2025-01-20", LESS),
        # Outside both periods, and of a commune outside the list: never counted.
        ("A", "2024-12-31", MOST),
        ("Z", "2025-01-10", MOST),
    ]
    return pd.DataFrame(
        {
            "commune_code": [r[0] for r in rows],
            "occurred_on": pd.to_datetime([r[1] for r in rows]),
            "severity": [r[2] for r in rows],
        }
    )


def _reports(skip: tuple[tuple[str, str], ...] = ()) -> pd.DataFrame:
    months = [f"{y}-{m:02d}-01" for y in (2024, 2025) for m in (1, 2, 3)]
    pairs = [(c, m) for c in ("A", "B", "D") for m in months] + [("C", m) for m in months[:3]]
    pairs = [p for p in pairs if p not in skip]
    return pd.DataFrame({"month": pd.to_datetime([m for _, m in pairs]), "commune_code": [c for c, _ in pairs]})


def _data(reports: pd.DataFrame | None, incidents: pd.DataFrame | None = None) -> ind.Datasets:
    empty = pd.DataFrame()
    incidents = _incidents() if incidents is None else incidents
    return ind.Datasets(models=empty, incidents=incidents, recognitions=empty, reports=reports)


def _scores(registry, weights=None, *, indicators=None, data=None, filters=FILTERS, **kw) -> pd.DataFrame:
    return priority.priority_scores(
        _indicators() if indicators is None else indicators,
        _data(_reports()) if data is None else data,
        registry,
        filters,
        weights,
        **kw,
    )


# --------------------------------------------------------------------------- the incident component


def test_scaled_baseline_follows_the_period_length() -> None:
    assert priority.scaled_baseline(5, QUARTER) == 2  # ⌈5 × 90 / 366⌉ = ⌈1.23⌉
    assert priority.scaled_baseline(5, Period(date(2025, 1, 1), date(2025, 12, 31))) == 5  # 365 days
    assert priority.scaled_baseline(5, Period(date(2024, 1, 1), date(2024, 12, 31))) == 5  # leap year, 366 days
    assert priority.scaled_baseline(5, Period(date(2025, 2, 1), date(2025, 2, 28))) == 1  # ⌈0.38⌉
    assert priority.scaled_baseline(0, QUARTER) == 1  # at least one incident


def test_severity_weights_cover_the_vocabulary() -> None:
    assert set(priority.SEVERITY_WEIGHTS) == set(domain.INCIDENT_SEVERITIES)
    weights = priority.severity_weights(pd.Series([ADMIN, LESS, SERIOUS, VERY, MOST, None]))
    assert weights.tolist() == [0.5, 1.0, 2.0, 3.0, 4.0, 1.0]


def test_incident_pressure_worked_by_hand() -> None:
    pressure = priority.incident_pressure(_incidents(), _reports(), _indicators(), FILTERS)
    # A: 5.5 points over 90 days for 10,000 residents: 5.5 × 365/90 = 22.31 per 10,000 per year;
    # last year 3 points over 91 days: 3 × 365/91 = 12.03. Rise 22.31/12.03 − 1 = (5.5·91)/(3·90) − 1 = 0.854;
    # 3 incidents last year ≥ the baseline 2, so it counts.
    a = pressure.loc["A"]
    assert a["severity_points"] == 5.5
    assert a["incident_rate"] == pytest.approx(5.5 * 365 / 90)
    assert a["rate_compared"] == pytest.approx(5.5 * 365 / 90)
    assert a["rate_prev"] == pytest.approx(3 * 365 / 91)
    assert a["incidents_baseline"] == 3 and a["baseline"] == 2
    assert a["rise"] == pytest.approx(5.5 * 91 / (3 * 90) - 1)
    # B: 8 points for 5,000 residents: 8 × 2 × 365/90 = 64.9; last year one incident, under the baseline.
    b = pressure.loc["B"]
    assert b["incident_rate"] == pytest.approx(8 * 2 * 365 / 90)
    assert b["incidents_baseline"] == 1 and b["rise"] == 0.0
    # C reported no month of the quarter: not reported, no rate, nothing compared.
    c = pressure.loc["C"]
    assert not c["reported"] and np.isnan(c["incident_rate"]) and np.isnan(c["rate_compared"])
    assert pressure["reported"].tolist() == [True, True, False, True, False]


def test_rise_is_compared_over_the_months_reported_in_both_periods() -> None:
    # A did not report March 2024: only January and February of both years compare,
    # 2 + 3 = 5 points (31 + 28 days of 2025) against 1 + 1 = 2 (the 2 incidents meet the baseline 2).
    reports = _reports(skip=(("A", "2024-03-01"),))
    pressure = priority.incident_pressure(_incidents(), reports, _indicators(), FILTERS)
    a = pressure.loc["A"]
    assert a["incidents_baseline"] == 2
    assert a["rate_compared"] == pytest.approx(5 * 365 / 90 / (2 / 3))
    assert a["rate_prev"] == pytest.approx(2 * 365 / 91 / (2 / 3))
    assert a["rise"] == 1.0  # (5·91)/(2·90) − 1 = 1.53, clipped
    assert a["incident_rate"] == pytest.approx(5.5 * 365 / 90)  # the quarter itself was reported whole


def test_without_reports_incidents_in_either_period_mean_reported() -> None:
    pressure = priority.incident_pressure(_incidents(), None, _indicators(), FILTERS)
    assert pressure["reported"].tolist() == [True, True, True, True, False]
    assert pressure.loc["C", "severity_points"] == 0.0  # an incident last year only: 0 this quarter


# --------------------------------------------------------------------------- who is ranked, and the score


def test_communes_without_data_are_listed_apart_with_their_reasons(registry) -> None:
    scores = _scores(registry)
    assert scores.index.tolist() == ["A", "B", "C", "D", "E"]
    assert scores["rank"].tolist()[:2] == [1, 2]
    assert scores["rank"].iloc[2:].isna().all()
    assert scores["status"].tolist() == ["ranked"] * 2 + ["no_data"] * 3
    assert scores["reasons"].tolist() == [(), (), ("not_reported",), ("no_list",), ("no_model_data", "not_reported")]
    apart = priority.listed_apart(scores)
    assert apart["score"].isna().all() and apart[list(priority.COMPONENTS)].isna().all().all()
    assert priority.ranked_only(scores).index.tolist() == ["A", "B"]


def test_components_and_scores_worked_by_hand(registry) -> None:
    scores = _scores(registry)
    rise = 5.5 * 91 / (3 * 90) - 1  # 0.8537
    # A: coverage 1 − 0.4 = 0.6; missing 2/4 = 0.5; weak 0.25; rising 0.8537; focus 0.
    a = scores.loc["A"]
    assert [a[c] for c in priority.COMPONENTS] == pytest.approx([0.6, 0.5, 0.25, rise, 0.0])
    # Default weights 3, 2, 1, 2, 1: (3·0.6 + 2·0.5 + 0.25 + 2·0.8537 + 0) / 9 = 4.7574 / 9 = 0.5286.
    assert a["score"] == pytest.approx((1.8 + 1.0 + 0.25 + 2 * rise) / 9)
    assert a["score"] == pytest.approx(0.5286, abs=1e-4)
    # B: fully covered, all kinds, nothing rated (0), rise under the baseline (0), border (1): 1/9.
    b = scores.loc["B"]
    assert [b[c] for c in priority.COMPONENTS] == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert b["score"] == pytest.approx(1 / 9)


def test_weights_change_the_ranking_but_not_who_is_ranked(registry) -> None:
    assert _scores(registry).index[0] == "A"
    focus_only = dict.fromkeys(priority.COMPONENTS, 0) | {"focus": 5}
    focused = _scores(registry, focus_only)
    assert focused.index.tolist()[:2] == ["B", "A"]
    assert focused["status"].tolist() == _scores(registry)["status"].tolist()


def test_the_previous_period_comparison_is_scaled_too(registry) -> None:
    # Previous period of quarter I/2025: 1/10–31/12/2024 (92 days); only A's 31/12/2024 incident
    # (4 points) lies there, one incident: under the baseline 2, so no rise anywhere.
    filters = ind.Filters(period=QUARTER, min_baseline=5, compare=COMPARE_PREVIOUS)
    reports = _reports()
    extra = pd.DataFrame(
        {"month": pd.to_datetime(["2024-10-01", "2024-11-01", "2024-12-01"] * 2), "commune_code": ["A"] * 3 + ["B"] * 3}
    )
    scores = _scores(registry, data=_data(pd.concat([reports, extra], ignore_index=True)), filters=filters)
    assert scores.loc["A", "incidents_baseline"] == 1 and scores.loc["A", "rising"] == 0.0
    assert scores.loc["A", "rate_prev"] == pytest.approx(4 * 365 / 92)


def test_a_no_data_commune_is_never_first_whatever_its_gaps(registry) -> None:
    # E has the largest possible gaps but sent no models: it must not lead the list with a default score.
    scores = _scores(registry, {"coverage": 5, "missing_kinds": 5, "weak": 0, "rising": 0, "focus": 0})
    assert scores.index[0] == "A" and pd.isna(scores.loc["E", "rank"])


def test_defaults_fill_missing_weights(registry) -> None:
    assert priority.check_weights({}) == priority.DEFAULT_WEIGHTS
    partial = _scores(registry, {"focus": priority.DEFAULT_WEIGHTS["focus"]})
    pd.testing.assert_frame_equal(partial, _scores(registry))


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (dict.fromkeys(priority.COMPONENTS, 0), "zero"),
        ({"coverage": -1}, "negative"),
        ({"population": 1}, "unknown"),
    ],
)
def test_invalid_weights_are_refused(registry, weights, message) -> None:
    with pytest.raises(priority.WeightsError, match=message):
        _scores(registry, weights)


def test_ties_are_broken_by_code(registry) -> None:
    same = _indicators(
        area_coverage=[0.5] * 5,
        residential_areas=[4.0] * 5,
        kinds_missing=[()] * 5,
        weak_share=[0.0] * 5,
        has_models=[True] * 5,
        has_incidents=[True] * 5,
    )
    weights = {"coverage": 1, "missing_kinds": 1, "weak": 1, "rising": 0, "focus": 0}
    scores = _scores(registry, weights, indicators=same, data=_data(None, _incidents()[:0]))
    assert scores.index.tolist() == CODES and scores["rank"].tolist() == [1, 2, 3, 4, 5]


def test_kept_focus_classes_replace_the_registry_ones(registry) -> None:
    # The cache layer passes registry.focus_class(), computed once; it must be the one used.
    classes = pd.Series({"A": domain.FOCUS_BORDER, "B": "other", "C": "other", "D": "other", "E": "other"})
    focus_only = {c: (1.0 if c == "focus" else 0.0) for c in priority.COMPONENTS}
    scores = _scores(registry, focus_only, classes=classes)
    assert scores.loc["A", "focus"] == 1.0 and scores.loc["B", "focus"] == 0.0
    assert scores.index[0] == "A"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", "3 × Thiếu độ phủ thôn, tổ dân phố"),
        ("en", "3 × Coverage gap"),
    ],
)
def test_formula_text_shows_the_weights(lang, expected) -> None:
    text = priority.formula_text(priority.DEFAULT_WEIGHTS, lang)
    assert expected in text
    assert "/ 9" in text
    changed = priority.formula_text({**priority.DEFAULT_WEIGHTS, "weak": 0, "focus": 2.5}, lang)
    assert "× " + ("Mô hình yếu" if lang == "vi" else "Weak models") not in changed  # zero weights drop out
    assert ("2,5" if lang == "vi" else "2.5") in changed
