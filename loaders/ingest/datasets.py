"""The uploadable datasets: their columns, header aliases and enumerations.

One place says what a column is called in a file (Vietnamese label, English
alias or the canonical name itself), whether it is required, what type it has,
which values an enumerated column allows and which store column keeps it. The
header matching (:mod:`loaders.ingest.headers`) uses the aliases; validation
and the importer use the rest. The canonical names are Vietnamese (``ten_mo_hinh``), the store's
English (``model_name``): :data:`STORE_COLUMNS` is derived from the specs here.
Headers are compared leniently (:func:`loaders.core.textnorm.key`: case,
diacritics, spaces and punctuation ignored); the enumerations and the
spellings accepted for them are in :mod:`loaders.ingest.enums`.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.core import domain
from loaders.core.i18n import translate
from loaders.ingest.enums import YES_NO_FAMILY

# Column types understood by validation.
TEXT = "text"
ENUM = "enum"
DATE = "date"
INT = "int"
FLOAT = "float"


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column of a dataset.

    Attributes
    ----------
    name : str
        Canonical name, e.g. ``"ten_mo_hinh"``.
    label : str
        Vietnamese header written in templates, e.g. ``"Tên mô hình"``.
    kind : str
        ``"text"``, ``"enum"``, ``"date"``, ``"int"`` or ``"float"``.
    required : bool
        A blank cell rejects the row. The commune pair ``ma_xa``/``ten_xa`` is
        not marked required; :attr:`DatasetSpec.one_of` says one is needed.
    enum : str or None
        Family in :data:`loaders.ingest.enums.ENUM_FAMILIES` for ``kind == "enum"``.
    aliases : tuple of str
        Other headers accepted for the column (Vietnamese and English).
    note : str
        Vietnamese hint for the template's "Hướng dẫn" sheet.
    store_column : str or None
        The store column that keeps the value (English, e.g. ``"model_name"``);
        ``None`` for the commune columns, which the store keeps as resolved.
    """

    name: str
    label: str
    kind: str = TEXT
    required: bool = False
    enum: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""
    store_column: str | None = None


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: its columns in canonical order and its business key.

    Attributes
    ----------
    name : str
        ``"models"``, ``"incidents"`` or ``"recognitions"``.
    label : str
        Vietnamese name, used as the template's data sheet title.
    columns : tuple of ColumnSpec
    one_of : tuple of tuple of str
        Groups of columns of which at least one must be present and filled.
    key_column : str
        The column users recognise a duplicate by; errors name it.
    """

    name: str
    label: str
    columns: tuple[ColumnSpec, ...]
    one_of: tuple[tuple[str, ...], ...] = ()
    key_column: str = ""

    @property
    def names(self) -> list[str]:
        """Canonical column names in order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        """The spec of canonical column ``name`` (``KeyError`` if unknown)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


_COMMUNE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        name="ma_xa",
        label="Mã xã",
        aliases=("Mã xã/phường", "Mã xã, phường", "Mã ĐVHC", "Mã đơn vị hành chính", "commune_code", "ward_code"),
        note="Mã xã/phường 5 chữ số (mã cũ hoặc mã từ 1/7/2025). Cần mã xã hoặc tên xã.",
    ),
    ColumnSpec(
        name="ten_xa",
        label="Tên xã/phường",
        aliases=(
            "Xã/phường",
            "Tên xã",
            "Xã",
            "Phường",
            "Xã, phường",
            "Xã, phường, thị trấn",
            "Xã/phường/thị trấn",
            "commune_name",
            "commune",
            "ward",
        ),
        note="Tên xã/phường; viết có hoặc không dấu, tên cũ trước sáp nhập được chấp nhận.",
    ),
    ColumnSpec(
        name="huyen_cu",
        label="Huyện (cũ)",
        aliases=(
            "Huyện cũ",
            "Huyện",
            "Quận/huyện",
            "Huyện/thị xã/thành phố",
            "Huyện, thị xã",
            "former_district",
            "district",
        ),
        note="Huyện, thị xã, thành phố trước 1/7/2025; giúp phân biệt xã trùng tên.",
    ),
)
_COORD_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        name="vi_do",
        label="Vĩ độ",
        kind=FLOAT,
        aliases=("lat", "latitude"),
        note="Độ thập phân, ví dụ 18,3456. Để trống nếu không có.",
        store_column="lat",
    ),
    ColumnSpec(
        name="kinh_do",
        label="Kinh độ",
        kind=FLOAT,
        aliases=("lon", "lng", "long", "longitude"),
        note="Độ thập phân, ví dụ 105,9012.",
        store_column="lon",
    ),
)

DATASET_SPECS: dict[str, DatasetSpec] = {
    domain.DATASET_MODELS: DatasetSpec(
        name=domain.DATASET_MODELS,
        label="Mô hình",
        columns=(
            *_COMMUNE_COLUMNS,
            ColumnSpec(
                name="ten_mo_hinh",
                label="Tên mô hình",
                required=True,
                aliases=("Mô hình", "model_name", "name"),
                store_column="model_name",
            ),
            ColumnSpec(
                name="loai_mo_hinh",
                label="Loại mô hình",
                kind=ENUM,
                required=True,
                enum="kind",
                aliases=("Loại", "model_type", "type", "kind"),
                store_column="kind",
            ),
            ColumnSpec(
                name="noi_trien_khai",
                label="Nơi triển khai",
                kind=ENUM,
                required=True,
                enum="setting",
                aliases=("Địa bàn triển khai", "setting", "place"),
                store_column="setting",
            ),
            ColumnSpec(
                name="ngay_thanh_lap",
                label="Ngày thành lập",
                kind=DATE,
                required=True,
                aliases=("Ngày ra mắt", "founded_on", "founded", "date_founded"),
                note="dd/mm/yyyy (ví dụ 05/03/2024).",
                store_column="founded_on",
            ),
            ColumnSpec(
                name="trang_thai",
                label="Trạng thái",
                kind=ENUM,
                required=True,
                enum="status",
                aliases=("Tình trạng", "status"),
                store_column="status",
            ),
            ColumnSpec(
                name="ngay_giai_the",
                label="Ngày giải thể",
                kind=DATE,
                aliases=("dissolved_on", "dissolved"),
                note="Bắt buộc khi trạng thái là «giải thể»; không trước ngày thành lập.",
                store_column="dissolved_on",
            ),
            ColumnSpec(
                name="ngay_tam_dung",
                label="Ngày tạm dừng",
                kind=DATE,
                aliases=("Ngày tạm ngừng", "suspended_on", "suspended"),
                note="Chỉ khi trạng thái là «tạm dừng»; không trước ngày thành lập.",
                store_column="suspended_on",
            ),
            ColumnSpec(
                name="danh_gia",
                label="Đánh giá",
                kind=ENUM,
                enum="assessment",
                aliases=("Xếp loại", "Kết quả đánh giá", "rating", "assessment"),
                store_column="assessment",
            ),
            ColumnSpec(
                name="nam_danh_gia",
                label="Năm đánh giá",
                kind=INT,
                aliases=("Năm xếp loại", "rating_year", "assessment_year"),
                note="Năm của đánh giá và trạng thái ở dòng này; để trống là năm nhập tệp.",
                store_column="rating_year",
            ),
            ColumnSpec(
                name="so_thanh_vien",
                label="Số thành viên",
                kind=INT,
                aliases=("Thành viên", "Số TV", "members"),
                note="Số nguyên không âm.",
                store_column="members",
            ),
            *_COORD_COLUMNS,
            ColumnSpec(
                name="thon_tdp",
                label="Thôn/Tổ dân phố",
                aliases=("Thôn, tổ dân phố", "Thôn/TDP", "Thôn", "Tổ dân phố", "residential_area"),
                note="Thôn hoặc tổ dân phố của xã/phường nơi mô hình hoạt động (nếu có).",
                store_column="area_name",
            ),
            ColumnSpec(name="ghi_chu", label="Ghi chú", aliases=("notes", "note"), store_column="notes"),
        ),
        one_of=(("ma_xa", "ten_xa"),),
        key_column="ten_mo_hinh",
    ),
    domain.DATASET_INCIDENTS: DatasetSpec(
        name=domain.DATASET_INCIDENTS,
        label="Vụ việc",
        columns=(
            ColumnSpec(
                name="ma_vu_viec",
                label="Mã vụ việc",
                required=True,
                aliases=("Số hiệu vụ việc", "Mã vụ", "incident_id", "id"),
                note="Duy nhất cho mỗi vụ việc.",
                store_column="incident_code",
            ),
            ColumnSpec(
                name="ngay",
                label="Ngày",
                kind=DATE,
                required=True,
                aliases=("Ngày xảy ra", "Ngày vụ việc", "Thời gian", "date"),
                note="dd/mm/yyyy. Trước 1/7/2025 thì xã/phường được hiểu theo đơn vị cũ.",
                store_column="occurred_on",
            ),
            *_COMMUNE_COLUMNS,
            ColumnSpec(
                name="linh_vuc",
                label="Lĩnh vực",
                kind=ENUM,
                required=True,
                enum="field",
                aliases=("field", "category"),
                store_column="field",
            ),
            ColumnSpec(
                name="muc_do",
                label="Mức độ",
                kind=ENUM,
                enum="severity",
                aliases=("Tính chất", "severity"),
                store_column="severity",
            ),
            *_COORD_COLUMNS,
            ColumnSpec(
                name="mo_ta", label="Mô tả", aliases=("Nội dung", "Tóm tắt", "description"), store_column="description"
            ),
        ),
        one_of=(("ma_xa", "ten_xa"),),
        key_column="ma_vu_viec",
    ),
    domain.DATASET_RECOGNITIONS: DatasetSpec(
        name=domain.DATASET_RECOGNITIONS,
        label="Công nhận",
        columns=(
            ColumnSpec(
                name="nam",
                label="Năm",
                kind=INT,
                required=True,
                aliases=("Năm công nhận", "year"),
                note="Đến 2024: xã/phường theo đơn vị cũ; từ 2025: theo đơn vị mới.",
                store_column="year",
            ),
            *_COMMUNE_COLUMNS,
            ColumnSpec(
                name="loai_don_vi",
                label="Loại đơn vị",
                kind=ENUM,
                required=True,
                enum="unit_type",
                aliases=("unit_type",),
                store_column="unit_type",
            ),
            ColumnSpec(
                name="ten_don_vi",
                label="Tên đơn vị",
                aliases=("Đơn vị", "unit_name", "unit"),
                note="Bắt buộc, trừ khi loại đơn vị là «xã, phường, thị trấn» (khi đó là chính xã/phường).",
                store_column="unit_name",
            ),
            ColumnSpec(
                name="ket_qua",
                label="Kết quả",
                kind=ENUM,
                required=True,
                enum="result",
                aliases=("Kết quả công nhận", "result"),
                store_column="result",
            ),
        ),
        one_of=(("ma_xa", "ten_xa"),),
        key_column="ten_don_vi",
    ),
    domain.DATASET_RESIDENTIAL_AREAS: DatasetSpec(
        name=domain.DATASET_RESIDENTIAL_AREAS,
        label="Thôn, tổ dân phố",
        columns=(
            *_COMMUNE_COLUMNS,
            ColumnSpec(
                name="xa_cu",
                label="Xã cũ",
                aliases=("Xã/phường cũ", "Xã, phường, thị trấn cũ", "Xã trước sáp nhập", "legacy_commune"),
                note="Xã/phường/thị trấn trước 1/7/2025 mà thôn, tổ dân phố thuộc về (nếu biết).",
                store_column="legacy_given",
            ),
            ColumnSpec(
                name="thon_tdp",
                label="Thôn/Tổ dân phố",
                required=True,
                aliases=(
                    "Thôn, tổ dân phố",
                    "Thôn/TDP",
                    "Tên thôn, tổ dân phố",
                    "Khu dân cư",
                    "Tên khu dân cư",
                    "area_name",
                    "residential_area",
                ),
                note="Tên như xã ghi, ví dụ «Thôn 3», «Tổ dân phố số 5», «Xóm Trung Sơn».",
                store_column="area_name",
            ),
            ColumnSpec(
                name="loai_khu_dan_cu",
                label="Loại khu dân cư",
                kind=ENUM,
                enum="area_kind",
                aliases=("Loại KDC", "Loại", "area_kind"),
                note="thôn hoặc tổ dân phố; để trống thì lấy theo tên (Thôn, Xóm… / TDP, Khối…).",
                store_column="area_kind",
            ),
            ColumnSpec(
                name="so_ho",
                label="Số hộ",
                kind=INT,
                aliases=("Hộ", "Số hộ gia đình", "households"),
                note="Số nguyên không âm.",
                store_column="households",
            ),
            ColumnSpec(
                name="so_nhan_khau",
                label="Số nhân khẩu",
                kind=INT,
                aliases=("Nhân khẩu", "Số khẩu", "Số dân", "population"),
                note="Số nguyên không âm; tổng các thôn, TDP là dân số của xã/phường năm đó.",
                store_column="population",
            ),
            ColumnSpec(
                name="nam",
                label="Năm",
                kind=INT,
                required=True,
                aliases=("Năm danh sách", "year"),
                note="Năm của danh sách; danh sách một năm là đầy đủ cho mỗi xã/phường có trong đó.",
                store_column="year",
            ),
            ColumnSpec(
                name="co_to_hoa_giai",
                label="Có tổ hòa giải",
                kind=ENUM,
                enum=YES_NO_FAMILY,
                aliases=("Tổ hòa giải", "has_mediation_team"),
                note="có / không.",
                store_column="has_mediation_team",
            ),
            ColumnSpec(
                name="so_tv_hoa_giai",
                label="Số thành viên tổ hòa giải",
                kind=INT,
                aliases=("Thành viên tổ hòa giải", "mediation_members"),
                store_column="mediation_members",
            ),
            ColumnSpec(
                name="co_to_bao_ve",
                label="Có tổ bảo vệ ANTT",
                kind=ENUM,
                enum=YES_NO_FAMILY,
                aliases=(
                    "Tổ bảo vệ ANTT",
                    "Có tổ bảo vệ an ninh, trật tự",
                    "Tổ bảo vệ an ninh, trật tự",
                    "has_security_team",
                ),
                note="có / không; tổ bảo vệ ANTT có từ 01/7/2024.",
                store_column="has_security_team",
            ),
            ColumnSpec(
                name="so_tv_bao_ve",
                label="Số thành viên tổ bảo vệ ANTT",
                kind=INT,
                aliases=(
                    "Thành viên tổ bảo vệ ANTT",
                    "Số thành viên tổ bảo vệ an ninh, trật tự",
                    "security_members",
                ),
                store_column="security_members",
            ),
        ),
        one_of=(("ma_xa", "ten_xa"),),
        key_column="thon_tdp",
    ),
}

#: Canonical column -> store column, per dataset (the commune columns are stored as resolved).
STORE_COLUMNS: dict[str, dict[str, str]] = {
    name: {c.name: c.store_column for c in spec.columns if c.store_column} for name, spec in DATASET_SPECS.items()
}

#: Columns validation adds to the accepted rows after the canonical ones.
RESOLVED_COLUMNS: tuple[str, ...] = (
    "commune_code",
    "legacy_code",
    "vintage",
    "code_given",
    "name_given",
    "district_given",
    "business_key",
    "source_row",
)
#: The resolved columns the store keeps under their own name (the business key is its own columns).
STORED_RESOLVED_COLUMNS: tuple[str, ...] = tuple(c for c in RESOLVED_COLUMNS if c != "business_key")

#: Accepted-frame columns whose values, joined with "|", form the business key.
#: ``name_key``/``unit_key`` are the normalised names; the store keeps them as they are.
BUSINESS_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    domain.DATASET_INCIDENTS: ("ma_vu_viec",),
    domain.DATASET_MODELS: ("commune_code", "name_key", "nam_danh_gia"),
    domain.DATASET_RECOGNITIONS: ("nam", "commune_code", "loai_don_vi", "unit_key"),
    domain.DATASET_RESIDENTIAL_AREAS: ("nam", "commune_code", "area_key"),
}
#: The same business keys as store columns (the unique constraint of each table).
STORE_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    name: tuple(STORE_COLUMNS[name].get(c, c) for c in columns) for name, columns in BUSINESS_KEY_COLUMNS.items()
}


class ImportDataError(ValueError):
    """Base of the importer's own errors; the message is Vietnamese and user-facing."""


class UnknownDatasetError(ImportDataError):
    """A dataset name that is not one of :data:`loaders.core.domain.DATASET_NAMES`."""


def get_dataset(dataset: str) -> DatasetSpec:
    """Return the spec of ``dataset``.

    Raises
    ------
    UnknownDatasetError
        If the name is not one of :data:`loaders.core.domain.DATASET_NAMES`.
    """
    try:
        return DATASET_SPECS[dataset]
    except KeyError:
        raise UnknownDatasetError(
            translate("import.error.unknown_dataset", dataset=dataset, datasets=", ".join(domain.DATASET_NAMES))
        ) from None
