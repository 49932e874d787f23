"""Dates and labels as the province's officials write them."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders.core.i18n import catalogue, format_date, format_date_range, translate


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2025, 7, 1), "01/7/2025"),
        (dt.date(2025, 2, 5), "05/02/2025"),
        (dt.date(2025, 12, 15), "15/12/2025"),
        (dt.date(2025, 1, 31), "31/01/2025"),
        (dt.date(2024, 10, 9), "09/10/2024"),
        (dt.date(2024, 3, 10), "10/3/2024"),
        (pd.Timestamp("2025-11-30"), "30/11/2025"),
    ],
)
def test_vietnamese_dates_pad_only_small_days_and_january_february(day, expected) -> None:
    assert format_date(day, "vi") == expected


def test_english_dates_keep_two_digits() -> None:
    assert format_date(dt.date(2025, 7, 1), "en") == "01/07/2025"


def test_time_follows_the_date_only_when_asked() -> None:
    moment = pd.Timestamp("2025-09-03 07:04", tz="Asia/Ho_Chi_Minh")
    assert format_date(moment, "vi", with_time=True) == "03/9/2025 07:04"
    assert format_date(moment, "vi") == "03/9/2025"
    # A plain date has no time to show.
    assert format_date(dt.date(2025, 9, 3), "vi", with_time=True) == "03/9/2025"


def test_a_period_shows_both_ends() -> None:
    assert format_date_range(dt.date(2025, 1, 1), dt.date(2025, 6, 30), "vi") == "01/01/2025 – 30/6/2025"


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("col.district", "Huyện, thị xã, thành phố (cũ)"),
        ("filter.districts", "Huyện, thị xã, thành phố (cũ)"),
        ("enum.field.trật tự an toàn giao thông", "Trật tự, an toàn giao thông"),
        ("priority.component.coverage", "Thiếu độ phủ thôn, tổ dân phố"),
        ("indicator.models_covering", "Mô hình hoạt động thực chất (trừ yếu, tạm dừng)"),
        (
            "indicator.recognised_communes_share",
            "Tỷ lệ xã, phường đạt tiêu chuẩn «An toàn về an ninh, trật tự»",
        ),
        ("col.rank", "Thứ hạng"),
        ("role.analyst", "Cán bộ tổng hợp"),
        ("role.editor", "Cán bộ cập nhật dữ liệu"),
        ("indicator.units_all_kinds", "Xã, phường có đủ 4 loại mô hình"),
    ],
)
def test_labels_use_the_officials_words(key, expected) -> None:
    assert translate(key, "vi") == expected


def test_the_demo_notice_does_not_talk_about_seeds() -> None:
    assert "hạt giống" not in translate("demo.badge_help", "vi")
    assert "seed" not in translate("demo.badge_help", "en")


@pytest.mark.parametrize(
    "old", ["Huyện cũ", "Phân tích viên", "Biên tập viên", "Độ phủ mỏng", "Thứ tự", "Trật tự an toàn giao thông"]
)
def test_no_vietnamese_label_keeps_an_old_wording(old) -> None:
    assert [k for k, v in catalogue("vi").items() if v.startswith(old)] == []


def test_no_vietnamese_text_writes_july_with_a_leading_zero() -> None:
    assert [k for k, v in catalogue("vi").items() if "/07/20" in v] == []
