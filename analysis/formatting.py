"""Number formatting per language, shared by tooltips, tables and exports."""

from __future__ import annotations

import math

PERCENT_INDICATORS = frozenset(
    {
        "weak_share",
        "incidents_change",
        "recognised_communes_share",
        "recognised_residential_share",
        "area_coverage",
        "areas_with_mediation_share",
        "areas_with_security_team_share",
    }
)
INTEGER_INDICATORS = frozenset(
    {
        "kinds_present",
        "models_covering",
        "models_counted",
        "incidents",
        "incidents_prev",
        "units",
        "units_with_models",
        "units_all_kinds",
        "residential_areas",
        "areas_covered",
    }
)


def format_number(value: float, decimals: int, lang: str) -> str:
    """Format with Vietnamese separators (1.234,5) or English ones (1,234.5)."""
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def format_plain(value: float, lang: str) -> str:
    """A number as written in a rule's text: no trailing zeros (0,5; 2; 1,5), the language's decimal mark."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text


def format_indicator(indicator: str, value: float | None, lang: str, no_data: str) -> str:
    """Format one indicator value; NaN/None gives the ``no_data`` text.

    Parameters
    ----------
    indicator : str
        Indicator column name (decides percent, integer or one decimal).
    value : float or None
        The value.
    lang : str
        "vi" or "en".
    no_data : str
        Text for a missing value ("Chưa có dữ liệu").
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return no_data
    if indicator in PERCENT_INDICATORS:
        sign = "+" if indicator == "incidents_change" and value > 0 else ""
        return f"{sign}{format_number(value * 100, 0, lang)}%"
    if indicator in INTEGER_INDICATORS:
        return format_number(value, 0, lang)
    return format_number(value, 1, lang)
