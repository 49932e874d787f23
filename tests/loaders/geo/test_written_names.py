"""Names as offices write them: joined cells, abbreviations, outdated types, the package's parser.

Hand-worked from the crosswalk in geodata/: Xã Sơn Lâm (legacy 18145, Huyện
Hương Sơn) went into Xã Sơn Giang (18184); Xã Thạch Bình (18112, Thành phố Hà
Tĩnh) into Xã Cẩm Bình (18685); Phường Đồng Môn (18103, Thành phố Hà Tĩnh) into
Phường Trần Phú (18100); Phường Kỳ Trinh (18820, Thị xã Kỳ Anh) into Phường
Sông Trí (18754); Thị trấn Thạch Hà (18562) into Xã Thạch Hà (18562).
"""

from __future__ import annotations

from datetime import date

import pytest

from loaders.geo import resolve
from loaders.geo.library import PackageReading, read_with_package
from loaders.geo.names import parse_district, split_joined

SON_LAM = ("18145", "18184")
THACH_BINH = ("18112", "18685")
KY_TRINH = ("18820", "18754")


@pytest.fixture
def package_calls(monkeypatch):
    """Every text the resolver hands to the package's parser (which still answers)."""
    calls: list[str] = []

    def spy(text: str):
        calls.append(text)
        return read_with_package(text)

    monkeypatch.setattr(resolve, "read_with_package", spy)
    return calls


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Xã Sơn Lâm - Huyện Hương Sơn", SON_LAM),
        ("Xã Sơn Lâm – Huyện Hương Sơn", SON_LAM),
        ("Xã Sơn Lâm/Huyện Hương Sơn", SON_LAM),
        ("Xã Sơn Lâm; Huyện Hương Sơn", SON_LAM),
        ("Xã Sơn Lâm (Huyện Hương Sơn)", SON_LAM),
        ("Sơn Lâm (Hương Sơn)", SON_LAM),
        ("X.Sơn Lâm-H.Hương Sơn", SON_LAM),
        ("XA SON LAM - HUYEN HUONG SON", SON_LAM),
        ("Xã Sơn Lâm - Huyện Hương Sơn - Tỉnh Hà Tĩnh", SON_LAM),
        ("Huyện Hương Sơn - Xã Sơn Lâm", SON_LAM),
        ("xa Son Lam huyen Huong Son", SON_LAM),
        ("Sơn Lâm Hương Sơn", SON_LAM),
        ("Xã Sơn Lâm (cũ)", SON_LAM),
        ("X. THẠCH BÌNH TP HÀ TĨNH", THACH_BINH),
        ("Xã Thạch Bình Thành phố Hà Tĩnh", THACH_BINH),
        ("P. Kỳ Trinh - TX. Kỳ Anh", KY_TRINH),
        ("TT. Phố Châu/H. Hương Sơn", ("18133", "18133")),
        ("Thị trấn Hương Khê (H. Hương Khê)", ("18496", "18496")),
    ],
)
def test_a_cell_joining_commune_and_district_resolves(registry, package_calls, query, expected):
    res = registry.resolve(query)
    assert res.status == resolve.STATUS_RESOLVED, res.message
    assert (res.legacy_code, res.code, res.stage) == (*expected, resolve.STAGE_JOINED)
    assert package_calls == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("X. SƠN LÂM, H. HƯƠNG SƠN", SON_LAM),
        ("xa son lam, huyen huong son", SON_LAM),
        ("X.Sơn Lâm, H.Hương Sơn", SON_LAM),
        ("TT. Thạch Hà, H. Thạch Hà", ("18562", "18562")),
        ("P. Bắc Hà, TP. Hà Tĩnh", ("18077", "18073")),
        ("Phường Kỳ Trinh, TX. Kỳ Anh", KY_TRINH),
    ],
)
def test_abbreviations_capitals_and_no_diacritics_resolve_by_name(registry, package_calls, query, expected):
    res = registry.resolve(query)
    assert (res.status, res.legacy_code, res.code, res.stage) == (resolve.STATUS_RESOLVED, *expected, "name")
    assert package_calls == []


