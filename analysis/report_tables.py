"""The periodic report's tables, from its figures (pure pandas).

Every table is a frame with plain column names (``report.col.<name>`` in the
catalogues gives the header a document shows, :func:`display_table`). Values are
numbers or the stored Vietnamese terms; "no data" stays missing (NaN), never 0.

The tables, in the report's order (:data:`TABLES`):

* ``key_figures``: the key figures with their comparison;
* ``models``: operating models by kind × rating (:mod:`analysis.area_coverage`);
* ``model_types``: operating models by kind and named type (:mod:`analysis.model_types`);
* ``coverage``: thôn/TDP covered per kind and by any kind, with tổ hòa giải and tổ bảo vệ ANTT;
* ``below_threshold``: communes whose share of thôn/TDP covered by any kind is below the threshold;
* ``no_area_list``: communes with no list of thôn/TDP in force ("chưa có dữ liệu");
* ``recognitions``: communes and thôn/TDP recognised "An toàn về ANTT", x of N;
* ``incidents_by_field``, ``incidents_by_severity``: against the comparison period;
* ``flagged``: communes whose incidents rose by the stated rule;
* ``focus``: focus areas (border, coast, economic zones, hot spots) against the rest;
* ``completeness``: reported commune-months per former district.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import area_coverage as ac
from analysis import comparisons, model_types, reporting
from analysis import indicators as ind
from analysis.report_figures import Report
from loaders.core import domain
from loaders.core.i18n import translate
from loaders.geo.registry import Registry

TABLES: tuple[str, ...] = (
    "key_figures",
    "models",
    "model_types",
    "coverage",
    "below_threshold",
    "no_area_list",
    "recognitions",
    "incidents_by_field",
    "incidents_by_severity",
    "flagged",
    "focus",
    "completeness",
)
#: Severity of an incident recorded without one.
NO_SEVERITY = "chưa ghi"


def _share(part: float | None, whole: float | None) -> float:
    if part is None or whole is None or not whole or pd.isna(part) or pd.isna(whole):
        return np.nan
    return float(part) / float(whole)


def _change(now: float, before: float) -> float:
    return (now - before) / before if before and not pd.isna(before) and not pd.isna(now) else np.nan


def _number(value: float | None) -> float:
    return np.nan if value is None else float(value)


def _unit_block(report: Report) -> dict[str, object]:
    return report.figures["province"] if report.unit.code is None else report.figures["unit"]


#: Key figures that are shares: their change is the difference in percentage points, not a relative change
#: (coverage from 49,0 % to 51,8 % is +2,8 points, where a relative change would read +5,7 %).
SHARE_FIGURES = frozenset({"coverage_any"})


def key_figures(report: Report) -> pd.DataFrame:
    """Key figures of the unit: the value, the comparison's value and the change.

    The change of a count is relative (``(now − before) / before``); that of a share
    (:data:`SHARE_FIGURES`) is the difference, in points.
    """
    unit = _unit_block(report)
    codes = list(report.unit.communes)
    now, then = report.communes.loc[codes], report.communes_compare.loc[codes]

    def covered(frame: pd.DataFrame) -> float:
        with_list = frame["residential_areas"].notna()
        return _share(frame.loc[with_list, "covered_any"].sum(), frame.loc[with_list, "residential_areas"].sum())

    def operating(frame: pd.DataFrame) -> float:
        return float(frame[[c for c in frame.columns if c.startswith("models|")]].to_numpy().sum())

    def weak(frame: pd.DataFrame) -> float:
        return float(frame[[f"models|{k}|{domain.ASSESSMENT_WEAK}" for k in domain.MODEL_KINDS]].to_numpy().sum())

    incidents = unit["incidents"]
    before = unit["incidents_compare"]
    rows = [
        ("coverage_any", covered(now), covered(then)),
        ("models_operating", operating(now), operating(then)),
        ("models_weak", weak(now), weak(then)),
        ("incidents", np.nan if incidents is None else incidents, np.nan if before is None else before),
        (
            "incidents_per_10k_per_year",
            _number(unit["incidents_per_10k_per_year"]),
            _number(unit["incidents_compare_per_10k_per_year"]),
        ),
    ]
    frame = pd.DataFrame(rows, columns=["figure", "value", "compare"])
    frame["change"] = [_change(v, c) for v, c in zip(frame["value"], frame["compare"])]
    shares = frame["figure"].isin(SHARE_FIGURES)
    frame.loc[shares, "change"] = frame.loc[shares, "value"] - frame.loc[shares, "compare"]
    frame.loc[frame["figure"] == "incidents", "change"] = _number(unit["incidents_change"])
    return frame


def models_table(report: Report) -> pd.DataFrame:
    """Operating models of the unit by kind (rows) × rating, with totals."""
    models = _unit_block(report)["models"]
    frame = pd.DataFrame([[models[k][r] for r in ac.RATINGS] for k in domain.MODEL_KINDS], columns=list(ac.RATINGS))
    frame.insert(0, "kind", list(domain.MODEL_KINDS))
    frame["total"] = frame[list(ac.RATINGS)].sum(axis=1)
    total = {"kind": "total", **{c: int(frame[c].sum()) for c in [*ac.RATINGS, "total"]}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def model_types_table(report: Report) -> pd.DataFrame:
    """Operating models of the unit by kind and named type (:func:`analysis.model_types.types_table`)."""
    operating = report.operating if report.operating is not None else pd.DataFrame(columns=["commune_code"])
    if "model_name" not in operating:
        return model_types.types_table(operating.iloc[0:0])
    mine = operating["commune_code"].astype(str).isin(report.unit.communes).to_numpy()
    return model_types.types_table(operating[mine])


def coverage_table(report: Report) -> pd.DataFrame:
    """Thôn/TDP of the unit covered per kind and by any kind, and those with each grassroots team."""
    unit = _unit_block(report)
    areas = unit["residential_areas"]
    covered = unit["residential_areas_covered"] or {}
    rows = [(k, covered.get(k, np.nan)) for k in (*domain.MODEL_KINDS_CORE, ac.ANY)]
    rows += [
        ("mediation_team", unit["residential_areas_with_mediation_team"]),
        ("security_team", unit["residential_areas_with_security_team"]),
    ]
    frame = pd.DataFrame(rows, columns=["item", "areas_covered"])
    frame["areas_covered"] = pd.to_numeric(frame["areas_covered"], errors="coerce")
    frame["residential_areas"] = np.nan if areas is None else float(areas)
    frame["share"] = [_share(c, areas) for c in frame["areas_covered"]]
    return frame


def below_threshold(report: Report) -> pd.DataFrame:
    """Communes of the unit whose share of thôn/TDP covered by any kind is below the threshold, thinnest first."""
    part = report.communes.loc[list(report.unit.communes)]
    part = part[part["residential_areas"].notna()]
    share = part["covered_any"] / part["residential_areas"]
    frame = pd.DataFrame(
        {
            "code": part.index,
            "name": part["name"].to_numpy(),
            "residential_areas": part["residential_areas"].to_numpy(),
            "covered_any": part["covered_any"].to_numpy(),
            "share": share.to_numpy(),
        }
    )
    for kind in domain.MODEL_KINDS_CORE:
        frame[kind] = (part[f"covered_{kind}"] / part["residential_areas"]).to_numpy()
    frame = frame[frame["share"] < report.request.coverage_threshold]
    return frame.sort_values(["share", "code"]).reset_index(drop=True)


def no_area_list(report: Report) -> pd.DataFrame:
    """Communes of the unit with no list of thôn/TDP in force: coverage is "chưa có dữ liệu" there."""
    part = report.communes.loc[list(report.unit.communes)]
    part = part[part["residential_areas"].isna()]
    return pd.DataFrame({"code": part.index, "name": part["name"].to_numpy()})


def recognitions_table(report: Report) -> pd.DataFrame:
    """Communes and thôn/TDP recognised "An toàn về ANTT" in the recognition year: x of N (N = all)."""
    unit = _unit_block(report)
    if report.unit.kind == "commune":
        value = unit["recognised"]
        communes = (None if value is None else int(value), 1)
    else:
        communes = (unit["communes_recognised"], unit["communes_total"])
    rows = [
        ("communes", *communes),
        ("residential_areas", unit["residential_areas_recognised"], unit["residential_areas"]),
    ]
    frame = pd.DataFrame(rows, columns=["item", "recognised", "total"])
    frame["recognised"] = pd.to_numeric(frame["recognised"], errors="coerce")
    frame["total"] = pd.to_numeric(frame["total"], errors="coerce")
    frame["share"] = [_share(r, t) for r, t in zip(frame["recognised"], frame["total"])]
    frame["year"] = report.recognition_year
    return frame


def _counted(rows: pd.DataFrame, column: str, values: tuple[str, ...]) -> pd.Series:
    found = rows[column].astype(object).where(rows[column].notna(), NO_SEVERITY)
    return found.value_counts().reindex(list(values), fill_value=0)


def incidents_by(data: ind.Datasets, report: Report, column: str) -> pd.DataFrame:
    """Incidents of the unit by ``field`` or ``severity``, this period and the comparison's."""
    values = domain.INCIDENT_FIELDS if column == "field" else (*domain.INCIDENT_SEVERITIES, NO_SEVERITY)
    units = pd.Index(report.unit.communes, dtype=object)
    now = ind.incident_rows(data.incidents, units, report.request.period)
    before = ind.incident_rows(data.incidents, units, report.request.compare_period())
    frame = pd.DataFrame({column: list(values)})
    frame["incidents"] = _counted(now, column, values).to_numpy()
    frame["incidents_compare"] = _counted(before, column, values).to_numpy()
    frame = frame[(frame["incidents"] > 0) | (frame["incidents_compare"] > 0) | frame[column].isin(values[:-1])]
    if column == "severity":
        frame = frame[(frame["incidents"] > 0) | (frame["incidents_compare"] > 0) | (frame[column] != NO_SEVERITY)]
    frame["change"] = [_change(n, b) for n, b in zip(frame["incidents"], frame["incidents_compare"])]
    return frame.reset_index(drop=True)


