"""What an incidents import reports: the rule on tiny frames, then written and read back on both stores."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from loaders.ingest.commit import commit_import
from loaders.ingest.history import rollback_import
from loaders.ingest.reporting import ReportScope, ReportScopeError, parse_scope, reported_pairs, whole_months
from loaders.store import reads
from tests.support.imports import USER, incidents_csv, models_csv, preview

KY_TAN, CAM_THANH = "18814", "18100"


def _rows(*pairs: tuple[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"commune_code": [c for c, _ in pairs], "occurred_on": pd.to_datetime([d for _, d in pairs])})


def _as_set(pairs: pd.DataFrame) -> set[tuple[str, str]]:
    return {(m.isoformat()[:7], c) for m, c in zip(pairs["month"], pairs["commune_code"])}


@pytest.mark.parametrize(
    ("first", "last", "months"),
    [
        (date(2025, 1, 1), date(2025, 3, 31), [1, 2, 3]),
        (date(2025, 1, 15), date(2025, 3, 31), [2, 3]),
        (date(2025, 1, 1), date(2025, 3, 30), [1, 2]),
        (date(2024, 2, 1), date(2024, 2, 29), [2]),
    ],
)
def test_a_month_counts_only_when_the_range_covers_it_whole(first, last, months):
    assert [m.month for m in whole_months(first, last)] == months


def test_without_a_range_an_import_reports_the_months_its_rows_span_for_its_communes():
    rows = _rows((KY_TAN, "2025-01-20"), (CAM_THANH, "2025-03-02"))
    assert _as_set(reported_pairs(None, rows)) == {
        (m, c) for m in ("2025-01", "2025-02", "2025-03") for c in (KY_TAN, CAM_THANH)
    }


def test_a_stated_range_for_the_province_still_reports_every_rows_own_month():
    scope = ReportScope(first=date(2025, 1, 1), last=date(2025, 1, 31), communes=("A", "B"))
    rows = _rows((KY_TAN, "2025-02-10"))
    assert _as_set(reported_pairs(scope, rows)) == {("2025-01", "A"), ("2025-01", "B"), ("2025-02", KY_TAN)}


def test_skipped_commune_months_are_left_out():
    scope = ReportScope(skipped=frozenset({(KY_TAN, date(2025, 2, 1))}))
    rows = _rows((KY_TAN, "2025-01-20"), (KY_TAN, "2025-03-02"))
    assert _as_set(reported_pairs(scope, rows)) == {("2025-01", KY_TAN), ("2025-03", KY_TAN)}


def test_parse_scope_reads_iso_ranges_and_all():
    scope = parse_scope(" 2025-01-01 : 2025-03-31 ", "all", ["B", "A", "A"])
    assert (scope.first, scope.last, scope.communes) == (date(2025, 1, 1), date(2025, 3, 31), ("A", "B"))
    assert parse_scope(None, None, ["A"]) == ReportScope()


@pytest.mark.parametrize(
    ("reports", "communes", "message"),
    [
        ("2025-01-01..2025-03-31", None, "không đúng dạng"),
        ("01/01/2025:31/03/2025", None, "không đúng dạng"),
        ("2025-02-30:2025-03-31", None, "không tồn tại"),
        ("2025-03-31:2025-01-01", None, "ngày đầu sau ngày cuối"),
        ("2025-01-02:2025-01-31", None, "không trọn tháng nào"),
        ("2025-01-01:2025-01-31", "file", "chỉ nhận «all»"),
    ],
)
def test_bad_scopes_are_refused_with_a_vietnamese_message(reports, communes, message):
    with pytest.raises(ReportScopeError, match=message):
        parse_scope(reports, communes, ["A"])


# --------------------------------------------------------------------------- on the store
def _reported(engine) -> set[tuple[str, str]]:
    frame = reads.load_reports(engine)
    return {(m.strftime("%Y-%m"), c) for m, c in zip(frame["month"], frame["commune_code"])}


def test_reports_are_written_with_the_rows_and_a_rollback_stops_them_counting(engine, registry):
    data = incidents_csv(
        ["A-1"],
        day="15/03/2024",
        extra=[["A-2", "02/05/2024", "", "Xã Kỳ Tân", "Huyện Kỳ Anh", "Hình sự", "", "", "", ""]],
    )
    first = commit_import(engine, preview(engine, registry, data), user=USER)
    assert _reported(engine) == {("2024-03", KY_TAN), ("2024-04", KY_TAN), ("2024-05", KY_TAN)}

    scope = ReportScope(first=date(2024, 1, 1), last=date(2024, 1, 31), communes=tuple(registry.communes.index))
    second = commit_import(
        engine, preview(engine, registry, incidents_csv(["B-1"], day="10/01/2024")), user=USER, reports=scope
    )
    reported = _reported(engine)
    assert len([p for p in reported if p[0] == "2024-01"]) == len(registry.communes) == 69

    rollback_import(engine, second.import_id, USER)
    assert _reported(engine) == {("2024-03", KY_TAN), ("2024-04", KY_TAN), ("2024-05", KY_TAN)}
    rollback_import(engine, first.import_id, USER)
    assert _reported(engine) == set()


def test_a_reporting_period_is_refused_for_other_datasets(engine, registry):
    with pytest.raises(ReportScopeError, match="chỉ dùng cho dữ liệu vụ việc"):
        commit_import(
            engine,
            preview(engine, registry, models_csv(["Tổ A"]), "models"),
            user=USER,
            reports=ReportScope(communes=("18814",)),
        )
    assert _reported(engine) == set()


def test_a_skipped_month_that_holds_a_row_stays_reported():
    scope = ReportScope(skipped=frozenset({(KY_TAN, date(2025, 1, 1))}))
    rows = _rows((KY_TAN, "2025-01-20"))
    assert _as_set(reported_pairs(scope, rows)) == {("2025-01", KY_TAN)}
