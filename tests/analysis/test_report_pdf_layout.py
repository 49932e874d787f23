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
    cells = [["Mã", "Tên"], ["18115", "Phường Bắc Hồng Lĩnh"], ["18073", "Phường Thành Sen"]]
    # Longest words: "18115"/"18073" and "Phường"; whole cells: "18115" and "Phường Bắc Hồng Lĩnh".
    word = [max(w("18115"), w("18073")) + 6, w("Phường") + 6]
    whole = [word[0], w("Phường Bắc Hồng Lĩnh") + 6]
    total = whole[0] + whole[1] - 20  # 20 pt short of one line each: the name column must wrap
    widths = column_widths(cells, total, FONT, 10)
    assert sum(widths) == pytest.approx(total)
    # The code column has nothing to gain from more room (its longest cell is one word).
    assert widths[0] == pytest.approx(word[0])
    assert widths[1] == pytest.approx(total - word[0])
    assert widths[1] >= word[1]


def test_room_to_spare_is_shared_evenly_once_every_cell_fits_on_one_line() -> None:
    cells = [["A", "BB BB"]]
    whole = [w("A") + 6, w("BB BB") + 6]
    widths = column_widths(cells, sum(whole) + 100, FONT, 10)
    assert widths == pytest.approx([whole[0] + 50, whole[1] + 50])


def test_when_even_the_words_do_not_fit_every_column_shrinks_in_proportion() -> None:
    cells = [["Supercalifragilistic", "Antidisestablishment"]]
    word = [w("Supercalifragilistic") + 6, w("Antidisestablishment") + 6]
    widths = column_widths(cells, sum(word) / 2, FONT, 10)
    assert widths == pytest.approx([word[0] / 2, word[1] / 2])
