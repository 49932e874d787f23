"""What an upload may repeat: the same file imported before, or rows already stored.

A file is the same when its sha256 matches a committed import of the same
dataset; a row is the same when its business key (:mod:`loaders.ingest.keys`)
is stored. Both the preview and the commit ask; the commit asks again inside
its transaction because another import may have landed in between.

Demo rows never block real data: real rows are checked against real rows only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from loaders.core import domain
from loaders.core.clock import format_datetime
from loaders.ingest.datasets import STORE_KEY_COLUMNS
from loaders.store import tables
from loaders.store.tables import DATASET_TABLES

#: Keys per ``IN (...)`` list when asking the store about business keys.
KEY_BATCH = 5_000


def fmt_time(value: object) -> str:
    """A stored time as messages show it (Vietnam time, date and ``HH:MM``); other values as text."""
    if isinstance(value, datetime):
        return format_datetime(value)
    return str(value)


def duplicate_message(dup: Mapping[str, Any]) -> str:
    """The Vietnamese refusal of a re-upload, naming the earlier import (see :func:`find_duplicate_file`)."""
    when = fmt_time(datetime.fromisoformat(dup["created_at"])) if dup.get("created_at") else "?"
    return (
        f"Tệp này đã được nhập trước đó (lần nhập số {dup['import_id']}, tệp «{dup['file_name']}», "
        f"lúc {when}, người nhập {dup['user']}). "
        "Không nhập lại; nếu thật sự cần nhập lại, hãy chọn «Vẫn nhập» (--force)."
    )


def find_duplicate_file(conn: Connection, dataset: str, sha256: str) -> dict[str, Any] | None:
    """The latest committed import of the same bytes for the same dataset, if any."""
    i = tables.imports
    row = conn.execute(
        sa.select(i.c.id, i.c.created_at, i.c.file_name, i.c.user_name)
        .where(i.c.dataset == dataset, i.c.sha256 == sha256, i.c.status == tables.IMPORT_COMMITTED)
        .order_by(i.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "import_id": int(row.id),
        "created_at": _iso(row.created_at),
        "file_name": row.file_name,
        "user": row.user_name,
    }


def _iso(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def has_real_rows(conn: Connection, dataset: str) -> bool:
    """Whether the dataset's table holds any row that is not demo data."""
    table = DATASET_TABLES[dataset]
    demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
    return conn.execute(sa.select(table.c.id).where(table.c.import_id.not_in(demo_ids)).limit(1)).first() is not None


def existing_keys(conn: Connection, dataset: str, keys: Iterable[str], *, include_demo: bool) -> set[str]:
    """Which of ``keys`` (store-form business keys) are already stored."""
    table = DATASET_TABLES[dataset]
    cols = STORE_KEY_COLUMNS[dataset]
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return set()
    demo_filter = sa.true()
    if not include_demo:
        demo_ids = sa.select(tables.imports.c.id).where(tables.imports.c.is_demo)
        demo_filter = table.c.import_id.not_in(demo_ids)
    found: set[str] = set()
    stored = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
    if stored <= 4 * len(wanted):
        # Reading all stored keys is cheaper than many IN lists when the store is not much larger.
        query = sa.select(*[table.c[c] for c in cols]).where(demo_filter)
        wanted_set = set(wanted)
        for row in conn.execute(query):
            k = "|".join(str(v) for v in row)
            if k in wanted_set:
                found.add(k)
        return found
    first = table.c[cols[0]]
    first_type = int if dataset in (domain.DATASET_RECOGNITIONS, domain.DATASET_RESIDENTIAL_AREAS) else str
    for start in range(0, len(wanted), KEY_BATCH):
        batch = wanted[start : start + KEY_BATCH]
        firsts = sorted({first_type(k.split("|", 1)[0]) for k in batch})
        query = sa.select(*[table.c[c] for c in cols]).where(first.in_(firsts), demo_filter)
        batch_set = set(batch)
        for row in conn.execute(query):
            k = "|".join(str(v) for v in row)
            if k in batch_set:
                found.add(k)
    return found
