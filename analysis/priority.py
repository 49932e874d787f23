"""Priority score per 2025 commune: where to act first (pure pandas).

The score combines five components, each normalised to 0..1 where 1 means
"needs attention most":

``coverage`` (thin coverage)
    ``1 − p`` where ``p`` is the rank percentile of ``models_per_10k`` among the
    communes that have model data: ``p = (rank − 1) / (n − 1)`` with average
    ranks for ties, so the best-covered commune gets 0 and the thinnest 1 (a
    single commune with data gets 0.5).
``missing_kinds``
    Missing core model kinds / 4.
``weak``
    Share of counted models assessed weak (0 when nothing counted was assessed).
``rising`` (rising incidents)
    The incident change against the previous equal period, clipped to 0..1 (a
    doubling or more gives 1), counted only when the previous period had at least
    ``min_baseline`` incidents (the same baseline rule as the change flag);
    otherwise 0.
``focus``
    1 for border, economic-zone and major-project communes and for the admin's
    hot spots of the year, 0.5 for coastal ones, 0 for the rest (the focus class,
    ``analysis.comparisons.with_hot_spots``).

``score = Σ wᵢ·cᵢ / Σ wᵢ`` (0..1). "No data" is not zero: a commune that never
reported models gets the maximal gap (1) on the three coverage components and
is flagged ``no_model_data``; one that never reported incidents gets 0 on
``rising`` (nothing to compare) and is flagged ``no_incident_data``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.i18n import translate
from loaders.geo.registry import Registry

#: Components in display order.
COMPONENTS: tuple[str, ...] = ("coverage", "missing_kinds", "weak", "rising", "focus")

#: Default weights: coverage gaps first, then rising incidents, then weak models and focus areas.
DEFAULT_WEIGHTS: dict[str, float] = {
    "coverage": 3.0,
    "missing_kinds": 2.0,
    "weak": 1.0,
    "rising": 2.0,
    "focus": 1.0,
}

#: Focus weight by focus class.
FOCUS_WEIGHT: dict[str, float] = {
    domain.FOCUS_BORDER: 1.0,
    domain.FOCUS_ECONOMIC_ZONE: 1.0,
    domain.FOCUS_COASTAL: 0.5,
    domain.FOCUS_HOT_SPOT: 1.0,
    "other": 0.0,
}


class WeightsError(ValueError):
    """Weights that cannot make a score (unknown component, negative, or all zero)."""


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Complete ``weights`` with the defaults and validate them.

    Raises
    ------
    WeightsError
        If a component is unknown, a weight is negative, or all weights are zero.
    """
    unknown = set(weights) - set(COMPONENTS)
    if unknown:
        raise WeightsError(f"unknown priority component(s): {', '.join(sorted(unknown))}")
    full = {c: float(weights.get(c, DEFAULT_WEIGHTS[c])) for c in COMPONENTS}
    negative = [c for c, w in full.items() if w < 0 or np.isnan(w)]
    if negative:
        raise WeightsError(f"negative or missing weight for: {', '.join(negative)}")
    if sum(full.values()) == 0:
        raise WeightsError("all priority weights are zero")
    return full


def _thin_coverage(per_10k: pd.Series) -> pd.Series:
    known = per_10k.dropna()
    n = len(known)
    if n == 0:
        return pd.Series(np.nan, index=per_10k.index)
    if n == 1:
        return pd.Series(0.5, index=known.index).reindex(per_10k.index)
    pct = (known.rank(method="average") - 1) / (n - 1)
    return (1 - pct).reindex(per_10k.index)


