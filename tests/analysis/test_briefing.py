"""The one-page briefing (analysis.briefing): content, escaping and the PDF it makes."""

from __future__ import annotations

import io
import math
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader

from analysis import briefing, briefing_pdf
from analysis.exports import export_timestamp
from loaders.core.i18n import translate

ALL_KINDS = ("tự phòng", "tự quản", "tự bảo vệ", "tự hòa giải")
HOSTILE_NAME = "Xã <img src=x onerror=alert(1)>"
HOSTILE_FILTER = "</para><script>alert(1)</script>"


@pytest.fixture
def indicators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Xã Một", "Xã Hai", "Xã Ba", "Xã Bốn"],
            "has_models": [True, True, False, True],
            "kinds_missing": [("tự hòa giải",), (), ALL_KINDS, ("tự quản", "tự hòa giải")],
        },
        index=["00001", "00002", "00003", "00004"],
    )


@pytest.fixture
def ranking() -> pd.DataFrame:
    """Shaped like analysis.priority.priority_scores: ranked first, then Xã Ba listed apart (no model data)."""
    return pd.DataFrame(
        {
            "rank": pd.array([1, 2, 3, None], dtype="Int64"),
            "name": ["Xã Bốn", "Xã Một", "Xã Hai", "Xã Ba"],
            "status": ["ranked", "ranked", "ranked", "no_data"],
            "reasons": [(), (), (), ("no_model_data",)],
            "score": [0.6, 0.4, 0.1, np.nan],
            "coverage": [0.7, 0.2, 0.0, np.nan],
            "missing_kinds": [0.5, 0.25, 0.0, np.nan],
            "weak": [0.0, 0.1, 0.0, np.nan],
            "rising": [0.8, 0.5, 0.0, np.nan],
            "focus": [0.0, 0.0, 0.0, np.nan],
            "area_coverage": [0.3, 0.8, 1.0, 0.5],
            "kinds_missing": [("tự quản", "tự hòa giải"), ("tự hòa giải",), (), ALL_KINDS],
            "weak_share": [0.0, 0.1, 0.0, np.nan],
            "rate_compared": [9.0, 6.0, 1.0, np.nan],
            "rate_prev": [5.0, 4.0, 1.0, np.nan],
        },
        index=["00004", "00001", "00002", "00003"],
    )


SUMMARY_UNIT = {
    "units": 1,
    "models_covering": 12,
    "models_per_10k": 3.4,
    "units_all_kinds": 0,
    "weak_share": 0.1,
    "incidents": 5,
    "incidents_per_10k": 1.2,
    "incidents_change": 0.3,
    "recognised_communes_share": math.nan,
}
SUMMARY_PROVINCE = {
    "units": 69,
    "models_covering": 900,
    "models_per_10k": 6.1,
    "units_all_kinds": 20,
    "weak_share": 0.08,
    "incidents": 400,
    "incidents_per_10k": 2.0,
    "incidents_change": -0.1,
    "recognised_communes_share": 0.5,
}


def _briefing(indicators, ranking, **kw) -> briefing.Briefing:
    options = {
        "unit_name": "Xã Một",
        "unit_kind": "commune",
        "codes": ["00001"],
        "indicators": indicators,
        "unit_summary": SUMMARY_UNIT,
        "province_summary": SUMMARY_PROVINCE,
        "ranking": ranking,
        "period": "01/01/2025 – 30/6/2025",
        "context": [("Huyện, thị xã, thành phố (cũ)", "Tất cả")],
        "demo": False,
        "data_version": 7,
        "exported_at": export_timestamp(datetime(2026, 11, 27, 3, 0, tzinfo=UTC)),
        "lang": "vi",
    }
    options.update(kw)
    unit = briefing.BriefingUnit(
        name=options.pop("unit_name"), kind=options.pop("unit_kind"), codes=options.pop("codes")
    )
    sources = briefing.BriefingSources(
        **{k: options.pop(k) for k in ("indicators", "unit_summary", "province_summary", "ranking")}
    )
    return briefing.build_briefing(unit, sources, briefing.BriefingStamp(**options))


