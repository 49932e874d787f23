"""The state of each model at a date, and the covering rule that reads it, on hand-worked records."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import indicators as ind
from analysis import model_state as ms
from loaders.core import domain

ACTIVE, SUSPENDED, DISSOLVED = domain.STATUS_ACTIVE, domain.STATUS_SUSPENDED, domain.STATUS_DISSOLVED
WEAK, GOOD = domain.ASSESSMENT_WEAK, domain.ASSESSMENT_EFFECTIVE


def _records(rows: list[tuple]) -> pd.DataFrame:
    """(model, year, founded, status, dissolved, suspended, rating), all in commune 00001."""
    frame = pd.DataFrame(
        rows,
        columns=["name_key", "rating_year", "founded_on", "status", "dissolved_on", "suspended_on", "assessment"],
    )
    frame.insert(0, "commune_code", "00001")
    frame["kind"] = "tự quản"
    frame["legacy_code"] = None
    for column in ("founded_on", "dissolved_on", "suspended_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame["assessment"] = frame["assessment"].astype("category")
    return frame


# Worked by hand; the question is each model's state at 31/12/2024 and at 30/6/2025.
RECORDS = _records(
    [
        # a: weak in 2024, effective in 2025.
        ("a", 2024, "2020-01-01", ACTIVE, None, None, WEAK),
        ("a", 2025, "2020-01-01", ACTIVE, None, None, GOOD),
        # b: rated effective in 2023 only; not rated in 2024 or 2025 (ratings do not carry over).
        ("b", 2023, "2019-05-01", ACTIVE, None, None, GOOD),
        # c: founded after the end of 2024, listed in 2025.
        ("c", 2025, "2025-02-01", ACTIVE, None, None, None),
        # d: active in 2024, suspended from 01/3/2025 in the 2025 list.
        ("d", 2024, "2018-01-01", ACTIVE, None, None, GOOD),
        ("d", 2025, "2018-01-01", SUSPENDED, None, "2025-03-01", None),
        # e: dissolved on 15/10/2024 in the 2024 list.
        ("e", 2024, "2018-01-01", DISSOLVED, "2024-10-15", None, None),
        # f: first listed in 2026, founded in 2021: known by that record before.
        ("f", 2026, "2021-01-01", ACTIVE, None, None, WEAK),
    ]
)


def _state(on: date) -> dict[str, tuple]:
    out = ms.state_at(RECORDS, on)
    return {r.name_key: (r.rating_year, r.rating, r.status_at) for r in out.itertuples()}


def test_state_at_the_end_of_2024():
    assert _state(date(2024, 12, 31)) == {
        "a": (2024, WEAK, ACTIVE),
        "b": (2023, domain.ASSESSMENT_UNRATED, ACTIVE),
        "c": (2025, domain.ASSESSMENT_UNRATED, ms.NOT_FOUNDED),
        "d": (2024, GOOD, ACTIVE),
        "e": (2024, domain.ASSESSMENT_UNRATED, DISSOLVED),
        "f": (2026, domain.ASSESSMENT_UNRATED, ACTIVE),
    }


def test_state_in_the_middle_of_2025():
    assert _state(date(2025, 6, 30)) == {
        "a": (2025, GOOD, ACTIVE),
        "b": (2023, domain.ASSESSMENT_UNRATED, ACTIVE),
        "c": (2025, domain.ASSESSMENT_UNRATED, ACTIVE),
        "d": (2025, domain.ASSESSMENT_UNRATED, SUSPENDED),
        "e": (2024, domain.ASSESSMENT_UNRATED, DISSOLVED),
        "f": (2026, domain.ASSESSMENT_UNRATED, ACTIVE),
    }


def test_a_suspension_counts_from_its_date_and_an_undated_one_always():
    # d's 2025 record is suspended from 01/3/2025: in February 2025 it still stands.
    assert _state(date(2025, 2, 28))["d"] == (2025, domain.ASSESSMENT_UNRATED, ACTIVE)
    undated = RECORDS.assign(suspended_on=pd.NaT)
    state = ms.state_at(undated, date(2025, 2, 28)).set_index("name_key")
    assert state.loc["d", "status_at"] == SUSPENDED


def test_holding_picks_one_record_per_model_and_year():
    years = np.array([2022, 2024, 2025, 2030])
    held = ms.holding(RECORDS, years)
    assert held.sum(axis=1).tolist() == [6, 6, 6, 6]
    keys = RECORDS["name_key"].to_numpy()
    years_held = RECORDS["rating_year"].to_numpy()
    # 2022: nothing of a or d is that old, so their earliest records stand in.
    assert sorted(zip(keys[held[0]], years_held[held[0]])) == [
        ("a", 2024),
        ("b", 2023),
        ("c", 2025),
        ("d", 2024),
        ("e", 2024),
        ("f", 2026),
    ]
    assert sorted(zip(keys[held[3]], years_held[held[3]]))[0] == ("a", 2025)


def test_one_record_per_model_holds_every_year():
    single = RECORDS.drop_duplicates("name_key")
    assert ms.holding(single, np.array([2000, 2025])).all()


def _covering(period: ind.Period) -> list[str]:
    mask = ind.models_covering(RECORDS, period)
    return sorted(RECORDS.loc[mask, "name_key"])


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # 2024: a weak that year, c not founded, e dissolved in October, f weak only in 2026.
        (ind.Period(date(2024, 1, 1), date(2024, 12, 31)), ["b", "d", "f"]),
        # Q1 2025: a effective, c founded in February, d suspended since March.
        (ind.Period(date(2025, 1, 1), date(2025, 3, 31)), ["a", "b", "c", "f"]),
        # February 2025: d's suspension has not begun.
        (ind.Period(date(2025, 2, 1), date(2025, 2, 28)), ["a", "b", "c", "d", "f"]),
        # 2026: f rated weak that year; a's 2025 rating does not carry over, so a covers unrated.
        (ind.Period(date(2026, 1, 1), date(2026, 6, 30)), ["a", "b", "c"]),
    ],
)
def test_covering_uses_the_state_at_the_periods_end(period, expected):
    assert _covering(period) == expected


def test_counting_takes_one_record_of_each_model():
    counted = ind.models_counted(RECORDS, ind.Period(date(2024, 1, 1), date(2024, 12, 31)))
    # e was dissolved during 2024: it counts, but does not cover at the end.
    assert sorted(RECORDS.loc[counted, "name_key"]) == ["a", "b", "d", "e", "f"]


def test_weak_share_reads_only_the_ratings_of_the_year():
    # weak_share = weak / counted models rated that year; b (2023) and f (2026) are not rated in 2024.
    assert ind.rated_weak(RECORDS, np.array([np.datetime64("2024-12-31", "ns")]))[0].sum() == 1
    rated = ms.rated_in(RECORDS, np.array([2024]))[0] & RECORDS["assessment"].notna().to_numpy()
    assert sorted(RECORDS.loc[rated, "name_key"]) == ["a", "d"]


@pytest.mark.parametrize("seed", range(5))
def test_holding_matches_a_plain_reading_of_the_rule(seed):
    rng = np.random.default_rng(seed)
    n = 60
    models = pd.DataFrame(
        {
            "commune_code": pd.Categorical(rng.choice(["00001", "00002", None], n)),
            "name_key": rng.choice(["a", "b", "c", "d"], n),
            "rating_year": rng.integers(2019, 2027, n),
        }
    ).drop_duplicates(["commune_code", "name_key", "rating_year"])
    years = np.array([2018, 2021, 2024, 2030, 2021])
    held = ms.holding(models, years)
    for row, year in enumerate(years):
        expected = set()
        for _, group in models.groupby(["commune_code", "name_key"], dropna=False, observed=True):
            before = group[group["rating_year"] <= year]
            chosen = before["rating_year"].idxmax() if len(before) else group["rating_year"].idxmin()
            expected.add(chosen)
        assert set(models.index[held[row]]) == expected
