"""The downloadable upload templates: an empty file with the headers a dataset expects.

The headers and the guide sheet are built from the dataset specs in
:mod:`loaders.ingest.datasets`, so a template always reads back through the
importer with every column matched.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from loaders.ingest.datasets import DATE, ENUM, FLOAT, INT, TEXT, ColumnSpec, DatasetSpec, get_dataset
from loaders.ingest.enums import ENUM_FAMILIES


def _type_text(col: ColumnSpec) -> str:
    return {TEXT: "Chữ", ENUM: "Danh mục", DATE: "Ngày", INT: "Số nguyên", FLOAT: "Số thập phân"}[col.kind]


def _required_text(spec: DatasetSpec, col: ColumnSpec) -> str:
    if col.required:
        return "Có"
    for group in spec.one_of:
        if col.name in group:
            others = " hoặc ".join(spec.column(n).label for n in group)
            return f"Có ({others})"
    return "Không"


def build_template(dataset: str, fmt: str) -> bytes:
    """Build an empty upload template with Vietnamese headers.

    Parameters
    ----------
    dataset : str
        One of :data:`loaders.core.domain.DATASET_NAMES`.
    fmt : {"csv", "xlsx"}
        CSV is UTF-8 with BOM (so Excel shows the diacritics), comma-separated,
        header only. XLSX has the header on a data sheet and a second sheet
        "Hướng dẫn" listing each column, whether it is required, its type and
        its allowed values.

    Returns
    -------
    bytes

    Raises
    ------
    UnknownDatasetError
    ValueError
        For another format.
    """
    spec = get_dataset(dataset)
    labels = [c.label for c in spec.columns]
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow(labels)
        return buf.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}")
    wb = Workbook()
    ws = wb.active
    ws.title = spec.label
    ws.append(labels)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, label in enumerate(labels, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(label) + 4)
    guide = wb.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Tên chuẩn", "Bắt buộc", "Kiểu", "Giá trị cho phép / ghi chú"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for col in spec.columns:
        allowed = "; ".join(ENUM_FAMILIES[col.enum]) if col.enum else col.note
        guide.append([col.label, col.name, _required_text(spec, col), _type_text(col), allowed])
    for letter, width in zip("ABCDE", (18, 16, 26, 14, 80)):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
