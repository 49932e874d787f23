"""Helpers for tests of the generated demo data."""

from __future__ import annotations

import pandas as pd

#: What a demo model keeps from year to year, and no two demo models share.
_MODEL_IDENTITY = ["ten_mo_hinh", "ngay_thanh_lap", "loai_mo_hinh", "so_thanh_vien", "vi_do", "kinh_do"]


def models_once(models: pd.DataFrame) -> pd.DataFrame:
    """One row per demo model: its latest yearly record."""
    latest = models.sort_values("nam_danh_gia", kind="stable")
    return latest.drop_duplicates(_MODEL_IDENTITY, keep="last")
