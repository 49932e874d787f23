"""The periodic report's figures and tables, on a tiny province worked out by hand.

Province: Xã A (00001) and Xã B (00002) in former district 401, Xã C (00004) in 402.
Period: official year 2025 (15/12/2024–14/12/2025), compared with the same period
last year (15/12/2023–14/12/2024).

Xã A's list of 2025 has thôn t1..t4 (1,000 people each); its list of 2024 t1, t2.
Its models at 14/12/2025:

====  ===========  ====  ==============================================  ==========================
name  kind         area  record                                          at the end
====  ===========  ====  ==============================================  ==========================
m1    tự phòng     t1    2025 "hiệu quả"                                 operating, covers t1
m2    tự phòng     t2    founded 20/12/2025                              not founded
m3    tự quản      t2    dissolved 01/6/2025                             gone
m4    tự quản      t3    suspended 01/12/2025                            gone
m5    tự bảo vệ    t3    2025 "yếu"                                      operating, does not cover
m6    tự hòa giải  t4    2024 "hiệu quả" only                            "chưa đánh giá", covers t4
m7    tự quản      —     2025 "trung bình" (an agency)                   operating, in no area
m8    khác         t2    2025, no rating                                 covers t2 (any kind)
m9    tự quản      t1    2025 "tạm dừng" from 05/01/2026                 operating, covers t1
====  ===========  ====  ==============================================  ==========================

So t1, t2 and t4 are covered by some kind (3 of 4); t3 by none.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import area_coverage as ac
from analysis import indicators as ind
from analysis import report, report_tables, report_text
from analysis.periods import HALF, Period, parse_period_spec, period_of
from analysis.residential import AREA_COLUMNS
from loaders.core import domain
from loaders.geo.registry import Registry

YEAR_2025 = parse_period_spec("official-year:2025")
ACTIVE, SUSPENDED, DISSOLVED = domain.STATUS_ACTIVE, domain.STATUS_SUSPENDED, domain.STATUS_DISSOLVED
GOOD, AVERAGE, WEAK, UNRATED = (*domain.MODEL_ASSESSMENTS, domain.ASSESSMENT_UNRATED)


@pytest.fixture
def tiny_registry() -> Registry:
    communes = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã C"],
            "name_short": ["A", "B", "C"],
            "type": ["Xã", "Xã", "Phường"],
            "population": [10_000.0, 20_000.0, 5_000.0],
            "legacy_codes": [("00001",), ("00002", "00003"), ("00004",)],
            "district_codes": [("401",), ("401",), ("402",)],
            "borders_laos": [True, False, False],
            "coastal": [False, True, False],
            "economic_zones": [(), (), ()],
            "major_project": [False, False, False],
        },
        index=pd.Index(["00001", "00002", "00004"], name="code"),
    )
    legacy = pd.DataFrame(
        {
            "name": ["Xã A", "Xã B", "Xã B2", "Xã C"],
            "district_code": ["401", "401", "401", "402"],
            "new_code": ["00001", "00002", "00002", "00004"],
            "borders_laos": [True, False, False, False],
            "coastal": [False, True, False, False],
            "economic_zones": [(), (), (), ()],
            "major_project": [False, False, False, False],
        },
        index=pd.Index(["00001", "00002", "00003", "00004"], name="code"),
    )
    districts = pd.DataFrame({"name": ["Huyện X", "Huyện Y"]}, index=pd.Index(["401", "402"]))
    return Registry(communes, legacy, districts, pd.DataFrame(), pd.DataFrame(), {}, True)


def _models() -> pd.DataFrame:
    rows = [
        # name, kind, area, rating year, founded, status, dissolved, suspended, rating
        ("m1", "tự phòng", "t1", 2025, "2020-01-01", ACTIVE, None, None, GOOD),
        ("m2", "tự phòng", "t2", 2025, "2025-12-20", ACTIVE, None, None, None),
        ("m3", "tự quản", "t2", 2025, "2019-01-01", DISSOLVED, "2025-06-01", None, None),
        ("m4", "tự quản", "t3", 2025, "2019-01-01", SUSPENDED, None, "2025-12-01", None),
        ("m5", "tự bảo vệ", "t3", 2025, "2019-01-01", ACTIVE, None, None, WEAK),
        ("m6", "tự hòa giải", "t4", 2024, "2019-01-01", ACTIVE, None, None, GOOD),
        ("m7", "tự quản", None, 2025, "2021-01-01", ACTIVE, None, None, AVERAGE),
        ("m8", "khác", "t2", 2025, "2022-01-01", ACTIVE, None, None, None),
        ("m9", "tự quản", "t1", 2025, "2019-01-01", SUSPENDED, None, "2026-01-05", None),
    ]
    columns = ["name_key", "kind", "area_key", "rating_year", "founded_on", "status", "dissolved_on"]
    frame = pd.DataFrame(rows, columns=[*columns, "suspended_on", "assessment"])
    frame.insert(0, "commune_code", "00001")
    frame["legacy_code"] = "00001"
    frame["setting"] = ["khu dân cư" if a else "cơ quan" for a in frame["area_key"]]
    frame["model_name"] = [
        "Camera an ninh thôn 1",
        "Camera an ninh thôn 2",
        "Tổ liên gia tự quản thôn 2",
        "Tổ liên gia tự quản thôn 3",
        "Tổ an ninh xung kích thôn 3",
        "Tổ hòa giải ở cơ sở thôn 4",
        "Tổ tự quản về an ninh, trật tự Công ty May 10",
        "Giáo xứ bình yên – giáo họ thôn 2",
        "Tổ tự quản về an ninh, trật tự thôn 1",
    ]
    for column in ("founded_on", "dissolved_on", "suspended_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _areas() -> pd.DataFrame:
    rows = [
        (2025, "00001", "Thôn 1", "t1", 1000, True, True),
        (2025, "00001", "Thôn 2", "t2", 1000, True, False),
        (2025, "00001", "Thôn 3", "t3", 1000, True, False),
        (2025, "00001", "Thôn 4", "t4", 1000, False, False),
        (2024, "00001", "Thôn 1", "t1", 900, True, False),
        (2024, "00001", "Thôn 2", "t2", 900, True, False),
        # Xã C's first list is of 2026: not in force in 2025.
        (2026, "00004", "TDP 1", "tdp 1", 5000, True, True),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "year",
            "commune_code",
            "area_name",
            "area_key",
            "population",
            "has_mediation_team",
            "has_security_team",
        ],
    )
    frame["id"] = range(1, len(frame) + 1)
    frame["import_id"] = 1
    frame["legacy_code"] = None
    frame["vintage"] = domain.VINTAGE_2025
    frame["area_kind"] = domain.AREA_KIND_VILLAGE
    frame["households"] = 250
    frame["mediation_members"] = None
    frame["security_members"] = None
    return frame[list(AREA_COLUMNS)]


def _incidents() -> pd.DataFrame:
    rows = [
        ("00001", "2024-12-15", "hình sự", "nghiêm trọng"),  # first day of the period
        ("00001", "2025-01-10", "hình sự", "nghiêm trọng"),
        ("00001", "2025-12-14", "ma túy", None),  # last day
        ("00001", "2025-12-15", "ma túy", None),  # after the end
        ("00001", "2024-03-01", "hình sự", "ít nghiêm trọng"),  # compared period
        ("00001", "2024-12-14", "an ninh", "vi phạm hành chính"),  # its last day
    ]
    frame = pd.DataFrame(rows, columns=["commune_code", "occurred_on", "field", "severity"])
    frame["id"] = range(1, len(frame) + 1)
    frame["legacy_code"] = frame["commune_code"]
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    return frame


def _reports(spec: dict[str, tuple[str, str]]) -> pd.DataFrame:
    rows = [(month, code) for code, (first, last) in spec.items() for month in pd.date_range(first, last, freq="MS")]
    return pd.DataFrame(
        {"month": pd.DatetimeIndex([r[0] for r in rows]), "commune_code": pd.array([r[1] for r in rows], dtype=object)}
    )


def _recognitions() -> pd.DataFrame:
    rows = [
        (2025, "00001", domain.UNIT_TYPE_COMMUNE, "", domain.RESULT_PASSED),
        (2025, "00002", domain.UNIT_TYPE_COMMUNE, "", domain.RESULT_FAILED),
        (2025, "00001", "khu dân cư", "Thôn 1", domain.RESULT_PASSED),
        (2025, "00001", "khu dân cư", "Thôn 2", domain.RESULT_FAILED),
    ]
    frame = pd.DataFrame(rows, columns=["year", "commune_code", "unit_type", "unit_name", "result"])
    frame["legacy_code"] = None
    return frame


def _data(reports: pd.DataFrame | None = None) -> ind.Datasets:
    if reports is None:
        # A reports every month; B none; C only March 2025, with no incident (zero, not "chưa báo cáo").
        reports = _reports({"00001": ("2023-12-01", "2025-12-01"), "00004": ("2025-03-01", "2025-03-01")})
    return ind.Datasets(_models(), _incidents(), _recognitions(), residential_areas=_areas(), reports=reports)


@pytest.fixture
def built(tiny_registry) -> report.Report:
    request = report.ReportRequest(YEAR_2025, min_baseline=2)
    return report.build_report(_data(), tiny_registry, request)


def _commune(built: report.Report, code: str) -> dict:
    return next(c for c in built.figures["communes"] if c["code"] == code)


def test_coverage_follows_the_rule_at_the_period_end():
    coverage = ac.area_coverage(_areas(), _models(), YEAR_2025.end)
    by_area = coverage.set_index("area_name")
    assert by_area["tự phòng"].tolist() == [True, False, False, False]  # m1; m2 founded after the end
    assert by_area["tự quản"].tolist() == [True, False, False, False]  # m9 suspended after; m3, m4 gone
    assert by_area["tự bảo vệ"].tolist() == [False, False, False, False]  # m5 is "yếu"
    assert by_area["tự hòa giải"].tolist() == [False, False, False, True]  # m6 unrated in 2025 covers
    assert by_area[ac.ANY].tolist() == [True, True, False, True]  # t2 by m8 ("khác")


def test_a_commune_figures(built):
    a = _commune(built, "00001")
    assert a["residential_areas"] == 4
    assert a["residential_areas_covered"] == {"any": 3, "tự phòng": 1, "tự quản": 1, "tự bảo vệ": 0, "tự hòa giải": 1}
    assert a["residential_areas_with_mediation_team"] == 3
    assert a["residential_areas_with_security_team"] == 1
    assert a["models"]["tự phòng"] == {GOOD: 1, AVERAGE: 0, WEAK: 0, UNRATED: 0}
    assert a["models"]["tự quản"] == {GOOD: 0, AVERAGE: 1, WEAK: 0, UNRATED: 1}  # m7, m9; m3, m4 gone
    assert a["models"]["tự bảo vệ"] == {GOOD: 0, AVERAGE: 0, WEAK: 1, UNRATED: 0}
    assert a["models"]["tự hòa giải"] == {GOOD: 0, AVERAGE: 0, WEAK: 0, UNRATED: 1}  # 2024's rating not carried
    assert a["models"]["khác"][UNRATED] == 1
    assert (a["incidents"], a["incidents_compare"]) == (3, 2)
    assert a["incidents_change"] == pytest.approx(0.5)
    assert a["population"] == 4000
    assert a["population_source"] == "Tổng nhân khẩu các thôn, TDP năm 2025"
    # 3 incidents / 4,000 people × 10,000, over 365 days: × 365.25 / 365.
    assert a["incidents_per_10k_per_year"] == pytest.approx(7.51)
    # 2 incidents / 4,000 × 10,000 over the 366 days of 15/12/2023–14/12/2024.
    assert a["incidents_compare_per_10k_per_year"] == pytest.approx(4.99)
    assert a["recognised"] is True
    assert a["residential_areas_recognised"] == 1


def test_no_data_communes_stay_apart_from_zero(built):
    b, c = _commune(built, "00002"), _commune(built, "00004")
    assert b["residential_areas"] is None and b["residential_areas_covered"] is None
    assert b["incidents"] is None and b["incidents_compare"] is None  # reported no month
    assert c["residential_areas"] is None  # its first list is of 2026
    assert c["incidents"] == 0 and c["incidents_compare"] is None  # reported March 2025, nothing before
    assert (b["recognised"], c["recognised"]) == (False, None)
    assert b["population_source"] == "Số liệu dân số kèm theo ứng dụng"
    assert all(v == 0 for kind in b["models"].values() for v in kind.values())


def test_province_and_district_sum_what_was_reported(built, tiny_registry):
    p = built.figures["province"]
    assert p["residential_areas"] == 4
    assert p["residential_areas_covered"]["any"] == 3
    assert (p["incidents"], p["incidents_compare"]) == (3, 2)
    assert p["population"] == 4000 + 20_000 + 5_000
    assert (p["communes_recognised"], p["communes_total"]) == (1, 3)
    assert "recognised" not in p
    assert built.figures["period"] == {"from": "2024-12-15", "to": "2025-12-14"}
    assert built.figures["compare"] == {"from": "2023-12-15", "to": "2024-12-14", "rule": "same-period-last-year"}
    assert [c["code"] for c in built.figures["communes"]] == ["00001", "00002", "00004"]
    district = report.build_report(_data(), tiny_registry, report.ReportRequest(YEAR_2025, unit="district:401"))
    unit = district.figures["unit"]
    assert (unit["kind"], unit["code"], unit["name"]) == ("district", "401", "Huyện X (cũ)")
    assert (unit["communes_recognised"], unit["communes_total"], unit["incidents"]) == (1, 2, 3)
    assert [c["code"] for c in district.figures["communes"]] == ["00001", "00002"]


def test_same_period_last_year_across_the_reform(tiny_registry):
    # H2/2025 (after 1/7/2025) against H2/2024: a legacy commune's incident of 2024 counts in its 2025 commune.
    incidents = pd.DataFrame(
        {
            "id": [1, 2],
            "commune_code": ["00002", "00002"],
            "legacy_code": ["00003", None],
            "occurred_on": pd.to_datetime(["2024-08-01", "2025-08-01"]),
            "field": ["ma túy", "ma túy"],
            "severity": [None, None],
        }
    )
    reports = _reports({"00002": ("2024-07-01", "2025-12-01")})
    data = ind.Datasets(_models(), incidents, _recognitions(), residential_areas=_areas(), reports=reports)
    half = period_of(HALF, 2025, 2)
    built = report.build_report(data, tiny_registry, report.ReportRequest(half, unit="00002"))
    assert built.figures["compare"]["from"] == "2024-07-01"
    assert (built.figures["unit"]["incidents"], built.figures["unit"]["incidents_compare"]) == (1, 1)


def test_tables(built):
    tables = built.tables
    assert list(tables) == list(report_tables.TABLES)
    models = tables["models"].set_index("kind")
    assert models.loc["total", "total"] == 6  # m1, m5, m6, m7, m8, m9
    types = tables["model_types"]
    assert types.values.tolist() == [
        ["tự phòng", "Camera an ninh", 1],  # m2 is not founded yet
        ["tự quản", "Tổ tự quản về an ninh, trật tự", 2],  # m7 and m9; the two "liên gia" are gone
        ["tự bảo vệ", "Tổ an ninh xung kích", 1],
        ["tự hòa giải", "Tổ hòa giải ở cơ sở", 1],
        ["khác", "Giáo xứ bình yên", 1],
    ]
    coverage = tables["coverage"].set_index("item")
    assert coverage.loc["any", "share"] == pytest.approx(0.75)
    assert coverage.loc["security_team", "areas_covered"] == 1
    key = tables["key_figures"].set_index("figure")
    assert key.loc["coverage_any", "value"] == pytest.approx(0.75)
    assert key.loc["coverage_any", "compare"] == pytest.approx(1.0)  # t1 and t2 of the 2024 list
    assert key.loc["coverage_any", "change"] == pytest.approx(-0.25)  # a share changes by points: 75 % − 100 %
    _header, rows = report_text.text_table(built, "key_figures", "vi")
    assert {row[0]: row[3] for row in rows}["Tỷ lệ thôn, TDP có mô hình (%)"] == "-25,0 điểm %"
    assert tables["below_threshold"]["code"].tolist() == ["00001"]
    assert tables["no_area_list"]["code"].tolist() == ["00002", "00004"]
    by_field = tables["incidents_by_field"].set_index("field")
    assert by_field.loc["hình sự", "incidents"] == 2 and by_field.loc["hình sự", "incidents_compare"] == 1
    by_severity = tables["incidents_by_severity"].set_index("severity")
    assert by_severity.loc[report_tables.NO_SEVERITY, "incidents"] == 1
    assert tables["flagged"]["code"].tolist() == ["00001"]  # 2 -> 3 with a baseline of 2
    focus = tables["focus"].set_index("group")
    assert focus.loc[domain.FOCUS_BORDER, "communes"] == 1 and focus.loc["other", "communes"] == 1
    completeness = tables["completeness"]
    assert completeness["units_not_reported"].tolist() == [1, 0, 1]  # B; C reported; in all
    recognitions = tables["recognitions"].set_index("item")
    assert (
        recognitions.loc["residential_areas", "recognised"] == 1 and recognitions.loc["residential_areas", "total"] == 4
    )


def test_display_table_uses_the_catalogue(built):
    shown = report_tables.display_table("models", built.tables["models"])
    assert shown.columns[1] == "Hiệu quả"
    assert "report.col" not in " ".join(shown.columns)


@pytest.mark.parametrize("spec", ["xyz", "district:999", "1807"])
def test_a_bad_unit_is_refused_in_vietnamese(spec, tiny_registry):
    with pytest.raises(ValueError, match=r"(?i)không") as refused:
        report.parse_unit(spec, tiny_registry)
    assert spec.removeprefix("district:") in str(refused.value)


def test_units(tiny_registry):
    assert report.parse_unit("province", tiny_registry).communes == ("00001", "00002", "00004")
    assert report.parse_unit("00004", tiny_registry).kind == report.UNIT_COMMUNE
    assert report.parse_unit("district:402", tiny_registry).communes == ("00004",)


def test_security_teams_are_not_counted_before_they_existed(tiny_registry):
    early = report.ReportRequest(Period(date(2024, 1, 1), date(2024, 6, 30)))
    built = report.build_report(_data(), tiny_registry, early)
    assert built.figures["province"]["residential_areas_with_security_team"] is None