def priority_components(
    indicators: pd.DataFrame, registry: Registry, min_baseline: float = 5, *, classes: pd.Series | None = None
) -> pd.DataFrame:
    """The five normalised components per commune (see the module docstring).

    Parameters
    ----------
    indicators : pd.DataFrame
        ``analysis.indicators.compute_indicators`` at the 2025 level.
    registry : Registry
        For the focus classes.
    min_baseline : float
        Least previous-period count for ``rising`` to count.
    classes : pd.Series, optional
        ``registry.focus_class()``, when the caller keeps it.

    Returns
    -------
    pd.DataFrame
        Indexed like ``indicators``: one column per component (0..1),
        ``focus_class``, ``no_model_data``, ``no_incident_data``.
    """
    ind = indicators
    no_models = ~ind["has_models"].astype(bool)
    no_incidents = ~ind["has_incidents"].astype(bool)
    out = pd.DataFrame(index=ind.index)
    out["coverage"] = _thin_coverage(ind["models_per_10k"].where(~no_models)).fillna(1.0).where(~no_models, 1.0)
    n_kinds = len(domain.MODEL_KINDS_CORE)
    out["missing_kinds"] = ind["kinds_missing"].map(len).astype(float) / n_kinds
    out.loc[no_models, "missing_kinds"] = 1.0
    out["weak"] = ind["weak_share"].astype(float).fillna(0.0).clip(0, 1)
    out.loc[no_models, "weak"] = 1.0
    change = ind["incidents_change"].astype(float)
    eligible = (~no_incidents) & (ind["incidents_prev"].fillna(0) >= min_baseline)
    out["rising"] = change.clip(0, 1).where(eligible, 0.0).fillna(0.0)
    classes = (registry.focus_class() if classes is None else classes).reindex(ind.index).fillna("other")
    out["focus_class"] = classes
    out["focus"] = classes.map(FOCUS_WEIGHT).fillna(0.0).astype(float)
    out["no_model_data"] = no_models
    out["no_incident_data"] = no_incidents
    return out


def priority_scores(
    indicators: pd.DataFrame,
    registry: Registry,
    weights: Mapping[str, float] | None = None,
    min_baseline: float = 5,
    *,
    classes: pd.Series | None = None,
) -> pd.DataFrame:
    """Rank communes by priority score.

    Parameters
    ----------
    indicators : pd.DataFrame
        ``compute_indicators`` at the 2025 level (the filtered communes).
    registry : Registry
        For the focus classes.
    weights : mapping, optional
        Weight per component; missing components take :data:`DEFAULT_WEIGHTS`.
    min_baseline : float
        Least previous-period count for the rising component.
    classes : pd.Series, optional
        ``registry.focus_class()``, when the caller keeps it.

    Returns
    -------
    pd.DataFrame
        Sorted by ``score`` (highest first, ties by code), indexed by code:
        ``rank, name, score`` (0..1), the components, ``focus_class``,
        ``no_model_data``, ``no_incident_data`` and the raw ``models_per_10k,
        kinds_missing, weak_share, incidents, incidents_prev, incidents_change``.

    Raises
    ------
    WeightsError
        See :func:`check_weights`.
    """
    full = check_weights(weights or {})
    parts = priority_components(indicators, registry, min_baseline, classes=classes)
    total = sum(full.values())
    score = sum(parts[c] * w for c, w in full.items()) / total
    out = pd.DataFrame({"name": indicators["name"], "score": score}, index=indicators.index)
    out = out.join(parts)
    for col in ("models_per_10k", "kinds_missing", "weak_share", "incidents", "incidents_prev", "incidents_change"):
        out[col] = indicators[col]
    out = out.assign(_code=out.index).sort_values(["score", "_code"], ascending=[False, True]).drop(columns="_code")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def formula_text(weights: Mapping[str, float], lang: str) -> str:
    """The formula with the current weights, in words, for the page and the exports.

    Example (vi): ``Điểm = (3 × Mật độ mô hình thấp + 2 × Thiếu loại mô hình + …) / 9``.
    """
    full = check_weights(weights)
    total = sum(full.values())
    terms = " + ".join(f"{_num(w, lang)} × {translate(f'priority.component.{c}', lang)}" for c, w in full.items() if w)
    return translate("priority.formula", lang, terms=terms, total=_num(total, lang))


def _num(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "vi" else text
