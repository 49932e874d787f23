"""The demo's models year after year: one record per listed year, ratings that drift, statuses that last."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.core import domain
from loaders.demo.generator import generate_demo
from loaders.geo.areas import area_key
from tests.support.demo import models_once

UNTIL = date(2026, 3, 31)
_IDENTITY = ["ten_mo_hinh", "ngay_thanh_lap", "loai_mo_hinh", "so_thanh_vien", "vi_do", "kinh_do"]


@pytest.fixture(scope="module")
def models(registry) -> pd.DataFrame:
    m = generate_demo(seed=5, until=UNTIL, registry=registry)["models"]
    return m.assign(model=m.groupby(_IDENTITY, dropna=False, sort=False).ngroup())


def test_each_model_is_listed_every_year_from_its_founding_to_its_end(models):
    assert models.groupby(["model", "nam_danh_gia"]).size().max() == 1
    once = models_once(models).set_index("model")
    years = models.groupby("model")["nam_danh_gia"].agg(["min", "max", "size"])
    founded = pd.to_datetime(once["ngay_thanh_lap"]).dt.year.clip(lower=2020)
    dissolved = pd.to_datetime(once["ngay_giai_the"]).dt.year
    assert (years["min"] == founded.loc[years.index]).all()
    end = dissolved.fillna(UNTIL.year).astype(int)
    assert (years["max"] == end.loc[years.index]).all()
    assert (years["size"] == years["max"] - years["min"] + 1).all()  # no year skipped


def test_the_year_not_ended_is_not_rated_yet(models):
    assert models.loc[models["nam_danh_gia"] == UNTIL.year, "danh_gia"].isna().all()
    done = models[models["nam_danh_gia"] < UNTIL.year]
    unrated = done["danh_gia"].isna().mean()
    assert 0.0 < unrated < 0.1  # a few models are not rated in a year: "chưa đánh giá", not carried over


def test_ratings_drift_from_year_to_year(models):
    rated = models.dropna(subset=["danh_gia"]).sort_values(["model", "nam_danh_gia"])
    prev = rated.groupby("model")["danh_gia"].shift()
    pairs = rated.assign(prev=prev).dropna(subset=["prev"])
    changed = pairs["danh_gia"] != pairs["prev"]
    assert 0.2 < changed.mean() < 0.6
    # Models improve and slip.
    assert ((pairs["prev"] == domain.ASSESSMENT_WEAK) & (pairs["danh_gia"] == domain.ASSESSMENT_EFFECTIVE)).any()
    assert ((pairs["prev"] == domain.ASSESSMENT_EFFECTIVE) & (pairs["danh_gia"] == domain.ASSESSMENT_WEAK)).any()
    # The province's weak share moves a little from year to year, without a jump.
    weak = rated.groupby("nam_danh_gia")["danh_gia"].apply(lambda s: (s == domain.ASSESSMENT_WEAK).mean())
    assert weak.nunique() > 1 and weak.max() - weak.min() < 0.1


def test_a_status_lasts_and_carries_its_date(models):
    ordered = models.sort_values(["model", "nam_danh_gia"])
    # A dissolution is the model's last record; a suspension lasts to its last record.
    last = ordered.groupby("model").tail(1)
    dissolved = ordered[ordered["trang_thai"] == domain.STATUS_DISSOLVED]
    assert len(dissolved) and dissolved.index.isin(last.index).all()
    assert (dissolved["ngay_giai_the"].str[:4].astype(int) == dissolved["nam_danh_gia"]).all()
    suspended = ordered[ordered["trang_thai"] == domain.STATUS_SUSPENDED]
    assert len(suspended) and suspended["ngay_tam_dung"].notna().all()
    assert (suspended["ngay_tam_dung"].str[:4].astype(int) <= suspended["nam_danh_gia"]).all()
    first_suspended = suspended.groupby("model")["nam_danh_gia"].min()
    after = ordered.merge(first_suspended.rename("since"), left_on="model", right_index=True)
    assert (after.loc[after["nam_danh_gia"] >= after["since"], "trang_thai"] == domain.STATUS_SUSPENDED).all()
    active = models["trang_thai"] == domain.STATUS_ACTIVE
    assert models.loc[active, ["ngay_giai_the", "ngay_tam_dung"]].isna().all().all()


def test_a_model_keeps_its_point_and_moves_to_its_2025_commune(models, registry):
    points = models.groupby("model")[["vi_do", "kinh_do"]].nunique(dropna=False)
    assert (points <= 1).all().all()
    # A model founded before the reform names its legacy unit up to 2024 and the 2025 commune after.
    both = models.groupby("model")["nam_danh_gia"].agg(lambda y: y.min() <= 2024 and y.max() >= 2025)
    moved = models[models["model"].isin(both[both].index)]
    early, late = moved[moved["nam_danh_gia"] <= 2024], moved[moved["nam_danh_gia"] >= 2025]
    assert early["ma_xa"].isin(registry.legacy.index).all()
    assert late["ma_xa"].isin(registry.communes.index).all()
    assert (late["ten_xa"] == late["ma_xa"].map(registry.communes["name"])).all()


def test_models_of_a_residential_area_name_one_of_their_communes_list(registry):
    d = generate_demo(seed=5, until=UNTIL, registry=registry, scale=0.3)
    m, areas = d["models"], d["residential_areas"]
    modern = areas[areas["nam"] >= domain.FIRST_RECOGNITION_YEAR_2025]
    code_of = dict(zip(registry.communes["name"], registry.communes.index))
    keys = modern.assign(k=modern["thon_tdp"].map(area_key), c=modern["ten_xa"].map(code_of)).groupby("c")["k"].agg(set)
    assert len(keys) > 60
    listed = m[(m["nam_danh_gia"] >= domain.FIRST_RECOGNITION_YEAR_2025) & m["thon_tdp"].notna()]
    assert len(listed)
    linked = [area_key(name) in keys.get(code, set()) for code, name in zip(listed["ma_xa"], listed["thon_tdp"])]
    assert all(linked)
    # Residential-area models say where they run; schools, markets and enterprises do not.
    once = models_once(m)
    in_area = once["noi_trien_khai"] == "khu dân cư"
    assert once.loc[in_area, "thon_tdp"].notna().mean() > 0.9
    assert once.loc[once["noi_trien_khai"].isin(["cơ sở giáo dục", "chợ", "doanh nghiệp"]), "thon_tdp"].isna().all()
