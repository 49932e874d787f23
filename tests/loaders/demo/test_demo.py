"""The demo data generator (loaders.demo.generator): canonical frames, vintages, plausibility, points."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from loaders.core import domain
from loaders.core.clock import vietnam_today
from loaders.core.textnorm import key
from loaders.demo.generator import generate_demo
from loaders.demo.models import STOCK_START
from loaders.demo.months import START_DATE
from loaders.ingest.datasets import get_dataset
from tests.support.demo import models_once

UNTIL = date(2026, 3, 31)
REFORM = domain.REFORM_DATE.isoformat()


@pytest.fixture(scope="module")
def demo(registry):
    return generate_demo(seed=11, until=UNTIL, registry=registry)


@pytest.fixture(scope="module")
def layers(registry):
    if not registry.has_boundaries:
        pytest.fail("boundary layers are not installed (run the setup command first)")
    from loaders.geo.boundaries import load_layer

    out = {}
    for role in ("communes_2025", "communes_legacy"):
        layer = load_layer(role)
        out[role] = dict(zip(layer["gso_code"].astype(str), layer.geometry.values))
    return out


def _resolved(frame: pd.DataFrame, date_col: str, registry, layers) -> pd.Series:
    """The 2025 commune of each row as an importer would resolve it (split communes by point)."""
    # Recognitions and the yearly lists of models name the units of their year; incidents of their date.
    yearly = date_col in ("nam", "nam_danh_gia")
    pre = frame[date_col] < domain.FIRST_RECOGNITION_YEAR_2025 if yearly else frame[date_col] < REFORM
    out = frame["ma_xa"].where(~pre, frame["ma_xa"].map(registry.legacy["new_code"]))
    if "kinh_do" not in frame:  # recognitions: a split commune counts in the commune taking its area
        return out
    split_codes = set(registry.legacy.index[registry.legacy["split"]])
    rows = frame.index[pre & frame["ma_xa"].isin(split_codes)]
    for r in rows:
        x, y = frame.at[r, "kinh_do"], frame.at[r, "vi_do"]
        assert not math.isnan(x), "pre-reform records of a split commune need a point"
        hits = [c for c, g in layers["communes_2025"].items() if shapely.contains_xy(g, x, y)]
        assert len(hits) == 1
        out.at[r] = hits[0]
    return out


# --------------------------------------------------------------------- determinism and shape
def test_same_seed_gives_identical_frames(registry):
    a = generate_demo(seed=3, until=date(2025, 9, 30), registry=registry, scale=0.2)
    b = generate_demo(seed=3, until=date(2025, 9, 30), registry=registry, scale=0.2)
    for name in domain.DATASET_NAMES:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_different_seed_gives_different_frames(registry):
    a = generate_demo(seed=3, until=date(2025, 9, 30), registry=registry, scale=0.2)
    b = generate_demo(seed=4, until=date(2025, 9, 30), registry=registry, scale=0.2)
    for name in domain.DATASET_NAMES:
        assert not a[name].equals(b[name]), name


def test_columns_are_exactly_canonical(demo):
    assert set(demo) == set(domain.DATASET_NAMES) == {"models", "incidents", "recognitions", "residential_areas"}
    for name, frame in demo.items():
        assert list(frame.columns) == get_dataset(name).names


def test_types(demo):
    m, i, r = demo["models"], demo["incidents"], demo["recognitions"]
    assert m["so_thanh_vien"].dtype == np.int64 and (m["so_thanh_vien"] > 0).all()
    assert m["nam_danh_gia"].dtype == np.int64
    assert r["nam"].dtype == np.int64
    for frame in (m, i):
        assert frame["vi_do"].dtype == float and frame["kinh_do"].dtype == float
        assert frame["ma_xa"].str.fullmatch(r"\d{5}").all()
    iso = r"\d{4}-\d{2}-\d{2}"
    assert m["ngay_thanh_lap"].str.fullmatch(iso).all()
    assert i["ngay"].str.fullmatch(iso).all()
    assert m["ngay_giai_the"].dropna().str.fullmatch(iso).all()


def test_enumerations_are_within_domain(demo):
    m, i, r = demo["models"], demo["incidents"], demo["recognitions"]
    assert set(m["loai_mo_hinh"]) <= set(domain.MODEL_KINDS)
    assert set(m["noi_trien_khai"]) <= set(domain.MODEL_SETTINGS)
    assert set(m["trang_thai"]) == set(domain.MODEL_STATUSES)
    assert set(m["danh_gia"].dropna()) == set(domain.MODEL_ASSESSMENTS)
    assert set(i["linh_vuc"]) == set(domain.INCIDENT_FIELDS)
    assert set(i["muc_do"]) == set(domain.INCIDENT_SEVERITIES)
    assert set(r["loai_don_vi"]) == set(domain.RECOGNITION_UNIT_TYPES)
    assert set(r["ket_qua"]) == set(domain.RECOGNITION_RESULTS)


# --------------------------------------------------------------------- dates
def test_dates_within_range(demo):
    m, i, r = demo["models"], demo["incidents"], demo["recognitions"]
    lo, hi = START_DATE.isoformat(), UNTIL.isoformat()
    for col in (m["ngay_giai_the"].dropna(), i["ngay"]):
        assert col.min() >= lo and col.max() <= hi
        pd.to_datetime(col, format="%Y-%m-%d")  # real calendar dates
    # Models on the 2020 list were founded earlier: the stock goes back to 2005.
    assert m["ngay_thanh_lap"].min() >= STOCK_START.isoformat() and m["ngay_thanh_lap"].max() <= hi
    pd.to_datetime(m["ngay_thanh_lap"], format="%Y-%m-%d")
    # Recognitions are decided at year end: completed years only.
    assert r["nam"].min() == 2020 and r["nam"].max() == UNTIL.year - 1


def test_dissolution_is_consistent(demo):
    m = demo["models"]
    dissolved = m["trang_thai"] == domain.STATUS_DISSOLVED
    assert dissolved.any()
    assert m["ngay_giai_the"].notna().eq(dissolved).all()
    assert (m.loc[dissolved, "ngay_giai_the"] > m.loc[dissolved, "ngay_thanh_lap"]).all()
    assert (m["trang_thai"] == domain.STATUS_SUSPENDED).any()


def test_never_future_dates(registry):
    today = vietnam_today()  # the demo's "today" is Vietnam's date, a day ahead of UTC after 17:00
    d = generate_demo(seed=1, until=today + timedelta(days=400), registry=registry, scale=0.05)
    assert d["incidents"]["ngay"].max() <= today.isoformat()
    assert d["models"]["ngay_thanh_lap"].max() <= today.isoformat()
    assert d["models"]["ngay_giai_the"].dropna().max() <= today.isoformat()
    assert d["recognitions"]["nam"].max() < today.year or today == date(today.year, 12, 31)
    default = generate_demo(seed=1, registry=registry, scale=0.05)
    assert default["incidents"]["ngay"].max() <= today.isoformat()
    with pytest.raises(ValueError, match="until must be on or after"):
        generate_demo(until=date(2019, 12, 31), registry=registry)


# --------------------------------------------------------------------- vintages
def _loc_ha_codes(registry) -> set[str]:
    """Legacy communes whose predecessors all lay in Huyện Lộc Hà (merged into Thạch Hà on 01/01/2025)."""
    pre = registry.pre2020
    return set(pre["legacy_code"][pre["pre2020_district"] == "Lộc Hà"]) - set(
        pre["legacy_code"][pre["pre2020_district"] != "Lộc Hà"]
    )


def _check_units(frame: pd.DataFrame, pre: pd.Series, before_2025: pd.Series, registry) -> None:
    leg, com = registry.legacy, registry.communes
    old, new = frame[pre], frame[~pre]
    assert len(old) and len(new)
    assert old["ma_xa"].isin(leg.index).all()
    assert (old["ten_xa"].to_numpy() == leg.loc[old["ma_xa"], "name"].to_numpy()).all()
    # Until 31/12/2024 the communes of the former Huyện Lộc Hà name it; later, their legacy district.
    loc_ha = old["ma_xa"].isin(_loc_ha_codes(registry)) & before_2025[pre]
    expected = leg.loc[old["ma_xa"], "district_name"].to_numpy().copy()
    expected[loc_ha.to_numpy()] = "Huyện Lộc Hà"
    assert (old["huyen_cu"].to_numpy() == expected).all()
    assert loc_ha.any()
    assert new["ma_xa"].isin(com.index).all()
    assert (new["ten_xa"].to_numpy() == com.loc[new["ma_xa"], "name"].to_numpy()).all()
    first_district = com["district_codes"].map(lambda ds: registry.districts.at[ds[0], "name"])
    assert (new["huyen_cu"].to_numpy() == first_district.loc[new["ma_xa"]].to_numpy()).all()


def test_records_use_the_units_of_their_date(demo, registry):
    m, i, r = demo["models"], demo["incidents"], demo["recognitions"]
    # A year's list of models names the units of that year: legacy ones up to 2024.
    _check_units(m, m["nam_danh_gia"] < 2025, m["nam_danh_gia"] < 2025, registry)
    _check_units(i, i["ngay"] < REFORM, i["ngay"] < "2025-01-01", registry)
    _check_units(r, r["nam"] < domain.FIRST_RECOGNITION_YEAR_2025, r["nam"] < 2025, registry)
    # Legacy units that are not also 2025 codes show up before the reform only.
    only_legacy = set(registry.legacy.index) - set(registry.communes.index)
    assert i.loc[i["ngay"] < REFORM, "ma_xa"].isin(only_legacy).any()
    assert not i.loc[i["ngay"] >= REFORM, "ma_xa"].isin(only_legacy).any()


def test_every_commune_of_both_vintages_reports(demo, registry):
    i = demo["incidents"]
    assert set(i.loc[i["ngay"] < REFORM, "ma_xa"]) == set(registry.legacy.index)
    assert set(i.loc[i["ngay"] >= REFORM, "ma_xa"]) == set(registry.communes.index)


def test_split_communes_carry_points_in_the_right_part(demo, registry, layers):
    split = set(registry.legacy.index[registry.legacy["split"]])
    assert split == {"18082", "18796"}
    i = demo["incidents"]
    rows = i[(i["ngay"] < REFORM) & i["ma_xa"].isin(split)]
    assert len(rows) and rows["vi_do"].notna().all()
    resolved = _resolved(i, "ngay", registry, layers)
    # Đại Nài reports land in both 2025 wards that share its area; Kỳ Lợi's all in Vũng Áng.
    assert set(resolved[rows.index[rows["ma_xa"] == "18082"]]) == {"18073", "18652"}
    assert set(resolved[rows.index[rows["ma_xa"] == "18796"]]) == {"18823"}


# --------------------------------------------------------------------- keys
def test_incident_ids_unique_and_dated(demo):
    i = demo["incidents"]
    assert i["ma_vu_viec"].is_unique
    assert i["ma_vu_viec"].str.fullmatch(r"VV-\d{4}-\d{6}").all()
    assert (i["ma_vu_viec"].str[3:7] == i["ngay"].str[:4]).all()


def test_model_keys_unique(demo, registry, layers):
    m = demo["models"]
    resolved = _resolved(m, "nam_danh_gia", registry, layers)
    keys = pd.DataFrame({"c": resolved, "name": m["ten_mo_hinh"], "year": m["nam_danh_gia"]})
    assert not keys.duplicated().any()
    # Names carry a residential area (thôn / tổ dân phố) or another distinguishing part.
    assert m["ten_mo_hinh"].str.contains(r"thôn |tổ dân phố |số \d|–|Trường|chợ|Trạm|biển", regex=True).all()


def test_recognition_keys_unique(demo, registry, layers):
    r = demo["recognitions"]
    keys = pd.DataFrame(
        {
            "nam": r["nam"],
            "c": _resolved(r, "nam", registry, layers),
            "kind": r["loai_don_vi"],
            "unit": r["ten_don_vi"].map(key),
        }
    )
    assert not keys.duplicated().any()


def test_model_names_unique_ignoring_case_and_diacritics(demo, registry, layers):
    m = demo["models"]
    c = _resolved(m, "nam_danh_gia", registry, layers)
    keys = pd.DataFrame({"c": c, "name": m["ten_mo_hinh"].map(key), "year": m["nam_danh_gia"]})
    assert not keys.duplicated().any()
    # Still unique where an importer puts a split commune in the one taking most of its area.
    pre = m["nam_danh_gia"] < domain.FIRST_RECOGNITION_YEAR_2025
    by_area = m["ma_xa"].where(~pre, m["ma_xa"].map(registry.legacy["new_code"]))
    assert not keys.assign(c=by_area).duplicated().any()


def test_frames_pass_the_import_validation(demo, registry, province_polygon):
    validation = pytest.importorskip("loaders.ingest.validation")
    for name, frame in demo.items():
        context = validation.ValidationContext(resolver=registry.resolve_frame, polygon=province_polygon, vintage=None)
        result = validation.validate_frame(frame, name, context)
        assert result.errors.empty, (name, result.errors.head(5).to_dict("records"))
        assert len(result.accepted) == len(frame)


# --------------------------------------------------------------------- points
def _assert_inside(frame: pd.DataFrame, pre: pd.Series, layers) -> int:
    with_point = frame["vi_do"].notna()
    checked = 0
    for vintage, mask in (("communes_legacy", pre), ("communes_2025", ~pre)):
        sub = frame[with_point & mask]
        for code, grp in sub.groupby("ma_xa"):
            inside = shapely.contains_xy(layers[vintage][code], grp["kinh_do"].to_numpy(), grp["vi_do"].to_numpy())
            assert inside.all(), (vintage, code, int((~inside).sum()))
            checked += len(grp)
    return checked


def test_points_inside_their_commune(demo, layers):
    i, m = demo["incidents"], demo["models"]
    assert 0.6 < i["vi_do"].notna().mean() < 0.8
    assert m["vi_do"].notna().any() and m["vi_do"].isna().any()
    assert i["vi_do"].notna().eq(i["kinh_do"].notna()).all()
    assert _assert_inside(i, i["ngay"] < REFORM, layers) == i["vi_do"].notna().sum()
    assert _assert_inside(m, m["nam_danh_gia"] < 2025, layers) == m["vi_do"].notna().sum()


def test_pre_reform_points_lie_in_the_resolved_2025_commune(demo, registry, layers):
    i = demo["incidents"]
    pre = i[(i["ngay"] < REFORM) & i["vi_do"].notna()]
    target = _resolved(pre, "ngay", registry, layers)
    for code, grp in pre.groupby(target):
        assert shapely.contains_xy(
            layers["communes_2025"][code], grp["kinh_do"].to_numpy(), grp["vi_do"].to_numpy()
        ).all()


def test_without_boundaries_points_jitter_around_the_label(registry):
    bare = dataclasses.replace(registry, has_boundaries=False)
    d = generate_demo(seed=5, until=date(2025, 12, 31), registry=bare, scale=0.1)
    i = d["incidents"].dropna(subset=["vi_do"])
    assert len(i)
    pre = i["ngay"] < REFORM
    labels = pd.concat(
        [
            registry.legacy.loc[i.loc[pre, "ma_xa"], ["label_lat", "label_lon"]].set_axis(i.index[pre]),
            registry.communes.loc[i.loc[~pre, "ma_xa"], ["label_lat", "label_lon"]].set_axis(i.index[~pre]),
        ]
    ).loc[i.index]
    dy = (i["vi_do"] - labels["label_lat"]) * 111_320
    dx = (i["kinh_do"] - labels["label_lon"]) * 111_320 * np.cos(np.radians(labels["label_lat"]))
    assert (np.hypot(dx, dy) < 300).all()


# --------------------------------------------------------------------- plausibility
@pytest.fixture(scope="module")
def resolved(demo, registry, layers):
    m, i = demo["models"], demo["incidents"]
    return {
        "models": _resolved(m, "nam_danh_gia", registry, layers),
        "incidents": _resolved(i, "ngay", registry, layers),
    }


def test_border_communes_have_more_drug_incidents(demo, registry, resolved):
    i = demo["incidents"]
    border = resolved["incidents"].isin(registry.communes.index[registry.communes["borders_laos"]])
    drugs = i["linh_vuc"].isin(["ma túy", "kinh tế, buôn lậu"])
    assert i.loc[border, "linh_vuc"].eq("ma túy").mean() > 2 * i["linh_vuc"].eq("ma túy").mean()
    assert drugs[border].mean() > drugs.mean()


def test_border_coastal_and_ez_model_types(demo, registry, resolved):
    m, c = demo["models"], registry.communes
    by = resolved["models"]
    has_models = set(by)
    fleet = m["ten_mo_hinh"].str.startswith("Tổ tàu thuyền đoàn kết")
    coastal = set(c.index[c["coastal"]])
    assert coastal & has_models <= set(by[fleet])
    assert set(by[fleet]) <= coastal
    assert set(m.loc[fleet, "noi_trien_khai"]) <= {"cảng biển", "khu dân cư"}

    border_group = m["ten_mo_hinh"].str.startswith("Tổ tự quản đường biên, cột mốc")
    border = set(c.index[c["borders_laos"]])
    assert border & has_models <= set(by[border_group])
    assert set(by[border_group]) <= border
    assert set(m.loc[border_group, "loai_mo_hinh"]) == {"tự quản"}
    assert set(m.loc[border_group, "noi_trien_khai"]) <= {"khu dân cư", "cửa khẩu"}

    safe_firm = m["ten_mo_hinh"].str.startswith("Doanh nghiệp an toàn về an ninh, trật tự")
    ez = set(c.index[c["economic_zones"].map(bool)])
    assert ez <= set(by[safe_firm])
    assert set(m.loc[safe_firm, "noi_trien_khai"]) == {"doanh nghiệp"}


def test_urban_and_ez_have_more_incidents_and_models(demo, registry, resolved):
    c = registry.communes

    def per_10k(counts):
        return counts.reindex(c.index, fill_value=0) / c["population"] * 1e4

    inc = per_10k(resolved["incidents"].value_counts())
    mod = per_10k(resolved["models"].value_counts())
    urban = c["type"] == "Phường"
    ez = c["economic_zones"].map(bool) | c["major_project"]
    assert inc[urban].mean() > 1.3 * inc[~urban].mean()
    assert inc[ez].mean() > 1.3 * inc[~ez].mean()
    assert mod[urban].mean() > mod[~urban & (mod > 0)].mean()
    assert mod[ez].mean() > mod[~ez & (mod > 0)].mean()


def test_foundings_grow_gently_and_peak_in_august(demo):
    founded = pd.to_datetime(models_once(demo["models"])["ngay_thanh_lap"])
    per_month = founded.dt.month.value_counts().reindex(range(1, 13), fill_value=0)
    assert per_month[8] > 2 * per_month.drop(8).mean()
    aug = founded[founded.dt.month == 8]
    assert (aug.dt.day <= 19).mean() > 0.7  # before the festival of 19 August
    per_year = founded.dt.year.value_counts()
    assert per_year[2020] < per_year[2025] < 2 * per_year[2020]  # the movement grows, but not from nothing


def test_assessments_and_gaps(demo, resolved):
    m = demo["models"]
    weak = m["danh_gia"].eq(domain.ASSESSMENT_WEAK)
    assessed = m["danh_gia"].notna()
    share = weak[assessed].mean()
    assert 0.05 < share < 0.25
    assert m.loc[assessed, "danh_gia"].value_counts().idxmax() == domain.ASSESSMENT_EFFECTIVE
    by_commune = weak[assessed].groupby(resolved["models"][assessed]).mean()
    assert (by_commune > 0.25).sum() >= 3
    # Some communes lack one or two of the four kinds.
    kinds = m[m["loai_mo_hinh"].isin(domain.MODEL_KINDS_CORE)].groupby(resolved["models"])["loai_mo_hinh"].nunique()
    assert (kinds < 4).sum() >= 5 and (kinds == 4).sum() >= 20


def test_some_communes_have_no_models(demo, registry, resolved):
    without = set(registry.communes.index) - set(resolved["models"])
    assert 2 <= len(without) <= 3
    # They still report incidents: "no models" is data, not a missing commune.
    assert without <= set(resolved["incidents"])


def test_some_communes_did_not_report_for_months(demo, registry, resolved):
    i = demo["incidents"]
    month = i["ngay"].str[:7]
    counts = pd.crosstab(resolved["incidents"], month)
    months = counts.columns

    def longest_silence(row: pd.Series) -> int:
        run = best = 0
        for v in row:
            run = run + 1 if v == 0 else 0
            best = max(best, run)
        return best

    # Communes that usually report, silent for three months or more in a row: "no data", not zero.
    gaps = [code for code, row in counts.iterrows() if row.mean() > 3 and longest_silence(row) >= 3]
    assert 1 <= len(gaps) <= 4
    assert len(months) == (UNTIL.year - 2020) * 12 + UNTIL.month


def test_some_communes_show_rising_incidents(registry):
    today_like = date(2026, 5, 31)
    d = generate_demo(seed=11, until=today_like, registry=registry)
    i = d["incidents"]
    pre = i["ngay"] < REFORM
    code = i["ma_xa"].where(~pre, i["ma_xa"].map(registry.legacy["new_code"]))
    last = code[i["ngay"] >= "2026-03-01"].value_counts()
    prev = code[(i["ngay"] >= "2025-12-01") & (i["ngay"] < "2026-03-01")].value_counts()
    both = pd.concat([last, prev], axis=1, keys=["last", "prev"]).fillna(0)
    rising = both[(both["prev"] >= 10) & (both["last"] > 1.5 * both["prev"])]
    assert len(rising) >= 3


def test_incident_field_and_severity_proportions(demo):
    i = demo["incidents"]
    sev = i["muc_do"].value_counts(normalize=True)
    assert sev.idxmax() == "vi phạm hành chính" and sev["vi phạm hành chính"] > 0.5
    assert sev["đặc biệt nghiêm trọng"] < 0.03
    assert i["mo_ta"].notna().all() and i["mo_ta"].str.len().gt(10).all()


def test_recognitions(demo, registry):
    r = demo["recognitions"]
    commune_rows = r[r["loai_don_vi"] == "xã, phường, thị trấn"]
    assert (commune_rows["ten_don_vi"] == commune_rows["ten_xa"]).all()
    per_year = commune_rows.groupby("nam")["ma_xa"].agg(["size", "nunique"])
    assert (per_year["size"] == per_year["nunique"]).all()
    assert per_year.loc[2024, "size"] == len(registry.legacy) - 0  # every legacy unit once
    assert per_year.loc[2025, "size"] == len(registry.communes)
    passed = r["ket_qua"].eq(domain.RESULT_PASSED).mean()
    assert 0.75 <= passed <= 0.9
    kinds = r.groupby("ma_xa")["loai_don_vi"].nunique()
    assert kinds.max() == 5
    assert r.loc[r["loai_don_vi"] == "cơ sở giáo dục", "ten_don_vi"].str.startswith("Trường ").all()
    ez = set(registry.communes.index[registry.communes["economic_zones"].map(bool)])
    firms_2025 = r[(r["nam"] == 2025) & (r["loai_don_vi"] == "doanh nghiệp")]["ma_xa"].value_counts()
    firms_2025 = firms_2025.reindex(registry.communes.index, fill_value=0)
    assert firms_2025[list(ez)].mean() > 2 * firms_2025.drop(list(ez)).mean()


# --------------------------------------------------------------------------- volume
def test_volume_at_scale_one(registry):
    # Speed is measured by bench/, not asserted here: timed tests are flaky on a busy machine.
    d = generate_demo(seed=42, until=date(2026, 12, 31), registry=registry)
    until = min(date(2026, 12, 31), date.today())
    months = (until.year - 2020) * 12 + until.month
    full_range = len(d["incidents"]) * 84 / months
    assert 25_000 <= full_range <= 40_000
    assert 1_000 <= len(models_once(d["models"])) <= 3_500  # with the stock founded before 2020
    half = generate_demo(seed=42, until=date(2026, 12, 31), registry=registry, scale=0.5)
    assert 0.4 < len(half["incidents"]) / len(d["incidents"]) < 0.6
