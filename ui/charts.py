"""Small charts drawn from plain Vega-Lite specs.

``st.line_chart`` and ``st.bar_chart`` build an Altair chart and validate it
against the Vega-Lite JSON schema on every call: 100 ms to 1 s per chart on
this machine, more than a whole rerun's budget. A spec written as a dict goes
to the browser as it is (a few milliseconds) and draws with the same bundled
Vega-Lite, so nothing is fetched from outside.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

_X, _SERIES, _VALUE = "_x", "_series", "_value"


def chart_spec(frame: pd.DataFrame, mark: str, height: int, stacked: bool = True) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Long-form data and a Vega-Lite spec of one series per column of ``frame``.

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
    (pd.DataFrame, dict)
        The data for ``st.vega_lite_chart`` and its spec.
    """
    if mark not in ("line", "bar"):
        raise ValueError(f"mark must be 'line' or 'bar', got {mark!r}")
    temporal = isinstance(frame.index, pd.DatetimeIndex)
    data = pd.DataFrame({
        _X: frame.index.strftime("%Y-%m-%d") if temporal else frame.index.astype(str),
    })
    long = pd.concat(
        [data.assign(**{_SERIES: str(col), _VALUE: pd.to_numeric(frame[col], errors="coerce").to_numpy()})
         for col in frame.columns],
        ignore_index=True,
    ) if len(frame.columns) else data.assign(**{_SERIES: [], _VALUE: []})
    x: dict[str, Any] = {"field": _X, "title": None}
    if temporal:
        x.update(type="temporal", axis={"format": "%m/%Y", "labelAngle": -45}, timeUnit="yearmonth")
    else:
        x.update(type="ordinal", sort=None, axis={"labelAngle": -45})
    y: dict[str, Any] = {"field": _VALUE, "type": "quantitative", "title": None}
    if mark == "bar":
        y["stack"] = "zero" if stacked else None
    spec = {
        "height": height,
        "mark": {"type": "line", "point": True} if mark == "line" else {"type": "bar"},
        "encoding": {
            "x": x,
            "y": y,
            "color": {"field": _SERIES, "type": "nominal", "title": None, "sort": None,
                      "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": _X, "type": "temporal", "timeUnit": "yearmonth", "title": " "} if temporal
                else {"field": _X, "type": "ordinal", "title": " "},
                {"field": _SERIES, "type": "nominal", "title": " "},
                {"field": _VALUE, "type": "quantitative", "title": " ", "format": ",.4~g"},
            ],
        },
    }
    return long, spec


def render_line_chart(frame: pd.DataFrame, height: int = 220) -> None:
    """One line per column of ``frame`` (see :func:`chart_spec`)."""
    data, spec = chart_spec(frame, "line", height)
    st.vega_lite_chart(data, spec, width="stretch")


def render_bar_chart(frame: pd.DataFrame, height: int = 220, stacked: bool = True) -> None:
    """Bars per x value, one colour per column of ``frame`` (see :func:`chart_spec`)."""
    data, spec = chart_spec(frame, "bar", height, stacked)
    st.vega_lite_chart(data, spec, width="stretch")
