"""A model's thôn/TDP: checked against its commune's stored lists, kept when none exists, linked when read."""

from __future__ import annotations

from analysis.model_areas import AreaLinks, area_links
from loaders.ingest.commit import commit_import
from loaders.store import reads
from tests.support import imports
from tests.support.imports import USER, csv_file, preview

MODELS_HEADER = [*imports.MODELS_HEADER, "Thôn/Tổ dân phố"]
AREAS_HEADER = ["Tên xã/phường", "Huyện (cũ)", "Thôn/Tổ dân phố", "Năm"]
# Xã Kỳ Tân and Xã Cẩm Thành: plain legacy communes, each wholly in one 2025 commune.
KY_TAN = ("Xã Kỳ Tân", "Huyện Kỳ Anh")
CAM_THANH = ("Xã Cẩm Thành", "Huyện Cẩm Xuyên")


def _models(rows: list[tuple[tuple[str, str], str, str]]) -> bytes:
    return csv_file(
        [
            MODELS_HEADER,
            *[
                [*commune, name, "tự quản", "khu dân cư", "01/02/2021", "đang hoạt động", area]
                for commune, name, area in rows
            ],
        ]
    )


def _areas(commune: tuple[str, str], names: list[str], year: str = "2025") -> bytes:
    return csv_file([AREAS_HEADER, *[[*commune, name, year] for name in names]])


def _commit(engine, registry, data: bytes, dataset: str, name: str):
    outcome = commit_import(engine, preview(engine, registry, data, dataset=dataset, name=name), user=USER)
    assert outcome.committed, outcome.errors
    return outcome


def test_a_named_area_must_be_in_its_communes_list(engine, registry):
    _commit(
        engine,
        registry,
        _areas(KY_TAN, ["Thôn Tân Hà", "Tổ dân phố số 05", "Thôn Tân Phú"]),
        "residential_areas",
        "a.csv",
    )
    p = preview(
        engine,
        registry,
        _models(
            [
                (KY_TAN, "Tổ tự quản 1", "thôn tân hà"),  # same area, other spelling
                (KY_TAN, "Tổ tự quản 2", "TDP 5"),
                (KY_TAN, "Tổ tự quản 3", "Thôn Tân Hòa"),  # not in the list: the closest names are offered
                (KY_TAN, "Tổ tự quản 4", "Xóm Đông Lâm"),  # nothing close
                (KY_TAN, "Camera an ninh", ""),  # no area named: nothing to check
                (CAM_THANH, "Tổ tự quản 5", "Thôn 7"),  # no list for that commune yet: kept as written
            ]
        ),
        dataset="models",
        name="m.csv",
    )
    assert p.errors[["row", "column", "value", "code"]].values.tolist() == [
        [4, "Thôn/Tổ dân phố", "Thôn Tân Hòa", "area_not_found"],
        [5, "Thôn/Tổ dân phố", "Xóm Đông Lâm", "area_not_found"],
    ]
    near, alone = p.errors["message"].tolist()
    assert "«Thôn Tân Hòa»" in near and "Thôn Tân Hà" in near
    assert "«Xóm Đông Lâm»" in alone and "không có tên nào gần giống" in alone
    assert p.accepted["thon_tdp"].fillna("").tolist() == ["thôn tân hà", "TDP 5", "", "Thôn 7"]


def test_a_name_kept_without_a_list_links_when_the_list_arrives(engine, registry):
    data = _models(
        [(CAM_THANH, "Tổ tự quản 5", "Thôn 07"), (CAM_THANH, "Tổ tự quản 6", "Thôn Bắc"), (KY_TAN, "Camera", "")]
    )
    _commit(engine, registry, data, "models", "m.csv")
    models = reads.load_dataset(engine, "models")
    assert sorted(models["area_name"].dropna()) == ["Thôn 07", "Thôn Bắc"]
    assert area_links(models, reads.load_dataset(engine, "residential_areas")) == AreaLinks(3, 2, 0)

    # The commune's list arrives with "Thôn 7" but not "Thôn Bắc": one model links, one stays apart.
    _commit(engine, registry, _areas(CAM_THANH, ["Thôn 7", "Thôn Nam"]), "residential_areas", "a.csv")
    links = area_links(reads.load_dataset(engine, "models"), reads.load_dataset(engine, "residential_areas"))
    assert links == AreaLinks(3, 2, 1) and links.unlinked == 1
