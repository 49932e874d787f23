"""The priority list's tables (ui.parts.ranking): the ranked table, the communes listed apart, the download."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from loaders.core import domain
from loaders.core.i18n import translate
from loaders.core.writers import table_to_csv, table_to_xlsx
from tests.analysis.test_priority import _Registry, _scores
from ui.parts import ranking


def _registry() -> _Registry:
    return _Registry(classes=pd.Series({"A": "other", "B": domain.FOCUS_BORDER}))


def test_the_ranked_table_holds_only_ranked_communes() -> None:
    frame = ranking.priority_frame(_scores(_registry()))
    assert frame[translate("col.rank")].tolist() == [1, 2]
    assert frame[translate("col.commune")].tolist() == ["Xã A", "Xã B"]
    assert frame[translate("priority.score")].tolist() == [52.9, 11.1]
    assert frame[translate("priority.col.area_coverage")].tolist() == [40.0, 100.0]
    assert translate("col.status") not in frame


def test_the_communes_listed_apart_show_their_reasons() -> None:
    frame = ranking.no_data_frame(_scores(_registry()))
    assert frame[translate("col.commune")].tolist() == ["Xã C", "Xã D", "Xã E"]
    assert frame[translate("priority.col.reasons")].tolist() == [
        "chưa báo cáo vụ việc trong kỳ",
        "chưa có danh sách thôn, tổ dân phố",
        "chưa có dữ liệu mô hình; chưa báo cáo vụ việc trong kỳ",
    ]
    assert frame[translate("priority.col.area_coverage")].iloc[0] == 20.0  # what is known still shows
    assert pd.isna(frame[translate("priority.col.area_coverage")].iloc[1])


def test_the_download_holds_both_with_a_status_column() -> None:
    frame = ranking.export_frame(_scores(_registry()))
    status = translate("col.status")
    assert frame[status].tolist() == ["Xếp hạng"] * 2 + ["Chưa có dữ liệu"] * 3
    apart = frame.iloc[2:]
    assert apart[translate("col.rank")].isna().all() and apart[translate("priority.score")].isna().all()
    assert frame[translate("col.missing_kinds")].iloc[4] == ""  # no model data: unknown, not "all four missing"
    book = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(frame, [("Kỳ", "01/2025 – 03/2025")])))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 6 and rows[3][0] == "Chưa có dữ liệu" and rows[3][1] is None
    csv = table_to_csv(frame).decode("utf-8-sig").splitlines()
    assert len(csv) == 6 and csv[1].startswith("Xếp hạng,1,Xã A,52.9,")  # whole ranks, not 1.0
    assert csv[3].startswith("Chưa có dữ liệu,,Xã C,,")
