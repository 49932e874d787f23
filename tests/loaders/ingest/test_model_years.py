"""Models year after year: the rating year, the suspension date and the yearly lists, on both stores."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.core.clock import vietnam_today
from loaders.ingest.commit import commit_import
from loaders.ingest.preview import ImportRefused
from loaders.store import reads
from tests.support.imports import MODELS_HEADER, USER, csv_file, preview

HEADER = [*MODELS_HEADER, "Ngày tạm dừng", "Đánh giá", "Năm đánh giá"]


def _row(name: str, year: str = "", *, status: str = "đang hoạt động", since: str = "", rating: str = "") -> list[str]:
    return ["Xã Kỳ Tân", "Huyện Kỳ Anh", name, "tự quản", "khu dân cư", "01/02/2021", status, since, rating, year]


@pytest.fixture
def models_preview(engine, registry):
    def make(rows: list[list[str]], name: str = "mo_hinh.csv"):
        return preview(engine, registry, csv_file([HEADER, *rows]), dataset="models", name=name)

    return make


def _stored(engine) -> list[tuple]:
    frame = reads.load_dataset(engine, "models")
    return sorted(
        (r.model_name, r.rating_year, r.status, None if r.assessment != r.assessment else r.assessment)
        for r in frame.itertuples()
    )


def test_next_years_list_adds_records_and_leaves_the_earlier_year_alone(engine, models_preview):
    first = models_preview([_row("Tổ tự quản thôn 1", "2024", rating="yếu"), _row("Camera an ninh", "2024")])
    assert commit_import(engine, first, user=USER).committed

    # The same models in the 2025 list, spelt differently: new records, nothing rejected.
    second = models_preview(
        [
            _row("TỔ TỰ QUẢN  thôn 1", "2025", rating="hiệu quả"),
            _row("Camera an ninh", "2025", status="tạm dừng", since="01/03/2025"),
        ],
        name="mo_hinh_2025.csv",
    )
    assert second.errors.empty and second.n_accepted == 2
    assert commit_import(engine, second, user=USER).committed
    assert _stored(engine) == [
        ("Camera an ninh", 2024, "đang hoạt động", None),
        ("Camera an ninh", 2025, "tạm dừng", None),
        ("TỔ TỰ QUẢN  thôn 1", 2025, "đang hoạt động", "hiệu quả"),
        ("Tổ tự quản thôn 1", 2024, "đang hoạt động", "yếu"),
    ]
    frame = reads.load_dataset(engine, "models")
    assert frame.loc[frame["rating_year"] == 2025, "suspended_on"].dropna().tolist() == [dt.datetime(2025, 3, 1)]

    # A 2025 row again, in another file: that year already has the model.
    again = models_preview([_row("Tổ tự quản thôn 1", "2025"), _row("Tổ tự quản thôn 2", "2025")], name="lai.csv")
    assert again.errors[["row", "code"]].values.tolist() == [[2, "duplicate_in_store"]]
    assert "năm đánh giá" in again.errors["message"].iloc[0]

    # The very same file again: refused whole, as before.
    same = models_preview(
        [
            _row("TỔ TỰ QUẢN  thôn 1", "2025", rating="hiệu quả"),
            _row("Camera an ninh", "2025", status="tạm dừng", since="01/03/2025"),
        ],
        name="mo_hinh_2025_ban_sao.csv",
    )
    assert same.duplicate_of is not None
    with pytest.raises(ImportRefused) as refused:
        commit_import(engine, same, user=USER)
    assert refused.value.reason == "duplicate_file"


def test_a_row_without_rating_year_is_the_year_of_the_import(engine, models_preview):
    p = models_preview([_row("Tổ tự quản thôn 1", rating="trung bình")])
    assert p.errors.empty
    commit_import(engine, p, user=USER)
    assert _stored(engine) == [("Tổ tự quản thôn 1", vietnam_today().year, "đang hoạt động", "trung bình")]


def test_one_file_may_hold_several_years_of_a_model_but_not_one_year_twice(models_preview):
    p = models_preview(
        [_row("Tổ tự quản thôn 1", "2023"), _row("Tổ tự quản thôn 1", "2024"), _row("tổ tự quản thôn 1", "2024")]
    )
    assert p.n_accepted == 2
    assert p.errors[["row", "code"]].values.tolist() == [[4, "duplicate_in_file"]]


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (_row("A", status="đang hoạt động", since="01/03/2024"), "Ngày tạm dừng", "suspension_date_not_suspended"),
        (_row("A", status="tạm dừng", since="01/01/2021"), "Ngày tạm dừng", "suspended_before_founded"),
        (_row("A", str(vietnam_today().year + 1)), "Năm đánh giá", "year_range"),
        (_row("A", "1999"), "Năm đánh giá", "year_range"),
        (_row("A", "2024,5"), "Năm đánh giá", "integer"),
    ],
)
def test_suspension_dates_and_rating_years_are_checked(models_preview, row, column, code):
    p = models_preview([row])
    assert p.n_accepted == 0
    assert p.errors[["column", "code"]].values.tolist() == [[column, code]]
    assert p.errors["message"].iloc[0]


def test_a_suspended_model_without_its_date_is_still_accepted(models_preview):
    p = models_preview([_row("A", "2025", status="tạm dừng")])
    assert p.errors.empty and p.accepted["ngay_tam_dung"].isna().all()
