"""Reading real-world upload files: encodings, separators, title and totals rows, refusals."""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pytest

from loaders.core.domain import DATASET_NAMES
from loaders.ingest import limits
from loaders.ingest.headers import match_headers
from loaders.ingest.rawtable import SheetNotFoundError, UnreadableFileError
from loaders.ingest.reading import read_table
from loaders.ingest.templates import build_template
from tests.support.files import (
    csv_bytes,
    excel_serial,
    huge_dimension_xlsx,
    to_cp1258,
    xlsx_bytes,
    zip_bomb_xlsx,
)

HEADER = ["STT", "Mã vụ việc", "Ngày", "Tên xã/phường", "Huyện (cũ)", "Lĩnh vực", "Mức độ"]
ROWS = [
    [1, "VV-001", "05/03/2024", "Kỳ Tân", "Kỳ Anh", "kinh tế, buôn lậu", "nghiêm trọng"],
    [2, "VV-002", "5/3/2024", "Phường Trần Phú", "TP Hà Tĩnh", "Ma túy", "ít nghiêm trọng"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "detected"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ",", "utf-8-sig"),
        ("utf-16", "\t", "utf-16"),  # Excel "Unicode text"
        ("cp1258", ";", "cp1258"),
        ("utf-8", ";", "utf-8"),
        ("utf-8", "\t", "utf-8"),
    ],
)
def test_encodings_and_delimiters_give_the_same_table(encoding: str, delimiter: str, detected: str) -> None:
    table = read_table(csv_bytes([HEADER, *ROWS], encoding, delimiter), "vu_viec.csv")
    assert table.encoding == detected
    assert table.delimiter == delimiter
    assert table.columns == HEADER
    assert table.frame["Lĩnh vực"].tolist() == ["kinh tế, buôn lậu", "Ma túy"]
    assert table.frame["Tên xã/phường"].tolist() == ["Kỳ Tân", "Phường Trần Phú"]
    assert table.header_row == 1
    assert table.row_numbers.tolist() == [2, 3]
    assert all(unicodedata.is_normalized("NFC", v) for v in table.frame["Mức độ"])


def test_cp1258_combining_marks_become_nfc() -> None:
    data = to_cp1258("Tên xã;Lĩnh vực\nKỳ Tân;trật tự an toàn giao thông\n")
    # cp1258 stores the tone separately: "ỳ" is "y" + combining grave.
    assert "Ky\u0300".encode("cp1258") in data
    table = read_table(data, "x.csv")
    assert table.encoding == "cp1258"
    assert table.frame.iloc[0].tolist() == ["Kỳ Tân", "trật tự an toàn giao thông"]


def test_nfd_utf8_from_macos_is_normalised() -> None:
    text = unicodedata.normalize("NFD", "Tên xã,Lĩnh vực\nKỳ Tân,Ma túy\n")
    table = read_table(text.encode("utf-8"), "mac.csv")
    assert table.columns == ["Tên xã", "Lĩnh vực"]
    assert table.frame.iloc[0].tolist() == ["Kỳ Tân", "Ma túy"]


@pytest.mark.parametrize("odd", ["\u0591\u05b0", "a\u0591\u05b0", "\u2126", "\u1100\u1161"])
def test_text_that_is_not_nfc_without_latin_marks_is_normalised_too(odd: str) -> None:
    # Hebrew marks out of canonical order, a singleton (OHM SIGN), Hangul jamo: no 0xCC/0xCD byte in sight.
    assert not unicodedata.is_normalized("NFC", odd)
    table = read_table(f'Tên xã,Ghi chú\nKỳ Tân,"{odd}"\n'.encode(), "ghi_chu.csv")
    assert table.frame.iloc[0].tolist() == ["Kỳ Tân", unicodedata.normalize("NFC", odd)]


def test_title_rows_blank_lines_stray_spaces_and_totals_row() -> None:
    text = (
        "CÔNG AN TỈNH HÀ TĨNH\n"
        "BÁO CÁO VỤ VIỆC QUÝ I/2024\n"
        "\n"
        "STT;Mã vụ việc;Ngày;Tên xã;Lĩnh vực\n"
        "1;  VV-1 ;05/03/2024;  Kỳ Tân  ;Hình sự\n"
        "\n"
        ";;;;\n"
        "2;VV-2;06/03/2024;Kỳ Hoa;Ma túy\n"
        "Tổng cộng;2;;;\n"
        "\n"
    )
    table = read_table(text.encode("utf-8"), "bao_cao.csv")
    assert table.header_row == 4
    assert table.row_numbers.tolist() == [5, 8]
    assert table.totals_rows == [9]
    assert table.frame["Mã vụ việc"].tolist() == ["VV-1", "VV-2"]
    assert table.frame["Tên xã"].tolist() == ["Kỳ Tân", "Kỳ Hoa"]


