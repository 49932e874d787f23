"""The demo's lists of thôn and tổ dân phố: realistic counts, people that add up, teams by law."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.core import domain
from loaders.demo.generator import generate_demo
from loaders.geo.areas import area_key
from loaders.ingest import validation

UNTIL = date(2026, 6, 30)


@pytest.fixture(scope="module")
def areas(registry) -> pd.DataFrame:
    return generate_demo(seed=11, until=UNTIL, registry=registry, scale=0.05)[domain.DATASET_RESIDENTIAL_AREAS]


def test_about_1700_areas_in_lists_of_the_last_three_years(areas) -> None:
    per_year = areas.groupby("nam").size()
    assert per_year.index.tolist() == [2024, 2025, 2026]
    assert per_year.between(1_500, 1_900).all()


def test_lists_before_2025_name_the_legacy_commune_and_later_ones_the_new_with_xa_cu(areas, registry) -> None:
    before, after = areas[areas["nam"] < 2025], areas[areas["nam"] >= 2025]
    assert set(before["ten_xa"]) <= set(registry.legacy["name"]) and before["xa_cu"].isna().all()
    assert set(after["ten_xa"]) == set(registry.communes["name"]) and after["xa_cu"].notna().all()
    # Lộc Hà's communes are written under their former district until its merger at the end of 2024.
    assert "Huyện Lộc Hà" in set(before["huyen_cu"])


def test_wards_have_tdp_and_the_latest_list_adds_up_to_the_shipped_population(areas, registry) -> None:
    latest = areas[areas["nam"] == UNTIL.year]
    kinds = latest["thon_tdp"].str.split().str[0]
    assert set(kinds) == {"Thôn", "Tổ"}
    wards = set(registry.communes.index[registry.communes["type"] == "Phường"])
    ward_names = set(registry.communes.loc[list(wards), "name"])
    assert (kinds[latest["ten_xa"].isin(ward_names)] == "Tổ").all()
    assert (kinds[~latest["ten_xa"].isin(ward_names)] == "Thôn").all()
    by_name = latest.groupby("ten_xa")["so_nhan_khau"].sum()
    shipped = registry.communes.set_index("name")["population"].round().astype("int64")
    assert (by_name.reindex(shipped.index) == shipped).all()
    people_per_household = latest["so_nhan_khau"].sum() / latest["so_ho"].sum()
    assert 3.4 < people_per_household < 4.2
    earlier = areas[areas["nam"] == UNTIL.year - 1]["so_nhan_khau"].sum()
    assert earlier < latest["so_nhan_khau"].sum()


def test_one_mediation_team_per_area_and_security_teams_only_from_2024(areas) -> None:
    assert (areas["co_to_hoa_giai"] == "có").mean() > 0.9
    assert areas["co_to_bao_ve"].notna().all()  # every list here is of 2024 on
    older = generate_demo(seed=11, until=date(2024, 6, 30), scale=0.05)[domain.DATASET_RESIDENTIAL_AREAS]
    assert older["nam"].tolist() and older.loc[older["nam"] < 2024, "co_to_bao_ve"].isna().all()
    assert (older.loc[older["nam"] == 2024, "co_to_bao_ve"] == "có").mean() > 0.9


def test_area_names_are_unique_in_each_commune_list(areas) -> None:
    keys = pd.DataFrame({"y": areas["nam"], "c": areas["ten_xa"], "k": areas["thon_tdp"].map(area_key)})
    assert not keys.duplicated().any()


def test_every_row_passes_the_import_validation(areas, registry) -> None:
    context = validation.ValidationContext(
        resolver=registry.resolve_frame, polygon=None, vintage=None, legacy_members=registry.legacy_members
    )
    result = validation.validate_frame(areas, domain.DATASET_RESIDENTIAL_AREAS, context)
    assert result.rows_rejected == 0, result.errors.head().to_dict("records")
    assert result.accepted["legacy_code"].notna().all()
