"""Named model types read from model names, as provincial reports count them."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.model_types import model_type, types_table


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tổ hòa giải ở cơ sở thôn Lạc Sơn", "Tổ hòa giải ở cơ sở"),
        ("Tổ tự quản về an ninh, trật tự tổ dân phố Hồng Yên", "Tổ tự quản về an ninh, trật tự"),
        ("Tổ tàu thuyền đoàn kết số 5 cảng cá Xuân Liên", "Tổ tàu thuyền đoàn kết"),
        ("Cổng trường an toàn giao thông Trường THCS Kỳ Phú", "Cổng trường an toàn giao thông"),
        (
            "Dòng họ Lê tổ dân phố Tây Hải không có tội phạm và tệ nạn xã hội",
            "Dòng họ không có tội phạm và tệ nạn xã hội",
        ),
        ("Giáo xứ bình yên – giáo họ tổ dân phố Hưng Giang", "Giáo xứ bình yên"),
        ("Camera  an ninh   xóm 3", "Camera an ninh"),
        ("Nhóm Zalo an ninh", "Nhóm Zalo an ninh"),  # no place: the name is its type
        ("thôn Đông", "thôn Đông"),  # a name that is only a place stays whole
    ],
)
def test_model_type(name, expected):
    assert model_type(name) == expected


def test_types_table_counts_by_kind_then_most_numerous():
    operating = pd.DataFrame(
        {
            "kind": ["tự quản", "tự phòng", "tự quản", "tự quản", "khác"],
            "model_name": [
                "Tổ liên gia tự quản thôn 1",
                "Camera an ninh thôn 1",
                "Tổ tự quản về an ninh, trật tự thôn 2",
                "Tổ tự quản về an ninh, trật tự thôn 3",
                "=1+1 thôn 4",
            ],
        }
    )
    assert types_table(operating).values.tolist() == [
        ["tự phòng", "Camera an ninh", 1],
        ["tự quản", "Tổ tự quản về an ninh, trật tự", 2],
        ["tự quản", "Tổ liên gia tự quản", 1],
        ["khác", "=1+1", 1],  # kept as written; the writers make it inert
    ]
    assert types_table(operating.iloc[0:0]).empty
