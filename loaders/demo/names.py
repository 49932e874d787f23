"""Names the demo writes: people, residential areas, enterprises and units in running text."""

from __future__ import annotations

import numpy as np

from loaders.demo.places import Unit

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phan", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Đinh", "Thái")
# Parts of residential-area names ("thôn Trung Sơn", "tổ dân phố Tân Hòa").
VILLAGE_FIRST = (
    "Trung",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Tân",
    "Phú",
    "Hòa",
    "Yên",
    "Thượng",
    "Hạ",
    "Xuân",
    "Thanh",
    "Minh",
    "Quang",
    "Đức",
    "Hưng",
    "Vĩnh",
    "Kim",
    "Ngọc",
    "Hồng",
    "Trường",
    "Mỹ",
    "Bình",
    "Thái",
    "Lạc",
    "Phúc",
    "Liên",
)
VILLAGE_SECOND = (
    "Sơn",
    "Hà",
    "Lộc",
    "Phú",
    "Thịnh",
    "Tiến",
    "Long",
    "Hải",
    "Bình",
    "An",
    "Mỹ",
    "Lĩnh",
    "Thủy",
    "Lâm",
    "Giang",
    "Phong",
    "Hòa",
    "Thành",
    "Tân",
    "Châu",
    "Quý",
    "Vinh",
    "Hưng",
    "Đình",
    "Trung",
    "Yên",
)
_SECTORS = (
    "Xây lắp",
    "Vận tải biển",
    "Cơ khí",
    "Logistics",
    "Thương mại dịch vụ",
    "Vật liệu xây dựng",
    "Chế biến gỗ",
    "Điện cơ",
    "Thép",
    "May mặc",
    "Chế biến thủy sản",
    "Cơ điện lạnh",
    "Môi trường",
)


def unit_lower(unit: Unit) -> str:
    """The unit as written inside a sentence: "xã Kỳ Tân", "phường Thành Sen"."""
    return f"{unit.type[:1].lower()}{unit.type[1:]} {unit.short}"


def kdc(unit_type: str, name: str) -> str:
    """A residential area inside a name: "thôn Trung Sơn" in a xã, "tổ dân phố Trung Sơn" elsewhere."""
    return f"thôn {name}" if unit_type == "Xã" else f"tổ dân phố {name}"


def kdc_unit(unit_type: str, name: str) -> str:
    """A residential area as a recognised unit: "Thôn Trung Sơn", "Tổ dân phố Trung Sơn"."""
    label = kdc(unit_type, name)
    return label[:1].upper() + label[1:]


def company(rng: np.random.Generator, place: str) -> str:
    """A plausible enterprise name in ``place``, drawn from ``rng``."""
    form = ("Công ty TNHH", "Công ty CP")[int(rng.integers(0, 2))]
    return f"{form} {_SECTORS[int(rng.integers(0, len(_SECTORS)))]} {place}"
