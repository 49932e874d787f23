"""The demo's self-protection models: what is founded where and when, and how it fares."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.textnorm import key
from loaders.demo.months import FESTIVAL_DAY, FESTIVAL_MONTH, START_DATE, Months
from loaders.demo.names import SURNAMES, company, kdc, unit_lower
from loaders.demo.places import Context, pick_member, place_points
from loaders.demo.profiles import Profiles
from loaders.ingest.datasets import get_dataset

#: Models per 10,000 residents founded over 2020-2026 in an ordinary commune, at scale 1.
MODELS_PER_10K = 4.5
#: Share of models that carry a point.
MODEL_POINT_SHARE = 0.6

# (kind, setting, template, weight, condition). Template fields: {kdc}, {short}, {n}, {surname}, {company}.
_MODEL_TEMPLATES: tuple[tuple[str, str, str, float, str], ...] = (
    ("tự quản", "khu dân cư", "Tổ tự quản về an ninh, trật tự {kdc}", 3.0, ""),
    ("tự quản", "khu dân cư", "Tổ liên gia tự quản {kdc}", 2.0, ""),
    ("tự quản", "khu dân cư", "Khu dân cư tự quản {kdc}", 1.2, ""),
    ("tự quản", "chợ", "Tổ tự quản an ninh, trật tự chợ {short}", 0.4, ""),
    ("tự phòng", "khu dân cư", "Camera an ninh {kdc}", 2.0, ""),
    ("tự phòng", "khu dân cư", "Câu lạc bộ phòng, chống ma túy {kdc}", 0.8, ""),
    ("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường Tiểu học {short}", 0.4, ""),
    ("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường THCS {short}", 0.4, ""),
    ("tự phòng", "khu dân cư", "Dòng họ {surname} {kdc} không có tội phạm và tệ nạn xã hội", 1.0, ""),
    ("tự bảo vệ", "khu dân cư", "Tổ an ninh xung kích {kdc}", 1.8, ""),
    ("tự bảo vệ", "cơ quan", "Tổ tự bảo vệ Trạm Y tế {lower}", 0.3, ""),
    ("tự bảo vệ", "cơ quan", "Cơ quan an toàn về an ninh, trật tự – Trường THCS {short}", 0.3, ""),
    ("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}", 0.25, ""),
    ("tự bảo vệ", "khu du lịch", "Tổ bảo vệ an ninh, trật tự khu du lịch biển {short}", 0.6, "coastal"),
    ("tự hòa giải", "khu dân cư", "Tổ hòa giải ở cơ sở {kdc}", 3.0, ""),
    ("tự hòa giải", "khu dân cư", "Câu lạc bộ hòa giải viên giỏi {kdc}", 0.5, ""),
    ("khác", "cơ sở tôn giáo", "Giáo xứ bình yên – giáo họ {kdc}", 0.5, ""),
    ("khác", "khu dân cư", "Mô hình «Thắp sáng đường quê» {kdc}", 0.4, ""),
    ("khác", "khu dân cư", "Nhóm Zalo an ninh {kdc}", 0.4, ""),
)
_BORDER_TEMPLATES = (
    ("tự quản", "khu dân cư", "Tổ tự quản đường biên, cột mốc {kdc}"),
    ("tự quản", "cửa khẩu", "Tổ tự quản đường biên, cột mốc số {n} khu vực cửa khẩu"),
)
_COASTAL_TEMPLATES = (
    ("tự quản", "khu dân cư", "Tổ tàu thuyền đoàn kết số {n}, {kdc}"),
    ("tự quản", "cảng biển", "Tổ tàu thuyền đoàn kết số {n} cảng cá {short}"),
)
_EZ_TEMPLATE = ("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}")
_MEMBERS_RANGE = {
    "khu dân cư": (7, 30),
    "cơ quan": (5, 15),
    "doanh nghiệp": (8, 45),
    "cơ sở giáo dục": (6, 20),
    "chợ": (5, 14),
    "khu du lịch": (6, 18),
    "cảng biển": (10, 40),
    "cửa khẩu": (6, 15),
    "cơ sở tôn giáo": (8, 30),
    "khác": (5, 20),
}


def _founding_ordinals(months: Months, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` founding dates: more each year, and a peak in August before the festival."""
    yw = 1.0 + 0.2 * (months.year - START_DATE.year)
    mw = np.select([months.month == 8, np.isin(months.month, (1, 2)), months.month == 3], [3.2, 0.6, 1.3], 1.0)
    w = yw * mw * months.fraction
    mi = rng.choice(len(w), size=n, p=w / w.sum())
    days = months.days[mi]
    day = rng.integers(0, days) + 1
    # In August most foundings fall in the fortnight before the 19th.
    aug = (months.month[mi] == FESTIVAL_MONTH) & (rng.random(n) < 0.65)
    day = np.where(aug, np.minimum(rng.integers(5, FESTIVAL_DAY + 1, n), days), day)
    return months.start[mi] + day - 1


