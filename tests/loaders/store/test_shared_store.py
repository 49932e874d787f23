"""Several app processes on one database: each sees the others' imports and rollbacks at its next read.

Every process has its own engine and its own cached frames; the data version in the store is what
tells a process that its frames are stale (``ui.cache`` reads it on every rerun). Here two engines
on one database stand for two processes, on SQLite and on PostgreSQL (``db_url``).
"""

from __future__ import annotations

from loaders.core import domain
from loaders.ingest.commit import commit_import
from loaders.ingest.history import rollback_import
from loaders.ingest.preview import ImportRequest, preview_import
from loaders.store import db, reads

HEADER = "Mã vụ việc,Ngày,Tên xã,Huyện (cũ),Lĩnh vực,Mức độ\n"


def _import(engine, registry, codes: list[str]) -> int:
    data = (HEADER + "".join(f"{c},15/03/2024,Xã Kỳ Tân,Huyện Kỳ Anh,Hình sự,nghiêm trọng\n" for c in codes)).encode()
    request = ImportRequest(dataset="incidents", data=data, file_name="vụ việc.csv", user="editor1")
    outcome = commit_import(
        engine, preview_import(engine, request, registry=registry, province_polygon=None), user="editor1"
    )
    assert outcome.committed
    return outcome.import_id


def _incident_ids(loaded: dict[str, reads.LoadedDataset]) -> set[str]:
    return set(loaded[domain.DATASET_INCIDENTS].frame["incident_code"].astype(str))


def test_two_engines_see_each_others_imports_at_their_next_read(db_url, registry):
    db.get_engine(db_url)  # migrated once, as the first process to start does
    first, second = db.create_engine_for(db_url), db.create_engine_for(db_url)
    try:
        version = db.data_version(second)
        cached = reads.refresh_datasets(second)  # what the second process holds in its cache
        assert _incident_ids(cached) == set()

        import_id = _import(first, registry, ["VV-1", "VV-2"])
        # The second process's next rerun reads a new version, so its cached frames are stale ...
        assert db.data_version(second) > version
        # ... and reading from them brings in the first process's rows.
        cached = reads.refresh_datasets(second, cached)
        assert _incident_ids(cached) == {"VV-1", "VV-2"}

        # A rollback made through the second process shows in the first.
        seen_by_first = reads.refresh_datasets(first)
        version = db.data_version(first)
        rollback_import(second, import_id, "editor2")
        assert db.data_version(first) > version
        assert _incident_ids(reads.refresh_datasets(first, seen_by_first)) == set()
    finally:
        first.dispose()
        second.dispose()
