"""Focus-area comparisons, trends, missing-kind lists, change tables and medians on tiny fixtures."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import comparisons as cmp
from analysis import district_profile as dp
from analysis import indicators as ind
from analysis import series
from loaders.core import domain

CORE = domain.MODEL_KINDS_CORE
B, C, E, M = domain.FOCUS_BORDER, domain.FOCUS_COASTAL, domain.FOCUS_ECONOMIC_ZONE, domain.FOCUS_MAJOR_PROJECT


class _Registry(SimpleNamespace):
    """A: border; B: coastal and economic zone; C: no focus area."""

    def focus_codes(self, area: str, vintage: str = "2025") -> set[str]:
        return {B: {"A"}, C: {"B"}, E: {"B"}, M: set()}[area]

    def focus_class(self) -> pd.Series:
        return pd.Series({"A": B, "B": E, "C": "other"})


@pytest.fixture
def registry() -> _Registry:
    return _Registry(
        communes=pd.DataFrame(
            {"population": [10_000.0, 20_000.0, 10_000.0]}, index=pd.Index(["A", "B", "C"], name="code")
        )
    )


@pytest.fixture
def data() -> ind.Datasets:
    models = pd.DataFrame(
        {
            "commune_code": ["A", "A", "B", "B", "B"],
            "name_key": ["a0", "a1", "b0", "b1", "b2"],
            "rating_year": [2025] * 5,
            "suspended_on": pd.to_datetime([None] * 5),
            "kind": [CORE[0], CORE[1], CORE[0], CORE[1], CORE[2]],
            "founded_on": pd.to_datetime(["2024-01-01", "2025-02-15", "2024-01-01", "2024-01-01", "2024-01-01"]),
            "dissolved_on": pd.to_datetime([None, None, None, None, "2025-01-10"]),
            "status": [domain.STATUS_ACTIVE] * 4 + [domain.STATUS_DISSOLVED],
            "assessment": [
                domain.ASSESSMENT_EFFECTIVE,
                domain.ASSESSMENT_WEAK,
                domain.ASSESSMENT_AVERAGE,
                domain.ASSESSMENT_EFFECTIVE,
                domain.ASSESSMENT_EFFECTIVE,
            ],
        }
    )
    incidents = pd.DataFrame(
        {
            "commune_code": ["A", "A", "A", "B", "C", "C"],
            "occurred_on": pd.to_datetime(
                ["2025-01-05", "2025-02-05", "2025-02-20", "2025-03-01", "2024-12-01", "2025-03-31"]
            ),
        }
    )
    recognitions = pd.DataFrame(
        {
            "year": [2024, 2024, 2024, 2023],
            "commune_code": ["A", "A", "B", "A"],
            "unit_type": pd.Categorical(["xã, phường, thị trấn", "khu dân cư", "khu dân cư", "khu dân cư"]),
            "result": [domain.RESULT_PASSED, domain.RESULT_FAILED, domain.RESULT_PASSED, domain.RESULT_PASSED],
        }
    )
    return ind.Datasets(models=models, incidents=incidents, recognitions=recognitions)


FILTERS = ind.Filters(ind.Period(date(2025, 1, 1), date(2025, 3, 31)))


def _indicators(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C"],
            "population": [10_000.0, 20_000.0, 10_000.0],
            "models_counted": [2.0, 3.0, np.nan],
            "models_covering": [1.0, 2.0, np.nan],
            "models_per_10k": [1.0, 1.0, np.nan],
            "kinds_present": [1.0, 2.0, np.nan],
            "kinds_missing": [(CORE[1], CORE[2], CORE[3]), (CORE[2], CORE[3]), CORE],
            "weak_share": [0.5, 0.0, np.nan],
            "incidents": [3.0, 1.0, 1.0],
            "incidents_prev": [0.0, 0.0, 1.0],
            "incidents_per_10k": [3.0, 0.5, 1.0],
            "incidents_change": [np.nan, np.nan, 0.0],
            "incidents_flag": [False, False, False],
            "has_models": [True, True, False],
            "has_incidents": [True, True, True],
        },
        index=pd.Index(["A", "B", "C"], name="code"),
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_membership_counts_a_commune_in_every_area(registry) -> None:
    member = cmp.focus_membership(registry)
    assert member.loc["B", [C, E]].all() and not member.loc["B", "other"]
    assert member.loc["C", "other"] and not member.loc["C", [B, C, E, M]].any()
    groups = cmp.focus_groups(registry, registry.communes.index, "membership")
    assert list(groups) == [B, C, E, "other"]  # the empty major-project group is left out
    assert list(groups[C]) == ["B"] and list(groups[E]) == ["B"]


def test_classes_partition_the_units(registry) -> None:
    groups = cmp.focus_groups(registry, pd.Index(["A", "B", "C"]), "class")
    assert sorted(c for codes in groups.values() for c in codes) == ["A", "B", "C"]
    assert list(groups) == [B, E, "other"]
    with pytest.raises(ValueError, match="grouping"):
        cmp.focus_groups(registry, pd.Index(["A"]), "district")


def test_compare_groups_uses_group_sums(registry, data) -> None:
    indicators = _indicators()
    groups = {"focus": pd.Index(["A", "B"]), "other": pd.Index(["C"])}
    table = cmp.compare_groups(indicators, data, FILTERS, groups)
    assert list(table.index) == list(cmp.COMPARED)
    assert table.at["models_per_10k", "focus"] == pytest.approx(3 / 30_000 * 10_000)
    assert table.at["incidents", "focus"] == 4
    assert np.isnan(table.at["models_per_10k", "other"])  # no model data is not zero
    assert table.at["units", "other"] == 1


def test_trends_follow_the_counting_rule_per_step(registry, data) -> None:
    groups = {"a": pd.Index(["A"]), "b": pd.Index(["B"])}
    trends = cmp.group_trends(data, registry, FILTERS, groups, "month")
    models, incidents = trends["models_per_10k"], trends["incidents_per_10k"]
    assert list(models.index.strftime("%Y-%m")) == ["2025-01", "2025-02", "2025-03"]
    # A: the effective model all along; the weak one (Feb) never covers.
    assert models["a"].tolist() == [1.0, 1.0, 1.0]
    # B: two models each month; the one dissolved on 10 January no longer stands at January's end.
    assert models["b"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert incidents["a"].tolist() == [1.0, 2.0, 0.0]
    quarterly = cmp.group_trends(data, registry, FILTERS, groups, "quarter")
    assert len(quarterly["incidents_per_10k"]) == 1
    assert quarterly["incidents_per_10k"]["a"].iloc[0] == pytest.approx(3.0)


def test_trends_respect_the_kind_filter(registry, data) -> None:
    only = ind.Filters(FILTERS.period, kinds=(CORE[1],))
    trends = cmp.group_trends(data, registry, only, {"b": pd.Index(["B"])}, "month")
    assert trends["models_per_10k"]["b"].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_missing_kinds_lists_focus_communes_only(registry) -> None:
    table = cmp.missing_kinds_table(_indicators(), registry)
    assert list(table.index) == ["A", "B"]  # C is in no focus area
    assert table.loc["A", "areas"] == (B,)
    assert table.loc["B", "areas"] == (C, E)
    assert table.loc["A", "n_missing"] == 3
    by_kind = cmp.missing_by_kind(table)
    assert by_kind[CORE[0]] == [] and by_kind[CORE[2]] == ["Xã A", "Xã B"]


def test_missing_kinds_flags_no_data(registry) -> None:
    table = cmp.missing_kinds_table(_indicators(has_models=[False, True, False]), registry)
    assert bool(table.loc["A", "no_model_data"]) and table.loc["A", "n_missing"] == 4
    complete = _indicators(kinds_missing=[(), (), ()], has_models=[True, True, True])
    assert cmp.missing_kinds_table(complete, registry).empty


def test_change_table_orders_flags_first_and_no_data_last() -> None:
    indicators = _indicators(
        incidents_prev=[10.0, 8.0, np.nan],
        incidents=[12.0, 16.0, np.nan],
        incidents_change=[0.2, 1.0, np.nan],
        incidents_flag=[False, True, False],
        has_incidents=[True, True, False],
    )
    table = cmp.change_table(indicators)
    assert list(table.index) == ["B", "A", "C"]
    assert table.loc["B", "difference"] == 8


def test_median_comparison() -> None:
    values = pd.DataFrame({"x": [1.0, 2.0, 10.0], "y": [np.nan, 4.0, 6.0]}, index=["a", "b", "c"])
    out = cmp.median_comparison(values, "a", ("x", "y"))
    assert out.loc["x"].tolist() == [1.0, 2.0, -1.0]
    assert np.isnan(out.loc["y", "value"]) and out.loc["y", "median"] == 5.0
    with pytest.raises(KeyError):
        cmp.median_comparison(values, "zz", ("x",))


def test_recognitions_by_year(data) -> None:
    table = dp.recognitions_by_year(data.recognitions, ["A"])
    assert table[["year", "unit_type"]].values.tolist() == [
        [2024, "khu dân cư"],
        [2024, "xã, phường, thị trấn"],
        [2023, "khu dân cư"],
    ]
    assert table["share"].tolist() == [0.0, 1.0, 1.0]
    assert dp.recognitions_by_year(data.recognitions, ["C"]).empty


def test_kept_focus_tables_are_used_instead_of_the_registry(registry) -> None:
    # The cache layer passes the registry's focus tables, computed once; they must win.
    classes = pd.Series({"A": "other", "B": "other", "C": B})
    groups = cmp.focus_groups(registry, pd.Index(["A", "B", "C"]), "class", classes=classes)
    assert {k: list(v) for k, v in groups.items()} == {B: ["C"], "other": ["A", "B"]}
    membership = cmp.focus_membership(registry)
    assert list(cmp.focus_groups(registry, registry.communes.index, "membership", membership=membership)) == list(
        cmp.focus_groups(registry, registry.communes.index, "membership")
    )
    swapped = membership.rename(index={"A": "C", "C": "A"})
    table = cmp.missing_kinds_table(_indicators(), registry, membership=swapped)
    assert "A" not in table.index  # A is no longer in a focus area


@pytest.mark.parametrize("by", [None, "field"])
def test_monthly_counts_match_monthly_incidents(data, by) -> None:
    incidents = data.incidents.assign(field=["a", "b", "a", None, "b", "a"])
    period = ind.Period(date(2024, 12, 15), date(2025, 3, 15))  # the 31/03 incident is outside
    counted = series.monthly_counts(incidents, period, by)
    expected = series.monthly_incidents(incidents, ["A", "B", "C"], period, by=by)
    assert list(counted.columns) == list(expected.columns)
    assert list(counted.index) == list(expected.index)
    assert (counted.to_numpy() == expected.to_numpy()).all()
    assert int(counted.to_numpy().sum()) == (3 if by else 4)  # a missing field is left out of the split


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C", "Z", None]),
            st.one_of(st.none(), st.dates(date(2024, 10, 1), date(2025, 6, 30))),
        ),
        max_size=40,
    ),
    st.dates(date(2024, 12, 1), date(2025, 2, 28)),
    st.integers(0, 120),
    st.sampled_from(["month", "quarter"]),
    st.booleans(),
)
def test_trend_counts_match_counting_each_step_directly(registry, rows, start, days, step, categorical) -> None:
    # Unknown communes (Z), missing communes and dates, both ends of every step: the same counts as a plain loop.
    # (The registry fixture is read-only, so sharing it across examples is safe.)
    period = ind.Period(start, start + pd.Timedelta(days=days).to_pytimedelta())
    codes = pd.Series([r[0] for r in rows], dtype="category" if categorical else object)
    incidents = pd.DataFrame(
        {"commune_code": codes, "occurred_on": pd.to_datetime(pd.Series([r[1] for r in rows], dtype=object))}
    )
    models = pd.DataFrame(
        {
            "commune_code": ["A"],
            "name_key": ["a0"],
            "rating_year": [2024],
            "kind": [CORE[0]],
            "founded_on": pd.to_datetime(["2024-01-01"]),
            "dissolved_on": pd.to_datetime([None]),
            "suspended_on": pd.to_datetime([None]),
            "status": [domain.STATUS_ACTIVE],
            "assessment": [domain.ASSESSMENT_EFFECTIVE],
        }
    )
    data = ind.Datasets(models=models, incidents=incidents, recognitions=pd.DataFrame())
    groups = {"ab": pd.Index(["A", "B"]), "c": pd.Index(["C"])}
    trends = cmp.group_trends(data, registry, ind.Filters(period), groups, step)["incidents_per_10k"]
    population = registry.communes["population"]
    reporting = {r[0] for r in rows if r[0] in population.index}
    for key, members in groups.items():
        pop = population[[m for m in members if m in reporting]].sum()
        for s in series.period_steps(period, step):
            n = sum(1 for code, day in rows if code in members and day is not None and s.start <= day <= s.end)
            got = trends.loc[pd.Timestamp(s.start), key]
            assert (np.isnan(got) and not pop) or got == pytest.approx(n / pop * ind.PER)


def test_trends_leave_out_the_months_a_commune_did_not_report(registry, data) -> None:
    """Worked by hand. A (10,000 people) reported January to March; B (20,000) only March.

    Group "ab": January 1 incident (A's) / 10,000 people = 1.0; February 2 / 10,000 = 2.0;
    March A 0 + B 1 = 1 / 30,000 = 0.333... Group "b" alone: January and February
    "chưa báo cáo" (NaN, not 0), March 1 / 20,000 = 0.5.
    """
    months = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-01"])
    reports = pd.DataFrame({"month": months, "commune_code": ["A", "A", "A", "B"]})
    with_reports = ind.Datasets(data.models, data.incidents, data.recognitions, reports=reports)
    groups = {"ab": pd.Index(["A", "B"]), "b": pd.Index(["B"])}
    incidents = cmp.group_trends(with_reports, registry, FILTERS, groups, "month")["incidents_per_10k"]
    assert incidents["ab"].tolist() == pytest.approx([1.0, 2.0, 1 / 3])
    assert np.isnan(incidents["b"].iloc[0]) and np.isnan(incidents["b"].iloc[1])
    assert incidents["b"].iloc[2] == pytest.approx(0.5)
    # A quarter: A reported its 3 months, B one of 3: 4 incidents / (10,000 + 20,000 / 3) people = 2.4.
    quarter = cmp.group_trends(with_reports, registry, FILTERS, groups, "quarter")["incidents_per_10k"]
    assert quarter["ab"].iloc[0] == pytest.approx(2.4)
