"""Revision 0008: a store made before reporting periods upgrades, and its incidents imports report what they span."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from loaders.store import db, reads
from tests.support.old_stores import insert_import

_INCIDENT = sa.text(
    "INSERT INTO incidents (import_id, commune_code, vintage, incident_code, occurred_on, field)"
    " VALUES (:import_id, :code, 'legacy', :incident, :day, 'hình sự')"
)


def test_incidents_imports_stored_before_report_the_months_their_rows_span(db_url):
    engine = db.create_engine_for(db_url)
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "0005")
        at = datetime(2025, 1, 1, tzinfo=UTC)
        for import_id, dataset, status in (
            (1, "incidents", "committed"),
            (2, "models", "committed"),
            (3, "incidents", "rolled_back"),
            (4, "incidents", "committed"),
        ):
            insert_import(conn, import_id, dataset, at, status=status, rows=2)
        for import_id, code, incident, day in (
            (1, "18814", "A-1", "2024-11-20"),
            (1, "18100", "A-2", "2025-01-03"),
            (4, "18814", "B-1", "2023-06-30"),
        ):
            conn.execute(
                _INCIDENT,
                {"import_id": import_id, "code": code, "incident": incident, "day": datetime.fromisoformat(day).date()},
            )
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")

    with engine.connect() as conn:
        stored = {
            (r.import_id, r.month.isoformat() if hasattr(r.month, "isoformat") else str(r.month), r.commune_code)
            for r in conn.execute(sa.text("SELECT import_id, month, commune_code FROM import_reports"))
        }
        incidents = conn.execute(sa.text("SELECT count(*) FROM incidents")).scalar()
    expected = {
        (1, month, code) for month in ("2024-11-01", "2024-12-01", "2025-01-01") for code in ("18814", "18100")
    } | {(4, "2023-06-01", "18814")}
    assert stored == expected
    assert incidents == 3  # nothing lost

    frame = reads.load_reports(engine)
    assert len(frame) == 7 and set(frame["commune_code"]) == {"18814", "18100"}
    engine.dispose()
