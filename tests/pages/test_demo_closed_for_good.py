"""HT_DEMO_MODE=auto stays closed once real data was committed, even after a rollback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.demo.loading import load_demo
from loaders.ingest.commit import import_frames
from loaders.ingest.history import rollback_import
from loaders.store import db, reads, tables

REAL_MODEL = {
    "ma_xa": "18814", "ten_xa": "Xã Kỳ Hoa", "huyen_cu": "Huyện Kỳ Anh", "ten_mo_hinh": "Tổ tự quản thôn 1",
    "loai_mo_hinh": "tự quản", "noi_trien_khai": "khu dân cư", "ngay_thanh_lap": "2025-09-01",
    "trang_thai": "đang hoạt động", "ngay_giai_the": None, "danh_gia": "hiệu quả", "so_thanh_vien": 12,
    "vi_do": None, "kinh_do": None, "ghi_chu": None,
}  # fmt: skip


def _import_real(engine, registry) -> int:
    outcome = import_frames(engine, {"models": pd.DataFrame([REAL_MODEL])}, user="editor", registry=registry)
    assert outcome["models"].committed
    return int(outcome["models"].import_id)


def _flag(engine) -> bool:
    with engine.connect() as conn:
        return reads.real_data_committed(conn)


def test_the_first_real_import_sets_a_flag_that_a_rollback_keeps(engine, registry) -> None:
    load_demo(engine, user="test", until=date(2020, 3, 31), registry=registry, scale=0.05)
    assert not _flag(engine), "demo data alone never sets it"
    import_id = _import_real(engine, registry)
    rollback_import(engine, import_id, "editor")
    with engine.connect() as conn:
        assert reads.demo_only(conn), "the demo data is shown again"
        stored = conn.execute(sa.select(tables.meta.c.key).where(tables.meta.c.key == reads.REAL_DATA_KEY)).all()
    assert len(stored) == 1
    assert _flag(engine)
    _import_real(engine, registry)  # a second real import leaves the one flag as it is
    assert _flag(engine)


def test_a_store_from_before_the_flag_counts_its_rolled_back_imports(engine, registry) -> None:
    rollback_import(engine, _import_real(engine, registry), "editor")
    with engine.begin() as conn:
        conn.execute(tables.meta.delete().where(tables.meta.c.key == reads.REAL_DATA_KEY))
    assert _flag(engine)


def _anonymous_run(app_test: Callable[..., AppTest]) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    return app_test()


def _sees_sign_in(at: AppTest) -> bool:
    return any(w.key == "sign_in_username" for w in at.text_input)


def test_rolling_back_the_only_real_import_keeps_anonymous_access_closed(app_test, monkeypatch, registry):
    monkeypatch.setenv("HT_DEMO_MODE", "auto")
    engine = db.get_engine()
    load_demo(engine, user="test", until=date(2020, 6, 30), registry=registry, scale=0.1)
    assert not _sees_sign_in(_anonymous_run(app_test)), "a demo-only store is open in auto mode"
    rollback_import(engine, _import_real(engine, registry), "editor")
    at = _anonymous_run(app_test)
    assert not at.exception
    assert _sees_sign_in(at), "the rollback must not reopen anonymous access"