def flagged(report: Report) -> pd.DataFrame:
    """Communes of the unit whose incidents rose by the stated rule (``Filters.min_baseline``, ``rise_threshold``)."""
    part = report.communes.loc[list(report.unit.communes)]
    part = part[part["incidents_flag"].fillna(False).astype(bool)]
    return pd.DataFrame(
        {
            "code": part.index,
            "name": part["name"].to_numpy(),
            "incidents": part["incidents"].to_numpy(),
            "incidents_compare": part["incidents_prev"].to_numpy(),
            "change": part["incidents_change"].to_numpy(),
        }
    ).sort_values("change", ascending=False, ignore_index=True)


def focus_table(report: Report, registry: Registry) -> pd.DataFrame:
    """Focus areas against the rest ("other": communes in no focus area), over the unit's communes.

    A commune counts in every area it belongs to, so the areas overlap; "other" and the areas
    together cover the unit.
    """
    classes, membership = registry.focus_class(), comparisons.focus_membership(registry)
    membership = comparisons.with_hot_spots(registry, classes, membership, report.request.hot_spots)[1]
    units = pd.Index(report.unit.communes, dtype=object)
    groups = comparisons.focus_groups(registry, units, "membership", membership=membership)
    communes = report.communes
    rows = []
    for group, codes in groups.items():
        part = communes.loc[list(codes)]
        with_list = part["residential_areas"].notna()
        reported = part["incidents"].notna()
        operating = part[[c for c in part.columns if c.startswith("models|")]].to_numpy().sum()
        rows.append(
            {
                "group": group,
                "communes": len(part),
                "residential_areas": part.loc[with_list, "residential_areas"].sum() if with_list.any() else np.nan,
                "coverage_any": _share(
                    part.loc[with_list, "covered_any"].sum(), part.loc[with_list, "residential_areas"].sum()
                ),
                "models_operating": int(operating),
                "incidents": part.loc[reported, "incidents"].sum() if reported.any() else np.nan,
                "incidents_compare": part["incidents_prev"].sum() if part["incidents_prev"].notna().any() else np.nan,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "group",
            "communes",
            "residential_areas",
            "coverage_any",
            "models_operating",
            "incidents",
            "incidents_compare",
        ],
    )
    frame["change"] = [_change(n, b) for n, b in zip(frame["incidents"], frame["incidents_compare"])]
    return frame


