"""The content of the one-page briefing on a commune or a former district, for meetings (pure).

Two steps, both pure:

1. :func:`build_briefing` (here) turns frames into the words and numbers of the
   page (a :class:`Briefing`): key figures against the province, the missing
   model kinds, the top three priorities, the filters, the data version and the time.
2. :func:`analysis.briefing_pdf.build_briefing_pdf` lays the page out with reportlab.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from analysis.formatting import format_indicator, format_number
from analysis.indicators import SUMMARY_FIGURES
from loaders.core import domain
from loaders.core.i18n import translate

#: Province-comparable figures of the briefing, in display order (keys of ``analysis.indicators.summarise``).
BRIEFING_FIGURES: tuple[str, ...] = SUMMARY_FIGURES
#: Priority components a commune briefing may name (``analysis.priority.COMPONENTS``, without focus,
#: which is a standing property of the commune rather than something to act on).
_ACTIONABLE_COMPONENTS: tuple[str, ...] = ("coverage", "missing_kinds", "weak", "rising")
UNIT_COMMUNE = "commune"
UNIT_DISTRICT = "district"


class BriefingFigure(NamedTuple):
    """One key figure: the unit's value and the province's, both formatted."""

    label: str
    unit: str
    province: str


class PriorityLine(NamedTuple):
    """One of the top priorities: a rank or number, what, and why."""

    rank: str
    title: str
    detail: str


@dataclass(frozen=True)
class Briefing:
    """Everything printed on a briefing page, already in the reader's language."""

    unit_name: str
    unit_kind: str
    period: str
    figures: tuple[BriefingFigure, ...]
    missing: tuple[str, ...]
    priorities: tuple[PriorityLine, ...]
    rank_line: str
    context: tuple[tuple[str, str], ...]
    demo: bool
    data_version: str
    exported_at: str
    lang: str = "vi"


@dataclass(frozen=True, kw_only=True)
class BriefingUnit:
    """The unit a briefing is about.

    Parameters
    ----------
    name : str
        "Xã Kỳ Hoa" or "Huyện Kỳ Anh" (any text; it is escaped when laid out).
    kind : {"commune", "district"}
        A 2025 commune or a former district.
    codes : sequence of str
        The unit's 2025 communes (one for a commune).
    """

    name: str
    kind: str
    codes: Sequence[str]


@dataclass(frozen=True, kw_only=True)
class BriefingSources:
    """The figures a briefing is computed from, all for the current period.

    Parameters
    ----------
    indicators : pd.DataFrame
        2025-level ``compute_indicators`` of the province.
    unit_summary, province_summary : mapping
        ``summarise`` of the unit's communes and of the province.
    ranking : pd.DataFrame or None
        ``analysis.priority.priority_scores`` of the province, or ``None``.
    """

    indicators: pd.DataFrame
    unit_summary: Mapping[str, float]
    province_summary: Mapping[str, float]
    ranking: pd.DataFrame | None


@dataclass(frozen=True, kw_only=True)
class BriefingStamp:
    """What the page states about the view it was printed from.

    Parameters
    ----------
    period : str
        The period as shown ("01/01/2025 – 30/06/2025").
    context : sequence of (label, value)
        The filters (``ui.parts.tables.filter_context``).
    demo : bool
        Demo data shown: the page carries the notice.
    data_version, exported_at : str
        Printed in the footer.
    lang : str
        Catalogue language.
    """

    period: str
    context: Sequence[tuple[str, str]]
    demo: bool
    data_version: int | str
    exported_at: str
    lang: str = "vi"


# --------------------------------------------------------------------------- content


def _fmt(name: str, value: object, lang: str) -> str:
    return format_indicator(name, _float(value), lang, translate("common.no_data", lang))


