"""Reported commune-months: a reported month with no incident is 0, a month nobody reported is left out.

Hand-worked fixture, Q1 2025 against Q1 2024 (the same period last year), compared
month by month over the months reported in both periods:

=========  =======  ===================  ==========================  ======================================
commune    people   reported 2025        incidents 2025 / 2024       figures
=========  =======  ===================  ==========================  ======================================
A 00001    10,000   Jan Feb Mar (+2024)  6 / 4 (Feb)                 rate 6.0, change +50 %, flagged
B 00002    30,000   Jan Mar (+2024)      2 (Jan, Mar) / 3 Jan, 2 Feb  rate 2 / (30,000 × 2/3) = 1.0;
                                                                     Jan+Mar 2 against 3: -1/3 (Feb out)
C 00004     5,000   none (2024 only)     0 / 5                       "chưa báo cáo": NaN, not 0; no change
D 00005    20,000   Jan Feb Mar          0 / - (2024 not reported)   0, rate 0; no change
=========  =======  ===================  ==========================  ======================================
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import reporting
from analysis.periods import COMPARE_PREVIOUS
from loaders.core import domain
from loaders.geo.registry import Registry

Q1 = ind.Period(date(2025, 1, 1), date(2025, 3, 31))
CODES = ["00001", "00002", "00004", "00005"]


@pytest.fixture
def registry() -> Registry:
    n = len(CODES)
    communes = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C", "Xã D"],
            "name_short": ["A", "B", "C", "D"],
            "type": ["Xã"] * n,
            "population": [10_000.0, 30_000.0, 5_000.0, 20_000.0],
            "legacy_codes": [("00001",), ("00002", "00003"), ("00004",), ("00005",)],
            "district_codes": [("401",), ("401",), ("402",), ("402",)],
            "borders_laos": [False] * n,
            "coastal": [False] * n,
            "economic_zones": [()] * n,
            "major_project": [False] * n,
        },
        index=pd.Index(CODES, name="code"),
    )
    legacy = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã B2", "Xã C", "Xã D"],
            "district_code": ["401", "401", "401", "402", "402"],
            "new_code": ["00001", "00002", "00002", "00004", "00005"],
            "borders_laos": [False] * 5,
            "coastal": [False] * 5,
            "economic_zones": [()] * 5,
            "major_project": [False] * 5,
        },
        index=pd.Index(["00001", "00002", "00003", "00004", "00005"], name="code"),
    )
    districts = pd.DataFrame({"name": ["Huyện X", "Huyện Y"]}, index=pd.Index(["401", "402"]))
    return Registry(communes, legacy, districts, pd.DataFrame(), pd.DataFrame(), {}, True)


def _reports(spec: dict[str, list[str]]) -> pd.DataFrame:
    pairs = [(pd.Timestamp(f"{m}-01"), code) for code, months in spec.items() for m in months]
    return pd.DataFrame(pairs, columns=["month", "commune_code"])


Q1_2024 = ["2024-01", "2024-02", "2024-03"]
REPORTS = _reports(
    {
        "00001": ["2025-01", "2025-02", "2025-03", *Q1_2024],
        "00002": ["2025-01", "2025-03", *Q1_2024],
        "00004": Q1_2024,
        "00005": ["2025-01", "2025-02", "2025-03"],
    }
)


def _incidents() -> pd.DataFrame:
    rows = (
        [("00001", "2025-01-10")] * 3
        + [("00001", "2025-03-10")] * 3
        + [("00001", "2024-02-10")] * 4
        + [("00002", "2025-01-05"), ("00002", "2025-03-05")]
        + [("00002", "2024-01-05")] * 3
        + [("00002", "2024-02-05")] * 2
        + [("00004", "2024-03-01")] * 5
    )
    frame = pd.DataFrame(rows, columns=["commune_code", "occurred_on"])
    frame["legacy_code"] = frame["commune_code"]
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def _data(reports: pd.DataFrame | None) -> ind.Datasets:
    models = pd.DataFrame(
        {
            c: pd.Series(dtype="datetime64[ns]" if c.endswith("_on") else object)
            for c in (
                "commune_code",
                "legacy_code",
                "name_key",
                "kind",
                "status",
                "assessment",
                "founded_on",
                "dissolved_on",
                "suspended_on",
                "rating_year",
            )
        }
    )
    recognitions = pd.DataFrame(columns=["year", "commune_code", "legacy_code", "unit_type", "unit_name", "result"])
    return ind.Datasets(models=models, incidents=_incidents(), recognitions=recognitions, reports=reports)


@pytest.fixture
def figures(registry) -> pd.DataFrame:
    return ind.compute_indicators(_data(REPORTS), registry, ind.Filters(Q1, min_baseline=2))


def test_reporting_status_counts_the_months_of_the_period(registry):
    status = reporting.reporting_status(REPORTS, registry, pd.Index(CODES), Q1.start, Q1.end, domain.VINTAGE_2025)
    assert status["months_reported"].tolist() == [3, 2, 0, 3]
    assert status["not_reported"].tolist() == [False, False, True, False]
    assert status["complete"].tolist() == [True, False, False, True]


def test_a_reported_month_without_incidents_is_zero_and_an_unreported_one_is_not(figures):
    assert figures.loc["00005", "incidents"] == 0 and figures.loc["00005", "incidents_per_10k"] == 0
    assert math.isnan(figures.loc["00004", "incidents"]) and figures.loc["00004", "not_reported"]
    assert math.isnan(figures.loc["00004", "incidents_per_10k"])
    assert math.isnan(figures.loc["00004", "incidents_prev"])  # nothing to compare with


def test_rates_leave_the_unreported_months_out(figures):
    assert figures.loc["00001", "incidents_per_10k"] == pytest.approx(6.0)
    # Two of three months reported: the population counts for two thirds of the period.
    assert figures.loc["00002", "incidents_per_10k"] == pytest.approx(2 / (30_000 * 2 / 3) * 10_000)


def test_comparisons_pair_only_the_months_reported_in_both_periods(figures):
    assert figures.loc["00001", "incidents_change"] == pytest.approx(0.5) and figures.loc["00001", "incidents_flag"]
    # B did not report February 2025: February 2024's two incidents are left out as well.
    b = figures.loc["00002"]
    assert (b["incidents_compared"], b["incidents_prev"], b["months_compared"]) == (2, 3, 2)
    assert b["incidents_change"] == pytest.approx(-1 / 3) and not b["incidents_flag"]
    assert figures["comparable"].tolist() == [True, True, False, False]
    assert math.isnan(figures.loc["00005", "incidents_change"])  # reported zero now, nothing before


def test_province_figures_use_the_reported_months_and_comparable_communes(figures, registry):
    summary = ind.summarise(figures, _data(REPORTS), ind.Filters(Q1))
    assert summary["incidents"] == 8
    # 8 incidents over 10,000 + 20,000 + 30,000 × 2/3 residents' reported months.
    assert summary["incidents_per_10k"] == pytest.approx(8 / 50_000 * 10_000)
    assert summary["incidents_change"] == pytest.approx((8 - 7) / 7)  # A and B, over their paired months
    assert summary["reporting_share"] == pytest.approx(8 / 12)


def test_completeness_per_district_and_province(figures, registry):
    groups = {code: registry.communes_in_districts([code]) for code in registry.districts.index}
    table = reporting.completeness_table(figures, groups)
    assert table.loc["401", "share"] == pytest.approx(5 / 6)
    assert table.loc["402", "share"] == pytest.approx(3 / 6) and table.loc["402", "units_not_reported"] == 1
    assert table.loc[None, "share"] == pytest.approx(8 / 12)


def test_legacy_units_take_the_reports_of_their_2025_commune(registry):
    status = reporting.reporting_status(
        REPORTS, registry, pd.Index(["00003", "00004", "99999"]), Q1.start, Q1.end, domain.VINTAGE_LEGACY
    )
    assert status["months_reported"].tolist() == [2, 0, 0]


def test_monthly_reporting_counts_units_per_month(registry):
    table = reporting.monthly_reporting(REPORTS, registry, pd.Index(CODES), Q1.start, Q1.end, domain.VINTAGE_2025)
    assert table["reported"].tolist() == [3, 2, 3] and table["not_reported"].tolist() == [1, 2, 1]


def test_without_reports_every_commune_with_incidents_counts_as_before(registry):
    figures = ind.compute_indicators(_data(None), registry, ind.Filters(Q1))
    assert "not_reported" not in figures
    assert figures.loc["00004", "incidents"] == 0 and np.isnan(figures.loc["00005", "incidents"])


def test_periods_of_unequal_month_counts_compare_only_units_that_reported_both_whole(registry):
    # 10/1–20/2/2025 (January, February) against the 42 days before (November to January).
    period = ind.Period(date(2025, 1, 10), date(2025, 2, 20))
    reports = _reports({"00001": ["2024-11", "2024-12", "2025-01", "2025-02"], "00002": ["2025-01", "2025-02"]})
    figures = ind.compute_indicators(_data(reports), registry, ind.Filters(period, compare=COMPARE_PREVIOUS))
    assert figures["comparable"].tolist() == [True, False, False, False]
    assert figures.loc["00001", "incidents_compared"] == 3 and figures.loc["00001", "incidents_prev"] == 0


def test_monthly_unit_counts_keep_the_period_edges_and_drop_the_rest():
    when = np.array(
        ["2025-01-14", "2025-01-15", "2025-02-28", "2025-03-10", "2025-03-11", "NaT", "2025-02-01"],
        dtype="datetime64[ns]",
    )
    positions = np.array([0, 0, 1, 1, 1, 0, -1])
    counts = reporting.monthly_unit_counts(when, positions, 2, date(2025, 1, 15), date(2025, 3, 10))
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1]]


def test_a_month_no_commune_reported_is_blank_not_zero() -> None:
    """A reported January (2 incidents) and March (0); B reported February. For A alone February is
    "chưa báo cáo"; for A and B together every month was reported by one of them."""
    monthly = pd.DataFrame(
        {"n": [2, 0, 0]}, index=pd.DatetimeIndex(["2025-01-01", "2025-02-01", "2025-03-01"], name="month")
    )
    reports = pd.DataFrame(
        {"month": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]), "commune_code": ["A", "A", "B"]}
    )
    alone = reporting.blank_unreported_months(monthly, reports, ["A"])
    assert alone["n"].iloc[0] == 2 and alone["n"].iloc[2] == 0 and pd.isna(alone["n"].iloc[1])
    assert reporting.blank_unreported_months(monthly, reports, ["A", "B"])["n"].tolist() == [2, 0, 0]
    assert reporting.blank_unreported_months(monthly, None, ["A"]) is monthly  # without reports nothing is blanked
