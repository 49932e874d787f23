"""The audit log: appending entries, and reading them filtered and shaped for export.

The log is append-only. Entries are written only by :func:`record_event`,
inside the transaction of the change they describe. There is deliberately no
function here, or anywhere else, that updates or deletes an entry.

Dates in filters are calendar days in the server's local time zone (the
province's, UTC+7 in production), inclusive at both ends; times in the
returned frames are timezone-aware in that zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.core.i18n import translate
from loaders.store.db import utcnow
from loaders.store.tables import USER_NAME_MAX, events

EVENT_COLUMNS = ["id", "at", "user_name", "action", "detail", "address"]
DEFAULT_LIMIT = 5000


def user_label(name: str) -> str:
    """A user name cut to the store's column width: PostgreSQL refuses longer text, SQLite would keep it."""
    return name[:USER_NAME_MAX]


def record_event(conn: Connection, user_name: str, action: str, detail: str = "", address: str | None = None) -> None:
    """Append one audit-log entry in the caller's transaction.

    Names and addresses are cut to their column widths: PostgreSQL refuses longer
    text, and an audit write must never be the reason an action fails.
    """
    conn.execute(
        events.insert().values(
            at=utcnow(),
            user_name=user_label(user_name),
            action=action[:40],
            detail=detail,
            address=address[:100] if address else address,
        )
    )


def local_zone() -> tzinfo:
    """The server's local time zone (what the people reading the log live in)."""
    return datetime.now().astimezone().tzinfo


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def query_events(
    engine: Engine,
    *,
    users: Sequence[str] = (),
    actions: Sequence[str] = (),
    start: date | None = None,
    end: date | None = None,
    text: str = "",
    limit: int | None = DEFAULT_LIMIT,
    zone: tzinfo | None = None,
) -> pd.DataFrame:
    """Audit-log entries matching every given filter, newest first.

    Parameters
    ----------
    users, actions
        Keep only these user names / actions (empty: all).
    start, end
        First and last calendar day, inclusive, in ``zone``.
    text
        Keep entries whose detail or address contains this text (case-insensitive).
    limit
        At most this many entries (the newest); ``None`` for all.
    zone
        Time zone of the days and of the returned times (default :func:`local_zone`).

    Returns
    -------
    pd.DataFrame
        Columns :data:`EVENT_COLUMNS`; ``at`` timezone-aware in ``zone``.
    """
    zone = zone or local_zone()
    ev = events
    query = sa.select(*(ev.c[c] for c in EVENT_COLUMNS))
    if users:
        query = query.where(ev.c.user_name.in_(list(users)))
    if actions:
        query = query.where(ev.c.action.in_(list(actions)))
    if start is not None:
        query = query.where(ev.c.at >= _as_stored(_day_start(start, zone), engine))
    if end is not None:
        query = query.where(ev.c.at < _as_stored(_day_start(end + timedelta(days=1), zone), engine))
    if text.strip():
        pattern = f"%{_escape_like(text.strip().lower())}%"
        query = query.where(
            sa.or_(
                sa.func.lower(ev.c.detail).like(pattern, escape="\\"),
                sa.func.lower(ev.c.address).like(pattern, escape="\\"),
                sa.func.lower(ev.c.user_name).like(pattern, escape="\\"),
            )
        )
    query = query.order_by(ev.c.at.desc(), ev.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=EVENT_COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_convert(zone)
    return frame


def _as_stored(moment: datetime, engine: Engine) -> datetime:
    # SQLite compares the stored text: it holds naive UTC, so compare with naive UTC.
    utc = moment.astimezone(utcnow().tzinfo)
    return utc.replace(tzinfo=None) if engine.dialect.name == "sqlite" else utc


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def distinct_values(engine: Engine, column: str) -> list[str]:
    """The user names (``column="user_name"``) or actions (``"action"``) present in the log, sorted."""
    if column not in ("user_name", "action"):
        raise KeyError(column)
    col = events.c[column]
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(sa.select(col).distinct().order_by(col)).all()]


def export_frame(events: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The log as a table for CSV/XLSX export: translated headers, local times as text, translated actions.

    Parameters
    ----------
    events
        A frame from :func:`query_events`.
    lang
        Language of the headers and action names.
    """

    def action_label(action: str) -> str:
        label = translate(f"audit.action.{action}", lang)
        return action if label == f"audit.action.{action}" else label

    return pd.DataFrame(
        {
            translate("audit.col.id", lang): events["id"].to_numpy(),
            translate("audit.col.at", lang): events["at"].map(lambda v: v.isoformat(timespec="seconds")).to_numpy(),
            translate("audit.col.user", lang): events["user_name"].to_numpy(),
            translate("audit.col.action", lang): events["action"].map(action_label).to_numpy(),
            translate("audit.col.code", lang): events["action"].to_numpy(),
            translate("audit.col.detail", lang): events["detail"].fillna("").to_numpy(),
            translate("audit.col.address", lang): events["address"].fillna("").to_numpy(),
        }
    )