def test_the_issues_example_resolves_in_the_cli_form(registry):
    """`resolve "Xã Sơn Lâm - Huyện Hương Sơn"` was not_found while the comma form resolved."""
    joined = registry.resolve("Xã Sơn Lâm - Huyện Hương Sơn")
    comma = registry.resolve("Xã Sơn Lâm, Huyện Hương Sơn")
    assert (joined.code, joined.legacy_code) == (comma.code, comma.legacy_code) == ("18184", "18145")
    assert (comma.stage, joined.stage) == (resolve.STAGE_NAME, resolve.STAGE_JOINED)


@pytest.mark.parametrize(
    "query",
    ["Xã Đồng Môn, Thành phố Hà Tĩnh", "xa dong mon thanh pho ha tinh", "Thị trấn Đồng Môn", "Xã Đồng Môn"],
)
def test_an_outdated_type_resolves_with_a_note(registry, package_calls, query):
    res = registry.resolve(query)
    assert res.status == resolve.STATUS_RESOLVED, res.message
    assert (res.legacy_code, res.legacy_name, res.code) == ("18103", "Phường Đồng Môn", "18100")
    assert res.stage == resolve.STAGE_OLD_TYPE
    assert "loại đơn vị đã thay đổi" in res.message and "Phường Đồng Môn" in res.message
    assert package_calls == []


@pytest.mark.parametrize(
    "query",
    [
        "Xã Đồng Môn, Huyện Hương Sơn",  # not a unit of that former district
        "Xã Đồng Môn - Huyện Hương Sơn",
        "Phường Điền Mỹ",  # a xã written as a phường: types are raised, never lowered
    ],
)
def test_an_outdated_type_needs_the_right_district_and_a_raised_type(registry, query):
    assert registry.resolve(query).status == resolve.STATUS_NOT_FOUND


def test_vintage_traps_keep_precedence(registry, package_calls):
    # Phường Hà Huy Tập and Phường Trần Phú name a legacy and a 2025 ward: date or district decides.
    for query in ("Phường Hà Huy Tập", "Phường Trần Phú"):
        assert registry.resolve(query).status == resolve.STATUS_AMBIGUOUS
    assert registry.resolve("Phường Hà Huy Tập", on=date(2025, 9, 1)).code == "18652"
    joined = registry.resolve("Phường Hà Huy Tập - TP Hà Tĩnh")
    assert (joined.legacy_code, joined.code, joined.stage) == ("18085", "18073", resolve.STAGE_JOINED)
    old = registry.resolve("P. Trần Phú - TP Hà Tĩnh")
    assert (old.legacy_code, old.code) == ("18094", "18073")
    # Phương Mỹ and Phương Điền (before 2020) are both Xã Điền Mỹ (18499), now Xã Hà Linh (18502).
    for query in ("Phương Mỹ", "Xã Phương Điền - Huyện Hương Khê"):
        res = registry.resolve(query)
        assert (res.legacy_code, res.code) == ("18499", "18502"), query
    # Reused names: a 2025 commune named after a former district, and Sơn Kim 1 in both vintages.
    assert registry.resolve("Can Lộc").code == "18406"
    assert registry.resolve("Sơn Kim 1").code == "18196"
    # Thị trấn Thạch Hà, however it is joined; the package reads it as Phường Thạch Hạ.
    for query in ("Thạch Hà, Thạch Hà", "Thạch Hà - Thạch Hà", "Thạch Hà Thạch Hà", "thach ha thach ha"):
        res = registry.resolve(query)
        assert (res.legacy_code, res.legacy_name) == ("18562", "Thị trấn Thạch Hà"), query
    assert package_calls == []
    assert read_with_package("Thạch Hà, Thạch Hà").legacy_code == "18100"


