"""Priority score: components, weights, ranking, no-data handling, formula text, exports."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import priority
from loaders.core import domain
from loaders.core.writers import table_to_xlsx

CORE = domain.MODEL_KINDS_CORE


class _Registry(SimpleNamespace):
    def focus_class(self) -> pd.Series:
        return self.classes


@pytest.fixture
def registry() -> _Registry:
    return _Registry(
        classes=pd.Series({"A": "other", "B": domain.FOCUS_BORDER, "C": domain.FOCUS_COASTAL, "D": "other"})
    )


def _indicators(**overrides) -> pd.DataFrame:
    """Four communes: A thin and rising, B well covered on the border, C middling coastal, D no model data."""
    frame = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C", "Xã D"],
            "models_per_10k": [1.0, 9.0, 5.0, np.nan],
            "kinds_missing": [(CORE[0], CORE[1]), (), (CORE[3],), CORE],
            "weak_share": [0.5, 0.0, np.nan, np.nan],
            "incidents": [30.0, 10.0, 4.0, 8.0],
            "incidents_prev": [10.0, 10.0, 2.0, 8.0],
            "incidents_change": [2.0, 0.0, 1.0, 0.0],
            "has_models": [True, True, True, False],
            "has_incidents": [True, True, True, True],
        },
        index=pd.Index(["A", "B", "C", "D"], name="code"),
    )
    for column, values in overrides.items():
        frame[column] = values
    return frame


def test_components_are_normalised_and_documented_values(registry) -> None:
    parts = priority.priority_components(_indicators(), registry, min_baseline=5)
    # Low model density: 1 - rank percentile among communes with data (A thinnest, B best).
    assert parts.loc[["A", "B", "C"], "coverage"].tolist() == [1.0, 0.0, 0.5]
    assert parts.loc["A", "missing_kinds"] == 0.5
    assert parts.loc["C", "weak"] == 0.0  # nothing assessed: no weak share, not a gap
    assert parts.loc["A", "rising"] == 1.0  # +200% clipped to 1
    assert parts.loc["C", "rising"] == 0.0  # +100% but the baseline (2) is under 5
    assert parts.loc[:, "focus"].tolist() == [0.0, 1.0, 0.5, 0.0]
    for component in priority.COMPONENTS:
        assert parts[component].between(0, 1).all(), component


def test_no_model_data_is_a_maximal_gap_and_flagged(registry) -> None:
    parts = priority.priority_components(_indicators(), registry)
    assert parts.loc["D", ["coverage", "missing_kinds", "weak"]].tolist() == [1.0, 1.0, 1.0]
    assert parts["no_model_data"].tolist() == [False, False, False, True]
    no_incidents = _indicators(has_incidents=[True, True, True, False], incidents_change=[2.0, 0, 1, np.nan])
    parts = priority.priority_components(no_incidents, registry)
    assert parts.loc["D", "rising"] == 0.0 and bool(parts.loc["D", "no_incident_data"])


def test_score_is_the_weighted_mean(registry) -> None:
    weights = {"coverage": 1, "missing_kinds": 0, "weak": 0, "rising": 1, "focus": 0}
    ranked = priority.priority_scores(_indicators(), registry, weights)
    assert ranked.loc["A", "score"] == pytest.approx((1.0 + 1.0) / 2)
    assert ranked.loc["B", "score"] == pytest.approx(0.0)
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    assert ranked["score"].is_monotonic_decreasing


def test_weights_change_the_ranking(registry) -> None:
    default_top = priority.priority_scores(_indicators(), registry).index[0]
    focus_only = dict.fromkeys(priority.COMPONENTS, 0) | {"focus": 5}
    focus_top = priority.priority_scores(_indicators(), registry, focus_only).index[0]
    assert default_top in ("A", "D")
    assert focus_top == "B"


def test_defaults_fill_missing_weights(registry) -> None:
    assert priority.check_weights({}) == priority.DEFAULT_WEIGHTS
    partial = priority.priority_scores(_indicators(), registry, {"focus": priority.DEFAULT_WEIGHTS["focus"]})
    default = priority.priority_scores(_indicators(), registry)
    pd.testing.assert_frame_equal(partial, default)


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
        priority.priority_scores(_indicators(), registry, weights)


def test_ties_are_broken_by_code(registry) -> None:
    same = _indicators(
        models_per_10k=[2.0, 2.0, 2.0, 2.0],
        kinds_missing=[()] * 4,
        weak_share=[0.0] * 4,
        incidents_change=[0.0] * 4,
        has_models=[True] * 4,
    )
    weights = {"coverage": 1, "missing_kinds": 1, "weak": 1, "rising": 1, "focus": 0}
    assert priority.priority_scores(same, registry, weights).index.tolist() == ["A", "B", "C", "D"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("vi", "3 × Mật độ mô hình thấp"),
        ("en", "3 × Low model density"),
    ],
)
def test_formula_text_shows_the_weights(lang, expected) -> None:
    text = priority.formula_text(priority.DEFAULT_WEIGHTS, lang)
    assert expected in text
    assert "/ 9" in text
    changed = priority.formula_text({**priority.DEFAULT_WEIGHTS, "weak": 0, "focus": 2.5}, lang)
    assert "× " + ("Mô hình yếu" if lang == "vi" else "Weak models") not in changed  # zero weights drop out
    assert ("2,5" if lang == "vi" else "2.5") in changed


def test_ranked_table_exports_to_xlsx_with_filters_sheet(registry) -> None:
    ranked = priority.priority_scores(_indicators(), registry)
    data = table_to_xlsx(ranked.reset_index(), [("Kỳ", "01/2026 – 03/2026"), ("Công thức", "=1+1")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Dữ liệu", "Bộ lọc"]
    assert book["Dữ liệu"].max_row == len(ranked) + 1
    assert book["Bộ lọc"]["B2"].value == "'=1+1"  # context cannot run as a formula


def test_kept_focus_classes_replace_the_registry_ones(registry) -> None:
    # The cache layer passes registry.focus_class(), computed once; it must be the one used.
    classes = pd.Series({"A": domain.FOCUS_BORDER, "B": "other", "C": "other", "D": "other"})
    parts = priority.priority_components(_indicators(), registry, classes=classes)
    assert parts["focus"].tolist() == [1.0, 0.0, 0.0, 0.0]
    focus_only = {c: (1.0 if c == "focus" else 0.0) for c in priority.COMPONENTS}
    assert priority.priority_scores(_indicators(), registry, focus_only, classes=classes).index[0] == "A"
