"""Residential-area names: the loose key, the kind a name says, the closest names."""

from __future__ import annotations

import doctest

import pytest

from loaders.geo import areas
from loaders.geo.areas import area_key, area_kind_of, closest_area_names


def test_doctests() -> None:
    assert doctest.testmod(areas).failed == 0


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("TDP 5", "Tổ dân phố số 5"),
        ("tổ dân phố số 05", "Tổ dân phố 5"),
        ("TDP số 5", "Tổ 5"),
        ("Khối 5", "Tổ dân phố 5"),
        ("KHU PHỐ 5", "TDP 5"),
        ("Thôn 3", "thôn 03"),
        ("Xóm 3", "Thôn 3"),
        ("THON 3", "Thôn số 3"),
        ("Thôn Trung Sơn", "trung son"),
        ("Xóm Trung Sơn", "TDP Trung Sơn"),
        ("Thôn Phú Mậu 02", "thon phu mau 2"),
        ("Thôn 3A", "thôn 03a"),
        ("  Thôn   Bắc-Sơn ", "Thôn Bắc Sơn"),
    ],
)
def test_spellings_of_one_area_share_a_key(written: str, same_as: str) -> None:
    assert area_key(written) == area_key(same_as)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Thôn 3", "Tổ dân phố 3"),  # a commune formed from a township and a commune has both
        ("Thôn 3", "Thôn 13"),
        ("Thôn 3", "3"),  # a bare number says no kind: it matches nothing by key
        ("Thôn Trung Sơn", "Thôn Trung Son 2"),
        ("Thôn Bắc", "Thôn Bàc Sơn"),
    ],
)
def test_different_areas_keep_different_keys(one: str, other: str) -> None:
    assert area_key(one) != area_key(other)


def test_a_bare_kind_word_is_a_name_of_its_own() -> None:
    assert area_key("Thôn") == "thon"
    assert area_kind_of("Thôn") is None


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Thôn 3", "thôn"),
        ("xom Bac", "thôn"),
        ("Bản Giàng", "thôn"),
        ("TDP 1", "tổ dân phố"),
        ("Tổ dân phố số 5", "tổ dân phố"),
        ("Khối 7", "tổ dân phố"),
        ("Trung Sơn", None),
        ("", None),
        (None, None),
    ],
)
def test_kind_of_a_name(written: str | None, kind: str | None) -> None:
    assert area_kind_of(written) == kind


def test_closest_names_come_best_first_as_written() -> None:
    names = ["Thôn Trung Sơn", "Thôn Trung Hòa", "Thôn Đông Lạc", "Thôn 3"]
    assert closest_area_names("Thôn Trung Son", names)[:1] == ["Thôn Trung Sơn"]
    assert closest_area_names("Trung Hoa", names, limit=1) == ["Thôn Trung Hòa"]
    assert closest_area_names("Thôn 03", names) == ["Thôn 3"]


def test_closest_names_are_empty_when_nothing_is_close() -> None:
    assert closest_area_names("Tổ dân phố Xyz", ["Thôn Trung Sơn", "Thôn 3"]) == []
    assert closest_area_names("Thôn 3", []) == []


def test_one_name_per_key_among_the_closest() -> None:
    assert closest_area_names("Thon 4", ["Thôn 3", "thôn 03", "Xóm 3"]) == ["Thôn 3"]