@pytest.mark.parametrize(
    "query",
    [
        "Thôn 3, Xã Sơn Lâm, Huyện Hương Sơn",
        "Xóm 5 Sơn Lâm Hương Sơn",
        "Thôn 3, Xã Sơn Lâm, Huyện Hương Sơn, Tỉnh Hà Tĩnh",
    ],
)
def test_the_package_reads_what_the_rules_leave(registry, package_calls, query):
    res = registry.resolve(query)
    assert (res.status, res.legacy_code, res.code) == (resolve.STATUS_RESOLVED, *SON_LAM)
    assert res.stage == resolve.STAGE_LIBRARY
    assert "vietnamadminunits" in res.message
    assert package_calls == [query]


@pytest.mark.parametrize("query", ["Tổ 1 Thạch Hà Thạch Hà", "To 1 thach ha thach ha"])
def test_a_package_answer_in_another_district_than_written_is_refused(registry, package_calls, query):
    # The package reads Phường Thạch Hạ (Thành phố Hà Tĩnh); the text names Thạch Hà twice.
    res = registry.resolve(query)
    assert res.status == resolve.STATUS_NOT_FOUND
    assert package_calls == [query]


def test_a_package_answer_must_agree_with_the_district_column(registry, monkeypatch):
    reading = PackageReading("18145", "Xã Sơn Lâm", "Sơn Lâm", "Huyện Hương Sơn")
    monkeypatch.setattr(resolve, "read_with_package", lambda text: reading)
    other = registry.resolve(name="Thôn 3 Sơn Lâm", district="Huyện Kỳ Anh")
    assert other.status == resolve.STATUS_NOT_FOUND
    same = registry.resolve(name="Thôn 3 Sơn Lâm", district="Huyện Hương Sơn")
    assert (same.legacy_code, same.stage) == ("18145", resolve.STAGE_LIBRARY)


def test_stages_of_code_and_unresolved(registry):
    assert registry.resolve("18814").stage == resolve.STAGE_CODE
    missing = registry.resolve("Xã Không Có")
    assert (missing.status, missing.stage) == (resolve.STATUS_NOT_FOUND, None)
    assert registry.resolve("Phường Trần Phú").stage == resolve.STAGE_NAME  # ambiguous, by name
    assert registry.resolve("Huyện Can Lộc").message.endswith("không phải tên xã/phường")


def test_resolve_frame_reads_joined_cells_and_checks_the_district_column(registry):
    joined = "Xã Sơn Lâm - Huyện Hương Sơn"
    out = registry.resolve_frame(
        codes=None,
        names=[joined, joined, joined, "Xã Đồng Môn"],
        districts=[None, "Hương Sơn", "Huyện Kỳ Anh", "TP Hà Tĩnh"],
    )
    assert list(out["status"]) == ["resolved", "resolved", "not_found", "resolved"]
    assert list(out["legacy_code"])[:2] == ["18145", "18145"]
    assert list(out["stage"].fillna("-")) == ["joined", "joined", "-", "old_type"]


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("Xã Sơn Lâm - Huyện Hương Sơn", [[("Xã Sơn Lâm", "Huyện Hương Sơn")]]),
        ("Sơn Lâm (Hương Sơn)", [[("Sơn Lâm", "Hương Sơn")]]),
        ("X.THẠCH BÌNH TP.HÀ TĨNH", [[("X. THẠCH BÌNH", "TP. HÀ TĨNH")]]),
        ("a - b - tỉnh Hà Tĩnh", [[("a", "b")]]),
        ("a - b - c", []),
        ("Sơn Lâm Hương Sơn", [[("Sơn", "Lâm Hương Sơn"), ("Sơn Lâm", "Hương Sơn"), ("Sơn Lâm Hương", "Sơn")]]),
        ("Kỳ Tân (cũ)", [[("Kỳ Tân", "")], [("Kỳ", "Tân")]]),
        ("Kỳ Anh(Thịxã)", [[("Kỳ", "Anh(Thịxã)")]]),
        ("Sơn", []),
        (None, []),
    ],
)
def test_split_joined(text, readings):
    assert split_joined(text) == readings


def test_a_former_district_labelled_old_is_the_district():
    assert parse_district("Thị xã Kỳ Anh (cũ)") == parse_district("Thị xã Kỳ Anh") == ("tx", "kyanh")
