"""Loading and removing the demo data through the importer's own path.

Demo imports are validated and committed like any upload (marked as demo),
so the pages read them exactly as they would read real data.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from loaders.accounts import audit
from loaders.core import domain
from loaders.demo.generator import generate_demo
from loaders.demo.reporting import report_scope
from loaders.geo.loading import load_registry
from loaders.ingest.commit import ImportOutcome, import_frames
from loaders.store import db, tables
from loaders.store.tables import DATASET_TABLES


def remove_demo(engine: Engine, user: str) -> int:
    """Delete the rows of every demo import in one transaction.

    The demo import records stay in the history, marked rolled back, so that
    import ids are never reused (SQLite would hand out a deleted id again).

    Returns
    -------
    int
        Number of demo imports removed.
    """
    i = tables.imports
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(sa.select(i.c.id).where(i.c.is_demo, i.c.status == tables.IMPORT_COMMITTED))]
        if not ids:
            return 0
        for table in DATASET_TABLES.values():
            conn.execute(table.delete().where(table.c.import_id.in_(ids)))
        conn.execute(
            i.update()
            .where(i.c.id.in_(ids))
            .values(status=tables.IMPORT_ROLLED_BACK, rolled_back_at=db.utcnow(), rolled_back_by=audit.user_label(user))
        )
        db.bump_data_version(conn)
        audit.record_event(conn, user, "demo_removed", json.dumps({"imports": ids}))
    return len(ids)


def load_demo(
    engine: Engine, user: str, *, seed: int = 42, until: date | None = None, registry: Any = None, scale: float = 1.0
) -> dict[str, ImportOutcome]:
    """Replace the demo data with freshly generated demo imports.

    Parameters
    ----------
    seed, until, scale
        Passed to :func:`loaders.demo.generator.generate_demo`.

    Returns
    -------
    dict of str to ImportOutcome
        One committed demo import per dataset.
    """
    registry = registry or load_registry()
    frames = generate_demo(seed=seed, until=until, registry=registry, scale=scale)
    remove_demo(engine, user)
    # The few communes that skipped months stay "chưa báo cáo" there, not zero.
    reports = {domain.DATASET_INCIDENTS: report_scope(frames[domain.DATASET_INCIDENTS])}
    return import_frames(engine, frames, user, is_demo=True, registry=registry, valid_only=True, reports=reports)
