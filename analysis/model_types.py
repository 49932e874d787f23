"""Named model types: "Tổ hòa giải ở cơ sở thôn Lạc Sơn" is a "Tổ hòa giải ở cơ sở" (pure).

Provincial reports count models by their named type within each kind ("652 mô
hình Xóm liên gia tự quản"), not only by the four kinds. Offices name a model
by its type followed by its place, so the type is the name up to the first
word that starts a place (thôn, xóm, tổ dân phố, số 5, Trường ..., cảng ...,
a dash). A family model ("Dòng họ Lê thôn X không có tội phạm và tệ nạn xã hội")
drops the surname and keeps its pledge. A name with no such word is its own
type. This is a reading of free text: the report says so under the table.

>>> model_type("Tổ hòa giải ở cơ sở thôn Lạc Sơn")
'Tổ hòa giải ở cơ sở'
>>> model_type("Tổ tàu thuyền đoàn kết số 5 cảng cá Xuân Liên")
'Tổ tàu thuyền đoàn kết'
>>> model_type("Dòng họ Lê tổ dân phố Tây Hải không có tội phạm và tệ nạn xã hội")
'Dòng họ không có tội phạm và tệ nạn xã hội'
>>> model_type("Giáo xứ bình yên – giáo họ tổ dân phố Hưng Giang")
'Giáo xứ bình yên'
"""

from __future__ import annotations

import re

import pandas as pd

from loaders.core import domain

#: Words that start a model's place in its name (case as offices write them). "trường" in lower case
#: is not one: "Cổng trường an toàn giao thông" is a type, "Trường THCS ..." its place.
_PLACE_WORDS = (
    "thôn",
    "Thôn",
    "xóm",
    "Xóm",
    "bản",
    "khối",
    "Khối",
    "tổ dân phố",
    "Tổ dân phố",
    "TDP",
    "số",
    "Trường",
    "cảng",
    "chợ",
    "xã",
    "phường",
    "thị trấn",
    "giáo họ",
    "công ty",
    "Công ty",
    "khu",
)
_PLACE = re.compile(r"\s*[–—-]\s+|\s*,?\s+(?=(?:" + "|".join(re.escape(w) for w in _PLACE_WORDS) + r")(?:\s|$))")
_FAMILY = re.compile(r"^Dòng họ\s", re.IGNORECASE)
_PLEDGE = re.compile(r"\s(không có tội phạm.*)$", re.IGNORECASE)


def model_type(name: str) -> str:
    """The named type of a model: its name up to its place (see the module's rule)."""
    text = " ".join(str(name).split())
    if _FAMILY.match(text):
        pledge = _PLEDGE.search(text)
        return f"Dòng họ {pledge.group(1)}" if pledge else "Dòng họ"
    match = _PLACE.search(text)
    head = text[: match.start()] if match and match.start() > 0 else text
    return head.strip(" ,") or text


def types_table(operating: pd.DataFrame) -> pd.DataFrame:
    """Operating models by kind and named type, the most numerous type first within each kind.

    Parameters
    ----------
    operating : pd.DataFrame
        ``kind`` and ``model_name`` of the operating models (``analysis.area_coverage.operating_models``).

    Returns
    -------
    pd.DataFrame
        ``kind``, ``model_type``, ``models`` (count), in the order of ``domain.MODEL_KINDS``.
    """
    if operating.empty:
        return pd.DataFrame({"kind": [], "model_type": [], "models": []}).astype({"models": "int64"})
    frame = pd.DataFrame(
        {
            "kind": operating["kind"].astype(object).to_numpy(),
            "model_type": [model_type(n) for n in operating["model_name"]],
        }
    )
    counts = frame.groupby(["kind", "model_type"]).size().rename("models").reset_index()
    order = {kind: position for position, kind in enumerate(domain.MODEL_KINDS)}
    counts["_kind"] = counts["kind"].map(order).fillna(len(order))
    counts = counts.sort_values(["_kind", "models", "model_type"], ascending=[True, False, True])
    return counts.drop(columns="_kind").reset_index(drop=True)
