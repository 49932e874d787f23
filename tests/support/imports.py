"""Small upload files and a preview call shared by the importer and store tests."""

from __future__ import annotations

from loaders.ingest.preview import ImportPreview, ImportRequest, preview_import
from tests.support.files import csv_bytes

USER = "tester"
# Xã Kỳ Tân (legacy 18814) and Xã Cẩm Thành, both plain, unsplit legacy communes.
HEADER = ["Mã vụ việc", "Ngày", "Mã xã", "Tên xã", "Huyện (cũ)", "Lĩnh vực", "Mức độ", "Vĩ độ", "Kinh độ", "Mô tả"]
MODELS_HEADER = [
    "Tên xã/phường",
    "Huyện (cũ)",
    "Tên mô hình",
    "Loại mô hình",
    "Nơi triển khai",
    "Ngày thành lập",
    "Trạng thái",
]
RECOGNITIONS_HEADER = ["Năm", "Tên xã/phường", "Huyện (cũ)", "Loại đơn vị", "Tên đơn vị", "Kết quả"]


def csv_file(rows: list[list[str]]) -> bytes:
    """The test files here: UTF-8, LF line ends."""
    return csv_bytes(rows, newline="\n")


def incidents_csv(
    codes: list[str],
    *,
    commune: str = "Xã Kỳ Tân",
    district: str = "Huyện Kỳ Anh",
    day: str = "15/03/2024",
    extra: list[list[str]] | None = None,
) -> bytes:
    """A CSV of valid incidents, one per code; ``extra`` rows are appended as given."""
    rows = [HEADER]
    rows += [[c, day, "", commune, district, "Hình sự", "nghiêm trọng", "", "", f"ghi chú {c}"] for c in codes]
    rows += extra or []
    return csv_file(rows)


def models_csv(names: list[str]) -> bytes:
    rows = [MODELS_HEADER]
    rows += [["Xã Kỳ Tân", "Huyện Kỳ Anh", n, "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động"] for n in names]
    return csv_file(rows)


def preview(
    engine, registry, data: bytes, dataset: str = "incidents", name: str = "vu_viec.csv", **kw
) -> ImportPreview:
    """Preview ``data`` as ``name`` by :data:`USER`, with no province outline."""
    request = ImportRequest(dataset=dataset, data=data, file_name=name, user=USER, **kw)
    return preview_import(engine, request, registry=registry, province_polygon=None)
