"""Small charts drawn from plain Vega-Lite specs.

``st.line_chart`` and ``st.bar_chart`` build an Altair chart and validate it
against the Vega-Lite JSON schema on every call, which is more than a whole
rerun's budget (bench/README.md). A spec written as a dict goes to the browser
as it is and draws with the same bundled Vega-Lite, so nothing is fetched from
outside.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

_X, _SERIES, _VALUE = "_x", "_series", "_value"


def chart_spec(frame: pd.DataFrame, mark: str, height: int, stacked: bool = True) -> dict[str, Any]:
    """A Vega-Lite spec, data included, of one series per column of ``frame``.

    Parameters
    ----------
    frame : pd.DataFrame
        Indexed by the x value (month starts as a DatetimeIndex, or labels kept
        in their order), one numeric column per series; column names are the
        legend labels.
    mark : {"line", "bar"}
        Lines with points, or bars (stacked unless ``stacked`` is false).
    height : int
        Chart height in pixels.

    Returns
    -------
    dict
        The spec for ``st.vega_lite_chart``, with the values inline (plain
        lists: building a long DataFrame of Arrow strings cost more than the chart).

    Raises
    ------
    ValueError
        For an unknown ``mark``.
    """
    if mark not in ("line", "bar"):
        raise ValueError(f"mark must be 'line' or 'bar', got {mark!r}")
    temporal = isinstance(frame.index, pd.DatetimeIndex)
    xs = list(frame.index.strftime("%Y-%m-%d")) if temporal else [str(x) for x in frame.index]
    values = []
    for col in frame.columns:
        series = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        name = str(col)
        values.extend({_X: x, _SERIES: name, _VALUE: None if math.isnan(v) else float(v)} for x, v in zip(xs, series))
    x: dict[str, Any] = {"field": _X, "title": None}
    if temporal:
        x.update(type="temporal", timeUnit="yearmonth", axis={"format": "%m/%Y", "labelAngle": -45})
        x_tip = {"field": _X, "type": "temporal", "timeUnit": "yearmonth", "title": " "}
    else:
        x.update(type="ordinal", sort=None, axis={"labelAngle": -45})
        x_tip = {"field": _X, "type": "ordinal", "title": " "}
    y: dict[str, Any] = {"field": _VALUE, "type": "quantitative", "title": None}
    if mark == "bar":
        y["stack"] = "zero" if stacked else None
    return {
        "data": {"values": values},
        "height": height,
        "mark": {"type": "line", "point": True} if mark == "line" else {"type": "bar"},
        "encoding": {
            "x": x,
            "y": y,
            "color": {"field": _SERIES, "type": "nominal", "title": None, "sort": None, "legend": {"orient": "bottom"}},
            "tooltip": [
                x_tip,
                {"field": _SERIES, "type": "nominal", "title": " "},
                {"field": _VALUE, "type": "quantitative", "title": " ", "format": ",.4~g"},
            ],
        },
    }


def render_line_chart(frame: pd.DataFrame, height: int = 220) -> None:
    """One line per column of ``frame`` (see :func:`chart_spec`)."""
    st.vega_lite_chart(spec=chart_spec(frame, "line", height), width="stretch")


def render_bar_chart(frame: pd.DataFrame, height: int = 220, stacked: bool = True) -> None:
    """Bars per x value, one colour per column of ``frame`` (see :func:`chart_spec`)."""
    st.vega_lite_chart(spec=chart_spec(frame, "bar", height, stacked), width="stretch")
