"""The report's documents: every table in Word, the same in PDF and Excel, text kept inert in each format."""

from __future__ import annotations

import dataclasses
import io

import docx
import openpyxl
import pandas as pd
import pytest

from analysis import report, report_docx, report_pdf, report_xlsx
from analysis.report_tables import TABLES
from analysis.report_text import ReportStamp, last_update, population_text
from loaders.core.i18n import translate
from tests.analysis.test_report import YEAR_2025, _data, tiny_registry  # noqa: F401  (fixture)

HOSTILE = '=HYPERLINK("http://x")<b>đậm</b>'


@pytest.fixture
def hostile(tiny_registry) -> report.Report:  # noqa: F811
    """The report of Xã A, renamed with a formula and markup (as an uploaded name could be)."""
    tiny_registry.communes.loc["00001", "name"] = HOSTILE
    return report.build_report(_data(), tiny_registry, report.ReportRequest(YEAR_2025, unit="00001"), demo=True)


STAMP = ReportStamp(lang="vi", data_version=7, generated_at="02/12/2026 22:57", data_updated_at="01/12/2026 08:00")


def test_the_word_document_holds_every_table_and_the_text_as_written(hostile):
    document = docx.Document(io.BytesIO(report_docx.build_report_docx(hostile, STAMP)))
    # The heading, then one Word table per report table (empty ones say "Không có."), the closing table.
    texts = [p.text for p in document.paragraphs]
    assert texts.count("Không có.") + len(document.tables) == len(TABLES) + 3
    assert "DỮ LIỆU MINH HỌA: số liệu được sinh ngẫu nhiên, không phải số liệu thật." in texts
    assert HOSTILE in texts  # the unit's name, as text
    heading = {r.cells[0].text: r.cells[1].text for r in document.tables[1].rows}
    assert heading["Kỳ báo cáo"] == "15/12/2024 – 14/12/2025"
    assert heading["Số liệu tính đến"] == "14/12/2025"
    assert heading["Phiên bản dữ liệu"] == "7"
    assert heading["Số liệu cập nhật lần cuối"] == "01/12/2026 08:00"
    assert "Không có bản đồ: chưa cài đặt các lớp ranh giới." in texts
    xml = document.element.xml
    assert "<b>đậm</b>" not in xml and "&lt;b&gt;đậm&lt;/b&gt;" in xml


def test_the_workbook_neutralises_formulas(hostile):
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx.build_report_xlsx(hostile, STAMP)))
    context = book[book.sheetnames[-1]]
    values = [row[1].value for row in context.iter_rows()]
    assert "'" + HOSTILE in values
    below = book[book.sheetnames[TABLES.index("below_threshold")]]
    assert [c.value for c in next(below.iter_rows())][:2] == ["Mã", "Tên"]
    assert below.cell(row=2, column=2).value == "'" + HOSTILE
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_the_pdf_escapes_markup(hostile, monkeypatch):
    seen: list[str] = []
    real = report_pdf.Paragraph

    def spy(text: str, style: object) -> object:
        seen.append(text)
        return real(text, style)

    monkeypatch.setattr(report_pdf, "Paragraph", spy)
    content = report_pdf.build_report_pdf(hostile, STAMP)
    assert content.startswith(b"%PDF")
    assert "=HYPERLINK(&quot;http://x&quot;)&lt;b&gt;đậm&lt;/b&gt;" in seen or (
        '=HYPERLINK("http://x")&lt;b&gt;đậm&lt;/b&gt;' in seen
    )
    assert not any("<b>đậm" in text for text in seen)


def test_the_data_date_is_the_latest_committed_import_in_vietnam_time():
    history = pd.DataFrame(
        {
            "status": ["rolled_back", "committed", "committed"],
            "created_at": pd.to_datetime(["2026-12-05T01:00Z", "2026-12-02T15:57Z", "2026-11-30T00:00Z"], utc=True),
        }
    )
    assert last_update(history) == "02/12/2026 22:57"
    assert last_update(history.iloc[0:1]) == "" and last_update(history.iloc[0:0]) == ""


def test_an_english_document_names_the_rates_population_in_english(hostile):
    # Xã A's rates use one source; whichever it is, the English text is its English label.
    vi, en = population_text(hostile, "vi"), population_text(hostile, "en")
    assert vi == hostile.figures["unit"]["population_source"]  # the figures keep the Vietnamese words
    english = {translate(k, "en", year=2025) for k in ("population.source.areas", "population.source.shipped")}
    assert en in english and en != vi
    document = docx.Document(io.BytesIO(report_docx.build_report_docx(hostile, dataclasses.replace(STAMP, lang="en"))))
    assert en in document.element.xml and vi not in document.element.xml