def completeness(report: Report, registry: Registry) -> pd.DataFrame:
    """Reported commune-months per former district of the unit, and in all (the last row)."""
    part = report.communes.loc[list(report.unit.communes)]
    if "months_total" not in part:
        return pd.DataFrame(
            columns=["district", "units", "units_not_reported", "months_reported", "months_total", "share"]
        )
    groups = {}
    for code in registry.districts.index:
        members = [c for c in registry.communes_in_districts([code]) if c in part.index]
        if members:
            groups[str(code)] = members
    table = reporting.completeness_table(part, groups)
    names = {str(c): f"{registry.districts.at[c, 'name']} (cũ)" for c in registry.districts.index}
    table.insert(0, "district", [names.get(k, "total") if k is not None else "total" for k in table.index])
    return table.reset_index(drop=True)


def build_tables(report: Report, data: ind.Datasets, registry: Registry) -> dict[str, pd.DataFrame]:
    """Every table of :data:`TABLES`, in order."""
    return {
        "key_figures": key_figures(report),
        "models": models_table(report),
        "model_types": model_types_table(report),
        "coverage": coverage_table(report),
        "below_threshold": below_threshold(report),
        "no_area_list": no_area_list(report),
        "recognitions": recognitions_table(report),
        "incidents_by_field": incidents_by(data, report, "field"),
        "incidents_by_severity": incidents_by(data, report, "severity"),
        "flagged": flagged(report),
        "focus": focus_table(report, registry),
        "completeness": completeness(report, registry),
    }


