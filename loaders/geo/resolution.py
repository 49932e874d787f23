"""The answer to "which commune does this reference mean": :class:`Resolution`.

Kept apart from :mod:`loaders.geo.resolve` (which finds the answer) so that
the statuses, the stages and the flat form read by imports and the command
line live in one small module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from loaders.core import domain
from loaders.core.i18n import format_date

STATUS_RESOLVED = "resolved"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_NOT_FOUND = "not_found"

#: Which rule matched, surest first; a match that needed several says the least sure.
STAGE_CODE = "code"
STAGE_NAME = "name"
STAGE_JOINED = "joined"
STAGE_OLD_TYPE = "old_type"
STAGE_LIBRARY = "library"
_STAGE_ORDER = (STAGE_CODE, STAGE_NAME, STAGE_JOINED, STAGE_OLD_TYPE, STAGE_LIBRARY)


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one commune reference.

    ``code``/``name`` are the 2025 commune; ``legacy_*`` the legacy unit when the
    reference used legacy (or pre-2020) units. ``split`` marks a legacy commune
    whose area or population went to several 2025 communes: ``code`` is then
    the commune that took (most of) its area and ``candidates`` lists all.
    ``stage`` is the rule that gave the answer (``STAGE_*``; ``None`` when not found).
    """

    input: str
    status: str
    vintage: str | None = None
    legacy_code: str | None = None
    legacy_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    code: str | None = None
    name: str | None = None
    candidates: tuple[dict[str, Any], ...] = ()
    split: bool = False
    message: str | None = None
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output (candidates as a list of dicts)."""
        return {
            "input": self.input,
            "status": self.status,
            "vintage": self.vintage,
            "legacy_code": self.legacy_code,
            "legacy_name": self.legacy_name,
            "district_code": self.district_code,
            "district_name": self.district_name,
            "code": self.code,
            "name": self.name,
            "split": self.split,
            "candidates": [dict(c) for c in self.candidates],
            "message": self.message,
            "stage": self.stage,
        }


FLAT_COLUMNS = [
    "status",
    "vintage",
    "code",
    "name",
    "legacy_code",
    "legacy_name",
    "district_code",
    "district_name",
    "split",
    "candidates",
    "message",
    "stage",
]


def least_sure(*stages: str | None) -> str:
    """The least sure of the stages a match needed (e.g. a split cell read under an old type)."""
    return max((s for s in stages if s), key=_STAGE_ORDER.index)


def join_notes(*notes: str | None) -> str:
    """The notes given, in order, as one message."""
    return " ".join(n for n in notes if n)


def flat(res: Resolution) -> dict[str, Any]:
    """One row of ``Resolver.resolve_frame``: ``FLAT_COLUMNS``, candidates as "; "-joined labels."""
    out = {k: getattr(res, k) for k in FLAT_COLUMNS if k != "candidates"}
    out["candidates"] = (
        "; ".join(describe_candidate(c) for c in res.candidates) if res.status == STATUS_AMBIGUOUS or res.split else ""
    )
    return out


def describe_candidate(c: dict[str, Any]) -> str:
    """A candidate commune as users read it, with its legacy unit when it has one."""
    if c.get("legacy_code"):
        return f"{c['legacy_name']} ({c.get('district_name')}, mã {c['legacy_code']}) → {c['name']} (mã {c['code']})"
    return f"{c['name']} (mã {c['code']}, đơn vị từ {format_date(domain.REFORM_DATE)})"
