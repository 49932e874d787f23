"""The demo's reporting gaps: the commune-months a few communes did not report.

The profiles draw a few communes with a run of months without a report
(:attr:`loaders.demo.profiles.Profiles.gaps`); their incidents are not generated
for those months. Imported with the default reporting period (the months the
rows span, for the communes in the file), those months would read as reported
zeros; the demo import leaves them out instead, so they show as "chưa báo cáo".
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from loaders.demo.months import Months
from loaders.demo.places import Context
from loaders.demo.profiles import Profiles
from loaders.ingest.reporting import ReportScope

#: Key in the incidents frame's ``attrs`` that carries the skipped commune-months to the import.
SKIPPED_REPORTS = "skipped_reports"


def skipped_reports(ctx: Context, prof: Profiles, months: Months) -> frozenset[tuple[str, date]]:
    """``(2025 commune code, first day of month)`` of every month a commune did not report."""
    out = set()
    for index, (first, last) in prof.gaps.items():
        code = ctx.communes[index].code
        for k in range(first, last + 1):
            out.add((code, date.fromordinal(int(months.start[k])).replace(day=1)))
    return frozenset(out)


def report_scope(incidents: pd.DataFrame) -> ReportScope:
    """The reporting period of the demo's incidents import: the default, less the skipped commune-months."""
    return ReportScope(skipped=frozenset(incidents.attrs.get(SKIPPED_REPORTS, frozenset())))
