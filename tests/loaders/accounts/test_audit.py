"""Reading the audit log: filters, time zones, export frame, and that nothing can change it."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.accounts import audit
from loaders.store import db, tables

ROOT = Path(__file__).resolve().parents[3]
UTC7 = timezone(timedelta(hours=7))


def add(engine, at: datetime, user: str, action: str, detail: str = "", address: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(
            tables.events.insert().values(at=at, user_name=user, action=action, detail=detail, address=address)
        )


@pytest.fixture
def log(db_url: str):
    engine = db.get_engine(db_url)
    add(engine, datetime(2025, 3, 1, 2, 0, tzinfo=UTC), "an", "sign_in", '{"method": "password"}', "10.0.0.1")
    # 18:30 UTC on 1 March is already 2 March in Ha Tinh (UTC+7).
    add(engine, datetime(2025, 3, 1, 18, 30, tzinfo=UTC), "binh", "export", "bang_50%_xa.csv")
    add(engine, datetime(2025, 3, 5, 9, 0, tzinfo=UTC), "an", "import", '{"dataset": "models"}')
    add(
        engine,
        datetime(2025, 3, 9, 9, 0, tzinfo=UTC),
        "?",
        "sign_in_failed",
        '{"reason": "unknown_user"}',
        "203.0.113.9",
    )
    return engine


def test_everything_newest_first_with_local_times(log) -> None:
    frame = audit.query_events(log, zone=UTC7)
    assert list(frame.columns) == audit.EVENT_COLUMNS
    assert list(frame["action"]) == ["sign_in_failed", "import", "export", "sign_in"]
    assert frame["at"].iloc[2] == pd.Timestamp("2025-03-02 01:30", tz=UTC7)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"users": ["an"]}, ["import", "sign_in"]),
        ({"actions": ["sign_in", "sign_in_failed"]}, ["sign_in_failed", "sign_in"]),
        ({"users": ["an"], "actions": ["export"]}, []),
        ({"start": date(2025, 3, 2), "end": date(2025, 3, 2)}, ["export"]),
        ({"start": date(2025, 3, 1), "end": date(2025, 3, 1)}, ["sign_in"]),
        ({"start": date(2025, 3, 5)}, ["sign_in_failed", "import"]),
        ({"end": date(2025, 3, 4)}, ["export", "sign_in"]),
        ({"text": "203.0.113"}, ["sign_in_failed"]),
        ({"text": "MODELS"}, ["import"]),
        ({"text": "50%"}, ["export"]),
        ({"text": "%"}, ["export"]),  # a LIKE wildcard typed by the admin is matched literally
        ({"text": "_"}, ["sign_in_failed", "export"]),
        ({"limit": 1}, ["sign_in_failed"]),
    ],
)
def test_filters(log, filters: dict, expected: list[str]) -> None:
    assert list(audit.query_events(log, zone=UTC7, **filters)["action"]) == expected


def test_distinct_values_for_the_filter_widgets(log) -> None:
    assert audit.distinct_values(log, "user_name") == ["?", "an", "binh"]
    assert audit.distinct_values(log, "action") == ["export", "import", "sign_in", "sign_in_failed"]
    with pytest.raises(KeyError):
        audit.distinct_values(log, "detail")


def test_empty_log_gives_an_empty_frame_with_the_columns() -> None:
    frame = audit.query_events(db.get_engine())
    assert frame.empty
    assert list(frame.columns) == audit.EVENT_COLUMNS


@pytest.mark.parametrize(("lang", "header", "label"), [("vi", "Hành động", "Xuất dữ liệu"), ("en", "Action", "Export")])
def test_export_frame_translates_headers_and_actions(log, lang: str, header: str, label: str) -> None:
    table = audit.export_frame(audit.query_events(log, zone=UTC7), lang)
    assert len(table.columns) == 7
    assert label in set(table[header])
    at_column = table.columns[1]
    assert table[at_column].iloc[0] == "2025-03-09T16:00:00+07:00"
    assert table.isna().sum().sum() == 0


def test_export_frame_keeps_unknown_actions_as_their_code() -> None:
    events = pd.DataFrame(
        {
            "id": [1],
            "at": [pd.Timestamp("2025-01-01", tz="UTC")],
            "user_name": ["x"],
            "action": ["something_new"],
            "detail": [None],
            "address": [None],
        }
    )
    assert audit.export_frame(events, "vi").iloc[0, 3] == "something_new"


def test_no_code_updates_or_deletes_the_log() -> None:
    """The log is append-only: no module or page issues an UPDATE or DELETE on the events table."""
    offenders = []
    for path in [*ROOT.glob("loaders/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"events\.(update|delete)\(|(UPDATE|DELETE\s+FROM)\s+events\b", text, re.IGNORECASE):
            offenders.append(path.name)
    assert offenders == []
    public = [
        node.name
        for node in ast.parse((ROOT / "loaders" / "accounts" / "audit.py").read_text()).body
        if isinstance(node, ast.FunctionDef)
    ]
    assert not [name for name in public if re.search(r"delete|update|remove|purge|edit|clear", name)]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET detail = 'changed'",
        "DELETE FROM events",
    ],
)
def test_the_database_itself_refuses_to_change_the_log(log, statement: str) -> None:
    # Migration 0004: triggers on SQLite and PostgreSQL, whoever holds a connection.
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), log.begin() as conn:
        conn.execute(sa.text(statement))
    assert len(audit.query_events(log, zone=UTC7)) == 4


def test_appending_still_works_under_the_triggers(log) -> None:
    with log.begin() as conn:
        audit.record_event(conn, "an", "export", "x.csv")
    assert len(audit.query_events(log, zone=UTC7)) == 5
