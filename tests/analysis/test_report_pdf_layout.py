"""Column widths of the report's PDF tables: names wrap between words, never inside one."""

from __future__ import annotations

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from analysis.briefing_pdf import FONT, _register_fonts
from analysis.report_pdf import column_widths


@pytest.fixture(autouse=True)
def fonts() -> None:
    _register_fonts()


def w(text: str) -> float:
    return stringWidth(text, FONT, 10)


def test_a_name_column_gets_its_longest_word_and_the_code_column_no_more_than_it_needs() -> None:
    header, rows = ["Mã", "Tên"], [["18115", "Phường Bắc Hồng Lĩnh"], ["18073", "Phường Thành Sen"]]
    # Longest words: "18115"/"18073" and "Phường"; whole cells: "18115" and "Phường Bắc Hồng Lĩnh".
    word = [max(w("18115"), w("18073")) + 6, w("Phường") + 6]
    whole = [word[0], w("Phường Bắc Hồng Lĩnh") + 6]
    total = whole[0] + whole[1] - 20  # 20 pt short of one line each: the name column must wrap
    widths = column_widths(header, rows, total, FONT, 10)
    assert sum(widths) == pytest.approx(total)
    # The code column has nothing to gain from more room (its longest cell is one word).
    assert widths[0] == pytest.approx(word[0])
    assert widths[1] == pytest.approx(total - word[0])
    assert widths[1] >= word[1]


def test_room_to_spare_is_shared_evenly_once_every_cell_fits_on_one_line() -> None:
    whole = [w("A") + 6, w("BB BB") + 6]
    widths = column_widths(None, [["A", "BB BB"]], sum(whole) + 100, FONT, 10)
    assert widths == pytest.approx([whole[0] + 50, whole[1] + 50])


def test_when_the_header_words_do_not_fit_the_body_words_keep_their_room() -> None:
    header, rows = ["Commune", "Self-prevention"], [["18628", "17.6"]]
    body = [w("18628") + 6, w("17.6") + 6]
    short = [w("Commune") + 6 - body[0], w("Self-prevention") + 6 - body[1]]  # both header words are wider
    total = body[0] + body[1] + 10  # 10 pt beyond the body's words, shared by what the header lacks
    widths = column_widths(header, rows, total, FONT, 10)
    assert widths == pytest.approx([body[0] + 10 * short[0] / sum(short), body[1] + 10 * short[1] / sum(short)])
    assert widths[0] >= body[0] and widths[1] >= body[1]


def test_when_even_the_body_words_do_not_fit_every_column_shrinks_in_proportion() -> None:
    rows = [["Supercalifragilistic", "Antidisestablishment"]]
    word = [w("Supercalifragilistic") + 6, w("Antidisestablishment") + 6]
    widths = column_widths(None, rows, sum(word) / 2, FONT, 10)
    assert widths == pytest.approx([word[0] / 2, word[1] / 2])
