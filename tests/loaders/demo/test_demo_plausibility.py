"""The demo would not mislead a leader: each plausibility rule checked on the generated frames."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.core import domain
from loaders.demo.descriptions import DESCRIPTIONS, PLACE_BORDER, PLACE_COASTAL, describe
from loaders.demo.generator import generate_demo
from loaders.demo.model_templates import names_security_team
from loaders.demo.reporting import SKIPPED_REPORTS
from tests.support.demo import models_once

UNTIL = date(2026, 3, 31)
REFORM = domain.REFORM_DATE.isoformat()


@pytest.fixture(scope="module")
def demo(registry):
    return generate_demo(seed=7, until=UNTIL, registry=registry)


def _pre(frame: pd.DataFrame, date_col: str) -> pd.Series:
    """Rows written in legacy units: incidents before the reform, yearly lists up to 2024."""
    if date_col == "nam_danh_gia":
        return frame[date_col] < domain.FIRST_RECOGNITION_YEAR_2025
    return frame[date_col] < REFORM


def _vintage_codes(frame: pd.DataFrame, date_col: str, registry, area: str) -> pd.Series:
    """Whether each row's unit is in ``area`` for the vintage the row is written in."""
    pre = _pre(frame, date_col)
    legacy = registry.focus_codes(area, domain.VINTAGE_LEGACY)
    new = registry.focus_codes(area, domain.VINTAGE_2025)
    return frame["ma_xa"].isin(legacy).where(pre, frame["ma_xa"].isin(new))


def _to_2025(frame: pd.DataFrame, date_col: str, registry) -> pd.Series:
    pre = _pre(frame, date_col)
    return frame["ma_xa"].where(~pre, frame["ma_xa"].map(registry.legacy["new_code"]))


# --------------------------------------------------------------------- incidents
def test_every_severity_is_one_its_description_allows(demo):
    i = demo["incidents"]
    table = i["mo_ta"].map(describe)
    allowed = [sev in {s for s, w in d.severities if w > 0} for sev, d in zip(i["muc_do"], table)]
    assert all(allowed)
    assert (table.map(lambda d: d.field) == i["linh_vuc"]).all()
    # The table covers every field and severity the domain knows.
    assert {d.field for d in DESCRIPTIONS} == set(domain.INCIDENT_FIELDS)
    assert {s for d in DESCRIPTIONS for s, _ in d.severities} == set(domain.INCIDENT_SEVERITIES)


def test_drink_driving_is_an_administrative_violation(demo):
    i = demo["incidents"]
    drink = i[i["mo_ta"].str.startswith("Điều khiển xe mô tô vượt quá nồng độ cồn")]
    assert len(drink) > 100
    assert set(drink["muc_do"]) == {"vi phạm hành chính"}
    gravest = i[i["muc_do"] == "đặc biệt nghiêm trọng"]
    assert len(gravest) and not gravest["linh_vuc"].eq("trật tự an toàn giao thông").any()


@pytest.mark.parametrize(
    ("place", "area"), [(PLACE_BORDER, domain.FOCUS_BORDER), (PLACE_COASTAL, domain.FOCUS_COASTAL)]
)
def test_border_and_fishing_descriptions_only_where_they_can_happen(demo, registry, place, area):
    i = demo["incidents"]
    placed = i["mo_ta"].map(lambda t: describe(t).place == place)
    assert placed.sum() > 50
    # In the unit's own vintage (legacy list before 01/7/2025) and in its 2025 commune.
    assert _vintage_codes(i[placed], "ngay", registry, area).all()
    assert _to_2025(i[placed], "ngay", registry).isin(registry.focus_codes(area)).all()


def test_border_and_fishing_models_only_where_they_can_be(demo, registry):
    m = demo["models"]
    for words, area in (("đường biên, cột mốc", domain.FOCUS_BORDER), ("tàu thuyền", domain.FOCUS_COASTAL)):
        rows = m[m["ten_mo_hinh"].str.contains(words)]
        assert len(rows)
        assert _vintage_codes(rows, "nam_danh_gia", registry, area).all()


# --------------------------------------------------------------------- models
def test_a_stock_of_models_founded_before_2020(demo):
    m = models_once(demo["models"])
    stock = m["ngay_thanh_lap"] < "2020-01-01"
    assert 0.35 < stock.mean() < 0.75
    assert m.loc[stock, "ngay_thanh_lap"].str[:4].nunique() >= 10  # founded over many years

    def active_on(day: str) -> int:
        ended = m["ngay_giai_the"].fillna("9999") <= day
        return int(((m["ngay_thanh_lap"] <= day) & ~ended).sum())

    # Models working at the end of 2020 were most of those working at the end of 2025:
    # the trend is a movement that grows, not one invented from nothing in 2020.
    assert active_on("2020-12-31") > 0.5 * active_on("2025-12-31")
    # Some of the stock lapses within the years shown.
    assert (m.loc[stock, "trang_thai"] == domain.STATUS_DISSOLVED).sum() > 20


