"""Guessing a file's dataset from its headers."""

from __future__ import annotations

import pytest

from loaders.ingest.guess import better_dataset, dataset_fits, guess_dataset

INCIDENTS = ["STT", "Mã vụ việc", "Ngày", "Mã xã", "Tên xã", "Huyện (cũ)", "Lĩnh vực", "Mức độ", "Vĩ độ", "Kinh độ"]
MODELS = ["Tên xã/phường", "Huyện (cũ)", "Tên mô hình", "Loại mô hình", "Nơi triển khai", "Ngày thành lập"]
MODELS.append("Trạng thái")
RECOGNITIONS = ["Năm", "Tên xã/phường", "Huyện (cũ)", "Loại đơn vị", "Tên đơn vị", "Kết quả"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (INCIDENTS, "incidents"),
        (MODELS, "models"),
        ([*MODELS, "Năm đánh giá", "Ngày tạm dừng", "Thôn/Tổ dân phố"], "models"),
        (RECOGNITIONS, "recognitions"),
        ([h.upper() for h in INCIDENTS], "incidents"),  # headers match as the importer matches them
        (["incident_id", "date", "commune", "field"], "incidents"),
    ],
)
def test_headers_give_their_dataset(headers, expected):
    assert guess_dataset(headers) == expected


@pytest.mark.parametrize(
    "headers",
    [
        [],
        ["STT", "Tên xã", "Huyện (cũ)", "Vĩ độ", "Kinh độ"],  # only the columns every dataset has
        ["Mã vụ việc", "Tên xã", "Mức độ"],  # incidents without their date and field: nothing fits whole
    ],
)
def test_no_guess_when_nothing_fits(headers):
    assert guess_dataset(headers) is None


def test_scores_are_the_share_of_the_specific_headers():
    fits = {f.dataset: f for f in dataset_fits(INCIDENTS)}
    assert fits["incidents"].complete and fits["incidents"].score == 1.0
    assert not fits["models"].complete and fits["models"].score == 0.0


def test_another_dataset_is_offered_only_when_the_chosen_one_lacks_columns():
    assert better_dataset(INCIDENTS, "models") == "incidents"
    assert better_dataset(INCIDENTS, "incidents") is None
    assert better_dataset(MODELS, "recognitions") == "models"
    assert better_dataset(["STT", "Tên xã"], "models") is None
