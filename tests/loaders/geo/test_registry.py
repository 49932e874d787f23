"""The commune registry against the real crosswalks in geodata/ (installed from HT_GEODATA_SOURCE)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.core import domain, settings
from loaders.core.textnorm import fold
from loaders.geo import loading, resolve, schema

BEFORE = date(2024, 6, 1)
AFTER = date(2025, 9, 1)


@pytest.fixture(scope="module")
def geodata_dir():
    return settings.geodata_dir()


@pytest.fixture(scope="module")
def crosswalk_csv(geodata_dir) -> pd.DataFrame:
    return pd.read_csv(geodata_dir / schema.LAYER_FILES["legacy_to_2025"], dtype=str)


@pytest.fixture(scope="module")
def pre2020_csv(geodata_dir) -> pd.DataFrame:
    return pd.read_csv(geodata_dir / schema.LAYER_FILES["pre2020_to_legacy"], dtype=str)


def test_counts(registry):
    assert len(registry.communes) == 69
    assert len(registry.legacy) == 209
    assert len(registry.districts) == 12
    assert registry.has_boundaries


def test_every_legacy_commune_maps_to_one_2025_commune_except_documented(registry, crosswalk_csv):
    per_legacy = crosswalk_csv.groupby("legacy_code")["new_code"].nunique()
    multi = set(per_legacy[per_legacy > 1].index)
    assert multi == {"18082", "18796"}  # Đại Nài (area split), Kỳ Lợi (population split)
    assert registry.legacy.loc[sorted(multi), "split"].all()
    assert not registry.legacy.drop(index=sorted(multi))["split"].any()
    assert registry.to_2025("18082") == "18073"  # most of Đại Nài's area: Thành Sen
    assert registry.to_2025("18796") == "18823"  # Kỳ Lợi's whole area: Vũng Áng
    whole = crosswalk_csv[~crosswalk_csv["legacy_code"].isin(multi)]
    for legacy_code, new_code in zip(whole["legacy_code"], whole["new_code"]):
        assert registry.to_2025(legacy_code) == new_code


def test_members_and_districts_both_directions(registry):
    assert set(registry.legacy_members("18073")) >= {"18073", "18077", "18082", "18085", "18094"}
    # Kỳ Lợi gives Sông Trí and Hoành Sơn population only: it is not one of their members.
    assert "18796" not in registry.legacy_members("18754")
    assert "18796" in registry.legacy_members("18823")
    can_loc = registry.districts.index[registry.districts["name"] == "Huyện Can Lộc"][0]
    communes = registry.communes_in_districts([can_loc])
    assert "18406" in communes  # Xã Can Lộc
    assert all(can_loc in registry.communes.at[c, "district_codes"] for c in communes)


@pytest.mark.parametrize("strip", [False, True], ids=["diacritics", "folded"])
def test_every_legacy_name_resolves_with_district(registry, strip):
    for code, row in registry.legacy.iterrows():
        name = fold(row["name"]) if strip else row["name"]
        district = fold(row["district_name"]) if strip else row["district_name"]
        res = registry.resolve(name=name, district=district)
        assert res.status == resolve.STATUS_RESOLVED, (name, district, res.message)
        assert res.legacy_code == code
        assert res.code == row["new_code"]


@pytest.mark.parametrize("strip", [False, True], ids=["diacritics", "folded"])
def test_every_legacy_name_resolves_with_date(registry, strip):
    unresolved = []
    for _code, row in registry.legacy.iterrows():
        name = fold(row["name"]) if strip else row["name"]
        res = registry.resolve(name=name, on=BEFORE)
        if res.status != resolve.STATUS_RESOLVED:
            unresolved.append(name)
            continue
        assert res.code == row["new_code"], name
    # Without a district, only names shared by two legacy units may stay ambiguous, and
    # only when folding merged them (Thạch Hạ / Thạch Hà).
    assert all(fold(n).endswith("thach ha") for n in unresolved), unresolved


@pytest.mark.parametrize("strip", [False, True], ids=["diacritics", "folded"])
def test_every_pre2020_name_resolves_with_its_district(registry, pre2020_csv, strip):
    for _, row in pre2020_csv.iterrows():
        name = fold(row["pre2020_name"]) if strip else row["pre2020_name"]
        district = row["pre2020_district"]
        district = fold(district) if strip else district
        res = registry.resolve(name=name, district=district, on=BEFORE)
        assert res.status == resolve.STATUS_RESOLVED, (name, district, res.message)
        assert res.legacy_code == row["legacy_code"], (name, district)
        assert res.code in row["new_codes"].split(";")


def test_bare_codes_resolve_to_their_2025_commune(registry):
    for code, row in registry.legacy.iterrows():
        res = registry.resolve(code)
        assert res.status == resolve.STATUS_RESOLVED
        assert res.code == row["new_code"]
    assert registry.resolve("18814").name == "Xã Kỳ Hoa"  # was Xã Kỳ Tân
    assert registry.resolve(code=18073.0).code == "18073"  # spreadsheet float
    # A legacy-dated record with a reused code means the old unit.
    old = registry.resolve(code="18814", on=BEFORE)
    assert (old.vintage, old.legacy_name, old.code) == (domain.VINTAGE_LEGACY, "Xã Kỳ Tân", "18814")
    assert registry.resolve(code="18814", on=AFTER).vintage == domain.VINTAGE_2025


def test_unknown_code_and_name_are_not_found(registry):
    assert registry.resolve("99999").status == resolve.STATUS_NOT_FOUND
    assert registry.resolve("Xã Không Có").status == resolve.STATUS_NOT_FOUND
    res = registry.resolve(name="Kỳ Tân", district="Huyện Hương Sơn")
    assert res.status == resolve.STATUS_NOT_FOUND
    assert "Hương Sơn" in res.message


def test_ambiguous_across_vintages_reports_both_candidates(registry):
    res = registry.resolve("Phường Hà Huy Tập")
    assert res.status == resolve.STATUS_AMBIGUOUS
    assert {c["code"] for c in res.candidates} == {"18652", "18073"}
    assert "Hà Huy Tập" in res.message
    tran_phu = registry.resolve("P. Trần Phú")
    assert tran_phu.status == resolve.STATUS_AMBIGUOUS
    assert {c["code"] for c in tran_phu.candidates} == {"18100", "18073"}


@pytest.mark.parametrize(
    ("kwargs", "code", "vintage"),
    [
        ({"on": BEFORE}, "18073", domain.VINTAGE_LEGACY),
        ({"on": AFTER}, "18652", domain.VINTAGE_2025),
        ({"vintage": domain.VINTAGE_LEGACY}, "18073", domain.VINTAGE_LEGACY),
        ({"vintage": domain.VINTAGE_2025}, "18652", domain.VINTAGE_2025),
        ({"district": "TP Hà Tĩnh"}, "18073", domain.VINTAGE_LEGACY),
    ],
)
def test_ambiguity_is_decided_by_date_vintage_or_district(registry, kwargs, code, vintage):
    res = registry.resolve(name="Phường Hà Huy Tập", **kwargs)
    assert res.status == resolve.STATUS_RESOLVED
    assert (res.code, res.vintage) == (code, vintage)


def test_same_target_in_both_vintages_is_not_ambiguous(registry):
    res = registry.resolve("Sơn Kim 1")
    assert res.status == resolve.STATUS_RESOLVED
    assert res.code == "18196"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Xã Kỳ Tân, Huyện Kỳ Anh", "18814"),
        ("x. ky tan, h. ky anh", "18814"),
        ("KỲ TÂN", "18814"),
        ("TT Nghèn", None),  # resolved below by name only
        ("Thị trấn Thạch Hà, Huyện Thạch Hà", "18562"),
        ("P.Thạch Hạ", "18100"),
        ("Thạch Lưu", "18634"),  # pre-2020 name, merged into Lưu Vĩnh Sơn
        ("Nguyễn Du", "18073"),  # 2020-2024 alias of Phường Bắc Hà
        ("Can Lộc", "18406"),  # a commune column: Xã Can Lộc
        ("Xã Kỳ Hoa, tỉnh Hà Tĩnh", "18814"),
    ],
)
def test_loose_spellings(registry, query, code):
    res = registry.resolve(query)
    assert res.status == resolve.STATUS_RESOLVED, res.message
    if code:
        assert res.code == code


def test_district_name_in_commune_column_is_refused(registry):
    res = registry.resolve(name="Huyện Can Lộc")
    assert res.status == resolve.STATUS_NOT_FOUND
    assert "huyện" in res.message


def test_split_commune_is_flagged(registry):
    res = registry.resolve(name="Xã Kỳ Lợi", on=BEFORE)
    assert res.split
    assert {c["code"] for c in res.candidates} == {"18754", "18823", "18832"}
    assert "tọa độ" in res.message


def test_resolve_frame_aligns_and_memoises(registry):
    out = registry.resolve_frame(
        codes=[None, "18814", None, None],
        names=["Phường Hà Huy Tập", None, "Phường Hà Huy Tập", "nowhere"],
        districts=[None, None, None, None],
        on=[None, None, "2024-01-31", None],
    )
    assert list(out["status"]) == [
        resolve.STATUS_AMBIGUOUS,
        resolve.STATUS_RESOLVED,
        resolve.STATUS_RESOLVED,
        resolve.STATUS_NOT_FOUND,
    ]
    assert list(out["code"])[1:3] == ["18814", "18073"]
    assert "18652" in out.loc[0, "candidates"]


def test_focus_flags(registry):
    border = registry.focus_codes(domain.FOCUS_BORDER)
    names = set(registry.communes.loc[sorted(border), "name_short"])
    assert names == {"Sơn Hồng", "Sơn Kim 1", "Sơn Kim 2", "Vũ Quang", "Hương Khê", "Hương Bình", "Hương Xuân"}
    assert len(registry.focus_codes(domain.FOCUS_COASTAL)) == 16
    assert len(registry.focus_codes(domain.FOCUS_BORDER, domain.VINTAGE_LEGACY)) == 8
    assert len(registry.focus_codes(domain.FOCUS_COASTAL, domain.VINTAGE_LEGACY)) == 30
    ez = registry.focus_codes(domain.FOCUS_ECONOMIC_ZONE)
    assert {"18196", "18172", "18199", "18823"} <= ez
    assert len(registry.focus_codes(domain.FOCUS_ECONOMIC_ZONE, domain.VINTAGE_LEGACY)) >= 9
    classes = registry.focus_class()
    assert classes["18196"] == domain.FOCUS_BORDER
    with pytest.raises(ValueError, match="unknown focus area"):
        registry.focus_codes("moon")


def test_package_crosswalk_agrees_with_geodata(registry):
    """vietnamadminunits (MIT) gives the same legacy -> 2025 mapping as the geodata crosswalk."""
    package = loading._from_package()
    legacy_pkg = package[1]
    assert len(legacy_pkg) == 209
    assert (legacy_pkg["new_code"].sort_index() == registry.legacy["new_code"].sort_index()).all()
    assert set(package[0].index) == set(registry.communes.index)


def test_registry_without_boundaries_falls_back_to_package(tmp_path, geodata_dir):
    (tmp_path / schema.FOCUS_AREAS_FILE).write_text(
        (geodata_dir / schema.FOCUS_AREAS_FILE).read_text(encoding="utf-8"), encoding="utf-8"
    )
    fallback = loading.load_registry(tmp_path)
    assert not fallback.has_boundaries
    assert len(fallback.communes) == 69 and len(fallback.legacy) == 209
    assert fallback.resolve("Xã Kỳ Tân, Huyện Kỳ Anh").code == "18814"
    assert fallback.communes["population"].isna().all()


def test_missing_focus_file_is_a_clear_error(tmp_path):
    with pytest.raises(loading.RegistryError, match=r"focus_areas\.json"):
        loading.load_registry(tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("18073", "18073"),
        (18073, "18073"),
        ("18073.0", "18073"),
        ("8", "00008"),
        ("abc", None),
        ("", None),
        (None, None),
        ("123456", None),
    ],
)
def test_normalise_code(value, expected):
    assert schema.normalise_code(value) == expected


def test_vintages_for_dates_follows_the_scalar_rule():
    from loaders.geo.vintages import vintage_for_date, vintages_for_dates

    values = pd.Series(
        [
            date(2025, 6, 30),
            date(2025, 7, 1),
            None,
            "2024-02-29",
            "not a date",
            pd.Timestamp("2025-06-30 23:59"),
            pd.NaT,
        ],
        index=list("abcdefg"),
    )
    got = vintages_for_dates(values)
    assert got.index.tolist() == list("abcdefg")
    assert got.tolist() == ["legacy", "2025", None, "legacy", None, "legacy", None]
    for value, vintage in zip(values, got):
        if isinstance(value, (date, pd.Timestamp)) and not pd.isna(value):
            assert vintage_for_date(value) == vintage
