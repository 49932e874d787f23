"""What the residential-areas dataset adds to validation: area keys, kinds and the legacy commune.

An area (thôn, tổ dân phố) belongs to one 2025 commune and, before 1 July
2025, to one legacy commune. The legacy commune comes from the optional "Xã
cũ" column, which must name a legacy commune inside the row's 2025 commune;
without it, from the row's own commune reference when that names a legacy
commune (a list of a year before 2025), or from the crosswalk when the 2025
commune was formed from one legacy commune only; otherwise it stays unknown
(NULL), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.geo.areas import area_key, area_kind_of
from loaders.geo.resolve import STATUS_AMBIGUOUS, STATUS_RESOLVED
from loaders.ingest.enums import YES

#: ``legacy_members(code_2025)`` -> the legacy communes whose area lies in it (``Registry.legacy_members``).
LegacyMembers = Callable[[str], Sequence[str]]

#: Why a "Xã cũ" was refused, per row: its error code (empty when accepted or blank).
LEGACY_NOT_FOUND = "legacy_commune_not_found"
LEGACY_ELSEWHERE = "legacy_commune_elsewhere"
_CODE = re.compile(r"mã (\d{5})")


def add_area_columns(work: pd.DataFrame, kind_given: pd.Series) -> None:
    """Add ``area_key`` and fill a blank ``loai_khu_dan_cu`` from the name ("Thôn 3" is a thôn).

    Each distinct name is keyed once. ``kind_given`` marks the rows whose kind
    cell was written: a written kind that is not one stays missing, for its check.
    """
    codes, uniques = pd.factorize(work["thon_tdp"])
    keys = np.array([area_key(u) or None for u in uniques] + [None], dtype=object)
    kinds = np.array([area_kind_of(u) for u in uniques] + [None], dtype=object)
    slot = np.where(codes < 0, len(uniques), codes)
    work["area_key"] = pd.Series(keys[slot], index=work.index).astype("str")
    guessed = pd.Series(kinds[slot], index=work.index)
    keep = work["loai_khu_dan_cu"].notna() | kind_given.to_numpy()
    work["loai_khu_dan_cu"] = work["loai_khu_dan_cu"].where(keep, guessed).astype("str")


def place_legacy(
    raw: pd.DataFrame,
    work: pd.DataFrame,
    resolved: pd.DataFrame,
    resolver: Callable[..., pd.DataFrame],
    legacy_members: LegacyMembers | None,
) -> None:
    """Set ``resolved["legacy_code"]`` for every row and ``work["legacy_problem"]`` (error code or "").

    Parameters
    ----------
    raw : pandas.DataFrame
        The cells as written (``xa_cu``, ``huyen_cu``).
    work : pandas.DataFrame
        With ``commune_code`` (2025, NA when unresolved).
    resolved : pandas.DataFrame
        The resolver's answer for the row's commune reference; its ``legacy_code``
        is replaced by the placement.
    resolver : callable
        ``Registry.resolve_frame``; "Xã cũ" is resolved in the legacy vintage.
    legacy_members : callable or None
        ``Registry.legacy_members``; without it the single-member rule is skipped.
    """
    n = len(work)
    commune = work["commune_code"].astype("object").where(work["commune_code"].notna(), None).to_numpy()
    # A row that names its legacy commune itself (a list before 2025) is in that one, split or not.
    legacy = resolved["legacy_code"].to_numpy(dtype=object, na_value=None).copy()
    given = (raw["xa_cu"] != "").to_numpy()
    if legacy_members is not None:
        # Asked once per commune, and only for rows that neither name nor write their legacy commune.
        single: dict[str, str | None] = {}
        for i in np.flatnonzero(pd.isna(legacy) & ~given):
            code = commune[i]
            if code is None:
                continue
            if code not in single:
                members = list(legacy_members(code))
                single[code] = members[0] if len(members) == 1 else None
            legacy[i] = single[code]
    problem = np.full(n, "", dtype=object)
    if given.any():
        rows = np.flatnonzero(given)
        refs = pd.DataFrame({"n": raw["xa_cu"].iloc[rows].tolist(), "d": raw["huyen_cu"].iloc[rows].tolist()})
        distinct = refs.drop_duplicates().reset_index(drop=True)
        found = resolver(
            [None] * len(distinct),
            distinct["n"].tolist(),
            [d or None for d in distinct["d"]],
            vintage=[domain.VINTAGE_LEGACY] * len(distinct),
        ).reset_index(drop=True)
        answer_columns = ["status", "code", "legacy_code", "candidates"]
        answers = dict(zip(distinct.itertuples(index=False, name=None), found[answer_columns].itertuples(index=False)))
        for i, ref in zip(rows, refs.itertuples(index=False)):
            status, code, legacy_code, candidates = answers[(ref.n, ref.d)]
            if status == STATUS_AMBIGUOUS and commune[i] is not None:
                # Within the row's 2025 commune, the name may be one legacy commune only ("Thach Ha").
                inside = _candidates_inside(candidates, commune[i])
                if len(inside) == 1:
                    status, code, legacy_code = STATUS_RESOLVED, commune[i], inside[0]
            if status != STATUS_RESOLVED or pd.isna(legacy_code):
                problem[i] = LEGACY_NOT_FOUND
                legacy[i] = None
            elif commune[i] is None:
                legacy[i] = None  # the row is rejected for its commune already
            elif code == commune[i] or f"mã {commune[i]}" in str(candidates or ""):
                # A split legacy commune lists every 2025 commune it went to among its candidates.
                legacy[i] = legacy_code
            else:
                problem[i] = LEGACY_ELSEWHERE
                legacy[i] = None
    # Kept in the resolver's own text dtype: the bulk writer binds that form, not Python objects.
    resolved["legacy_code"] = pd.Series(legacy, index=resolved.index, dtype=resolved["legacy_code"].dtype)
    work["legacy_problem"] = pd.Series(problem, index=work.index, dtype="object")


def _candidates_inside(candidates: object, commune: str) -> list[str]:
    """The legacy codes among an ambiguous answer's candidates that went to ``commune``.

    Each candidate reads "<legacy unit> (<district>, mã <legacy code>) → <2025 unit> (mã <2025 code>)".
    """
    found = []
    for part in str(candidates or "").split("; "):
        codes = _CODE.findall(part)
        if len(codes) == 2 and codes[1] == commune:
            found.append(codes[0])
    return sorted(set(found))


def residential_checks(add: Callable[[str, str, Callable[[pd.Series], pd.Series]], None], work: pd.DataFrame) -> None:
    """The dataset's own row checks (each name is its error code)."""
    problem = work["legacy_problem"]
    add("xa_cu", LEGACY_NOT_FOUND, lambda s: problem != LEGACY_NOT_FOUND)
    add("xa_cu", LEGACY_ELSEWHERE, lambda s: problem != LEGACY_ELSEWHERE)
    for column in ("so_ho", "so_nhan_khau", "so_tv_hoa_giai", "so_tv_bao_ve"):
        add(column, "negative", lambda s: ~(s < 0).fillna(False))
    # The grassroots security teams exist from 1 July 2024 (Law 30/2023/QH15).
    first_year = domain.SECURITY_TEAMS_DATE.year
    has_team = work["co_to_bao_ve"] == YES
    add("co_to_bao_ve", "security_team_too_early", lambda s: ~(has_team & (work["nam"] < first_year)).fillna(False))
