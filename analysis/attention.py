"""What needs attention now: the rules of the home page's "Cần chú ý" panel, pure pandas.

A commune is listed, once, with every reason that applies to it:

* ``incidents_rose``: it lies in a focus area (border, coast, economic zone, major
  project or any area ``domain.FOCUS_AREAS`` adds) and its incidents are flagged by the
  stated change rule of :func:`analysis.indicators.compute_indicators` (the comparison
  period, ``Filters.compare``, had at least ``min_baseline`` incidents and the rise
  exceeds ``rise_threshold``).
* ``coverage_fell``: fewer models cover it at the end of the period than at the end of
  the same period one year earlier (both known; "no data" is never a fall).
* ``not_reported``: months of the period for which it has not reported, when that table
  is given.
* ``residential_gaps``: residential areas (thôn, tổ dân phố) without a tổ bảo vệ ANTT or
  without a tổ hòa giải, when the list of residential areas exists.

Order, most important first: more reasons first; then the most important reason, in the
order above; then its size (the relative rise, the relative fall, the months, the areas);
then the name. The page shows the first :data:`SHOWN` lines and the rest on demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from analysis import residential
from loaders.core import domain

REASON_INCIDENTS_ROSE = "incidents_rose"
REASON_COVERAGE_FELL = "coverage_fell"
REASON_NOT_REPORTED = "not_reported"
REASON_RESIDENTIAL_GAPS = "residential_gaps"
#: Every reason, most important first.
REASONS: tuple[str, ...] = (
    REASON_INCIDENTS_ROSE,
    REASON_COVERAGE_FELL,
    REASON_NOT_REPORTED,
    REASON_RESIDENTIAL_GAPS,
)

#: Lines the panel shows before "xem tất cả".
SHOWN = 5


@dataclass(frozen=True)
class Reason:
    """Why a commune is listed.

    Attributes
    ----------
    kind : str
        One of :data:`REASONS`.
    values : tuple of (str, object)
        The figures that make the reason, for the sentence that states it (e.g.
        ``(("before", 12), ("now", 9))``).
    size : float
        How large it is, to order communes with the same reasons.
    """

    kind: str
    values: tuple[tuple[str, object], ...]
    size: float

    def value(self, name: str) -> object:
        """One of :attr:`values` by name."""
        return dict(self.values)[name]


@dataclass(frozen=True)
class AttentionLine:
    """One commune of the panel with every reason it is there."""

    code: str
    name: str
    reasons: tuple[Reason, ...]


def last_due_day(period_end: date, today: date) -> date:
    """The last day whose month is due for reporting: a month is due once it is over.

    The end of the period, or the last day of the month before ``today``'s if earlier.
    """
    return min(period_end, today.replace(day=1) - timedelta(days=1))


def months_not_reported(status: pd.DataFrame) -> pd.Series:
    """Months not reported per commune, from ``analysis.reporting.reporting_status`` of the due months."""
    return (status["months_total"] - status["months_reported"]).astype(int)


def residential_gaps(areas: pd.DataFrame, period_end: date) -> pd.DataFrame | None:
    """Per commune, the residential areas of its list in force that lack each team.

    Only an explicit "no" counts (an unknown answer is not a gap), and the tổ bảo vệ ANTT only
    from :data:`loaders.core.domain.SECURITY_TEAMS_DATE`, when the teams came into being.

    Returns
    -------
    pd.DataFrame or None
        Indexed by commune code, ``without_security_team`` and ``without_mediation_team``;
        ``None`` when no list of residential areas is in force at the period's end.
    """
    in_force = residential.areas_at(areas, period_end.year)
    if in_force.empty:
        return None
    lacking = pd.DataFrame(
        {
            "without_security_team": in_force["has_security_team"].eq(False).to_numpy(dtype=int)
            * int(period_end >= domain.SECURITY_TEAMS_DATE),
            "without_mediation_team": in_force["has_mediation_team"].eq(False).to_numpy(dtype=int),
        },
        index=pd.Index(in_force["commune_code"].astype(object), name="code"),
    )
    return lacking.groupby(level=0).sum()


def _incident_reasons(current: pd.DataFrame, membership: pd.DataFrame) -> dict[str, Reason]:
    areas = [a for a in membership.columns if a != "other"]
    in_focus = membership.reindex(current.index, fill_value=False)[areas]
    reasons = {}
    for code, row in current[current["incidents_flag"].astype(bool)].iterrows():
        member_of = tuple(a for a in areas if bool(in_focus.at[code, a]))
        if not member_of:
            continue
        change = float(row["incidents_change"])
        reasons[code] = Reason(
            REASON_INCIDENTS_ROSE,
            (
                # Over the months reported in both periods, as the change itself is computed.
                ("now", int(row.get("incidents_compared", row["incidents"]))),
                ("before", int(row["incidents_prev"])),
                ("change", change),
                ("areas", member_of),
            ),
            change,
        )
    return reasons


def _coverage_reasons(current: pd.DataFrame, year_ago: pd.DataFrame) -> dict[str, Reason]:
    before = year_ago["models_covering"].reindex(current.index)
    now = current["models_covering"]
    fell = now.notna() & before.notna() & (now < before)
    reasons = {}
    for code in current.index[fell.to_numpy()]:
        was, is_ = float(before[code]), float(now[code])
        lost = tuple(k for k in current.at[code, "kinds_missing"] if k not in year_ago.at[code, "kinds_missing"])
        reasons[code] = Reason(
            REASON_COVERAGE_FELL,
            (("before", int(was)), ("now", int(is_)), ("kinds_lost", lost)),
            (was - is_) / was,
        )
    return reasons


def _count_reasons(counts: pd.Series | None, kind: str, units: pd.Index) -> dict[str, Reason]:
    if counts is None:
        return {}
    counts = counts.reindex(units).dropna()
    return {code: Reason(kind, (("count", int(n)),), float(n)) for code, n in counts.items() if n > 0}


def _gap_reasons(gaps: pd.DataFrame | None, units: pd.Index) -> dict[str, Reason]:
    if gaps is None:
        return {}
    gaps = gaps.reindex(units).fillna(0)
    reasons = {}
    for code, row in gaps.iterrows():
        security, mediation = int(row["without_security_team"]), int(row["without_mediation_team"])
        if security or mediation:
            reasons[code] = Reason(
                REASON_RESIDENTIAL_GAPS,
                (("without_security_team", security), ("without_mediation_team", mediation)),
                float(security + mediation),
            )
    return reasons


def attention_lines(
    current: pd.DataFrame,
    year_ago: pd.DataFrame,
    membership: pd.DataFrame,
    *,
    not_reported: pd.Series | None = None,
    residential_gaps: pd.DataFrame | None = None,
) -> list[AttentionLine]:
    """The communes that need attention, most important first (rules in the module docstring).

    Parameters
    ----------
    current : pd.DataFrame
        :func:`analysis.indicators.compute_indicators` of the period (the communes it
        holds are the ones considered: the page's filters apply).
    year_ago : pd.DataFrame
        The same for the same period last year (``Period.same_period_last_year``), same filters.
    membership : pd.DataFrame
        Boolean focus-area membership per commune
        (:func:`analysis.comparisons.focus_membership`; its ``other`` column is ignored).
    not_reported : pd.Series, optional
        Months of the period each commune has not reported, by commune code.
    residential_gaps : pd.DataFrame, optional
        Per commune code, columns ``without_security_team`` and ``without_mediation_team``:
        residential areas lacking each team. ``None`` where no list of residential areas exists.

    Returns
    -------
    list of AttentionLine
        Possibly empty; each commune at most once.
    """
    units = current.index
    found: list[dict[str, Reason]] = [
        _incident_reasons(current, membership),
        _coverage_reasons(current, year_ago),
        _count_reasons(not_reported, REASON_NOT_REPORTED, units),
        _gap_reasons(residential_gaps, units),
    ]
    lines = []
    for code in units:
        reasons = tuple(by_code[code] for by_code in found if code in by_code)
        if reasons:
            lines.append(AttentionLine(str(code), str(current.at[code, "name"]), reasons))

    def importance(line: AttentionLine) -> tuple[int, int, float, str]:
        first = line.reasons[0]
        size = first.size if not math.isnan(first.size) else 0.0
        return (-len(line.reasons), REASONS.index(first.kind), -size, line.name)

    return sorted(lines, key=importance)