def _pdf(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    # Table cells wrap long words; join lines so that a phrase can be found whole.
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------------- content


def test_key_figures_put_the_unit_beside_the_province():
    rows = briefing.key_figures(SUMMARY_UNIT, SUMMARY_PROVINCE, "vi")
    assert next(r.label for r in rows) == "Mô hình hoạt động thực chất (trừ yếu, tạm dừng)"
    by_label = {r.label: r for r in rows}
    assert by_label["Mô hình hoạt động / 10.000 dân"][1:] == ("3,4", "6,1")
    assert by_label["Xã, phường có đủ 4 loại mô hình"][1:] == ("0/1", "20/69")
    assert by_label["Thay đổi so với kỳ so sánh"][1:] == ("+30%", "-10%")
    # No data is said, not shown as zero.
    assert by_label["Tỷ lệ xã, phường đạt tiêu chuẩn «An toàn về an ninh, trật tự»"].unit == "Chưa có dữ liệu"


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["00001"], ["Tự hòa giải"]),
        (["00002"], ["Có đủ bốn loại mô hình."]),
        (["00003"], ["Chưa báo cáo mô hình nào (chưa có dữ liệu)."]),
        (["99999"], ["Chưa báo cáo mô hình nào (chưa có dữ liệu)."]),
    ],
)
def test_missing_kinds_of_one_commune(indicators, codes, expected):
    assert briefing.missing_kind_lines(indicators, codes, "vi") == expected


def test_missing_kinds_of_a_district_count_communes_and_keep_no_data_apart(indicators):
    lines = briefing.missing_kind_lines(indicators, ["00001", "00002", "00003", "00004"], "vi")
    assert lines == [
        "Tự quản: 1/3 xã, phường có báo cáo còn thiếu",
        "Tự hòa giải: 2/3 xã, phường có báo cáo còn thiếu",
        "1/4 xã, phường chưa báo cáo mô hình nào (chưa có dữ liệu, khác với 0)",
    ]
    assert briefing.missing_kind_lines(indicators, ["00002"], "en") == ["All four kinds are present."]


def test_district_priorities_are_its_top_three_communes_in_rank_order(indicators, ranking):
    lines, rank_line = briefing.top_priorities(ranking, ["00001", "00002", "00004"], "district", "vi")
    assert [(p.rank, p.title) for p in lines] == [("1", "Xã Bốn"), ("2", "Xã Một"), ("3", "Xã Hai")]
    assert "60,0/100" in lines[0].detail
    # 3 ranked communes of the district, ranked among the 3 ranked communes of the province.
    assert rank_line.count("3 xã") == 2 and "chưa có dữ liệu" not in rank_line


def test_a_district_counts_its_communes_listed_apart(ranking):
    lines, rank_line = briefing.top_priorities(ranking, ["00001", "00003"], "district", "vi")
    assert [p.title for p in lines] == ["Xã Một"]  # Xã Ba has no rank, so it is never listed as a priority
    assert "1 xã, phường của huyện, thị xã, thành phố cũ chưa có dữ liệu" in rank_line
    only_apart, rank_line = briefing.top_priorities(ranking, ["00003"], "district", "en")
    assert only_apart == [] and rank_line.startswith("1 communes of the former district have no data yet")


def test_commune_priorities_are_its_largest_actionable_gaps(ranking):
    lines, rank_line = briefing.top_priorities(ranking, ["00001"], "commune", "en")
    # rising (0.5) > missing kinds (0.25) > coverage (0.2); weak (0.1) is fourth and focus is never listed.
    assert [p.rank for p in lines] == ["1", "2", "3"]
    assert lines[0].detail.endswith(": 6.0 (comparison period: 4.0)")
    assert lines[1].detail == translate("enum.kind.tự hòa giải", "en")
    assert lines[2].detail == "Thôn/TDP coverage: 80%"
    assert "2 of 3 ranked" in rank_line
    none, _ = briefing.top_priorities(ranking, ["00002"], "commune", "en")
    assert none == []


