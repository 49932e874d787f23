"""The checks of an upload: one pandera schema of vectorised rules.

Each check's name is its error code; :func:`run_schema` runs them all lazily
and returns, per failed check, the positions of the failing rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import shapely

from loaders.core import domain
from loaders.geo.resolve import STATUS_AMBIGUOUS, STATUS_NOT_FOUND
from loaders.ingest.datasets import DATE, ENUM, FLOAT, INT, get_dataset
from loaders.ingest.residential import residential_checks
from loaders.ingest.run import ValidationRun


def build_schema(
    ctx: ValidationRun,
    work: pd.DataFrame,
    resolved: pd.DataFrame,
    dup_first: pd.Series,
    in_store: pd.Series,
    polygon: Any | None,
) -> pa.DataFrameSchema:
    """One vectorised check per rule; each check's name is its error code.

    Checks that compare columns read the other columns from the frame being
    validated through closures; all return a boolean Series, True = valid.
    """
    spec = get_dataset(ctx.dataset)
    raw = ctx.raw
    checks: dict[str, list[pa.Check]] = {c.name: [] for c in spec.columns}

    def add(column: str, code: str, fn: Callable[[pd.Series], pd.Series]) -> None:
        # n_failure_cases=1: failing rows are read from the check output, see run_schema.
        checks[column].append(pa.Check(fn, name=code, ignore_na=False, n_failure_cases=1))

    for col in spec.columns:
        given = raw[col.name] != ""
        if col.required:
            add(col.name, "required", lambda s, g=given: g)
        if col.kind == ENUM:
            add(col.name, "enum", lambda s, g=given: ~g | s.notna())
        elif col.kind == DATE:
            add(col.name, "date_format", lambda s, g=given: ~g | s.notna())
            today = pd.Timestamp(ctx.today)
            earliest = pd.Timestamp(domain.EARLIEST_DATE)
            add(col.name, "date_future", lambda s, t=today: ~(s > t).fillna(False))
            add(col.name, "date_too_early", lambda s, e=earliest: ~(s < e).fillna(False))
        elif col.kind in (INT, FLOAT):
            add(col.name, "number_format", lambda s, g=given: ~g | s.notna())
            if col.kind == INT:
                add(col.name, "integer", lambda s: s.isna() | (s % 1 == 0))
    commune_given = (raw["ma_xa"] != "") | (raw["ten_xa"] != "")
    add("ten_xa", "commune_required", lambda s: commune_given)
    status = resolved["status"]
    add("ten_xa", "commune_not_found", lambda s: status != STATUS_NOT_FOUND)
    add("ten_xa", "commune_ambiguous", lambda s: status != STATUS_AMBIGUOUS)
    if "vi_do" in checks:
        lat_given, lon_given = raw["vi_do"] != "", raw["kinh_do"] != ""
        add("vi_do", "coord_pair", lambda s: lat_given == lon_given)
        if polygon is not None:
            within = inside(polygon, work["kinh_do"], work["vi_do"])
            add("vi_do", "coord_outside", lambda s: within)
    latest = ctx.today.year
    if ctx.dataset == domain.DATASET_MODELS:
        _model_checks(add, work)
        add("so_thanh_vien", "negative", lambda s: ~(s < 0).fillna(False))
        add("nam_danh_gia", "year_range", lambda s: s.isna() | s.between(domain.EARLIEST_DATE.year, latest))
        if "area_unknown" in work:
            add("thon_tdp", "area_not_found", lambda s: ~work["area_unknown"])
    if ctx.dataset == domain.DATASET_RECOGNITIONS:
        add("nam", "year_range", lambda s: s.isna() | s.between(domain.EARLIEST_DATE.year, latest))
        needs_name = work["loai_don_vi"].notna() & (work["loai_don_vi"] != domain.UNIT_TYPE_COMMUNE)
        add("ten_don_vi", "unit_name_required", lambda s: ~needs_name | (raw["ten_don_vi"] != ""))
    if ctx.dataset == domain.DATASET_RESIDENTIAL_AREAS:
        add("nam", "year_range", lambda s: s.isna() | s.between(domain.EARLIEST_DATE.year, latest))
        residential_checks(add, work)
    add(spec.key_column, "duplicate_in_file", lambda s: dup_first.isna())
    add(spec.key_column, "duplicate_in_store", lambda s: ~in_store)
    return pa.DataFrameSchema(
        {name: pa.Column(checks=cs, nullable=True, required=True) for name, cs in checks.items()},
        strict=False,
        coerce=False,
    )


def _model_checks(add: Callable[[str, str, Callable[[pd.Series], pd.Series]], None], work: pd.DataFrame) -> None:
    dissolved = work["trang_thai"] == domain.STATUS_DISSOLVED
    status_known = work["trang_thai"].notna()
    founded = work["ngay_thanh_lap"]
    # A dissolved model carries its dissolution date; a date on a
    # model that is not dissolved contradicts its status.
    add("ngay_giai_the", "dissolved_without_date", lambda s: ~(dissolved.fillna(False) & s.isna()))
    add("ngay_giai_the", "dissolution_date_not_dissolved", lambda s: s.isna() | ~status_known | dissolved.fillna(False))
    add("ngay_giai_the", "dissolved_before_founded", lambda s: ~(s < founded).fillna(False))
    # A suspension date is optional (files before it existed give none), but it belongs to a
    # suspended record only: a later year's record of the reopened model says "đang hoạt động".
    suspended = work["trang_thai"] == domain.STATUS_SUSPENDED
    add("ngay_tam_dung", "suspension_date_not_suspended", lambda s: s.isna() | ~status_known | suspended.fillna(False))
    add("ngay_tam_dung", "suspended_before_founded", lambda s: ~(s < founded).fillna(False))


def inside(polygon: Any, lon: pd.Series, lat: pd.Series) -> pd.Series:
    """True where the point is inside ``polygon`` or either coordinate is missing."""
    shapely.prepare(polygon)
    both = (lon.notna() & lat.notna()).to_numpy()
    inside = np.ones(len(lon), dtype=bool)
    if both.any():
        inside[both] = shapely.contains_xy(polygon, lon.to_numpy()[both], lat.to_numpy()[both])
    return pd.Series(inside, index=lon.index)


def run_schema(schema: pa.DataFrameSchema, work: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """Run every check lazily; return ``(field, code, failing positions)`` per failed check.

    The positions come from each failed check's boolean output, which pandera
    keeps on its ``SchemaError``: that is exact and vectorised, whereas
    pandera's per-value failure-case table costs microseconds per failure
    (a minute for a file where every row is wrong), hence
    ``n_failure_cases=1`` on the checks.
    """
    try:
        schema.validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out = []
        for err in exc.schema_errors:
            if err.check is None or err.check_output is None:
                raise  # a schema-level problem (missing column) is a bug here, not bad data
            passed = np.asarray(err.check_output, dtype=bool)
            out.append((str(err.schema.name), str(err.check.name), np.flatnonzero(~passed)))
        return out
    return []
