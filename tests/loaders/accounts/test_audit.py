"""Reading the audit log: filters, time zones, export frame, and that nothing can change it."""

from __future__ import annotations

import ast
import json
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
    frame = audit.query_events(log, audit.EventFilter(zone=UTC7))
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
    conditions = {k: v for k, v in filters.items() if k != "limit"}  # the parameters are shared: no pop
    where = audit.EventFilter(zone=UTC7, **conditions)
    limit = filters.get("limit")
    assert list(audit.query_events(log, where, limit=limit)["action"]) == expected


@pytest.mark.parametrize(
    ("user_text", "expected"),
    [("AN", ["import", "sign_in"]), ("bi", ["export"]), ("?", ["sign_in_failed"]), ("%", []), ("", None)],
)
def test_the_user_search_matches_part_of_a_name(log, user_text: str, expected: list[str] | None) -> None:
    found = list(audit.query_events(log, audit.EventFilter(zone=UTC7, user_text=user_text))["action"])
    assert found == (expected if expected is not None else ["sign_in_failed", "import", "export", "sign_in"])
    assert audit.count_events(log, audit.EventFilter(zone=UTC7, user_text=user_text)) == len(found)


def test_pages_cover_the_whole_filtered_log_without_a_cap(db_url: str) -> None:
    engine = db.get_engine(db_url)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            tables.events.insert(),
            [
                {"at": start + timedelta(seconds=i), "user_name": "an", "action": "export", "detail": str(i)}
                for i in range(6001)
            ],
        )
    assert audit.count_events(engine, audit.EventFilter(actions=["export"])) == 6001
    everything = audit.query_events(engine, audit.EventFilter(actions=["export"]))
    assert len(everything) == 6001, "no 5,000-entry cap"
    pages = [audit.query_events(engine, limit=2500, offset=o)["detail"].tolist() for o in (0, 2500, 5000)]
    assert [len(p) for p in pages] == [2500, 2500, 1001]
    assert [d for p in pages for d in p] == everything["detail"].tolist() == [str(i) for i in range(6000, -1, -1)]


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
    table = audit.export_frame(audit.query_events(log, audit.EventFilter(zone=UTC7)), lang)
    assert len(table.columns) == 7
    assert label in set(table[header])
    at_column = table.columns[1]
    assert table[at_column].iloc[0] == "09/03/2025 16:00"  # Vietnam time, as people read it
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
    assert len(audit.query_events(log, audit.EventFilter(zone=UTC7))) == 4


def test_appending_still_works_under_the_triggers(log) -> None:
    with log.begin() as conn:
        audit.record_event(conn, "an", "export", "x.csv")
    assert len(audit.query_events(log, audit.EventFilter(zone=UTC7))) == 5


UNKNOWN = {"reason": "unknown_user"}


def _failures(engine) -> pd.DataFrame:
    where = audit.EventFilter(actions=[audit.ACTION_SIGN_IN_FAILED, audit.ACTION_SIGN_IN_FAILED_THROTTLED], zone=UTC7)
    return audit.query_events(engine, where).iloc[::-1]


def test_unknown_names_go_under_one_label_with_the_name_in_the_detail(engine) -> None:
    invented = "[Đăng nhập lại](http://evil.example)" + "x" * 200
    with engine.begin() as conn:
        audit.record_sign_in_failure(conn, invented, {"reason": "unknown_user"}, "10.0.0.9", known=False)
        audit.record_sign_in_failure(conn, "an", {"reason": "wrong_password"}, "10.0.0.9", known=True)
    unknown, known = _failures(engine).to_dict("records")
    assert unknown["user_name"] == audit.UNKNOWN_USER
    assert json.loads(unknown["detail"]) == {"reason": "unknown_user", "name": invented[: audit.ATTEMPTED_NAME_CHARS]}
    assert (known["user_name"], json.loads(known["detail"])) == ("an", {"reason": "wrong_password"})


def test_a_flood_from_one_address_is_summarised_once_per_window(engine) -> None:
    now = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        written = [
            audit.record_sign_in_failure(
                conn, f"ten_{i}", {"reason": "unknown_user"}, "203.0.113.5", known=False, now=now
            )
            for i in range(audit.FAILURES_PER_ADDRESS + 30)
        ]
        # Another address keeps its own budget.
        assert audit.record_sign_in_failure(conn, "x", {"reason": "unknown_user"}, "198.51.100.1", known=False, now=now)
    assert written.count(True) == audit.FAILURES_PER_ADDRESS + 1
    log = _failures(engine)
    flood = log[log["address"] == "203.0.113.5"]
    assert len(flood) == audit.FAILURES_PER_ADDRESS + 1
    assert flood["action"].tolist()[-1] == audit.ACTION_SIGN_IN_FAILED_THROTTLED
    assert json.loads(flood["detail"].tolist()[-1])["scope"] == "address"
    # Once the window has moved on, failures from that address are recorded again.
    later = now + audit.THROTTLE_WINDOW + timedelta(seconds=1)
    with engine.begin() as conn:
        assert audit.record_sign_in_failure(
            conn, "y", {"reason": "unknown_user"}, "203.0.113.5", known=False, now=later
        )


def test_many_addresses_together_have_a_budget_too(engine) -> None:
    now = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)
    with engine.begin() as conn:
        written = [
            audit.record_sign_in_failure(
                conn, "x", {"reason": "unknown_user"}, f"10.1.{i // 250}.{i % 250}", known=False, now=now
            )
            for i in range(audit.FAILURES_OVERALL + 20)
        ]
    assert written.count(True) == audit.FAILURES_OVERALL + 1
    assert _failures(engine)["action"].tolist()[-1] == audit.ACTION_SIGN_IN_FAILED_THROTTLED


def test_failed_sign_ins_under_invented_names_are_labelled(engine, monkeypatch) -> None:
    from loaders.accounts import signin, users
    from tests.support.accounts import fast_hashing

    fast_hashing(monkeypatch)
    users.create_user(engine, "an", "mật-khẩu-dài-đủ-mạnh-2025", "viewer", "test")
    assert not signin.authenticate(engine, "khong-co-ai", "sai", "10.0.0.7").ok
    assert not signin.authenticate(engine, "an", "sai", "10.0.0.7").ok
    names = _failures(engine)["user_name"].tolist()
    assert names == [audit.UNKNOWN_USER, "an"]