#: Columns whose values are stored terms, shown through ``enum.<family>.<value>``.
_ENUM_COLUMNS = {"kind": "kind", "field": "field", "severity": "severity"}
#: Columns whose values are the report's own words, shown through ``report.row.<value>``.
_ROW_COLUMNS = ("figure", "item")


def display_table(name: str, frame: pd.DataFrame, lang: str = "vi") -> pd.DataFrame:
    """``frame`` with its headers and word values in ``lang`` (``report.col.*``, ``report.row.*``, ``enum.*``).

    Numbers stay numbers; shares stay fractions (documents format them).
    """
    out = frame.copy()
    for column, family in _ENUM_COLUMNS.items():
        if column in out:
            out[column] = [_enum(family, v, lang) for v in out[column]]
    for column in _ROW_COLUMNS:
        if column in out:
            out[column] = [
                translate(f"enum.kind.{v}" if v in domain.MODEL_KINDS else f"report.row.{v}", lang) for v in out[column]
            ]
    if "group" in out:
        out["group"] = [translate(f"focus.{v}", lang) for v in out["group"]]
    if "district" in out:
        out["district"] = [translate("report.row.total", lang) if v == "total" else v for v in out["district"]]
    out.columns = [_header(c, lang) for c in out.columns]
    return out


def _enum(family: str, value: object, lang: str) -> str:
    if value in ("total", NO_SEVERITY):
        return translate(f"report.row.{'total' if value == 'total' else 'no_severity'}", lang)
    return translate(f"enum.{family}.{value}", lang)


def _header(column: str, lang: str) -> str:
    if column in domain.MODEL_KINDS or column in ac.RATINGS:
        family = "kind" if column in domain.MODEL_KINDS else "assessment"
        return translate(f"enum.{family}.{column}", lang)
    return translate(f"report.col.{column}", lang)
