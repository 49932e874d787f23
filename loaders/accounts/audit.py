"""The audit log: appending entries, and reading them filtered and shaped for export.

The log is append-only. Entries are written only by :func:`record_event`,
inside the transaction of the change they describe. There is deliberately no
function here, or anywhere else, that updates or deletes an entry.

Dates in filters are calendar days in the server's local time zone (the
province's, UTC+7 in production), inclusive at both ends; times in the
returned frames are timezone-aware in that zone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from loaders.core.clock import VIETNAM_TZ, format_datetime
from loaders.core.i18n import translate
from loaders.store.db import utcnow
from loaders.store.tables import USER_NAME_MAX, events

EVENT_COLUMNS = ["id", "at", "user_name", "action", "detail", "address"]
#: Entries per page of the audit-log page.
PAGE_SIZE = 100

#: The user name of failed sign-ins under names no account has: the typed name goes to the detail,
#: so invented names neither spread over the user column nor choose what it says.
UNKNOWN_USER = "(không rõ)"
#: Longest typed name kept in a failure's detail.
ATTEMPTED_NAME_CHARS = 64
ACTION_SIGN_IN_FAILED = "sign_in_failed"
#: One summarising entry when an address (or everyone together) exceeds the failure budget.
ACTION_SIGN_IN_FAILED_THROTTLED = "sign_in_failed_throttled"
#: The window of the failure budgets.
THROTTLE_WINDOW = timedelta(minutes=1)
#: Failed sign-ins recorded one by one per address and window; then one summary, then none until the window moves.
FAILURES_PER_ADDRESS = 20
#: The same budget for all addresses together (many addresses, or none known).
FAILURES_OVERALL = 200


def user_label(name: str) -> str:
    """A user name cut to the store's column width: PostgreSQL refuses longer text, SQLite would keep it."""
    return name[:USER_NAME_MAX]


