"""The store itself: migrations against the declared schema, packed originals."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.core import domain
from loaders.ingest.commit import commit_import
from loaders.ingest.history import rollback_import
from loaders.store import db, originals, reads, tables
from loaders.store.buffers import ColumnBuffers, append_rows, without_imports
from tests.support.imports import USER, incidents_csv, models_csv, preview


def test_migrations_build_exactly_the_declared_schema(engine):
    # The tables in loaders/store/tables.py and the Alembic revisions must never drift apart.
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), tables.metadata)
    assert diff == []


def _incident_indexes(engine) -> set[str]:
    # Plain indexes only: PostgreSQL also lists the unique constraint's index.
    return {ix["name"] for ix in sa.inspect(engine).get_indexes("incidents") if ix["name"].startswith("ix_")}


def test_revision_0003_goes_down_and_up_again(engine):
    assert _incident_indexes(engine) == {"ix_incidents_import_id"}
    with engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0002")
    assert _incident_indexes(engine) == {
        "ix_incidents_import_id",
        "ix_incidents_commune_code",
        "ix_incidents_occurred_on",
    }
    assert "codec" not in {c["name"] for c in sa.inspect(engine).get_columns("stored_files")}
    with engine.begin() as conn:
        command.upgrade(db.alembic_config(conn), "head")
    assert _incident_indexes(engine) == {"ix_incidents_import_id"}


def test_revision_0003_refuses_to_go_down_over_packed_originals(engine):
    codec, content = originals.pack_original(b"ma_vu_viec,ngay\n" * 1000)
    with engine.begin() as conn:
        conn.execute(
            tables.stored_files.insert().values(sha256="a" * 64, size_bytes=16_000, content=content, codec=codec)
        )
    with pytest.raises(RuntimeError, match="packed"), engine.begin() as conn:
        command.downgrade(db.alembic_config(conn), "0002")
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.stored_files.c.codec)).scalar() == "zstd"


def test_originals_are_packed_and_come_back_byte_for_byte():
    text = "STT;Mã vụ việc;Ngày\r\n".encode("utf-16") * 5000
    codec, content = originals.pack_original(text)
    assert codec == "zstd" and len(content) < len(text) / 5
    assert originals.unpack_original(codec, content, len(text)) == text


def test_bytes_that_do_not_shrink_are_kept_as_uploaded():
    noise = os.urandom(4096)
    assert originals.pack_original(noise) == (None, noise)
    assert originals.unpack_original(None, memoryview(noise), len(noise)) == noise


def test_unpacking_refuses_unknown_codecs_and_wrong_sizes():
    codec, content = originals.pack_original(b"x" * 10_000)
    with pytest.raises(ValueError, match="codec"):
        originals.unpack_original("lzma", content, 10_000)
    with pytest.raises(ValueError, match="unpack"):
        originals.unpack_original(codec, content, 9_999)


# ------------------------------------------------------------ incremental reads
def _commit(engine, registry, data: bytes, *, is_demo: bool = False, dataset: str = "incidents") -> int:

    outcome = commit_import(engine, preview(engine, registry, data, dataset), user=USER, is_demo=is_demo)
    assert outcome.committed
    return outcome.import_id


def _assert_same_as_a_full_read(engine, loaded: reads.LoadedDataset) -> None:
    full = reads.refresh_dataset(engine, "incidents")
    pd.testing.assert_frame_equal(loaded.frame, full.frame)  # rows, order, dtypes and categories
    assert loaded.import_ids == full.import_ids


def test_refreshing_reads_only_new_imports_and_always_equals_a_full_read(engine, registry, monkeypatch):

    demo = _commit(engine, registry, incidents_csv(["D-1", "D-2", "SHARED"]), is_demo=True)
    loaded = reads.refresh_dataset(engine, "incidents")
    assert sorted(loaded.frame["incident_code"]) == ["D-1", "D-2", "SHARED"] and loaded.import_ids == {demo}

    fetched: list[frozenset[int]] = []
    real_read = reads._read_rows
    monkeypatch.setattr(reads, "_read_rows", lambda conn, ds, ids: fetched.append(ids) or real_read(conn, ds, ids))

    # Real data hides the demo import (and evicts the demo row whose key it takes).
    first = _commit(engine, registry, incidents_csv(["A-1", "SHARED"]))
    loaded = reads.refresh_dataset(engine, "incidents", loaded)
    assert fetched == [frozenset({first})]
    assert sorted(loaded.frame["incident_code"]) == ["A-1", "SHARED"]
    _assert_same_as_a_full_read(engine, loaded)

    # New communes, a new field and a missing severity: the categories grow and stay sorted.
    second = _commit(
        engine,
        registry,
        incidents_csv(
            ["B-1"],
            commune="Xã Cẩm Thành",
            district="Huyện Cẩm Xuyên",
            extra=[["B-2", "20/03/2024", "", "Xã Cẩm Thành", "Huyện Cẩm Xuyên", "Ma túy", "", "", "", ""]],
        ),
    )
    fetched.clear()
    loaded = reads.refresh_dataset(engine, "incidents", loaded)
    assert fetched == [frozenset({second})]
    assert loaded.frame["id"].is_monotonic_increasing and len(loaded.frame) == 4
    _assert_same_as_a_full_read(engine, loaded)

    # Nothing changed: the same object comes back without reading rows.
    fetched.clear()
    assert reads.refresh_dataset(engine, "incidents", loaded) is loaded and fetched == []

    # A rollback only drops rows.
    rollback_import(engine, first, USER)
    fetched.clear()
    loaded = reads.refresh_dataset(engine, "incidents", loaded)
    assert fetched == [] and sorted(loaded.frame["incident_code"]) == ["B-1", "B-2"]
    _assert_same_as_a_full_read(engine, loaded)

    # Without real data the demo import shows again, minus the row the real import evicted.
    rollback_import(engine, second, USER)
    fetched.clear()
    loaded = reads.refresh_dataset(engine, "incidents", loaded)
    assert fetched == [frozenset({demo})] and sorted(loaded.frame["incident_code"]) == ["D-1", "D-2"]
    _assert_same_as_a_full_read(engine, loaded)


def test_the_first_import_after_a_full_read_appends_without_copying_it(engine, registry):

    _commit(engine, registry, incidents_csv(["A-1", "A-2"]))
    full = reads.refresh_dataset(engine, "incidents")  # as after a server start
    assert full.buffers is not None
    _commit(engine, registry, incidents_csv(["A-3"]))
    after = reads.refresh_dataset(engine, "incidents", full)

    assert after.buffers is full.buffers
    assert np.shares_memory(after.frame["id"].to_numpy(), full.frame["id"].to_numpy())
    assert full.frame["incident_code"].tolist() == ["A-1", "A-2"], "the earlier frame must not change"
    _assert_same_as_a_full_read(engine, after)


def test_an_empty_store_reads_as_typed_empty_frames(engine):
    for dataset in domain.DATASET_NAMES:
        frame = reads.load_dataset(engine, dataset)
        assert frame.empty and list(frame.columns) == reads.READ_COLUMNS[dataset]
        assert frame["id"].dtype == "int64" and frame["commune_code"].dtype == "category"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 6), st.sampled_from(["18814", "18685", "18073", None])), max_size=60),
    st.sets(st.integers(1, 6)),
)
def test_dropping_imports_matches_a_plain_mask(rows, dropped):
    frame = pd.DataFrame(
        {
            "id": pd.Series(range(len(rows)), dtype="int64"),
            "import_id": pd.Series([r[0] for r in rows], dtype="int64"),
            "commune_code": pd.Series([r[1] for r in rows], dtype="str").astype("category"),
            "description": pd.Series([f"ghi chú {i}" for i in range(len(rows))], dtype="str"),
        }
    )
    out = without_imports(frame, frozenset(dropped))
    expected = frame[~frame["import_id"].isin(dropped)].reset_index(drop=True)
    expected["commune_code"] = expected["commune_code"].cat.remove_unused_categories()
    pd.testing.assert_frame_equal(out, expected)


def test_refreshing_all_datasets_keeps_the_unchanged_ones(engine, registry):

    _commit(engine, registry, incidents_csv(["A-1"]))
    before = reads.refresh_datasets(engine)
    _commit(engine, registry, models_csv(["Tổ tự quản số 1"]), dataset="models")
    after = reads.refresh_datasets(engine, before)
    assert after["incidents"] is before["incidents"] and after["recognitions"] is before["recognitions"]
    assert after["models"].frame["model_name"].tolist() == ["Tổ tự quản số 1"]
    pd.testing.assert_frame_equal(after["models"].frame, reads.load_dataset(engine, "models"))


def _rows(ids: list[int], communes: list[str | None]) -> pd.DataFrame:
    present = sorted({c for c in communes if c is not None})
    return pd.DataFrame(
        {
            "id": np.array(ids, dtype="int64"),
            "commune_code": pd.Categorical(communes, categories=pd.Index(present, dtype="str")),
            "occurred_on": np.array([f"2025-01-{i % 28 + 1:02d}" for i in ids], dtype="datetime64[ns]"),
            "lat": np.array([18.0 + i / 100 for i in ids]),
            "description": pd.array([f"vụ {i}" for i in ids], dtype="str"),
        }
    )


def _reference(*parts: pd.DataFrame) -> pd.DataFrame:
    """What appending must give: the parts concatenated in id order, categories merged and sorted."""
    codes = sorted({c for p in parts for c in p["commune_code"].dropna()})
    together = pd.concat([p.assign(commune_code=p["commune_code"].astype(object)) for p in parts], ignore_index=True)
    together["commune_code"] = pd.Categorical(together["commune_code"], categories=pd.Index(codes, dtype="str"))
    return together.sort_values("id", kind="stable").reset_index(drop=True)


def test_appending_writes_behind_the_frame_and_never_changes_earlier_frames():
    base = _rows([1, 2, 3], ["18814", None, "18685"])
    first, buffers = append_rows(base, _rows([4, 5], ["18814", "18685"]))
    assert buffers is not None
    pd.testing.assert_frame_equal(first, _reference(base, _rows([4, 5], ["18814", "18685"])))

    # Same categories, later ids: written into the spare capacity, the frame is not copied.
    second, again = append_rows(first, _rows([6], ["18685"]), buffers)
    assert again is buffers and np.shares_memory(second["id"].to_numpy(), first["id"].to_numpy())
    pd.testing.assert_frame_equal(second, _reference(base, _rows([4, 5], ["18814", "18685"]), _rows([6], ["18685"])))
    first_before = first.copy()

    # An older frame grows on its own copy: the newer frame behind it keeps its rows.
    branch, other = append_rows(first, _rows([7, 8], [None, "18814"]), buffers)
    assert other is not buffers and not np.shares_memory(branch["id"].to_numpy(), second["id"].to_numpy())
    assert second["id"].tolist() == [1, 2, 3, 4, 5, 6] and branch["id"].tolist() == [1, 2, 3, 4, 5, 7, 8]
    pd.testing.assert_frame_equal(first, first_before)

    # A new category, or rows that belong before the last id, fall back to a merged copy.
    grown, _ = append_rows(second, _rows([9], ["18073"]), buffers)
    pd.testing.assert_frame_equal(grown, _reference(second, _rows([9], ["18073"])))
    unsorted, none = append_rows(second, _rows([0], ["18814"]), buffers)
    assert none is None
    pd.testing.assert_frame_equal(unsorted, _reference(second, _rows([0], ["18814"])))
    assert second["id"].tolist() == [1, 2, 3, 4, 5, 6]


def test_buffers_grow_by_copying_when_full(monkeypatch):
    monkeypatch.setattr(ColumnBuffers, "SPARE", 0.0)
    frame, buffers = append_rows(_rows([1], ["18814"]), _rows([2], ["18814"]))
    parts = [_rows([1], ["18814"]), _rows([2], ["18814"])]
    for start in range(3, 3 + 5000, 1000):  # past the 4,096 spare rows
        batch = _rows(list(range(start, start + 1000)), ["18814"] * 1000)
        frame, buffers = append_rows(frame, batch, buffers)
        parts.append(batch)
    pd.testing.assert_frame_equal(frame, _reference(*parts))
