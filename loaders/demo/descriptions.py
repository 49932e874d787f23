"""What the demo's incidents say, and the severities each description allows.

One table, :data:`DESCRIPTIONS`: every incident description with its field,
the severities it may carry (with weights) and where it may happen. The
severity of an incident follows from what happened, as the Penal Code (2015,
amended 2017) classes the offence: drink-driving without harm is an
administrative violation, never "đặc biệt nghiêm trọng"; smuggling drugs
across the border carries the heaviest classes. Descriptions of the Laos
border happen only in border communes and those of fishing ports and boats
only in coastal communes (``Unit.border`` / ``Unit.coastal``, the project's
focus-area lists in ``geodata/focus_areas.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.core import domain

# vi phạm hành chính, ít nghiêm trọng, nghiêm trọng, rất nghiêm trọng, đặc biệt nghiêm trọng.
_VP, _IT, _NG, _RAT, _DB = domain.INCIDENT_SEVERITIES

#: Where a description may happen: anywhere, or only in a border or a coastal unit.
PLACE_ANY = ""
PLACE_BORDER = "border"
PLACE_COASTAL = "coastal"


@dataclass(frozen=True)
class Description:
    """One incident description: its field, its allowed severities (weighted) and its place."""

    text: str
    field: str
    severities: tuple[tuple[str, float], ...]
    place: str = PLACE_ANY
    weight: float = 1.0


def _d(field: str, text: str, sev: dict[str, float], place: str = PLACE_ANY, weight: float = 1.0) -> Description:
    return Description(text, field, tuple(sev.items()), place, weight)


_ADMIN = {_VP: 1.0}

#: Every description the demo writes. Severity weights follow the penalty frames of the
#: offence (Penal Code art. 9: up to 3 years ít nghiêm trọng, 7 nghiêm trọng, 15 rất
#: nghiêm trọng, more đặc biệt nghiêm trọng); below the criminal thresholds it is an
#: administrative violation.
DESCRIPTIONS: tuple[Description, ...] = (
    # an ninh
    _d("an ninh", "Tụ tập đông người khiếu kiện về đền bù giải phóng mặt bằng", {_VP: 0.9, _IT: 0.1}),
    _d("an ninh", "Phát hiện tờ rơi có nội dung xấu, độc", {_VP: 0.9, _RAT: 0.08, _DB: 0.02}),
    _d("an ninh", "Đăng tải thông tin sai sự thật trên mạng xã hội", {_VP: 0.85, _IT: 0.1, _NG: 0.05}),
    _d("an ninh", "Tranh chấp đất đai có nguy cơ thành điểm nóng", _ADMIN),
    _d("an ninh", "Người nước ngoài tạm trú không khai báo", _ADMIN),
    _d("an ninh", "Người nước ngoài nhập cảnh trái phép qua đường mòn biên giới", {_VP: 0.9, _IT: 0.1}, PLACE_BORDER),
    # hình sự
    _d("hình sự", "Trộm cắp tài sản (xe máy) tại nhà dân", {_IT: 0.6, _NG: 0.35, _RAT: 0.05}),
    _d("hình sự", "Cố ý gây thương tích do mâu thuẫn cá nhân", {_VP: 0.35, _IT: 0.35, _NG: 0.2, _RAT: 0.08, _DB: 0.02}),
    _d("hình sự", "Lừa đảo chiếm đoạt tài sản qua mạng", {_IT: 0.45, _NG: 0.35, _RAT: 0.15, _DB: 0.05}),
    _d("hình sự", "Cướp giật tài sản trên đường", {_NG: 0.7, _RAT: 0.25, _DB: 0.05}),
    _d("hình sự", "Trộm cắp tài sản tại cửa hàng", {_VP: 0.4, _IT: 0.5, _NG: 0.1}),
    _d("hình sự", "Đánh bạc dưới hình thức ghi lô đề", {_VP: 0.4, _IT: 0.45, _NG: 0.15}),
    _d("hình sự", "Giết người do mâu thuẫn trong sinh hoạt", {_RAT: 0.2, _DB: 0.8}, weight=0.1),
    _d("hình sự", "Trộm cắp ngư lưới cụ của tàu cá tại bến", {_VP: 0.6, _IT: 0.4}, PLACE_COASTAL),
    # ma túy
    _d("ma túy", "Bắt quả tang đối tượng tàng trữ trái phép chất ma túy", {_NG: 0.65, _RAT: 0.25, _DB: 0.1}),
    _d("ma túy", "Phát hiện nhóm đối tượng sử dụng trái phép chất ma túy", _ADMIN),
    _d("ma túy", "Mua bán trái phép chất ma túy", {_NG: 0.45, _RAT: 0.35, _DB: 0.2}, weight=0.7),
    _d("ma túy", "Vận chuyển trái phép chất ma túy", {_NG: 0.5, _RAT: 0.35, _DB: 0.15}, weight=0.5),
    _d(
        "ma túy",
        "Vận chuyển trái phép chất ma túy qua biên giới Việt – Lào",
        {_NG: 0.15, _RAT: 0.5, _DB: 0.35},
        PLACE_BORDER,
        2.0,
    ),
    _d(
        "ma túy",
        "Phát hiện đối tượng mang ma túy tổng hợp từ Lào về",
        {_NG: 0.4, _RAT: 0.4, _DB: 0.2},
        PLACE_BORDER,
        2.0,
    ),
    # kinh tế, buôn lậu
    _d("kinh tế, buôn lậu", "Vận chuyển hàng hóa nhập lậu không có hóa đơn", {_VP: 0.75, _IT: 0.2, _NG: 0.05}),
    _d("kinh tế, buôn lậu", "Kinh doanh hàng giả, hàng kém chất lượng", {_VP: 0.75, _NG: 0.2, _RAT: 0.05}),
    _d("kinh tế, buôn lậu", "Buôn bán thuốc lá điếu nhập lậu", {_VP: 0.8, _NG: 0.2}),
    _d("kinh tế, buôn lậu", "Kinh doanh xăng dầu không đảm bảo điều kiện", _ADMIN),
    _d(
        "kinh tế, buôn lậu",
        "Vận chuyển hàng lậu qua đường mòn biên giới",
        {_VP: 0.7, _IT: 0.2, _NG: 0.1},
        PLACE_BORDER,
        2.0,
    ),
    _d(
        "kinh tế, buôn lậu",
        "Buôn lậu gỗ, động vật hoang dã qua biên giới",
        {_VP: 0.4, _IT: 0.4, _NG: 0.2},
        PLACE_BORDER,
        2.0,
    ),
    _d(
        "kinh tế, buôn lậu",
        "Mua bán dầu DO không rõ nguồn gốc cho tàu cá tại cảng cá",
        {_VP: 0.85, _IT: 0.15},
        PLACE_COASTAL,
    ),
    # môi trường
    _d("môi trường", "Khai thác cát trái phép", {_VP: 0.9, _IT: 0.1}),
    _d("môi trường", "Xả thải chưa qua xử lý ra môi trường", {_VP: 0.95, _NG: 0.05}),
    _d("môi trường", "Khai thác thủy sản bằng kích điện", {_VP: 0.9, _IT: 0.1}),
    _d("môi trường", "Vận chuyển, chôn lấp chất thải trái phép", {_VP: 0.9, _NG: 0.1}),
    _d("môi trường", "Khai thác, vận chuyển lâm sản trái phép", {_VP: 0.8, _IT: 0.15, _NG: 0.05}),
    _d("môi trường", "Tàu cá dùng chất nổ khai thác thủy sản ven bờ", {_VP: 0.7, _IT: 0.3}, PLACE_COASTAL, 1.5),
    # tệ nạn xã hội
    _d("tệ nạn xã hội", "Đánh bạc được thua bằng tiền", {_VP: 0.7, _IT: 0.25, _NG: 0.05}),
    _d("tệ nạn xã hội", "Tổ chức đánh bạc tại nhà riêng", {_VP: 0.3, _NG: 0.6, _RAT: 0.1}),
    _d("tệ nạn xã hội", "Mua bán dâm tại cơ sở lưu trú", {_VP: 0.8, _NG: 0.2}),
    _d("tệ nạn xã hội", "Cho vay lãi nặng, đòi nợ có dấu hiệu khủng bố tinh thần", {_VP: 0.4, _IT: 0.6}),
    # trật tự an toàn giao thông
    _d("trật tự an toàn giao thông", "Điều khiển xe mô tô vượt quá nồng độ cồn", _ADMIN, weight=1.5),
    _d("trật tự an toàn giao thông", "Va chạm giao thông giữa xe mô tô và ô tô", {_VP: 0.9, _IT: 0.1}),
    _d("trật tự an toàn giao thông", "Tai nạn giao thông làm một người bị thương", {_VP: 0.8, _IT: 0.15, _NG: 0.05}),
    _d(
        "trật tự an toàn giao thông",
        "Tai nạn giao thông làm chết người",
        {_VP: 0.3, _NG: 0.55, _RAT: 0.15},
        weight=0.15,
    ),
    _d("trật tự an toàn giao thông", "Đua xe, lạng lách trái phép", {_VP: 0.85, _NG: 0.15}),
    _d("trật tự an toàn giao thông", "Lấn chiếm lòng đường, vỉa hè để kinh doanh", _ADMIN),
    _d("trật tự an toàn giao thông", "Điều khiển xe không có giấy phép lái xe", _ADMIN, weight=1.5),
    # cháy, nổ
    _d("cháy, nổ", "Cháy nhà dân do chập điện", {_VP: 0.9, _NG: 0.1}),
    _d("cháy, nổ", "Cháy rừng trồng keo", {_VP: 0.85, _NG: 0.15}),
    _d("cháy, nổ", "Cháy kho xưởng", {_VP: 0.8, _NG: 0.15, _RAT: 0.05}),
    _d("cháy, nổ", "Tàng trữ, sử dụng pháo nổ trái phép", {_VP: 0.75, _NG: 0.25}),
    _d("cháy, nổ", "Cháy tàu cá khi neo đậu tại cảng cá", {_VP: 0.9, _NG: 0.1}, PLACE_COASTAL, 0.5),
    # khác
    _d("khác", "Mâu thuẫn gia đình dẫn đến xô xát", {_VP: 0.9, _IT: 0.1}),
    _d("khác", "Gây rối trật tự công cộng", {_VP: 0.8, _IT: 0.15, _NG: 0.05}),
    _d("khác", "Tranh chấp ranh giới đất giữa hai hộ", _ADMIN),
    _d("khác", "Người mất tích được tìm thấy", _ADMIN),
    _d("khác", "Tàu cá không bật thiết bị giám sát hành trình khi ra khơi", _ADMIN, PLACE_COASTAL),
    _d("khác", "Tranh chấp ngư trường giữa các tàu cá", {_VP: 0.9, _IT: 0.1}, PLACE_COASTAL),
)


def allowed(field: str, border: bool, coastal: bool) -> list[Description]:
    """The descriptions of ``field`` that may happen in a unit with these focus flags."""
    ok = {PLACE_ANY} | ({PLACE_BORDER} if border else set()) | ({PLACE_COASTAL} if coastal else set())
    return [d for d in DESCRIPTIONS if d.field == field and d.place in ok]


def describe(text: str) -> Description:
    """The table's entry for a generated description (which may end with ", thôn ...").

    Raises
    ------
    KeyError
        If no description of the table starts ``text``.
    """
    for d in sorted(DESCRIPTIONS, key=lambda d: -len(d.text)):
        if text == d.text or text.startswith(f"{d.text}, "):
            return d
    raise KeyError(text)
