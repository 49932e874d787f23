"""The enumerated columns: their families of stored values and the spellings accepted for them.

Lenient matching
----------------
Enumerated values are compared with :func:`loaders.core.textnorm.key`
(case, diacritics, spaces and punctuation ignored), so "TỰ QUẢN", "tu quan"
and "Tự quản" are one value. On top of that each family accepts a few
variants that staff really write (see ``_ENUM_VARIANTS``), for example
"hoạt động" for "đang hoạt động", "VPHC" for "vi phạm hành chính", "chưa đạt"
for "không đạt". Tick marks such as "x" are *not* accepted for "đạt": a blank
cell next to them would have to mean "không đạt", which is a guess.

:mod:`loaders.ingest.datasets` names a column's family and re-exports these names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.core import domain
from loaders.core.textnorm import key

#: The two answers of a có/không column; the store keeps them as true/false.
YES = "có"
NO = "không"
#: The enumeration family of the có/không columns.
YES_NO_FAMILY = "yes_no"

# Enumeration families: name -> allowed stored values (from loaders.core.domain).
ENUM_FAMILIES: dict[str, tuple[str, ...]] = {
    "kind": domain.MODEL_KINDS,
    "setting": domain.MODEL_SETTINGS,
    "status": domain.MODEL_STATUSES,
    "assessment": domain.MODEL_ASSESSMENTS,
    "field": domain.INCIDENT_FIELDS,
    "severity": domain.INCIDENT_SEVERITIES,
    "unit_type": domain.RECOGNITION_UNIT_TYPES,
    "result": domain.RECOGNITION_RESULTS,
    "area_kind": domain.AREA_KINDS,
    YES_NO_FAMILY: (YES, NO),
}

# Extra spellings per family, canonical value -> variants. Only variants that
# cannot mean anything else within the family; each was seen in commune
# reports or is the English word of the dashboard's English interface.
_ENUM_VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "kind": {
        "tự phòng": ("mô hình tự phòng", "self-prevention"),
        "tự quản": ("mô hình tự quản", "self-management"),
        "tự bảo vệ": ("mô hình tự bảo vệ", "self-protection"),
        "tự hòa giải": ("mô hình tự hòa giải", "hòa giải", "self-mediation"),
        "khác": ("other",),
    },
    "setting": {
        "khu dân cư": ("KDC", "thôn, tổ dân phố", "residential area"),
        "cơ quan": ("agency",),
        "doanh nghiệp": ("enterprise",),
        "cơ sở giáo dục": ("trường học", "school"),
        "chợ": ("market",),
        "khu du lịch": ("tourist area",),
        "cảng biển": ("cảng", "seaport"),
        "cửa khẩu": ("border gate",),
        "cơ sở tôn giáo": ("tôn giáo", "religious community"),
        "khác": ("other",),
    },
    "status": {
        domain.STATUS_ACTIVE: ("hoạt động", "active"),
        domain.STATUS_SUSPENDED: ("tạm ngừng", "tạm dừng hoạt động", "suspended"),
        domain.STATUS_DISSOLVED: ("đã giải thể", "dissolved"),
    },
    "assessment": {
        domain.ASSESSMENT_EFFECTIVE: ("có hiệu quả", "effective"),
        domain.ASSESSMENT_AVERAGE: ("TB", "average"),
        domain.ASSESSMENT_WEAK: ("yếu kém", "weak"),
    },
    "field": {
        "kinh tế, buôn lậu": ("kinh tế", "buôn lậu", "economic, smuggling"),
        "ma túy": ("drugs",),
        "cháy, nổ": ("cháy", "nổ", "fire, explosion"),
        "trật tự an toàn giao thông": ("TTATGT", "an toàn giao thông", "giao thông", "traffic"),
        "tệ nạn xã hội": ("social evils",),
        "an ninh": ("security",),
        "hình sự": ("criminal",),
        "môi trường": ("environment",),
        "khác": ("other",),
    },
    "severity": {
        "vi phạm hành chính": ("VPHC", "hành chính", "administrative violation"),
    },
    "unit_type": {
        "xã, phường, thị trấn": ("xã", "phường", "thị trấn", "xã, phường", "cấp xã", "commune"),
        "cơ sở giáo dục": ("trường học", "school"),
        "khu dân cư": ("KDC", "residential area"),
        "cơ quan": ("agency",),
        "doanh nghiệp": ("enterprise",),
    },
    "result": {
        domain.RESULT_PASSED: ("đạt chuẩn", "passed"),
        domain.RESULT_FAILED: ("chưa đạt", "không đạt chuẩn", "failed"),
    },
    "area_kind": {
        domain.AREA_KIND_VILLAGE: ("xóm", "bản", "làng", "village"),
        domain.AREA_KIND_URBAN: ("TDP", "khối", "khối phố", "khu phố", "tổ", "residential group"),
    },
    # No tick mark for "có": a blank cell beside it would have to mean "không", which is a guess.
    YES_NO_FAMILY: {
        YES: ("đã có", "có tổ", "yes", "true", "1"),
        NO: ("chưa có", "chưa", "ko", "no", "false", "0"),
    },
}


def enum_lookup(family: str) -> dict[str, str]:
    """Key -> stored value for every accepted spelling of an enumeration family.

    Parameters
    ----------
    family : str
        A key of :data:`ENUM_FAMILIES`.
    """
    values = ENUM_FAMILIES[family]
    lookup = {key(v): v for v in values}
    for canonical, variants in _ENUM_VARIANTS.get(family, {}).items():
        for variant in variants:
            lookup.setdefault(key(variant), canonical)
    return lookup


def canonical_enum(values: pd.Series, family: str) -> pd.Series:
    """Map free-text values to the stored value of ``family``; unknown or blank give NA.

    Works on the distinct values, which are few even in a million rows, and
    spreads the answers back with one Arrow ``take``.
    """
    lookup = enum_lookup(family)
    codes, uniques = pd.factorize(values)
    mapped = [lookup.get(key(u)) for u in uniques] + [None]  # last slot: missing input
    codes = np.where(codes < 0, len(mapped) - 1, codes)
    taken = pa.array(mapped, pa.large_string()).take(pa.array(codes))
    return taken.to_pandas().set_axis(values.index)
