"""HT_DEMO_MODE=auto: anonymous read-only access only while nothing but demo data is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from loaders.demo.loading import load_demo
from loaders.ingest.commit import import_frames
from loaders.store import db


def _anonymous_run(app_test: Callable[..., AppTest]) -> AppTest:
    """The app run by an anonymous visitor, with every cache dropped (the demo mode is read per store)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    return app_test()


def _sees_sign_in(at: AppTest) -> bool:
    return any(w.key == "sign_in_username" for w in at.text_input)


@pytest.fixture
def small_demo(registry):
    engine = db.get_engine()
    load_demo(engine, user="test", until=date(2020, 6, 30), registry=registry, scale=0.1)
    return engine


@pytest.mark.parametrize(("mode", "open_"), [("auto", True), ("1", True), ("0", False), ("", False)])
def test_demo_only_store(app_test, monkeypatch, small_demo, mode, open_):
    monkeypatch.setenv("HT_DEMO_MODE", mode)
    at = _anonymous_run(app_test)
    assert not at.exception
    assert _sees_sign_in(at) is (not open_)
    if open_:
        assert at.metric, "the anonymous visitor sees the map page's figures"


def test_first_real_import_closes_auto_mode(app_test, monkeypatch, small_demo, registry):
    monkeypatch.setenv("HT_DEMO_MODE", "auto")
    real = pd.DataFrame(
        [
            {
                "ma_xa": "18814",
                "ten_xa": "Xã Kỳ Hoa",
                "huyen_cu": "Huyện Kỳ Anh",
                "ten_mo_hinh": "Tổ tự quản thôn 1",
                "loai_mo_hinh": "tự quản",
                "noi_trien_khai": "khu dân cư",
                "ngay_thanh_lap": "2025-09-01",
                "trang_thai": "đang hoạt động",
                "ngay_giai_the": None,
                "danh_gia": "hiệu quả",
                "so_thanh_vien": 12,
                "vi_do": None,
                "kinh_do": None,
                "ghi_chu": None,
            }
        ]
    )
    outcome = import_frames(small_demo, {"models": real}, user="editor", registry=registry)
    assert outcome["models"].committed
    assert _sees_sign_in(_anonymous_run(app_test))
    monkeypatch.setenv("HT_DEMO_MODE", "1")  # an explicit demo mode still opens it
    assert not _sees_sign_in(_anonymous_run(app_test))