def key_figures(
    unit_summary: Mapping[str, float], province_summary: Mapping[str, float], lang: str
) -> list[BriefingFigure]:
    """The unit's key figures beside the province's.

    Parameters
    ----------
    unit_summary, province_summary : mapping
        ``analysis.indicators.summarise`` of the unit's communes and of the whole province.
    lang : str
        Catalogue language.

    Returns
    -------
    list of BriefingFigure
        One per :data:`BRIEFING_FIGURES`; "no data" where a value is NaN.
    """
    rows = []
    for name in BRIEFING_FIGURES:
        if name == "units_all_kinds":
            unit = f"{_fmt(name, unit_summary.get(name), lang)}/{_fmt('units', unit_summary.get('units'), lang)}"
            province = (
                f"{_fmt(name, province_summary.get(name), lang)}/{_fmt('units', province_summary.get('units'), lang)}"
            )
        else:
            unit = _fmt(name, unit_summary.get(name), lang)
            province = _fmt(name, province_summary.get(name), lang)
        rows.append(BriefingFigure(translate(f"indicator.{name}", lang), unit, province))
    return rows


def missing_kind_lines(indicators: pd.DataFrame, codes: Sequence[str], lang: str) -> list[str]:
    """What model kinds are missing, in words.

    Parameters
    ----------
    indicators : pd.DataFrame
        ``compute_indicators`` output with ``kinds_missing`` and ``has_models``.
    codes : sequence of str
        The unit's communes: one code for a commune, the members for a former district.
    lang : str
        Catalogue language.

    Returns
    -------
    list of str
        For one commune: the missing kinds, "all four present" or "no model data".
        For several: per kind, how many communes with model data miss it, and how
        many communes reported no models at all (no data is not zero).
    """
    rows = indicators.loc[[c for c in codes if c in indicators.index]]
    kind_label = {k: translate(f"enum.kind.{k}", lang) for k in domain.MODEL_KINDS_CORE}
    if rows.empty:
        return [translate("briefing.missing.no_data", lang)]
    reported = rows[rows["has_models"].astype(bool)]
    if len(rows) == 1:
        if reported.empty:
            return [translate("briefing.missing.no_data", lang)]
        missing = reported["kinds_missing"].iloc[0]
        if not missing:
            return [translate("briefing.missing.none", lang)]
        return [kind_label.get(k, k) for k in missing]
    lines = []
    for kind in domain.MODEL_KINDS_CORE:
        count = int(reported["kinds_missing"].map(lambda m, k=kind: k in m).sum())
        if count:
            lines.append(
                translate("briefing.missing.count", lang, kind=kind_label[kind], count=count, total=len(reported))
            )
    if not lines and not reported.empty:
        lines.append(translate("briefing.missing.none_district", lang))
    silent = len(rows) - len(reported)
    if silent:
        lines.append(translate("briefing.missing.silent", lang, count=silent, total=len(rows)))
    return lines


def _component_detail(component: str, row: pd.Series, lang: str) -> str:
    if component == "coverage":
        share = _float(row.get("area_coverage"))
        value = translate("common.no_data", lang) if math.isnan(share) else f"{format_number(share * 100, 0, lang)}%"
        return f"{translate('priority.col.area_coverage', lang).removesuffix(' (%)')}: {value}"
    if component == "missing_kinds":
        kinds = row.get("kinds_missing") or ()
        return ", ".join(translate(f"enum.kind.{k}", lang) for k in kinds)
    if component == "weak":
        return f"{translate('indicator.weak_share', lang)}: {_fmt('weak_share', row.get('weak_share'), lang)}"
    if component == "rising":
        now, before = _fmt("rate", row.get("rate_compared"), lang), _fmt("rate", row.get("rate_prev"), lang)
        label = translate("priority.col.incident_rate", lang)
        return translate("briefing.priority.rate", lang, label=label, now=now, before=before)
    return ""