def generate_models(
    ctx: Context, prof: Profiles, months: Months, until: date, scale: float, rng: np.random.Generator
) -> pd.DataFrame:
    """The models canonical frame: what each commune founded, with status, assessment and points."""
    until_ord = until.toordinal()
    # Names already used, per 2025 commune (folded keys). A record of a split legacy
    # commune also reserves its name in the commune taking most of the legacy area,
    # so that it stays unique even where an importer ignores the point.
    used_in: dict[str, set[str]] = {c.code: set() for c in ctx.communes}
    primary = ctx.registry.legacy["new_code"].to_dict()
    rows: list[dict[str, Any]] = []
    point_keys: list[tuple[int, str | None]] = []
    point_rows: list[int] = []
    for c in ctx.communes:
        if c.idx in prof.no_models:
            continue
        mult = (1.4 if c.urban else 1.0) * (1.5 if c.ez else 1.0)
        n_generic = int(rng.poisson(scale * MODELS_PER_10K * c.population / 1e4 * mult))
        specials: list[tuple[str, str, str]] = []
        if c.border:
            k = int(rng.poisson(3 * scale)) + (1 if scale >= 0.5 else 0)
            specials += [_BORDER_TEMPLATES[int(rng.random() < 0.3)] for _ in range(k)]
        if c.coastal:
            k = int(rng.poisson(4 * scale)) + (1 if scale >= 0.5 else 0)
            specials += [_COASTAL_TEMPLATES[int(rng.random() < 0.4)] for _ in range(k)]
        if c.ez:
            specials += [_EZ_TEMPLATE] * (int(rng.poisson(5 * scale)) + (1 if scale >= 0.5 else 0))
        allowed = [
            t
            for t in _MODEL_TEMPLATES
            if t[0] not in prof.missing[c.idx] and (not t[4] or (t[4] == "coastal" and c.coastal))
        ]
        w = np.array(
            [
                t[3]
                * (2.0 if (c.urban and "Camera" in t[2]) else 1.0)
                * (3.0 if (c.border and "ma túy" in t[2]) else 1.0)
                for t in allowed
            ]
        )
        picks = rng.choice(len(allowed), size=n_generic, p=w / w.sum()) if n_generic else []
        chosen = specials + [allowed[int(p)][:3] for p in picks]
        # Every kind the commune is meant to have appears at least once, so that the
        # kinds it lacks are exactly the ones in ``prof.missing``.
        for kind in domain.MODEL_KINDS_CORE:
            if kind not in prof.missing[c.idx] and all(t[0] != kind for t in chosen):
                options = [t for t in allowed if t[0] == kind]
                ow = np.array([t[3] for t in options])
                chosen.append(options[int(rng.choice(len(options), p=ow / ow.sum()))][:3])
        if not chosen:
            continue
        founded = _founding_ordinals(months, len(chosen), rng)
        order = np.argsort(founded, kind="stable")
        for j in order:
            kind, setting, template = chosen[int(j)]
            f_ord = int(founded[j])
            legacy_code = None
            unit = c.unit
            if date.fromordinal(f_ord) < domain.REFORM_DATE:
                legacy_code = pick_member(c, rng)
                unit = ctx.legacy[legacy_code]
            villages = prof.villages(c.idx, legacy_code)
            scopes = [used_in[c.code]]
            if legacy_code is not None and primary[legacy_code] != c.code:
                scopes.append(used_in[primary[legacy_code]])
            name = ""
            for attempt in range(30):
                name = template.format(
                    kdc=kdc(unit.type, villages[int(rng.integers(len(villages)))]),
                    short=unit.short,
                    lower=unit_lower(unit),
                    n=int(rng.integers(1, 10 + attempt)),
                    surname=SURNAMES[int(rng.integers(0, len(SURNAMES)))],
                    company=company(rng, unit.short),
                )
                if all(key(name) not in used for used in scopes):
                    break
            base, k = name, 2
            while any(key(name) in used for used in scopes):
                name = f"{base} (số {k})"
                k += 1
            for used in scopes:
                used.add(key(name))

            status, dissolved, note = domain.STATUS_ACTIVE, None, None
            p_weak = prof.weak[c.idx]
            u = rng.random()
            if u < 0.05 and f_ord + 120 <= until_ord:
                status = domain.STATUS_DISSOLVED
                dissolved = date.fromordinal(int(rng.integers(f_ord + 120, until_ord + 1))).isoformat()
                note = (
                    "Giải thể, sáp nhập vào tổ bảo vệ an ninh, trật tự ở cơ sở",
                    "Giải thể do không còn duy trì sinh hoạt",
                )[int(rng.integers(0, 2))]
                p_weak = min(0.8, p_weak * 3)
            elif u < 0.13:
                status = domain.STATUS_SUSPENDED
                note = ("Tạm dừng do thiếu kinh phí duy trì", "Tạm dừng để kiện toàn nhân sự")[int(rng.integers(0, 2))]
                p_weak = min(0.7, p_weak * 2.5)
            v = rng.random()
            if f_ord > until_ord - 60:
                assessment = None  # too recent to be assessed
            elif v < p_weak:
                assessment = domain.ASSESSMENT_WEAK
            elif v < p_weak + (1 - p_weak) * 0.6:
                assessment = domain.ASSESSMENT_EFFECTIVE
            else:
                assessment = domain.ASSESSMENT_AVERAGE
            f_date = date.fromordinal(f_ord)
            if note is None and f_date.month == FESTIVAL_MONTH and f_date.day <= FESTIVAL_DAY and rng.random() < 0.6:
                note = "Ra mắt dịp Ngày hội toàn dân bảo vệ an ninh Tổ quốc 19/8"
            lo, hi = _MEMBERS_RANGE[setting]
            rows.append(
                {
                    "ma_xa": unit.code,
                    "ten_xa": unit.name,
                    "huyen_cu": unit.district,
                    "ten_mo_hinh": name,
                    "loai_mo_hinh": kind,
                    "noi_trien_khai": setting,
                    "ngay_thanh_lap": f_date.isoformat(),
                    "trang_thai": status,
                    "ngay_giai_the": dissolved,
                    "danh_gia": assessment,
                    "so_thanh_vien": int(rng.integers(lo, hi + 1)),
                    "vi_do": np.nan,
                    "kinh_do": np.nan,
                    "ghi_chu": note,
                }
            )
            if (legacy_code is not None and legacy_code in ctx.legacy_split) or rng.random() < MODEL_POINT_SHARE:
                point_rows.append(len(rows) - 1)
                point_keys.append((c.idx, legacy_code))
    frame = pd.DataFrame(rows, columns=get_dataset(domain.DATASET_MODELS).names)
    if point_rows:
        lat, lon = place_points(ctx, point_keys, rng)
        frame.loc[point_rows, "vi_do"] = lat
        frame.loc[point_rows, "kinh_do"] = lon
    frame["so_thanh_vien"] = frame["so_thanh_vien"].astype("int64")
    frame["vi_do"] = frame["vi_do"].astype(float)
    frame["kinh_do"] = frame["kinh_do"].astype(float)
    frame = frame.sort_values(["ngay_thanh_lap", "ma_xa", "ten_mo_hinh"], kind="stable").reset_index(drop=True)
    return frame
