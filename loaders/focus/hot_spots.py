"""The admin's yearly list of hot-spot communes ("địa bàn trọng điểm, phức tạp về an ninh, trật tự").

Each save of a year's list writes a new version with the whole list, the actor
and the time, in one transaction with its audit entry and a data-version bump.
Nothing is updated or deleted: the list of a year is its newest version, and
every earlier version stays in the history.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.accounts import audit
from loaders.accounts.records import audit_detail
from loaders.core import domain
from loaders.core.i18n import translate
from loaders.store import db
from loaders.store.tables import HOT_SPOT_TEXT_MAX, hot_spot_entries, hot_spot_versions

#: Audit action of a saved list.
ACTION_SAVED = "hot_spots_saved"
#: Years a list may be kept for.
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: Columns of :func:`load_lists` and :func:`load_history`.
LIST_COLUMNS = ["year", "version", "vintage", "commune_code", "reason", "decision", "created_at", "created_by"]


class HotSpotError(ValueError):
    """A list that cannot be saved; the message (Vietnamese) names the row, the column and the value."""


@dataclass(frozen=True)
class HotSpot:
    """One commune of a year's list, with the reason and the decision that named it.

    ``vintage`` is ``domain.VINTAGE_2025`` or ``domain.VINTAGE_LEGACY``: codes are
    reused across vintages, so a code alone does not say which commune is meant.
    """

    commune_code: str
    reason: str
    decision: str
    vintage: str = domain.VINTAGE_2025


def _check(year: int, entries: Sequence[HotSpot], known_codes: Mapping[str, Collection[str]]) -> list[HotSpot]:
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise HotSpotError(translate("hot_spots.error.year", value=year, first=FIRST_YEAR, last=LAST_YEAR))
    seen: set[tuple[str, str]] = set()
    clean = []
    for row, entry in enumerate(entries, start=1):
        code = str(entry.commune_code or "").strip()
        reason, decision = (entry.reason or "").strip(), (entry.decision or "").strip()
        if code not in known_codes.get(entry.vintage, ()):
            raise HotSpotError(translate("hot_spots.error.commune", row=row, value=code))
        if (entry.vintage, code) in seen:
            raise HotSpotError(translate("hot_spots.error.duplicate", row=row, value=code))
        for column, text in (("reason", reason), ("decision", decision)):
            if not text:
                raise HotSpotError(
                    translate("hot_spots.error.required", row=row, column=translate(f"hot_spots.{column}"))
                )
            if len(text) > HOT_SPOT_TEXT_MAX:
                raise HotSpotError(
                    translate(
                        "hot_spots.error.too_long",
                        row=row,
                        column=translate(f"hot_spots.{column}"),
                        limit=HOT_SPOT_TEXT_MAX,
                    )
                )
        seen.add((entry.vintage, code))
        clean.append(HotSpot(code, reason, decision, entry.vintage))
    return clean


def save_list(
    engine: Engine,
    year: int,
    entries: Sequence[HotSpot],
    known_codes: Mapping[str, Collection[str]],
    actor: str,
    address: str | None = None,
    note: str = "",
) -> int:
    """Save ``entries`` as the new list of ``year`` (an empty list clears the year) and audit it.

    Parameters
    ----------
    known_codes : mapping
        Vintage -> the commune codes a list may name in it (the registry's).
    actor, address : str
        Who saves, and from where (audit log).

    Returns
    -------
    int
        The new version number of the year's list (1 for the first).

    Raises
    ------
    HotSpotError
        A year out of range, an unknown or repeated commune, a missing or too long reason or decision.
    """
    clean = _check(year, entries, known_codes)
    with engine.begin() as conn:
        last = conn.execute(
            sa.select(sa.func.max(hot_spot_versions.c.version)).where(hot_spot_versions.c.year == int(year))
        ).scalar()
        version = int(last or 0) + 1
        version_id = conn.execute(
            hot_spot_versions.insert().values(
                year=int(year),
                version=version,
                created_at=db.utcnow(),
                created_by=audit.user_label(actor),
                note=note or None,
            )
        ).inserted_primary_key[0]
        if clean:
            conn.execute(
                hot_spot_entries.insert(),
                [
                    {
                        "version_id": version_id,
                        "commune_code": e.commune_code,
                        "vintage": e.vintage,
                        "reason": e.reason,
                        "decision": e.decision,
                    }
                    for e in clean
                ],
            )
        audit.record_event(
            conn,
            actor,
            ACTION_SAVED,
            audit_detail(year=int(year), version=version, communes=[f"{e.vintage}:{e.commune_code}" for e in clean]),
            address,
        )
        db.bump_data_version(conn)
    return version


def _frame(conn: Connection, where: sa.ColumnElement[bool] | None) -> pd.DataFrame:
    v, e = hot_spot_versions, hot_spot_entries
    query = (
        sa.select(
            v.c.year,
            v.c.version,
            e.c.vintage,
            e.c.commune_code,
            e.c.reason,
            e.c.decision,
            v.c.created_at,
            v.c.created_by,
        )
        .select_from(v.outerjoin(e, e.c.version_id == v.c.id))
        .order_by(v.c.year, v.c.version.desc(), e.c.vintage, e.c.commune_code)
    )
    if where is not None:
        query = query.where(where)
    return pd.DataFrame(conn.execute(query).fetchall(), columns=LIST_COLUMNS)


def load_lists(conn: Connection | Engine) -> pd.DataFrame:
    """The list in force for every year: the newest version of each year, one row per commune.

    Returns
    -------
    pd.DataFrame
        :data:`LIST_COLUMNS`, sorted by year and commune code. A year whose newest
        version is empty has no rows.
    """
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return load_lists(c)
    v = hot_spot_versions
    newest = sa.select(v.c.year, sa.func.max(v.c.version).label("version")).group_by(v.c.year).subquery()
    ids = sa.select(v.c.id).join(newest, (v.c.year == newest.c.year) & (v.c.version == newest.c.version))
    frame = _frame(conn, v.c.id.in_(ids))
    return frame.dropna(subset=["commune_code"]).sort_values(["year", "vintage", "commune_code"]).reset_index(drop=True)


def load_history(conn: Connection | Engine, year: int) -> pd.DataFrame:
    """Every version of ``year``'s list, newest first; an emptied version keeps one row without a commune."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return load_history(c, year)
    return _frame(conn, hot_spot_versions.c.year == int(year))


def codes_for_year(lists: pd.DataFrame, year: int) -> tuple[tuple[str, str], ...]:
    """``(vintage, commune code)`` of the list of ``year`` (from :func:`load_lists`); empty if none.

    A year has only its own list: the list of an earlier year does not carry over,
    since each year's list is decided anew.
    """
    rows = lists.loc[lists["year"] == int(year), ["vintage", "commune_code"]].astype(str)
    return tuple(sorted(zip(rows["vintage"], rows["commune_code"])))