@pytest.mark.parametrize("label", ["Cộng", "TỔNG CỘNG:", "Tổng", "tong cong"])
def test_totals_row_in_any_cell_is_dropped(label: str) -> None:
    rows = [["Mã vụ việc", "Ngày", "Tên xã"], ["VV-1", "05/03/2024", "Kỳ Tân"], ["", label, "1"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert table.totals_rows == [3]
    assert len(table.frame) == 1


def test_a_row_mentioning_totals_mid_file_is_kept() -> None:
    rows = [["Mã vụ việc", "Tên xã"], ["Tổng", "Kỳ Tân"], ["VV-2", "Kỳ Hoa"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert table.totals_rows == []
    assert table.row_numbers.tolist() == [2, 3]


def test_quoted_values_with_line_breaks_count_as_one_row() -> None:
    rows = [["Mã vụ việc", "Mô tả"], ["VV-1", "dòng một\ndòng hai"], ["VV-2", "x"]]
    table = read_table(csv_bytes(rows), "t.csv")
    assert table.frame["Mô tả"].tolist() == ["dòng một\ndòng hai", "x"]
    assert table.row_numbers.tolist() == [2, 3]


def test_duplicate_and_blank_headers_are_named() -> None:
    table = read_table("Ghi chú,Ghi chú,,Tên xã\na,b,c,Kỳ Tân\n".encode(), "t.csv")
    assert table.columns == ["Ghi chú", "Ghi chú (2)", "Cột C", "Tên xã"]


def test_unknown_headers_fall_back_to_the_first_wide_row() -> None:
    table = read_table("Danh sách\nA,B,C\n1,2,3\n".encode(), "t.csv")
    assert table.header_row == 2
    assert table.columns == ["A", "B", "C"]


def test_header_found_by_english_aliases() -> None:
    table = read_table("report\nincident_id,date,commune_name\nVV-1,2024-03-05,Kỳ Tân\n".encode(), "t.csv")
    assert table.header_row == 2
    assert match_headers(table.columns, "incidents").columns["ma_vu_viec"] == "incident_id"


def test_ragged_row_names_the_row() -> None:
    with pytest.raises(UnreadableFileError, match=r"«t\.csv», dòng 3"):
        read_table("Mã vụ việc,Tên xã\nVV-1,Kỳ Tân\nVV-2,Kỳ Hoa,thừa\n".encode(), "t.csv")


def test_short_rows_are_padded_with_blanks() -> None:
    table = read_table("Mã vụ việc,Tên xã,Ngày\nVV-1,Kỳ Tân\n".encode(), "t.csv")
    assert table.frame.iloc[0].tolist() == ["VV-1", "Kỳ Tân", ""]


def test_everything_is_read_as_text() -> None:
    table = read_table("Mã xã,Số thành viên,Ngày\n01234,007,2024-03-05\n".encode(), "t.csv")
    assert table.frame.iloc[0].tolist() == ["01234", "007", "2024-03-05"]
    assert all(str(dtype) == "str" for dtype in table.frame.dtypes)


# --------------------------------------------------------------------------- xlsx


def _report_workbook() -> bytes:
    day = dt.datetime(2024, 3, 5)
    data_sheet = [
        ["CÔNG AN TỈNH HÀ TĨNH", None, None, None],
        ["Báo cáo vụ việc tháng 3/2024", None, None, None],
        [None, None, None, None],
        ["STT", "Mã vụ việc", "Ngày", "Mã xã"],
        [1, "VV-1", day, 18814],
        [2, "VV-2", excel_serial(dt.date(2024, 3, 6)), "18817"],
        [None, None, None, None],
        [3, "VV-3", "07/03/2024", 18818.0],
        ["Cộng", 3, None, None],
    ]
    return xlsx_bytes({"Ghi chú": [["Tệp gửi Công an tỉnh"]], "Vụ việc": data_sheet})


def test_xlsx_chosen_sheet_title_rows_totals_and_cell_types() -> None:
    table = read_table(_report_workbook(), "bao_cao.xlsx", sheet="Vụ việc")
    assert table.sheet == "Vụ việc"
    assert table.sheet_names == ["Ghi chú", "Vụ việc"]
    assert table.header_row == 4
    assert table.row_numbers.tolist() == [5, 6, 8]
    assert table.totals_rows == [9]
    assert table.frame["Ngày"].tolist() == ["2024-03-05", str(excel_serial(dt.date(2024, 3, 6))), "07/03/2024"]
    assert table.frame["Mã xã"].tolist() == ["18814", "18817", "18818"]
    assert table.encoding is None and table.delimiter is None


def test_xlsx_sheet_name_matched_leniently() -> None:
    assert read_table(_report_workbook(), "b.xlsx", sheet="vu viec").sheet == "Vụ việc"


def test_xlsx_first_sheet_by_default() -> None:
    data = xlsx_bytes({"Một": [["Mã vụ việc", "Tên xã"], ["VV-1", "Kỳ Tân"]], "Hai": [["x"]]})
    table = read_table(data, "a.xlsx")
    assert table.sheet == "Một"
    assert table.frame.iloc[0].tolist() == ["VV-1", "Kỳ Tân"]


def test_xlsx_missing_sheet_lists_the_sheets() -> None:
    with pytest.raises(SheetNotFoundError) as err:
        read_table(_report_workbook(), "bao_cao.xlsx", sheet="Mô hình")
    assert "«Mô hình»" in str(err.value)
    assert "«Ghi chú», «Vụ việc»" in str(err.value)
    assert "bao_cao.xlsx" in str(err.value)


def test_xlsx_numbers_keep_their_decimals() -> None:
    data = xlsx_bytes({"S": [["Vĩ độ", "Kinh độ"], [18.3456, 105.9012]]})
    assert read_table(data, "a.xlsx").frame.iloc[0].tolist() == ["18.3456", "105.9012"]


@pytest.mark.parametrize("dataset", DATASET_NAMES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_read_back_with_every_column_matched(dataset: str, fmt: str) -> None:
    table = read_table(build_template(dataset, fmt), f"mau.{fmt}")
    header = match_headers(table.columns, dataset)
    assert header.complete and not header.ignored
    assert len(table.frame) == 0


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n"])
def test_empty_file_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match=r"Tệp «rong\.csv» rỗng"):
        read_table(data, "rong.csv")


def test_binary_garbage_refused() -> None:
    garbage = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    with pytest.raises(UnreadableFileError, match=r"«rac\.csv»"):
        read_table(garbage, "rac.csv")


def test_control_characters_without_nul_refused() -> None:
    with pytest.raises(UnreadableFileError, match="không phải tệp văn bản"):
        read_table(bytes(range(1, 32)) * 50, "rac.txt")


def test_xlsx_that_is_not_a_zip_refused() -> None:
    with pytest.raises(UnreadableFileError, match=r"«gia\.xlsx».*không phải tệp \.xlsx hợp lệ"):
        read_table("Mã vụ việc,Tên xã\nVV-1,Kỳ Tân\n".encode(), "gia.xlsx")


def test_corrupt_zip_named_xlsx_refused() -> None:
    with pytest.raises(UnreadableFileError, match=r"«hong\.xlsx»"):
        read_table(b"PK\x03\x04" + b"\x00" * 100, "hong.xlsx")


def test_workbook_named_csv_refused() -> None:
    with pytest.raises(UnreadableFileError, match=r"đổi đuôi thành \.xlsx"):
        read_table(_report_workbook(), "bao_cao.csv")


def test_legacy_xls_refused_with_advice() -> None:
    with pytest.raises(UnreadableFileError, match=r"\.xls"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cu.xls")


def test_zip_bomb_refused_before_unpacking(monkeypatch: pytest.MonkeyPatch) -> None:
    # A 20 MB bomb against a 10 MB limit keeps the test fast; the check is the same.
    monkeypatch.setattr(limits, "MAX_UNCOMPRESSED_BYTES", 10 * 1024 * 1024)
    bomb = zip_bomb_xlsx(20)
    assert len(bomb) < 100_000
    with pytest.raises(
        UnreadableFileError, match=r"«bom\.xlsx» bị từ chối: dung lượng sau giải nén \(20 MB\) vượt giới hạn 10 MB"
    ):
        read_table(bomb, "bom.xlsx")


def test_absurd_row_count_refused() -> None:
    with pytest.raises(
        UnreadableFileError,
        match=r"«Sheet1» trải trên vùng A1:B3000000 \(3000000 dòng × 2 cột.*"
        r"vượt giới hạn 2000000 dòng",
    ):
        read_table(huge_dimension_xlsx(3_000_000), "to.xlsx")


def test_rows_beyond_declared_dimension_also_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 3)
    data = xlsx_bytes({"S": [["Mã vụ việc", "Tên xã"]] + [[f"VV-{i}", "Kỳ Tân"] for i in range(5)]})
    with pytest.raises(UnreadableFileError, match="vượt giới hạn 3 dòng"):
        read_table(data, "dai.xlsx")
