"""Residential areas (thôn, tổ dân phố) through the importer, on SQLite and PostgreSQL.

Hand-worked from the crosswalk in geodata/: Xã Kỳ Hoa (18814) was formed from
the legacy Xã Kỳ Tân (18814, Huyện Kỳ Anh) and Xã Kỳ Hoa (18829, Thị xã Kỳ Anh); Xã Sơn Lâm
(legacy 18145, Huyện Hương Sơn) went whole to Xã Sơn Giang (18184); Phường Đại
Nài (18082) was split between Phường Thành Sen (18073) and Phường Hà Huy Tập (18652).
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from loaders.ingest.commit import commit_import, import_frames
from loaders.ingest.history import rollback_import
from loaders.ingest.preview import ImportRefused
from loaders.ingest.templates import build_template
from loaders.store import reads, tables
from tests.support.imports import USER, csv_file, preview

DATASET = "residential_areas"
HEADER = [
    "Tên xã/phường",
    "Huyện (cũ)",
    "Xã cũ",
    "Thôn/Tổ dân phố",
    "Loại khu dân cư",
    "Số hộ",
    "Số nhân khẩu",
    "Năm",
    "Có tổ hòa giải",
    "Số thành viên tổ hòa giải",
    "Có tổ bảo vệ ANTT",
    "Số thành viên tổ bảo vệ ANTT",
]


def areas_csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return csv_file([header, *rows])


GOOD = [
    ["Xã Kỳ Hoa", "", "Kỳ Tân", "Thôn 1", "", "120", "480", "2025", "có", "5", "Có", "7"],
    ["Xã Kỳ Hoa", "", "", "Thôn Trung Sơn", "thôn", "1.200", "4.800", "2025", "không", "", "chưa có", ""],
    ["Xã Sơn Lâm", "Huyện Hương Sơn", "", "Xóm 03", "", "80", "300", "2024", "đã có", "", "", ""],
]


def test_a_good_file_is_stored_whole_and_read_back(engine, registry):
    p = preview(engine, registry, areas_csv(GOOD), DATASET, "thon.csv")
    assert p.errors.empty and p.n_accepted == 3
    outcome = commit_import(engine, p, user=USER)
    assert outcome.committed and outcome.written == 3
    frame = reads.load_dataset(engine, DATASET)
    rows = {r.area_name: r for r in frame.itertuples(index=False)}
    first, second, third = rows["Thôn 1"], rows["Thôn Trung Sơn"], rows["Xóm 03"]
    assert (first.commune_code, first.legacy_code, first.year, first.area_key) == ("18814", "18814", 2025, "thon 1")
    assert (first.households, first.population, first.mediation_members, first.security_members) == (120, 480, 5, 7)
    assert (first.has_mediation_team, first.has_security_team) == (1.0, 1.0)
    # Kỳ Hoa was formed from two legacy communes: without "Xã cũ" its legacy commune stays unknown.
    assert pd.isna(second.legacy_code) and (second.households, second.population) == (1200, 4800)
    assert (second.has_mediation_team, second.has_security_team) == (0.0, 0.0)
    # A 2024 list names the legacy commune, which went whole to Sơn Giang.
    assert (third.commune_code, third.legacy_code, third.area_kind, third.area_key) == (
        "18184",
        "18145",
        "thôn",
        "thon 3",
    )
    assert pd.isna(third.has_security_team) and third.has_mediation_team == 1.0


def test_header_and_value_variants(engine, registry):
    header = ["Xã", "Huyện", "Xã/phường cũ", "Thôn, tổ dân phố", "Loại KDC", "Hộ", "Nhân khẩu", "year", "Tổ hòa giải"]
    rows = [
        ["ky hoa", "", "KỲ TÂN", "TDP số 05", "TDP", "10", "40", "2025", "yes"],
        ["Xã Kỳ Hoa", "", "", "Khối 6", "", "11", "44", "2025", "ko"],
    ]
    p = preview(engine, registry, areas_csv(rows, header), DATASET, "bien_the.csv")
    assert p.errors.empty, p.errors.to_dict("records")
    got = p.accepted[["thon_tdp", "loai_khu_dan_cu", "area_key", "co_to_hoa_giai", "legacy_code"]]
    assert got.astype(object).where(got.notna(), None).values.tolist() == [
        ["TDP số 05", "tổ dân phố", "tdp 5", "có", "18814"],
        ["Khối 6", "tổ dân phố", "tdp 6", "không", None],
    ]


def test_bad_rows_name_row_column_and_value(engine, registry):
    rows = [
        ["Xã Kỳ Hoa", "", "Kỳ Tân", "Thôn 1", "", "10", "40", "2025", "có", "", "", ""],
        ["Xã Kỳ Hoa", "", "", "thôn 01", "", "10", "40", "2025", "", "", "", ""],  # row 3: same area as row 2
        ["Xã Kỳ Hoa", "", "Sơn Lâm", "Thôn 2", "", "10", "40", "2025", "", "", "", ""],  # row 4: elsewhere
        ["Xã Kỳ Hoa", "", "Xã Không Có", "Thôn 3", "", "10", "40", "2025", "", "", "", ""],  # row 5
        ["Xã Kỳ Hoa", "", "", "Thôn 4", "", "-3", "40", "2025", "", "", "", ""],  # row 6
        ["Xã Kỳ Hoa", "", "", "", "", "", "", "2025", "", "", "", ""],  # row 7: no name
        ["Xã Kỳ Hoa", "", "", "Thôn 5", "", "", "", "", "", "", "", ""],  # row 8: no year
        ["Xã Kỳ Tân", "Huyện Kỳ Anh", "", "Thôn 6", "", "", "", "2023", "", "", "có", ""],  # row 9: team too early
        ["Xã Kỳ Hoa", "", "", "Thôn 7", "làng xã", "", "", "2025", "có lẽ", "", "", ""],  # row 10
    ]
    p = preview(engine, registry, areas_csv(rows), DATASET, "loi.csv")
    found = {(r.row, r.column, r.value, r.code) for r in p.errors.itertuples(index=False)}
    assert found == {
        (3, "Thôn/Tổ dân phố", "thôn 01", "duplicate_in_file"),
        (4, "Xã cũ", "Sơn Lâm", "legacy_commune_elsewhere"),
        (5, "Xã cũ", "Xã Không Có", "legacy_commune_not_found"),
        (6, "Số hộ", "-3", "negative"),
        (7, "Thôn/Tổ dân phố", "", "required"),
        (8, "Năm", "", "required"),
        (9, "Có tổ bảo vệ ANTT", "có", "security_team_too_early"),
        (10, "Loại khu dân cư", "làng xã", "enum"),
        (10, "Có tổ hòa giải", "có lẽ", "enum"),
    }
    messages = dict(zip(p.errors["code"], p.errors["message"]))
    assert messages["duplicate_in_file"] == (
        "Trùng với dòng 2 trong tệp (cùng năm, xã/phường và thôn, tổ dân phố «thôn 01»)."
    )
    assert "«Sơn Lâm»" in messages["legacy_commune_elsewhere"]
    assert "01/7/2024" in messages["security_team_too_early"]
    assert p.n_accepted == 1
    # Nothing is written while rows are rejected, unless only the valid rows are asked for.
    assert not commit_import(engine, p, user=USER).committed
    assert reads.load_dataset(engine, DATASET).empty


def test_a_split_legacy_commune_is_placed_by_its_list(engine, registry):
    rows = [
        ["Phường Hà Huy Tập", "", "Phường Đại Nài", "Tổ dân phố 1", "", "", "", "2025", "", "", "", ""],
        ["Phường Thành Sen", "", "Đại Nài", "Tổ dân phố 2", "", "", "", "2025", "", "", "", ""],
    ]
    p = preview(engine, registry, areas_csv(rows), DATASET, "dai_nai.csv")
    assert p.errors.empty, p.errors.to_dict("records")
    assert p.accepted[["commune_code", "legacy_code"]].values.tolist() == [["18652", "18082"], ["18073", "18082"]]


def test_a_former_commune_ambiguous_in_the_province_is_read_within_the_new_one(engine, registry):
    # "Thach Ha" is Phường Thạch Hạ (now Trần Phú) or Thị trấn Thạch Hà (now Xã Thạch Hà, 18562).
    rows = [
        ["Xã Thạch Hà", "", "Thach Ha", "Tổ dân phố 1", "", "", "", "2025", "", "", "", ""],
        ["Phường Thành Sen", "", "Thach Ha", "Tổ dân phố 2", "", "", "", "2025", "", "", "", ""],
    ]
    p = preview(engine, registry, areas_csv(rows), DATASET, "thach_ha.csv")
    assert p.accepted[["commune_code", "legacy_code"]].values.tolist() == [["18562", "18562"]]
    assert p.errors[["row", "value", "code"]].values.tolist() == [[3, "Thach Ha", "legacy_commune_not_found"]]


def test_duplicates_refused_and_rollback_removes_the_list(engine, registry):
    data = areas_csv(GOOD)
    first = commit_import(engine, preview(engine, registry, data, DATASET, "thon.csv"), user=USER)
    again = preview(engine, registry, data, DATASET, "thon_lan_2.csv")
    assert again.duplicate_of is not None and again.duplicate_of["import_id"] == first.import_id
    with pytest.raises(ImportRefused):
        commit_import(engine, again, user=USER)
    # The same areas in another file: every row is already stored.
    other = preview(engine, registry, areas_csv([*GOOD, GOOD[0]]), DATASET, "khac.csv")
    assert set(other.errors["code"]) == {"duplicate_in_store", "duplicate_in_file"}
    assert rollback_import(engine, first.import_id, USER) == 3
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.residential_areas)).scalar() == 0
    assert reads.load_dataset(engine, DATASET).empty


def test_the_template_has_every_column_and_reads_back_as_the_dataset(engine, registry):
    data = build_template(DATASET, "csv")
    labels = data.decode("utf-8-sig").strip().split(",")
    assert labels[:3] == ["Mã xã", "Tên xã/phường", "Huyện (cũ)"] or "Thôn/Tổ dân phố" in labels
    assert {"Xã cũ", "Thôn/Tổ dân phố", "Loại khu dân cư", "Số hộ", "Số nhân khẩu", "Năm"} <= set(labels)
    assert {"Có tổ hòa giải", "Có tổ bảo vệ ANTT", "Số thành viên tổ bảo vệ ANTT"} <= set(labels)
    assert build_template(DATASET, "xlsx")[:2] == b"PK"
    empty = preview(engine, registry, data, DATASET, "mau.csv")
    assert empty.missing_columns == [] and empty.rows_read == 0


def test_a_real_list_takes_the_place_of_the_demo_list(engine, registry):
    demo = pd.DataFrame({"ten_xa": ["Xã Kỳ Hoa", "Xã Kỳ Hoa"], "thon_tdp": ["Thôn 1", "Thôn 9"], "nam": [2025, 2025]})
    outcomes = import_frames(engine, {DATASET: demo}, USER, is_demo=True, registry=registry)
    assert outcomes[DATASET].committed
    real = commit_import(engine, preview(engine, registry, areas_csv(GOOD), DATASET, "thon.csv"), user=USER)
    assert real.committed and real.written == 3
    with engine.connect() as conn:
        names = conn.execute(sa.select(tables.residential_areas.c.area_name)).scalars().all()
    # The demo's Thôn 1 of 2025 gave way to the real one; the pages now read the real list only.
    assert sorted(names) == ["Thôn 1", "Thôn 9", "Thôn Trung Sơn", "Xóm 03"]
    assert sorted(reads.load_dataset(engine, DATASET)["area_name"]) == ["Thôn 1", "Thôn Trung Sơn", "Xóm 03"]
