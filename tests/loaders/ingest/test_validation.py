"""Row-by-row validation: every rule passes and fails with the exact row, column and value.

The commune registry is replaced by a small fake with the same contract as
``Registry.resolve_frame``, so each resolution rule is visible in the test.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from loaders.ingest.coercion import parse_dates, parse_numbers
from loaders.ingest.datasets import RESOLVED_COLUMNS
from loaders.ingest.enums import canonical_enum
from loaders.ingest.headers import MappingError, match_headers, parse_mapping
from loaders.ingest.keys import make_business_keys
from loaders.ingest.reports import errors_to_csv, errors_to_xlsx
from loaders.ingest.templates import build_template
from loaders.ingest.validation import (
    MissingColumnsError,
    ValidationContext,
    ValidationResult,
    validate_frame,
    validate_upload,
)
from tests.support.files import csv_bytes, excel_serial, xlsx_bytes

TODAY = dt.date(2026, 1, 15)
# Roughly Hà Tĩnh's extent; enough to tell inside from outside and swapped.
PROVINCE = box(105.1, 17.9, 106.6, 18.8)
INSIDE = ("18,3456", "105,9012")


class FakeRegistry:
    """The resolver contract on a handful of communes, recording every call.

    - "Kỳ Tân" (legacy only, code 18814) now lies in Xã Kỳ Hoa (18814).
    - "Trần Phú" is a legacy ward of TP Hà Tĩnh (now Thành Sen 18070) and a
      2025 ward (18100): ambiguous unless a vintage is given.
    - "Đại Nài" (legacy 18085) was split; the area majority went to Thành Sen.
    - Code "18817" is a 2025 commune; every other name or code is not found.
    """

    def __init__(self) -> None:
        self.calls: list[pd.DataFrame] = []

    def resolve_frame(self, codes, names, districts, on=None, vintage=None) -> pd.DataFrame:
        n = len(names)
        vintages = list(vintage) if isinstance(vintage, Sequence) and not isinstance(vintage, str) else [vintage] * n
        self.calls.append(pd.DataFrame({"code": codes, "name": names, "district": districts, "vintage": vintages}))
        return pd.DataFrame([self._one(c, nm, d, v) for c, nm, d, v in zip(codes, names, districts, vintages)])

    @staticmethod
    def _one(code, name, district, vintage) -> dict:
        ok = {"status": "resolved", "split": False, "candidates": "", "message": None, "district_code": None}
        if code == "18817":
            return ok | {
                "vintage": "2025",
                "code": "18817",
                "name": "Xã Kỳ Hoa",
                "legacy_code": None,
                "legacy_name": None,
            }
        if name in ("Kỳ Tân", "Ky Tan"):
            return ok | {
                "vintage": "legacy",
                "code": "18814",
                "name": "Xã Kỳ Hoa",
                "legacy_code": "18814",
                "legacy_name": "Xã Kỳ Tân",
            }
        if name == "Trần Phú":
            if vintage == "legacy" or district:
                return ok | {
                    "vintage": "legacy",
                    "code": "18070",
                    "name": "Phường Thành Sen",
                    "legacy_code": "18076",
                    "legacy_name": "Phường Trần Phú",
                }
            if vintage == "2025":
                return ok | {
                    "vintage": "2025",
                    "code": "18100",
                    "name": "Phường Trần Phú",
                    "legacy_code": None,
                    "legacy_name": None,
                }
            return {
                "status": "ambiguous",
                "candidates": "Phường Trần Phú (mã 18076) → Phường Thành Sen; Phường Trần Phú (mã 18100)",
                "message": (
                    "Tên 'Trần Phú' không rõ ràng, có thể là: hai phường. "
                    "Hãy ghi mã xã, huyện cũ hoặc ngày để phân biệt."
                ),
            }
        if name == "Đại Nài":
            return ok | {
                "vintage": "legacy",
                "code": "18070",
                "name": "Phường Thành Sen",
                "legacy_code": "18085",
                "legacy_name": "Phường Đại Nài",
                "split": True,
                "candidates": "Phường Thành Sen (mã 18070); Phường Hà Huy Tập (mã 18652)",
            }
        return {"status": "not_found", "message": f"Không tìm thấy xã/phường '{name or code}' ở tỉnh Hà Tĩnh"}


@pytest.fixture
def fake() -> FakeRegistry:
    return FakeRegistry()


INCIDENT_HEADER = [
    "STT",
    "Mã vụ việc",
    "Ngày",
    "Mã xã",
    "Tên xã",
    "Huyện (cũ)",
    "Lĩnh vực",
    "Mức độ",
    "Vĩ độ",
    "Kinh độ",
    "Mô tả",
]


def incident(**kw: object) -> list[object]:
    """One valid incident row; keyword arguments override cells by header key."""
    base = {
        "stt": 1,
        "ma": "VV-1",
        "ngay": "05/03/2024",
        "ma_xa": "",
        "xa": "Kỳ Tân",
        "huyen": "",
        "linh_vuc": "Hình sự",
        "muc_do": "nghiêm trọng",
        "lat": INSIDE[0],
        "lon": INSIDE[1],
        "mo_ta": "",
    }
    base.update(kw)
    return list(base.values())


def run(
    rows: Sequence[Sequence[object]],
    dataset: str,
    fake: FakeRegistry,
    header: Sequence[str],
    *,
    mapping: dict[str, str] | None = None,
    **kw,
) -> ValidationResult:
    kw.setdefault("polygon", PROVINCE)
    kw.setdefault("today", TODAY)
    context = ValidationContext(resolver=fake.resolve_frame, **kw)
    return validate_upload(csv_bytes([header, *rows]), "tai_len.csv", dataset, context, mapping=mapping)


def incidents(fake: FakeRegistry, *rows: list[object], **kw) -> ValidationResult:
    return run(rows, "incidents", fake, INCIDENT_HEADER, **kw)


def only_error(result: ValidationResult) -> dict:
    assert len(result.errors) == 1, result.errors.to_string()
    return result.errors.iloc[0].to_dict()


def errors_of(result: ValidationResult) -> list[tuple]:
    return list(result.errors[["row", "column", "value", "code"]].itertuples(index=False, name=None))


# --------------------------------------------------------------------------- happy path and output shape


def test_valid_incident_is_accepted_with_resolved_columns(fake: FakeRegistry) -> None:
    result = incidents(fake, incident())
    assert result.errors.empty
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (1, 1, 0)
    assert result.ignored_columns == ["STT"]
    row = result.accepted.iloc[0]
    assert list(result.accepted.columns) == [
        "ma_vu_viec",
        "ngay",
        "ma_xa",
        "ten_xa",
        "huyen_cu",
        "linh_vuc",
        "muc_do",
        "vi_do",
        "kinh_do",
        "mo_ta",
        *RESOLVED_COLUMNS,
    ]
    assert row["ngay"] == pd.Timestamp("2024-03-05")
    assert row["linh_vuc"] == "hình sự"
    assert row["vi_do"] == pytest.approx(18.3456) and row["kinh_do"] == pytest.approx(105.9012)
    assert (row["commune_code"], row["legacy_code"], row["vintage"]) == ("18814", "18814", "legacy")
    assert (row["name_given"], row["business_key"], row["source_row"]) == ("Kỳ Tân", "VV-1", 2)
    assert pd.isna(row["code_given"]) and pd.isna(row["mo_ta"])


def test_errors_and_accepted_rows_together(fake: FakeRegistry) -> None:
    result = incidents(fake, incident(ma="A"), incident(ma="B", linh_vuc="bão lũ"), incident(ma="C"))
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert result.accepted["ma_vu_viec"].tolist() == ["A", "C"]
    assert errors_of(result) == [(3, "Lĩnh vực", "bão lũ", "enum")]


# --------------------------------------------------------------------------- required


def test_required_field_missing(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(), incident(ma="VV-2", linh_vuc="")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (3, "Lĩnh vực", "", "required")
    assert err["message"] == "Thiếu giá trị bắt buộc ở cột «Lĩnh vực»."


def test_commune_needs_code_or_name(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(xa="", ma_xa="")))
    assert (err["row"], err["column"], err["code"]) == (2, "Mã xã / Tên xã", "commune_required")
    assert only_error(incidents(fake, incident(xa="", ma_xa="99999")))["code"] == "commune_not_found"
    assert incidents(fake, incident(xa="", ma_xa="18817")).errors.empty


def test_missing_required_column_is_reported_before_rows(fake: FakeRegistry) -> None:
    header = ["Mã vụ việc", "Tên xã", "Lĩnh vực"]
    with pytest.raises(MissingColumnsError) as err:
        run([["VV-1", "Kỳ Tân", "Hình sự"]], "incidents", fake, header)
    assert str(err.value) == "Tệp «tai_len.csv» thiếu cột bắt buộc: «Ngày». Hãy sửa tiêu đề cột hoặc ánh xạ cột."
    assert err.value.header.missing_required == ["ngay"]


# --------------------------------------------------------------------------- enumerations


@pytest.mark.parametrize("given", ["TỰ QUẢN", "tu quan", "Tự quản", " tự   quản ", "Mô hình tự quản"])
def test_enum_values_match_leniently(given: str) -> None:
    assert canonical_enum(pd.Series([given]), "kind").tolist() == ["tự quản"]


@pytest.mark.parametrize(
    ("family", "given", "stored"),
    [
        ("field", "TTATGT", "trật tự an toàn giao thông"),
        ("field", "cháy nổ", "cháy, nổ"),
        ("severity", "VPHC", "vi phạm hành chính"),
        ("status", "Hoạt động", "đang hoạt động"),
        ("status", "dissolved", "giải thể"),
        ("result", "chưa đạt", "không đạt"),
        ("result", "DAT", "đạt"),
        ("unit_type", "Xã", "xã, phường, thị trấn"),
        ("setting", "trường học", "cơ sở giáo dục"),
        ("kind", "tự hoà giải", "tự hòa giải"),
    ],
)
def test_enum_variants(family: str, given: str, stored: str) -> None:
    assert canonical_enum(pd.Series([given]), family).tolist() == [stored]


@pytest.mark.parametrize(("family", "given"), [("result", "x"), ("kind", "tự"), ("severity", "nặng")])
def test_enum_guesses_are_refused(family: str, given: str) -> None:
    assert canonical_enum(pd.Series([given]), family).isna().all()


def test_enum_error_lists_allowed_values(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(muc_do="nặng")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Mức độ", "nặng", "enum")
    assert err["message"].startswith(
        "Giá trị «nặng» không thuộc danh mục «Mức độ». Giá trị cho phép: vi phạm hành chính;"
    )


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("05/03/2024", "2024-03-05"),
        ("5/3/2024", "2024-03-05"),
        ("03/05/2024", "2024-05-03"),  # day first, as Vietnamese write it
        ("2024-03-05", "2024-03-05"),
        ("05-03-2024", "2024-03-05"),
        ("05.03.2024", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"),
        (str(excel_serial(dt.date(2024, 3, 5))), "2024-03-05"),
        ("45356.0", "2024-03-05"),
    ],
)
def test_date_formats(given: str, expected: str) -> None:
    assert parse_dates(pd.Series([given])).tolist() == [pd.Timestamp(expected)]


@pytest.mark.parametrize("given", ["31/02/2024", "2024/13/01", "hôm qua", "5/3/24", "0"])
def test_invalid_dates_are_nat(given: str) -> None:
    assert parse_dates(pd.Series([given])).isna().all()


def test_date_format_error(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(ngay="31/02/2024")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Ngày", "31/02/2024", "date_format")


def test_date_in_future(fake: FakeRegistry) -> None:
    assert incidents(fake, incident(ngay="15/01/2026")).errors.empty
    err = only_error(incidents(fake, incident(ngay="16/01/2026")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Ngày", "16/01/2026", "date_future")
    assert err["message"] == "Ngày «16/01/2026» ở tương lai (sau ngày 15/01/2026)."


def test_date_in_future_names_today_as_official_documents_write_it(fake: FakeRegistry) -> None:
    # 5 July: the day takes a leading zero, a month after February does not.
    err = only_error(incidents(fake, incident(ngay="06/07/2024"), today=dt.date(2024, 7, 5)))
    assert err["message"] == "Ngày «06/07/2024» ở tương lai (sau ngày 05/7/2024)."


def test_date_before_2000(fake: FakeRegistry) -> None:
    assert incidents(fake, incident(ngay="01/01/2000")).errors.empty
    err = only_error(incidents(fake, incident(ngay="31/12/1999")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Ngày", "31/12/1999", "date_too_early")


def test_excel_serial_date_in_xlsx(fake: FakeRegistry) -> None:
    data = xlsx_bytes(
        {
            "Vụ việc": [
                ["BÁO CÁO"],
                INCIDENT_HEADER,
                incident(ngay=excel_serial(dt.date(2024, 3, 5)), lat=18.3456, lon=105.9012),
                incident(ma="VV-2", ngay=dt.datetime(2024, 3, 6), lat=None, lon=None),
                ["Tổng cộng", 2],
            ]
        }
    )
    context = ValidationContext(resolver=fake.resolve_frame, polygon=PROVINCE, today=TODAY)
    result = validate_upload(data, "bc.xlsx", "incidents", context)
    assert result.errors.empty
    assert result.accepted["ngay"].tolist() == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-06")]
    assert result.accepted["source_row"].tolist() == [3, 4]
    assert result.totals_rows == [5]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("18,35", 18.35),
        ("18.35", 18.35),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("-5", -5.0),
        ("105,9012", 105.9012),
    ],
)
def test_number_separators(given: str, expected: float) -> None:
    assert parse_numbers(pd.Series([given])).tolist() == [pytest.approx(expected)]


def test_integer_columns_read_a_lone_dot_as_thousands() -> None:
    assert parse_numbers(pd.Series(["1.234", "12"]), integer=True).tolist() == [1234.0, 12.0]


@pytest.mark.parametrize("given", ["abc", "1,2,3", "18°21'", "1.2.3,4,5"])
def test_invalid_numbers_are_nan(given: str) -> None:
    assert parse_numbers(pd.Series([given])).isna().all()


# --------------------------------------------------------------------------- coordinates


def test_empty_coordinates_are_allowed(fake: FakeRegistry) -> None:
    result = incidents(fake, incident(lat="", lon=""))
    assert result.errors.empty and result.accepted["vi_do"].isna().all()


def test_only_one_coordinate_points_at_the_missing_one(fake: FakeRegistry) -> None:
    result = incidents(fake, incident(lon=""), incident(ma="VV-2", lat=""))
    assert errors_of(result) == [(2, "Kinh độ", "", "coord_pair"), (3, "Vĩ độ", "", "coord_pair")]
    assert result.errors.iloc[0]["message"].startswith("Có Vĩ độ nhưng thiếu Kinh độ")


def test_coordinates_outside_province(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(lat="21,0278", lon="105,8342")))  # Hà Nội
    assert (err["row"], err["column"], err["value"], err["code"]) == (
        2,
        "Vĩ độ / Kinh độ",
        "21,0278, 105,8342",
        "coord_outside",
    )


def test_swapped_coordinates_are_named(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(lat="105.9012", lon="18.3456")))
    assert err["code"] == "coord_swapped"
    assert "đảo chỗ" in err["message"]


def test_unparseable_coordinate(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(lat="18 độ")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Vĩ độ", "18 độ", "number_format")


def test_no_polygon_skips_the_province_check(fake: FakeRegistry) -> None:
    assert incidents(fake, incident(lat="21.0", lon="105.8"), polygon=None).errors.empty


# --------------------------------------------------------------------------- communes and vintages


def test_unresolvable_commune(fake: FakeRegistry) -> None:
    err = only_error(incidents(fake, incident(xa="Hoàn Kiếm")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Tên xã", "Hoàn Kiếm", "commune_not_found")
    assert err["message"] == "Không tìm thấy xã/phường 'Hoàn Kiếm' ở tỉnh Hà Tĩnh"


def test_incident_vintage_comes_from_its_date(fake: FakeRegistry) -> None:
    result = incidents(
        fake,
        incident(ma="A", xa="Trần Phú", ngay="30/06/2025"),
        incident(ma="B", xa="Trần Phú", ngay="01/07/2025"),
    )
    assert result.errors.empty
    assert result.accepted["commune_code"].tolist() == ["18070", "18100"]
    assert sorted(fake.calls[0]["vintage"]) == ["2025", "legacy"]


def test_each_distinct_reference_is_resolved_once(fake: FakeRegistry) -> None:
    rows = [incident(ma=f"VV-{i}", ngay=f"{i % 3 + 1:02d}/03/2024") for i in range(30)]
    incidents(fake, *rows)
    assert len(fake.calls) == 1 and len(fake.calls[0]) == 1


def test_ambiguous_name_is_rejected_with_candidates(fake: FakeRegistry) -> None:
    # A date that does not parse leaves the vintage open.
    result = incidents(fake, incident(xa="Trần Phú", ngay="không rõ"))
    assert errors_of(result) == [(2, "Ngày", "không rõ", "date_format"), (2, "Tên xã", "Trần Phú", "commune_ambiguous")]
    assert "không rõ ràng" in result.errors.iloc[1]["message"]


MODEL_HEADER = [
    "Mã xã",
    "Xã/phường",
    "Huyện (cũ)",
    "Tên mô hình",
    "Loại mô hình",
    "Nơi triển khai",
    "Ngày thành lập",
    "Trạng thái",
    "Ngày giải thể",
    "Đánh giá",
    "Số thành viên",
    "Vĩ độ",
    "Kinh độ",
    "Ghi chú",
]


def model(**kw: object) -> list[object]:
    base = {
        "ma_xa": "",
        "xa": "Kỳ Tân",
        "huyen": "",
        "ten": "Tổ tự quản thôn 1",
        "loai": "tự quản",
        "noi": "khu dân cư",
        "lap": "01/02/2020",
        "tt": "đang hoạt động",
        "giai_the": "",
        "dg": "hiệu quả",
        "tv": "12",
        "lat": "",
        "lon": "",
        "gc": "",
    }
    base.update(kw)
    return list(base.values())


def models(fake: FakeRegistry, *rows: list[object], **kw) -> ValidationResult:
    return run(rows, "models", fake, MODEL_HEADER, **kw)


def test_model_names_resolve_without_vintage_then_with_the_files_vintage(fake: FakeRegistry) -> None:
    result = models(fake, model(xa="Trần Phú"))
    assert result.errors.empty
    assert result.accepted.loc[0, "commune_code"] == "18100"  # current units by default
    assert fake.calls[0]["vintage"].tolist() == [None]
    assert fake.calls[1]["vintage"].tolist() == ["2025"]
    assert models(FakeRegistry(), model(xa="Trần Phú"), vintage="legacy").accepted.loc[0, "commune_code"] == "18070"


def test_model_name_stays_ambiguous_without_a_default(fake: FakeRegistry) -> None:
    err = only_error(models(fake, model(xa="Trần Phú"), vintage=None))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Xã/phường", "Trần Phú", "commune_ambiguous")


def test_former_district_disambiguates(fake: FakeRegistry) -> None:
    result = models(fake, model(xa="Trần Phú", huyen="TP Hà Tĩnh"), vintage=None)
    assert result.errors.empty and result.accepted.loc[0, "commune_code"] == "18070"
    assert result.accepted.loc[0, "district_given"] == "TP Hà Tĩnh"


def test_split_commune_is_accepted_with_a_warning(fake: FakeRegistry) -> None:
    result = models(fake, model(xa="Đại Nài"))
    assert result.errors.empty and result.rows_accepted == 1
    warning = result.warnings.iloc[0]
    assert (warning["row"], warning["column"], warning["code"]) == (2, "Xã/phường", "commune_split")
    assert "Hà Huy Tập" in warning["message"]


# --------------------------------------------------------------------------- model rules


def test_model_typed_output(fake: FakeRegistry) -> None:
    row = models(fake, model(tv="1.234", loai="TU QUAN")).accepted.iloc[0]
    assert row["so_thanh_vien"] == 1234 and str(models(fake, model()).accepted["so_thanh_vien"].dtype) == "Int64"
    assert row["loai_mo_hinh"] == "tự quản"
    assert row["name_key"] == "totuquanthon1"
    assert row["business_key"] == "18814|totuquanthon1|2026"  # no Năm đánh giá: the year of the import
    assert row["nam_danh_gia"] == TODAY.year


def test_dissolved_model_needs_its_date(fake: FakeRegistry) -> None:
    assert models(fake, model(tt="giải thể", giai_the="01/03/2023")).errors.empty
    err = only_error(models(fake, model(tt="Giải thể")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Ngày giải thể", "", "dissolved_without_date")


def test_dissolution_before_founding(fake: FakeRegistry) -> None:
    err = only_error(models(fake, model(tt="giải thể", lap="01/02/2020", giai_the="31/01/2020")))
    assert (err["row"], err["column"], err["value"], err["code"]) == (
        2,
        "Ngày giải thể",
        "31/01/2020",
        "dissolved_before_founded",
    )
    assert err["message"] == "Ngày giải thể «31/01/2020» trước ngày thành lập «01/02/2020»."


def test_dissolution_date_on_an_active_model(fake: FakeRegistry) -> None:
    err = only_error(models(fake, model(giai_the="01/03/2023")))
    assert (err["column"], err["code"]) == ("Ngày giải thể", "dissolution_date_not_dissolved")


@pytest.mark.parametrize(("given", "code"), [("12,5", "integer"), ("-3", "negative"), ("mười", "number_format")])
def test_member_count(fake: FakeRegistry, given: str, code: str) -> None:
    err = only_error(models(fake, model(tv=given)))
    assert (err["row"], err["column"], err["value"], err["code"]) == (2, "Số thành viên", given, code)


# --------------------------------------------------------------------------- recognitions

RECOGNITION_HEADER = ["Năm", "Tên xã", "Loại đơn vị", "Tên đơn vị", "Kết quả"]


def recognitions(fake: FakeRegistry, *rows: list[object], **kw) -> ValidationResult:
    return run(rows, "recognitions", fake, RECOGNITION_HEADER, **kw)


def test_recognition_year_decides_the_vintage(fake: FakeRegistry) -> None:
    result = recognitions(
        fake,
        ["2024", "Trần Phú", "khu dân cư", "TDP 1", "đạt"],
        ["2025", "Trần Phú", "khu dân cư", "TDP 1", "Đạt"],
    )
    assert result.errors.empty
    assert result.accepted["commune_code"].tolist() == ["18070", "18100"]
    assert result.accepted["business_key"].tolist() == ["2024|18070|khu dân cư|tdp1", "2025|18100|khu dân cư|tdp1"]


def test_recognition_year_range(fake: FakeRegistry) -> None:
    result = recognitions(
        fake, ["1999", "Kỳ Tân", "khu dân cư", "Thôn 1", "đạt"], ["2027", "Kỳ Tân", "khu dân cư", "Thôn 2", "đạt"]
    )
    assert errors_of(result) == [(2, "Năm", "1999", "year_range"), (3, "Năm", "2027", "year_range")]


def test_commune_level_unit_takes_the_commune_name(fake: FakeRegistry) -> None:
    result = recognitions(fake, ["2024", "Kỳ Tân", "xã", "", "đạt"], ["2024", "Kỳ Tân", "cơ quan", "", "đạt"])
    assert errors_of(result) == [(3, "Tên đơn vị", "", "unit_name_required")]
    row = result.accepted.iloc[0]
    assert (row["loai_don_vi"], row["ten_don_vi"], row["unit_key"]) == ("xã, phường, thị trấn", "Xã Kỳ Tân", "xakytan")


# --------------------------------------------------------------------------- duplicates


def test_duplicate_in_file_names_the_first_row(fake: FakeRegistry) -> None:
    result = incidents(fake, incident(ma="VV-1"), incident(ma="VV-2"), incident(ma="VV-1"), incident(ma="VV-1"))
    assert errors_of(result) == [
        (4, "Mã vụ việc", "VV-1", "duplicate_in_file"),
        (5, "Mã vụ việc", "VV-1", "duplicate_in_file"),
    ]
    assert result.errors.iloc[0]["message"] == "Trùng với dòng 2 trong tệp (mã vụ việc «VV-1»)."
    assert result.accepted["ma_vu_viec"].tolist() == ["VV-1", "VV-2"]


def test_model_duplicates_by_resolved_commune_and_normalised_name(fake: FakeRegistry) -> None:
    # "Ky Tan" and "Kỳ Tân" are one commune; the names differ only in case and spacing.
    result = models(
        fake,
        model(ten="Tổ tự quản thôn 1"),
        model(xa="Ky Tan", ten="TỔ TỰ QUẢN  THÔN 1"),
        model(ten="Tổ tự quản thôn 2"),
    )
    assert errors_of(result) == [(3, "Tên mô hình", "TỔ TỰ QUẢN  THÔN 1", "duplicate_in_file")]


def test_duplicate_against_the_store(fake: FakeRegistry) -> None:
    seen: list[tuple[str, list[str]]] = []

    def existing(dataset: str, keys: list[str]) -> set[str]:
        seen.append((dataset, keys))
        return {"VV-2"}

    result = incidents(fake, incident(ma="VV-1"), incident(ma="VV-2"), existing_keys=existing)
    assert seen == [("incidents", ["VV-1", "VV-2"])]
    err = only_error(result)
    assert (err["row"], err["column"], err["value"], err["code"]) == (3, "Mã vụ việc", "VV-2", "duplicate_in_store")
    assert err["message"] == "Đã có trong dữ liệu đã lưu (mã vụ việc «VV-2»)."


def test_business_keys_rebuild_from_stored_columns() -> None:
    stored = pd.DataFrame(
        {
            "nam": pd.array([2024], dtype="Int64"),
            "commune_code": ["18070"],
            "loai_don_vi": ["khu dân cư"],
            "unit_key": ["tdp1"],
        }
    )
    assert make_business_keys(stored, "recognitions").tolist() == ["2024|18070|khu dân cư|tdp1"]


# --------------------------------------------------------------------------- headers and mapping


def test_english_aliases(fake: FakeRegistry) -> None:
    header = [
        "incident_id",
        "date",
        "commune_code",
        "commune_name",
        "former_district",
        "field",
        "severity",
        "lat",
        "lon",
        "description",
    ]
    result = run([["VV-1", "2024-03-05", "", "Kỳ Tân", "", "drugs", "VPHC", "", "", "x"]], "incidents", fake, header)
    assert result.errors.empty and result.accepted.loc[0, "linh_vuc"] == "ma túy"


def test_headers_ignore_case_diacritics_and_punctuation() -> None:
    header = match_headers(
        ["STT", "ten mo hinh", "LOẠI MÔ HÌNH", "Xa / phuong", "huyen_cu", "Ghi chú (nếu có)"], "models"
    )
    assert header.columns == {
        "ten_xa": "Xa / phuong",
        "huyen_cu": "huyen_cu",
        "ten_mo_hinh": "ten mo hinh",
        "loai_mo_hinh": "LOẠI MÔ HÌNH",
    }
    assert header.ignored == ["STT", "Ghi chú (nếu có)"]
    assert header.missing_required == ["noi_trien_khai", "ngay_thanh_lap", "trang_thai"]
    assert header.missing_one_of == []


def test_mapping_overrides_and_completes_headers(fake: FakeRegistry) -> None:
    header = ["Số hồ sơ", "Ngày", "Địa bàn", "Lĩnh vực", "Mức độ", "Mã vụ việc"]
    rows = [["HS-9", "05/03/2024", "Kỳ Tân", "Hình sự", "nghiêm trọng", "cũ"]]
    mapping = parse_mapping(["Số hồ sơ=ma_vu_viec", "Địa bàn=Tên xã/phường"])
    result = run(rows, "incidents", fake, header, mapping=mapping)
    assert result.errors.empty
    assert result.accepted.loc[0, "ma_vu_viec"] == "HS-9"
    assert result.ignored_columns == ["Mã vụ việc"]


def test_mapping_errors_name_what_is_wrong() -> None:
    with pytest.raises(MappingError, match="không có cột «Không có»"):
        match_headers(["A"], "models", {"Không có": "ten_mo_hinh"})
    with pytest.raises(MappingError, match="«ten_sai» không phải cột chuẩn"):
        match_headers(["A"], "models", {"A": "ten_sai"})
    with pytest.raises(MappingError, match="sai cú pháp"):
        parse_mapping(["chỉ có tên"])
    assert parse_mapping(["Cột = lạ=ten_mo_hinh"]) == {"Cột = lạ": "ten_mo_hinh"}


# --------------------------------------------------------------------------- templates, downloads, frames


def test_xlsx_template_has_a_guide_sheet() -> None:
    wb = load_workbook(io.BytesIO(build_template("models", "xlsx")))
    assert wb.sheetnames == ["Mô hình", "Hướng dẫn"]
    guide = {row[1]: row for row in wb["Hướng dẫn"].iter_rows(min_row=2, values_only=True)}
    assert guide["loai_mo_hinh"][2] == "Có"
    assert guide["loai_mo_hinh"][4] == "tự phòng; tự quản; tự bảo vệ; tự hòa giải; khác"
    assert guide["ten_xa"][2].startswith("Có (Mã xã hoặc")
    assert guide["ghi_chu"][2] == "Không"


def test_csv_template_header() -> None:
    text = build_template("recognitions", "csv").decode("utf-8-sig")
    assert text == "Năm,Mã xã,Tên xã/phường,Huyện (cũ),Loại đơn vị,Tên đơn vị,Kết quả\r\n"


def test_error_downloads(fake: FakeRegistry) -> None:
    result = incidents(fake, incident(linh_vuc="bão"), incident(ma="VV-2", ngay="32/01/2024"))
    csv_text = errors_to_csv(result.errors).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Dòng,Cột,Giá trị,Lỗi,Mã lỗi"
    assert "2,Lĩnh vực,bão," in csv_text
    ws = load_workbook(io.BytesIO(errors_to_xlsx(result.errors))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("Dòng", "Cột", "Giá trị", "Lỗi", "Mã lỗi")
    assert rows[2][:3] == (3, "Ngày", "32/01/2024") and rows[2][4] == "date_format"
    assert errors_to_csv(result.errors, lang="en").decode("utf-8-sig").startswith("Row,Column,Value,Error,Error code")


def test_validate_frame_takes_typed_values_through_the_same_checks(fake: FakeRegistry) -> None:
    frame = pd.DataFrame(
        {
            "ma_vu_viec": ["D-1", "D-2"],
            "ngay": pd.to_datetime(["2024-03-05", "2030-01-01"]),
            "ten_xa": ["Kỳ Tân", "Kỳ Tân"],
            "linh_vuc": ["hình sự", "ma túy"],
            "muc_do": ["nghiêm trọng", "vi phạm hành chính"],
            "vi_do": [18.3456, None],
            "kinh_do": [105.9012, None],
        }
    )
    context = ValidationContext(resolver=fake.resolve_frame, polygon=PROVINCE, today=TODAY)
    result = validate_frame(frame, "incidents", context)
    assert result.accepted["ma_vu_viec"].tolist() == ["D-1"]
    assert errors_of(result) == [(3, "ngay", "2030-01-01", "date_future")]


def test_every_row_is_accounted_for(fake: FakeRegistry) -> None:
    rows = [incident(ma=f"VV-{i}", linh_vuc="sai" if i % 3 == 0 else "hình sự") for i in range(10)]
    result = incidents(fake, *rows)
    rejected = set(result.errors["row"])
    assert result.rows_accepted + len(rejected) == result.rows_read == 10
    assert set(result.accepted["source_row"]).isdisjoint(rejected)


def test_summary_is_json_ready(fake: FakeRegistry) -> None:
    import json

    summary = incidents(fake, incident(linh_vuc="sai")).summary()
    assert json.loads(json.dumps(summary))["errors"] == [
        {"row": 2, "column": "Lĩnh vực", "value": "sai", "message": summary["errors"][0]["message"], "code": "enum"}
    ]
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (1, 0, 1)


# --------------------------------------------------------------------------- with the real registry


def test_real_registry_contract(registry, province_polygon) -> None:
    """The fake's contract holds for the real registry: vintages from dates, split warning, not found."""
    header = ["Mã vụ việc", "Ngày", "Tên xã", "Huyện (cũ)", "Lĩnh vực", "Mức độ", "Vĩ độ", "Kinh độ"]
    rows = [
        ["A", "05/03/2024", "Kỳ Tân", "Kỳ Anh", "hình sự", "nghiêm trọng", "", ""],
        ["B", "05/08/2025", "Phường Trần Phú", "", "hình sự", "nghiêm trọng", "", ""],
        ["C", "05/03/2024", "Đại Nài", "", "hình sự", "nghiêm trọng", "", ""],
        ["D", "05/03/2024", "Hoàn Kiếm", "", "hình sự", "nghiêm trọng", "21.02", "105.83"],
    ]
    context = ValidationContext(resolver=registry.resolve_frame, polygon=province_polygon, today=TODAY)
    result = validate_upload(csv_bytes([header, *rows]), "that.csv", "incidents", context)
    accepted = result.accepted.set_index("ma_vu_viec")
    assert (accepted.loc["A", "commune_code"], accepted.loc["A", "vintage"]) == ("18814", "legacy")
    assert (accepted.loc["B", "commune_code"], accepted.loc["B", "vintage"]) == ("18100", "2025")
    assert result.warnings["row"].tolist() == [4]
    expected = [(5, "Tên xã", "Hoàn Kiếm", "commune_not_found")]
    if province_polygon is not None:
        expected.append((5, "Vĩ độ / Kinh độ", "21.02, 105.83", "coord_outside"))
    assert errors_of(result) == expected


def test_error_reports_are_formula_safe_and_accept_stored_reports() -> None:
    import io

    from openpyxl import load_workbook

    from loaders.ingest import reports

    stored = pd.DataFrame(
        {"row": [3], "column": ["Tên xã"], "value": ['=HYPERLINK("x")'], "message": ["@cmd"]}
    )  # a stored report has no code column
    csv_text = reports.errors_to_csv(stored).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'@cmd" in csv_text
    sheet = load_workbook(io.BytesIO(reports.errors_to_xlsx(stored))).active
    values = [c.value for c in sheet[2]]
    assert values[0] == 3 and values[2] == '\'=HYPERLINK("x")' and sheet.cell(2, 3).data_type == "s"


def test_the_official_spelling_of_the_traffic_field_maps_to_the_stored_value() -> None:
    # The label reads "Trật tự, an toàn giao thông"; the stored value keeps its old spelling.
    written = pd.Series(["Trật tự, an toàn giao thông", "trat tu an toan giao thong"])
    assert canonical_enum(written, "field").tolist() == ["trật tự an toàn giao thông"] * 2
