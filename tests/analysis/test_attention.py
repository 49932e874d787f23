"""The rules of the "Cần chú ý" panel on hand-worked three- and four-commune tables."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from analysis import attention as att
from loaders.core import domain

CORE = domain.MODEL_KINDS_CORE


def _indicators(rows: dict[str, dict]) -> pd.DataFrame:
    """Indicator rows as compute_indicators gives them, with neutral defaults."""
    defaults = {
        "incidents": 0.0,
        "incidents_prev": 0.0,
        "incidents_change": math.nan,
        "incidents_flag": False,
        "models_covering": 4.0,
        "kinds_missing": (),
    }
    table = pd.DataFrame(
        [{**defaults, "name": code, **row} for code, row in rows.items()],
        index=pd.Index(list(rows), dtype=object),
        columns=["name", *defaults],
    )
    table.index.name = "code"
    return table


@pytest.fixture
def membership() -> pd.DataFrame:
    # A: border; B: coastal; C and D: no focus area.
    return pd.DataFrame(
        {
            domain.FOCUS_BORDER: [True, False, False, False],
            domain.FOCUS_COASTAL: [False, True, False, False],
            "other": [False, False, True, True],
        },
        index=["A", "B", "C", "D"],
    )


def test_flagged_rise_listed_only_in_focus_areas(membership):
    # A (border) 5 -> 10 flagged; C rose as much but is in no focus area; B rose but is not flagged.
    current = _indicators(
        {
            "A": {"incidents": 10.0, "incidents_prev": 5.0, "incidents_change": 1.0, "incidents_flag": True},
            "B": {"incidents": 4.0, "incidents_prev": 2.0, "incidents_change": 1.0, "incidents_flag": False},
            "C": {"incidents": 10.0, "incidents_prev": 5.0, "incidents_change": 1.0, "incidents_flag": True},
        }
    )
    lines = att.attention_lines(current, current, membership)
    assert [line.code for line in lines] == ["A"]
    reason = lines[0].reasons[0]
    assert reason.kind == att.REASON_INCIDENTS_ROSE
    assert (reason.value("before"), reason.value("now"), reason.value("change")) == (5, 10, 1.0)
    assert reason.value("areas") == (domain.FOCUS_BORDER,)


def test_coverage_fall_against_the_same_period_last_year(membership):
    # A: 12 -> 9 covering models and lost tự hòa giải; B: unchanged; C: rose; D: no data a year ago.
    current = _indicators(
        {
            "A": {"models_covering": 9.0, "kinds_missing": (CORE[3],)},
            "B": {"models_covering": 5.0},
            "C": {"models_covering": 7.0},
            "D": {"models_covering": 0.0},
        }
    )
    year_ago = _indicators(
        {
            "A": {"models_covering": 12.0},
            "B": {"models_covering": 5.0},
            "C": {"models_covering": 3.0},
            "D": {"models_covering": math.nan},
        }
    )
    lines = att.attention_lines(current, year_ago, membership)
    assert [line.code for line in lines] == ["A"]
    reason = lines[0].reasons[0]
    assert reason.kind == att.REASON_COVERAGE_FELL
    assert (reason.value("before"), reason.value("now"), reason.value("kinds_lost")) == (12, 9, (CORE[3],))
    assert reason.size == pytest.approx(0.25)


def test_no_data_now_is_not_a_fall(membership):
    current = _indicators({"A": {"models_covering": math.nan}})
    year_ago = _indicators({"A": {"models_covering": 6.0}})
    assert att.attention_lines(current, year_ago, membership) == []


def test_order_more_reasons_then_reason_then_size(membership):
    # A: rise (+100%) and not reported; B: rise (+50%); C: fall 10 -> 5; D: not reported 3 months.
    current = _indicators(
        {
            "A": {"incidents": 10.0, "incidents_prev": 5.0, "incidents_change": 1.0, "incidents_flag": True},
            "B": {"incidents": 9.0, "incidents_prev": 6.0, "incidents_change": 0.5, "incidents_flag": True},
            "C": {"models_covering": 5.0},
            "D": {},
        }
    )
    year_ago = _indicators({"A": {}, "B": {}, "C": {"models_covering": 10.0}, "D": {}})
    not_reported = pd.Series({"A": 1, "D": 3, "B": 0})
    lines = att.attention_lines(current, year_ago, membership, not_reported=not_reported)
    assert [line.code for line in lines] == ["A", "B", "C", "D"]
    assert [r.kind for r in lines[0].reasons] == [att.REASON_INCIDENTS_ROSE, att.REASON_NOT_REPORTED]
    assert lines[3].reasons[0].value("count") == 3


def test_residential_gaps_only_where_the_list_exists(membership):
    current = _indicators({"A": {}, "B": {}, "C": {}})
    assert att.attention_lines(current, current, membership, residential_gaps=None) == []
    gaps = pd.DataFrame(
        {"without_security_team": [2, 0, 0], "without_mediation_team": [1, 0, 4]}, index=["A", "B", "C"]
    )
    lines = att.attention_lines(current, current, membership, residential_gaps=gaps)
    assert [line.code for line in lines] == ["C", "A"]  # 4 areas lacking a team before 2 + 1
    assert lines[1].reasons[0].values == (("without_security_team", 2), ("without_mediation_team", 1))


def test_empty_selection_gives_no_lines(membership):
    empty = _indicators({})
    assert att.attention_lines(empty, empty, membership) == []


@pytest.mark.parametrize(
    ("period_end", "today", "due"),
    [
        (date(2025, 12, 14), date(2026, 3, 5), date(2025, 12, 14)),  # a past period: all of it is due
        (date(2026, 3, 5), date(2026, 3, 5), date(2026, 2, 28)),  # March is not over yet
        (date(2026, 1, 31), date(2026, 1, 31), date(2025, 12, 31)),
    ],
)
def test_a_month_is_due_once_it_is_over(period_end, today, due):
    assert att.last_due_day(period_end, today) == due


def test_months_not_reported():
    status = pd.DataFrame({"months_total": [3, 3], "months_reported": [3, 1]}, index=["A", "B"])
    assert att.months_not_reported(status).to_dict() == {"A": 0, "B": 2}


def _areas(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "commune_code", "has_security_team", "has_mediation_team"])


def test_residential_gaps_count_an_explicit_no_in_the_list_in_force():
    areas = _areas(
        [
            (2024, "A", False, False),  # an older list of A, replaced by 2025's
            (2025, "A", True, False),
            (2025, "A", None, True),  # unknown is not a gap
            (2025, "B", False, None),
            (2025, "B", False, True),
        ]
    )
    gaps = att.residential_gaps(areas, date(2025, 12, 14))
    assert gaps.to_dict("index") == {
        "A": {"without_security_team": 0, "without_mediation_team": 1},
        "B": {"without_security_team": 2, "without_mediation_team": 0},
    }


def test_no_security_team_gap_before_the_teams_existed():
    areas = _areas([(2024, "A", False, False)])
    gaps = att.residential_gaps(areas, date(2024, 6, 14))
    assert gaps.to_dict("index") == {"A": {"without_security_team": 0, "without_mediation_team": 1}}


def test_no_list_no_gaps():
    assert att.residential_gaps(_areas([(2026, "A", False, False)]), date(2025, 12, 14)) is None