def test_no_security_team_before_the_law(demo):
    m = demo["models"]
    start = domain.SECURITY_TEAMS_DATE.isoformat()
    named = m["ten_mo_hinh"].map(names_security_team)
    assert named.any()
    assert (m.loc[named, "ngay_thanh_lap"] >= start).all()
    merged = m["ghi_chu"].map(names_security_team)
    assert merged.any()
    assert (m.loc[merged, "ngay_giai_the"] >= start).all()
    assert not names_security_team("Tổ an ninh xung kích thôn Trung Sơn")
    assert names_security_team("Tổ bảo vệ ANTT thôn 3")


def test_models_of_new_kinds_are_not_older_than_their_kind(demo):
    m = demo["models"]
    assert (m.loc[m["ten_mo_hinh"].str.startswith("Camera an ninh"), "ngay_thanh_lap"] >= "2018-01-01").all()
    assert (m.loc[m["ten_mo_hinh"].str.startswith("Nhóm Zalo"), "ngay_thanh_lap"] >= "2017-01-01").all()


# --------------------------------------------------------------------- names and gaps
def test_loc_ha_is_named_until_the_end_of_2024(demo, registry):
    pre = registry.pre2020
    loc_ha = set(pre["legacy_code"][pre["pre2020_district"] == "Lộc Hà"])
    for frame, before, after in (
        (demo["incidents"], demo["incidents"]["ngay"] < "2025-01-01", demo["incidents"]["ngay"] >= "2025-01-01"),
        (demo["models"], demo["models"]["nam_danh_gia"] <= 2024, None),
        (demo["recognitions"], demo["recognitions"]["nam"] <= 2024, None),
    ):
        named = frame["huyen_cu"] == "Huyện Lộc Hà"
        assert named.any()
        assert (named == (frame["ma_xa"].isin(loc_ha) & before)).all()
        if after is not None:
            # From 01/01/2025 to the reform the same communes name their new district.
            later = frame[after & (frame["ngay"] < REFORM) & frame["ma_xa"].isin(loc_ha)]
            assert len(later) and set(later["huyen_cu"]) <= {"Huyện Thạch Hà", "Thành phố Hà Tĩnh"}


def test_loc_ha_rows_resolve_to_their_commune(demo, registry):
    i = demo["incidents"]
    rows = i[i["huyen_cu"] == "Huyện Lộc Hà"].drop_duplicates("ma_xa")
    assert len(rows) >= 10
    # By name and district alone, as an office's spreadsheet without codes gives them.
    resolved = registry.resolve_frame(None, list(rows["ten_xa"]), list(rows["huyen_cu"]), vintage=domain.VINTAGE_LEGACY)
    assert (resolved["status"] == "resolved").all()
    assert list(resolved["legacy_code"]) == list(rows["ma_xa"])


def _district(registry, code: str) -> str:
    return registry.communes.at[code, "district_codes"][0]


def test_communes_without_data_are_scattered(demo, registry):
    models_at = set(_to_2025(demo["models"], "nam_danh_gia", registry))
    no_models = set(registry.communes.index) - models_at
    assert 2 <= len(no_models) <= 3
    # The commune-months imported as not reported ("chưa báo cáo") travel with the frame.
    i = demo["incidents"]
    silent = {code for code, _month in i.attrs[SKIPPED_REPORTS]}
    assert len(silent) >= 2
    for code in silent:  # and those communes indeed have no incident in their skipped months
        months = {m.isoformat()[:7] for c, m in i.attrs[SKIPPED_REPORTS] if c == code}
        rows = i[_to_2025(i, "ngay", registry) == code]
        assert not rows["ngay"].str[:7].isin(months).any()
    districts = [_district(registry, c) for c in no_models | silent]
    assert len(districts) == len(set(districts)), "communes without data share a former district"


@pytest.mark.parametrize("until", [date(2020, 3, 31), date(2024, 6, 30)])
def test_a_demo_ending_before_the_law_has_no_security_team(registry, until):
    m = generate_demo(seed=3, until=until, registry=registry, scale=0.1)["models"]
    assert len(m) and m["ngay_thanh_lap"].max() <= until.isoformat()
    assert not m["ten_mo_hinh"].map(names_security_team).any()
    assert not m["ghi_chu"].map(names_security_team).any()