def test_a_commune_without_data_says_so_instead_of_a_rank(indicators, ranking):
    lines, rank_line = briefing.top_priorities(ranking, ["00003"], "commune", "vi")
    assert lines == []
    assert (
        rank_line == "Xếp hạng ưu tiên: chưa có dữ liệu (chưa có dữ liệu mô hình), nên xã, phường không được xếp hạng."
    )
    content = _briefing(indicators, ranking, unit_name="Xã Ba", codes=["00003"])
    assert content.priorities == () and content.rank_line == rank_line
    _, text = _pdf(briefing_pdf.build_briefing_pdf(content))
    assert _flat("không được xếp hạng") in _flat(text)


def test_no_ranking_gives_no_priorities(indicators):
    assert briefing.top_priorities(None, ["00001"], "commune", "vi") == ([], "")
    assert briefing.top_priorities(pd.DataFrame(), ["00001"], "district", "vi") == ([], "")
    content = _briefing(indicators, None)
    assert content.priorities == () and content.rank_line == ""


def test_build_briefing_rejects_an_unknown_unit_kind(indicators, ranking):
    with pytest.raises(ValueError, match="unit_kind"):
        _briefing(indicators, ranking, unit_kind="province")


# --------------------------------------------------------------------------- PDF


def test_pdf_is_one_page_with_title_period_figures_and_footer(indicators, ranking):
    data = briefing_pdf.build_briefing_pdf(_briefing(indicators, ranking), compress=False)
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1
    pages, text = _pdf(data)
    assert pages == 1
    flat = _flat(text)
    for expected in (
        "Báo cáo tóm tắt: Xã Một",
        "Kỳ: 01/01/2025 – 30/6/2025",
        "Toàn tỉnh",
        "6,1",
        "Tự hòa giải",
        "Ba ưu tiên hàng đầu",
        "Phiên bản dữ liệu 7",
        "Xuất lúc 27/11/2026 10:00",  # Vietnam time, as people read it
    ):
        assert _flat(expected) in flat
    assert "DỮ LIỆU MINH HỌA" not in text


def test_pdf_carries_the_demo_notice(indicators, ranking):
    _, text = _pdf(briefing_pdf.build_briefing_pdf(_briefing(indicators, ranking, demo=True)))
    assert "DỮ LIỆU MINH HỌA" in text


def test_hostile_unit_names_and_filters_are_printed_literally(indicators, ranking):
    content = _briefing(
        indicators, ranking, unit_name=HOSTILE_NAME, context=[("Huyện, thị xã, thành phố (cũ)", HOSTILE_FILTER)]
    )
    pages, text = _pdf(briefing_pdf.build_briefing_pdf(content))
    assert pages == 1
    flat = _flat(text)
    assert _flat(HOSTILE_NAME) in flat
    assert _flat(HOSTILE_FILTER) in flat


def test_a_long_briefing_still_fits_one_page(indicators, ranking):
    context = [(f"Bộ lọc {i}", "giá trị rất dài " * 8) for i in range(60)]
    content = _briefing(indicators, ranking, context=context)
    pages, _ = _pdf(briefing_pdf.build_briefing_pdf(content))
    assert pages == 1


def test_pdf_embeds_the_small_map(indicators, ranking):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, format="PNG")
    data = briefing_pdf.build_briefing_pdf(_briefing(indicators, ranking), buffer.getvalue())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages[0].images) == 1
    _, text = _pdf(briefing_pdf.build_briefing_pdf(_briefing(indicators, ranking)))
    assert "Chưa cài dữ liệu ranh giới" in text
