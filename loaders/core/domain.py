"""The domain's categories (docs/domain.md), as the one source for every enumeration.

Stored values are the Vietnamese terms as the offices write them. Display
labels (Vietnamese and English) live in the i18n catalogues under
``locales/``; their keys are ``enum.<family>.<value-key>``.
"""

from __future__ import annotations

from datetime import date

#: Date the 2025 structure (69 communes, no districts) came into force.
REFORM_DATE: date = date(2025, 7, 1)
#: First year that recognitions are reported in the 2025 units (decided at year end).
FIRST_RECOGNITION_YEAR_2025: int = 2025
#: Earliest date the importer accepts.
EARLIEST_DATE: date = date(2000, 1, 1)

#: The uploadable datasets: their names in files, the store, the command line and URLs.
DATASET_MODELS = "models"
DATASET_INCIDENTS = "incidents"
DATASET_RECOGNITIONS = "recognitions"
DATASET_RESIDENTIAL_AREAS = "residential_areas"
DATASET_NAMES: tuple[str, ...] = (
    DATASET_MODELS,
    DATASET_INCIDENTS,
    DATASET_RECOGNITIONS,
    DATASET_RESIDENTIAL_AREAS,
)

#: The two kinds of residential area (khu dân cư): a village, and a residential group in a ward.
AREA_KIND_VILLAGE = "thôn"
AREA_KIND_URBAN = "tổ dân phố"
AREA_KINDS: tuple[str, ...] = (AREA_KIND_VILLAGE, AREA_KIND_URBAN)
#: The day the grassroots security teams (tổ bảo vệ ANTT, Law 30/2023/QH15) came into being.
SECURITY_TEAMS_DATE: date = date(2024, 7, 1)

VINTAGE_2025 = "2025"
VINTAGE_LEGACY = "legacy"
VINTAGE_PRE2020 = "pre2020"
VINTAGES: tuple[str, ...] = (VINTAGE_2025, VINTAGE_LEGACY)

# The four self-protection kinds, then "other". Only the four count in the 0-4 indicator.
MODEL_KINDS_CORE: tuple[str, ...] = ("tự phòng", "tự quản", "tự bảo vệ", "tự hòa giải")
MODEL_KINDS: tuple[str, ...] = (*MODEL_KINDS_CORE, "khác")

MODEL_SETTINGS: tuple[str, ...] = (
    "khu dân cư",
    "cơ quan",
    "doanh nghiệp",
    "cơ sở giáo dục",
    "chợ",
    "khu du lịch",
    "cảng biển",
    "cửa khẩu",
    "cơ sở tôn giáo",
    "khác",
)

STATUS_ACTIVE = "đang hoạt động"
STATUS_SUSPENDED = "tạm dừng"
STATUS_DISSOLVED = "giải thể"
MODEL_STATUSES: tuple[str, ...] = (STATUS_ACTIVE, STATUS_SUSPENDED, STATUS_DISSOLVED)

ASSESSMENT_EFFECTIVE = "hiệu quả"
ASSESSMENT_AVERAGE = "trung bình"
ASSESSMENT_WEAK = "yếu"
MODEL_ASSESSMENTS: tuple[str, ...] = (ASSESSMENT_EFFECTIVE, ASSESSMENT_AVERAGE, ASSESSMENT_WEAK)
#: A model with no rating for a year: ratings belong to one year and do not carry over.
#: Stored as no rating (NULL); this is the word tables and reports show for it.
ASSESSMENT_UNRATED = "chưa đánh giá"

INCIDENT_FIELDS: tuple[str, ...] = (
    "an ninh",
    "hình sự",
    "ma túy",
    "kinh tế, buôn lậu",
    "môi trường",
    "tệ nạn xã hội",
    "trật tự an toàn giao thông",
    "cháy, nổ",
    "khác",
)

INCIDENT_SEVERITIES: tuple[str, ...] = (
    "vi phạm hành chính",
    "ít nghiêm trọng",
    "nghiêm trọng",
    "rất nghiêm trọng",
    "đặc biệt nghiêm trọng",
)

#: The unit type of a commune recognised as a whole (its unit name may stay blank).
UNIT_TYPE_COMMUNE = "xã, phường, thị trấn"
RECOGNITION_UNIT_TYPES: tuple[str, ...] = (
    "khu dân cư",
    UNIT_TYPE_COMMUNE,
    "cơ quan",
    "doanh nghiệp",
    "cơ sở giáo dục",
)
RESULT_PASSED = "đạt"
RESULT_FAILED = "không đạt"
RECOGNITION_RESULTS: tuple[str, ...] = (RESULT_PASSED, RESULT_FAILED)

#: Focus-area filter values (sidebar), in display order.
FOCUS_ALL = "all"
FOCUS_BORDER = "border"
FOCUS_COASTAL = "coastal"
FOCUS_ECONOMIC_ZONE = "economic_zone"
FOCUS_MAJOR_PROJECT = "major_project"
#: The admin's yearly list of "địa bàn trọng điểm, phức tạp về an ninh, trật tự" (kept in the store).
FOCUS_HOT_SPOT = "hot_spot"
FOCUS_AREAS: tuple[str, ...] = (
    FOCUS_ALL,
    FOCUS_BORDER,
    FOCUS_COASTAL,
    FOCUS_ECONOMIC_ZONE,
    FOCUS_MAJOR_PROJECT,
    FOCUS_HOT_SPOT,
)
