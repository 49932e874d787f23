"""How a demo model fares year after year: its yearly records, with ratings that drift.

The models dataset holds one record per model and year (Năm đánh giá): the
list that the commune reports for that year, with the model's rating and
status that year. A model is listed from its founding year (2020 for the
stock founded earlier) up to the year of ``until``, and not after the year it
was dissolved. Each record names the unit as that year's list does: a legacy
unit up to 2024, the 2025 commune from the 2025 list on (lists are made at
year end, like recognitions).

Ratings are decided at year end: a year not yet ended, or a model founded in
its last two months, is "chưa đánh giá" (no rating). From one year to the
next a rating stays with probability :data:`RATING_PERSISTENCE`, else it is
drawn afresh from the commune's shares, so a commune's picture moves slowly
and a single model can improve or slip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from loaders.core import domain
from loaders.demo.model_templates import NOTE_LAPSED, NOTE_MERGED_INTO_TEAM
from loaders.demo.months import FESTIVAL_DAY, FESTIVAL_MONTH, START_DATE
from loaders.demo.names import kdc_unit
from loaders.demo.places import Unit

#: Chance that a model keeps last year's rating.
RATING_PERSISTENCE = 0.6
#: Chance that a model with a rating due is left unrated that year all the same.
UNRATED_SHARE = 0.03
_FESTIVAL_NOTE = "Ra mắt dịp Ngày hội toàn dân bảo vệ an ninh Tổ quốc 19/8"
_SUSPENSION_NOTES = ("Tạm dừng do thiếu kinh phí duy trì", "Tạm dừng để kiện toàn nhân sự")


@dataclass(frozen=True)
class Life:
    """A model's course: founded, perhaps suspended or dissolved, and its weak share."""

    founded: date
    dissolved: date | None
    suspended: date | None
    end_note: str | None
    start_note: str | None
    p_weak: float


def draw_life(founded: date, until: date, p_weak: float, rng: np.random.Generator) -> Life:
    """Draw whether and when a model is dissolved or suspended (from 2020 on, not before ``until``)."""
    f_ord, until_ord = founded.toordinal(), until.toordinal()
    dissolved = suspended = None
    end_note = None
    u = rng.random()
    p_dissolve = 0.1 if founded < START_DATE else 0.05  # older models lapse more often
    first_end = max(f_ord + 120, START_DATE.toordinal())
    if u < p_dissolve and first_end <= until_ord:
        dissolved = date.fromordinal(int(rng.integers(first_end, until_ord + 1)))
        merged = dissolved >= domain.SECURITY_TEAMS_DATE and rng.random() < 0.5
        end_note = NOTE_MERGED_INTO_TEAM if merged else NOTE_LAPSED
        p_weak = min(0.8, p_weak * 3)
    elif u < p_dissolve + 0.08 and first_end <= until_ord:
        suspended = date.fromordinal(int(rng.integers(first_end, until_ord + 1)))
        end_note = _SUSPENSION_NOTES[int(rng.integers(0, 2))]
        p_weak = min(0.7, p_weak * 2.5)
    start_note = None
    if founded.month == FESTIVAL_MONTH and founded.day <= FESTIVAL_DAY and rng.random() < 0.6:
        start_note = _FESTIVAL_NOTE
    return Life(founded, dissolved, suspended, end_note, start_note, p_weak)


def _fresh_rating(p_weak: float, v: float) -> str:
    if v < p_weak:
        return domain.ASSESSMENT_WEAK
    if v < p_weak + (1 - p_weak) * 0.6:
        return domain.ASSESSMENT_EFFECTIVE
    return domain.ASSESSMENT_AVERAGE


def yearly_records(
    base: dict[str, Any],
    life: Life,
    unit_in: Callable[[int], Unit],
    until: date,
    rng: np.random.Generator,
    area: str | None = None,
) -> list[dict[str, Any]]:
    """The model's record for each year it is listed.

    ``base`` gives the name, kind, setting and members; ``area`` the bare name of
    its thôn/TDP, written as that year's unit calls it ("Thôn X" in a xã, else
    "Tổ dân phố X"), as the residential-area lists write it.
    """
    last = until.year if life.dissolved is None else life.dissolved.year
    out: list[dict[str, Any]] = []
    previous: str | None = None
    for year in range(max(life.founded.year, START_DATE.year), last + 1):
        year_end = date(year, 12, 31)
        due = year_end <= until and life.founded <= date(year, 10, 31)
        keep, unrated, v = rng.random(3)
        rating = None
        if due and unrated >= UNRATED_SHARE:
            rating = previous if previous is not None and keep < RATING_PERSISTENCE else _fresh_rating(life.p_weak, v)
            previous = rating
        status, dissolved, suspended, note = domain.STATUS_ACTIVE, None, None, None
        if life.dissolved is not None and life.dissolved.year == year:
            status, dissolved, note = domain.STATUS_DISSOLVED, life.dissolved.isoformat(), life.end_note
        elif life.suspended is not None and life.suspended.year <= year:
            status, suspended, note = domain.STATUS_SUSPENDED, life.suspended.isoformat(), life.end_note
        elif year == life.founded.year:
            note = life.start_note
        unit = unit_in(year)
        out.append(
            {
                **base,
                "ma_xa": unit.code,
                "ten_xa": unit.name,
                "huyen_cu": unit.district_on(year_end),
                "ngay_thanh_lap": life.founded.isoformat(),
                "trang_thai": status,
                "ngay_giai_the": dissolved,
                "ngay_tam_dung": suspended,
                "danh_gia": rating,
                "nam_danh_gia": year,
                "vi_do": np.nan,
                "kinh_do": np.nan,
                "thon_tdp": kdc_unit(unit.type, area) if area else None,
                "ghi_chu": note,
            }
        )
    return out
