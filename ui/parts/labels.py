"""How values and names read on the page: numbers, enumerations, indicator headers and the change rule.

Every table and figure of the pages takes its labels from here, so a value
reads the same on screen, in a table and in its download.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis import indicators as ind
from analysis.formatting import PERCENT_INDICATORS, format_indicator
from loaders.core import domain
from ui.i18n import current_language, t
from ui.period_picker import compare_text


def fmt(indicator: str, value: float | None) -> str:
    """Format a value for the current language."""
    return format_indicator(indicator, value, current_language(), t("common.no_data"))


def former_name(name: str) -> str:
    """A former district's name as shown since 1 July 2025: "Thị xã Kỳ Anh (cũ)"."""
    return t("common.former", name=name)


def enum_label(family: str, value: object) -> str:
    """Display label of a stored enumerated value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return t(f"enum.{family}.{value}")


def enum_labels(family: str, values: pd.Series) -> pd.Series:
    """Labels of a column of enumerated values, looked up once per distinct value."""
    values = values.astype(object)
    labels = {v: enum_label(family, v) for v in values.dropna().unique()}
    return values.map(labels).astype(object).where(values.notna(), "")


def indicator_label(name: str) -> str:
    """Column header of an indicator, with "(%)" for shares and changes."""
    label = t(f"indicator.{name}")
    return f"{label} (%)" if name in PERCENT_INDICATORS else label


def indicator_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Percent indicators ×100 (rounded) so tables and exports show the same numbers as the page."""
    out = frame.copy()
    for col in out.columns:
        if col in PERCENT_INDICATORS:
            out[col] = (out[col].astype(float) * 100).round(1)
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(2)
    return out


def group_label(key: str) -> str:
    """Display name of a focus group (the economic-zone class also holds the major projects)."""
    return t(f"focus.{key}") if key != domain.FOCUS_ECONOMIC_ZONE else t("focus.economic_zone_project")


def rule_sentence(filters: ind.Filters) -> str:
    """The incident-change rule in words, naming the comparison and its dates.

    E.g. "tăng hơn 25% so với cùng kỳ năm trước (15/12/2024 – 07/12/2025) và kỳ so
    sánh có ít nhất 5 vụ".
    """
    return t(
        "incidents.rule",
        threshold=_num(filters.rise_threshold * 100),
        baseline=filters.min_baseline,
        compare=compare_text(filters.period, filters.compare),
    )


def _num(value: float) -> str:
    return f"{value:g}"