def record_event(
    conn: Connection,
    user_name: str,
    action: str,
    detail: str = "",
    address: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one audit-log entry in the caller's transaction (``at``: now unless a test moves the clock).

    Names and addresses are cut to their column widths: PostgreSQL refuses longer
    text, and an audit write must never be the reason an action fails.
    """
    conn.execute(
        events.insert().values(
            at=at or utcnow(),
            user_name=user_label(user_name),
            action=action[:40],
            detail=detail,
            address=address[:100] if address else address,
        )
    )


def record_sign_in_failure(
    conn: Connection,
    attempted: str,
    fields: dict[str, object],
    address: str | None,
    *,
    known: bool,
    now: datetime | None = None,
) -> bool:
    """Append a failed sign-in within the failure budgets; whether an entry was written.

    Parameters
    ----------
    attempted
        The name as typed (or the identity the provider gave).
    fields
        The detail's fields (the reason); the attempted name is added for unknown names.
    known
        Whether ``attempted`` is an existing account. Otherwise the entry is
        recorded under :data:`UNKNOWN_USER`, with the name (cut to
        :data:`ATTEMPTED_NAME_CHARS`) in the JSON detail.
    now
        The clock (tests move it).

    Notes
    -----
    At most :data:`FAILURES_PER_ADDRESS` entries per address and
    :data:`FAILURES_OVERALL` in all are written per :data:`THROTTLE_WINDOW`;
    the first failure over a budget writes one
    :data:`ACTION_SIGN_IN_FAILED_THROTTLED` entry instead, later ones
    nothing. The lockout counts attempts elsewhere (:mod:`loaders.accounts.throttle`),
    so this never lets a guess through; it only keeps a flood out of the log.
    """
    now = now or utcnow()
    since = _as_stored(now - THROTTLE_WINDOW, conn.dialect.name)
    failures = sa.and_(
        events.c.action.in_([ACTION_SIGN_IN_FAILED, ACTION_SIGN_IN_FAILED_THROTTLED]), events.c.at >= since
    )
    key = address[:100] if address else None
    from_address = events.c.address == key if key is not None else events.c.address.is_(None)
    budgets = ((from_address, FAILURES_PER_ADDRESS, "address"), (sa.true(), FAILURES_OVERALL, "overall"))
    for where, budget, scope in budgets:
        recent = conn.execute(sa.select(sa.func.count()).select_from(events).where(failures, where)).scalar()
        if recent > budget:
            return False
        if recent == budget:
            summary = {"scope": scope, "limit": budget, "window_seconds": int(THROTTLE_WINDOW.total_seconds())}
            record_event(conn, UNKNOWN_USER, ACTION_SIGN_IN_FAILED_THROTTLED, _json(summary), address, now)
            return True
    if not known:
        fields = {**fields, "name": attempted[:ATTEMPTED_NAME_CHARS]}
    record_event(conn, attempted if known else UNKNOWN_USER, ACTION_SIGN_IN_FAILED, _json(fields), address, now)
    return True


def _json(fields: dict[str, object]) -> str:
    return json.dumps(fields, ensure_ascii=False, default=str)


def local_zone() -> tzinfo:
    """Vietnam's time zone, what the people reading the log live in, whatever the server's zone."""
    return VIETNAM_TZ


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


@dataclass(frozen=True, kw_only=True)
class EventFilter:
    """Which audit-log entries to show: every given condition must hold (empty or ``None``: no condition).

    Attributes
    ----------
    users, actions
        Keep only these user names / actions.
    user_text
        Keep entries whose user name contains this text (case-insensitive).
    start, end
        First and last calendar day, inclusive, in ``zone``.
    text
        Keep entries whose detail, address or user name contains this text (case-insensitive).
    zone
        Time zone of the days and of returned times (default :func:`local_zone`).
    """

    users: Sequence[str] = ()
    user_text: str = ""
    actions: Sequence[str] = ()
    start: date | None = None
    end: date | None = None
    text: str = ""
    zone: tzinfo | None = None

    def time_zone(self) -> tzinfo:
        """The zone of the days and times: :attr:`zone`, else the local zone."""
        return self.zone or local_zone()


def _conditions(dialect: str, where: EventFilter) -> list[sa.ColumnElement[bool]]:
    ev = events
    zone = where.time_zone()
    conditions: list[sa.ColumnElement[bool]] = []
    if where.users:
        conditions.append(ev.c.user_name.in_(list(where.users)))
    if where.user_text.strip():
        conditions.append(sa.func.lower(ev.c.user_name).like(_contains(where.user_text), escape="\\"))
    if where.actions:
        conditions.append(ev.c.action.in_(list(where.actions)))
    if where.start is not None:
        conditions.append(ev.c.at >= _as_stored(_day_start(where.start, zone), dialect))
    if where.end is not None:
        conditions.append(ev.c.at < _as_stored(_day_start(where.end + timedelta(days=1), zone), dialect))
    if where.text.strip():
        pattern = _contains(where.text)
        conditions.append(
            sa.or_(
                sa.func.lower(ev.c.detail).like(pattern, escape="\\"),
                sa.func.lower(ev.c.address).like(pattern, escape="\\"),
                sa.func.lower(ev.c.user_name).like(pattern, escape="\\"),
            )
        )
    return conditions


def _contains(text: str) -> str:
    return f"%{_escape_like(text.strip().lower())}%"


def query_events(
    engine: Engine, where: EventFilter | None = None, *, limit: int | None = None, offset: int = 0
) -> pd.DataFrame:
    """Audit-log entries matching ``where`` (default: all), newest first.

    Parameters
    ----------
    where
        The conditions; see :class:`EventFilter`.
    limit, offset
        One page: skip ``offset`` entries, then at most ``limit``; ``limit=None`` (default) for all.

    Returns
    -------
    pd.DataFrame
        Columns :data:`EVENT_COLUMNS`; ``at`` timezone-aware in the filter's zone.
    """
    where = where or EventFilter()
    query = sa.select(*(events.c[c] for c in EVENT_COLUMNS)).where(*_conditions(engine.dialect.name, where))
    query = query.order_by(events.c.at.desc(), events.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=EVENT_COLUMNS)
    frame["id"] = frame["id"].astype("int64")
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_convert(where.time_zone())
    return frame


def count_events(engine: Engine, where: EventFilter | None = None) -> int:
    """How many entries :func:`query_events` gives for ``where`` without a limit."""
    conditions = _conditions(engine.dialect.name, where or EventFilter())
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(events).where(*conditions)).scalar())


def _as_stored(moment: datetime, dialect: str) -> datetime:
    # SQLite compares the stored text: it holds naive UTC, so compare with naive UTC.
    utc = moment.astimezone(utcnow().tzinfo)
    return utc.replace(tzinfo=None) if dialect == "sqlite" else utc


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
    """The log as a table for CSV/XLSX export: translated headers, Vietnam times as text, translated actions.

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
            translate("audit.col.at", lang): events["at"].map(format_datetime).to_numpy(),
            translate("audit.col.user", lang): events["user_name"].to_numpy(),
            translate("audit.col.action", lang): events["action"].map(action_label).to_numpy(),
            translate("audit.col.code", lang): events["action"].to_numpy(),
            translate("audit.col.detail", lang): events["detail"].fillna("").to_numpy(),
            translate("audit.col.address", lang): events["address"].fillna("").to_numpy(),
        }
    )
