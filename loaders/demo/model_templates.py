"""The kinds of model the demo founds: name templates, where they run, and since when they exist.

A template's ``since`` is the first day a model of that kind can be founded:
security cameras and Zalo groups spread only in the late 2010s, and a "tổ bảo
vệ an ninh, trật tự" exists only from :data:`loaders.core.domain.SECURITY_TEAMS_DATE`
(Law 30/2023/QH15); before that day the same place has a "tổ tự quản". Template
fields: ``{kdc}``, ``{short}``, ``{lower}``, ``{n}``, ``{surname}``, ``{company}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loaders.core import domain
from loaders.core.textnorm import key

#: Only in communes with this focus flag ("" anywhere).
NEEDS_ANY, NEEDS_BORDER, NEEDS_COASTAL = "", "border", "coastal"


@dataclass(frozen=True)
class Template:
    """One kind of model: its kind, its setting, its name pattern, its weight, where and since when."""

    kind: str
    setting: str
    text: str
    weight: float = 1.0
    needs: str = NEEDS_ANY
    since: date | None = None


GENERIC: tuple[Template, ...] = (
    Template("tự quản", "khu dân cư", "Tổ tự quản về an ninh, trật tự {kdc}", 3.0),
    Template("tự quản", "khu dân cư", "Tổ liên gia tự quản {kdc}", 2.0),
    Template("tự quản", "khu dân cư", "Khu dân cư tự quản {kdc}", 1.2),
    Template("tự quản", "chợ", "Tổ tự quản an ninh, trật tự chợ {short}", 0.4),
    Template("tự quản", "khu du lịch", "Tổ tự quản an ninh, trật tự khu du lịch biển {short}", 0.4, NEEDS_COASTAL),
    Template("tự phòng", "khu dân cư", "Camera an ninh {kdc}", 2.0, since=date(2018, 1, 1)),
    Template("tự phòng", "khu dân cư", "Câu lạc bộ phòng, chống ma túy {kdc}", 0.8),
    Template("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường Tiểu học {short}", 0.4),
    Template("tự phòng", "cơ sở giáo dục", "Cổng trường an toàn giao thông Trường THCS {short}", 0.4),
    Template("tự phòng", "khu dân cư", "Dòng họ {surname} {kdc} không có tội phạm và tệ nạn xã hội", 1.0),
    Template("tự bảo vệ", "khu dân cư", "Tổ an ninh xung kích {kdc}", 1.8),
    Template("tự bảo vệ", "cơ quan", "Tổ tự bảo vệ Trạm Y tế {lower}", 0.3),
    Template("tự bảo vệ", "cơ quan", "Cơ quan an toàn về an ninh, trật tự – Trường THCS {short}", 0.3),
    Template("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}", 0.25),
    Template(
        "tự bảo vệ",
        "khu du lịch",
        "Tổ bảo vệ an ninh, trật tự khu du lịch biển {short}",
        0.2,
        NEEDS_COASTAL,
        domain.SECURITY_TEAMS_DATE,
    ),
    Template("tự hòa giải", "khu dân cư", "Tổ hòa giải ở cơ sở {kdc}", 3.0),
    Template("tự hòa giải", "khu dân cư", "Câu lạc bộ hòa giải viên giỏi {kdc}", 0.5),
    Template("khác", "cơ sở tôn giáo", "Giáo xứ bình yên – giáo họ {kdc}", 0.5),
    Template("khác", "khu dân cư", "Mô hình «Thắp sáng đường quê» {kdc}", 0.4, since=date(2015, 1, 1)),
    Template("khác", "khu dân cư", "Nhóm Zalo an ninh {kdc}", 0.4, since=date(2017, 1, 1)),
)
BORDER: tuple[Template, ...] = (
    Template("tự quản", "khu dân cư", "Tổ tự quản đường biên, cột mốc {kdc}", needs=NEEDS_BORDER),
    Template("tự quản", "cửa khẩu", "Tổ tự quản đường biên, cột mốc số {n} khu vực cửa khẩu", needs=NEEDS_BORDER),
)
COASTAL: tuple[Template, ...] = (
    Template("tự quản", "khu dân cư", "Tổ tàu thuyền đoàn kết số {n}, {kdc}", needs=NEEDS_COASTAL),
    Template("tự quản", "cảng biển", "Tổ tàu thuyền đoàn kết số {n} cảng cá {short}", needs=NEEDS_COASTAL),
)
ECONOMIC_ZONE = Template("tự bảo vệ", "doanh nghiệp", "Doanh nghiệp an toàn về an ninh, trật tự – {company}")

MEMBERS_RANGE: dict[str, tuple[int, int]] = {
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

#: A dissolution into the grassroots security team, possible only from its first day.
NOTE_MERGED_INTO_TEAM = "Giải thể, sáp nhập vào tổ bảo vệ an ninh, trật tự ở cơ sở"
NOTE_LAPSED = "Giải thể do không còn duy trì sinh hoạt"

_SECURITY_TEAM_KEY = key("tổ bảo vệ an ninh, trật tự")


def names_security_team(text: str | None) -> bool:
    """Whether ``text`` names a grassroots security team (tổ bảo vệ an ninh, trật tự / ANTT)."""
    if not text:
        return False
    k = key(text)
    return _SECURITY_TEAM_KEY in k or key("tổ bảo vệ ANTT") in k