def _float(value: object) -> float:
    if value is None or isinstance(value, (str, bytes)):
        return math.nan
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def top_priorities(
    ranking: pd.DataFrame | None, codes: Sequence[str], unit_kind: str, lang: str, n: int = 3
) -> tuple[list[PriorityLine], str]:
    """The top ``n`` priorities of a unit and its rank line.

    Parameters
    ----------
    ranking : pd.DataFrame or None
        ``analysis.priority.priority_scores`` over the province (indexed by
        code, with ``rank``, ``name``, ``score``, ``reasons`` and the component
        columns; a commune listed apart has no rank). ``None`` when no ranking
        is available.
    codes : sequence of str
        The unit's communes.
    unit_kind : {"commune", "district"}
        A former district lists its ``n`` highest-ranked communes; a commune
        lists its ``n`` largest actionable score components (coverage gap,
        missing kinds, weak models, rising incidents) that are above zero. A
        commune listed apart gets no lines and a sentence saying it has no data
        yet, with the reasons; a district's communes listed apart are counted.
    lang : str
        Catalogue language.

    Returns
    -------
    (list of PriorityLine, str)
        The lines and a sentence with the unit's rank among the ranked communes
        (empty when the unit is not in the ranking).
    """
    if ranking is None or ranking.empty:
        return [], ""
    ranked = ranking["rank"].notna().to_numpy(dtype=bool)
    total = int(ranked.sum())
    mine = ranking.index.isin(list(codes))
    inside, apart = ranking[mine & ranked], ranking[mine & ~ranked]
    if inside.empty and apart.empty:
        return [], ""
    if unit_kind == UNIT_DISTRICT:
        lines = [
            PriorityLine(
                str(int(row["rank"])),
                str(row["name"]),
                translate("briefing.priority.score", lang, score=_fmt("score", row["score"] * 100, lang)),
            )
            for _, row in inside.head(n).iterrows()
        ]
        sentences = (
            [translate("briefing.priority.district_rank", lang, count=len(inside), total=total)] if lines else []
        )
        if not apart.empty:
            sentences.append(translate("briefing.priority.district_apart", lang, count=len(apart)))
        return lines, " ".join(sentences)
    if inside.empty:  # listed apart: no rank, no score, the reason instead
        reasons = apart.iloc[0].get("reasons") or ()
        text = "; ".join(translate(f"priority.reason.{r}", lang) for r in reasons)
        return [], translate("briefing.priority.no_data", lang, reasons=text)
    row = inside.iloc[0]
    parts = [(c, _float(row.get(c))) for c in _ACTIONABLE_COMPONENTS if c in row.index]
    parts = sorted((p for p in parts if p[1] > 0), key=lambda p: -p[1])[:n]
    lines = [
        PriorityLine(str(i), translate(f"priority.component.{c}", lang), _component_detail(c, row, lang))
        for i, (c, _) in enumerate(parts, start=1)
    ]
    rank_line = translate(
        "briefing.priority.rank",
        lang,
        rank=int(row["rank"]),
        total=total,
        score=_fmt("score", row["score"] * 100, lang),
    )
    return lines, rank_line


def build_briefing(unit: BriefingUnit, sources: BriefingSources, stamp: BriefingStamp) -> Briefing:
    """Assemble the content of a briefing.

    Parameters
    ----------
    unit : BriefingUnit
        Name, kind and communes of the unit.
    sources : BriefingSources
        Indicators, the two summaries and the priority ranking.
    stamp : BriefingStamp
        Period, filters, demo flag, data version, export time and language.

    Raises
    ------
    ValueError
        For an unknown ``unit.kind``.
    """
    if unit.kind not in (UNIT_COMMUNE, UNIT_DISTRICT):
        raise ValueError(f"unit_kind must be 'commune' or 'district', got {unit.kind!r}")
    lang = stamp.lang
    priorities, rank_line = top_priorities(sources.ranking, unit.codes, unit.kind, lang)
    return Briefing(
        unit_name=unit.name,
        unit_kind=translate(f"briefing.kind.{unit.kind}", lang),
        period=stamp.period,
        figures=tuple(key_figures(sources.unit_summary, sources.province_summary, lang)),
        missing=tuple(missing_kind_lines(sources.indicators, unit.codes, lang)),
        priorities=tuple(priorities),
        rank_line=rank_line,
        context=tuple((str(k), str(v)) for k, v in stamp.context),
        demo=stamp.demo,
        data_version=str(stamp.data_version),
        exported_at=stamp.exported_at,
        lang=lang,
    )
