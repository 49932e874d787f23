"""AppTests of the sidebar's period and comparison choice, and their place in the URL."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analysis import periods
from analysis.indicators import Filters
from loaders.accounts import users
from loaders.core.clock import vietnam_now, vietnam_today
from loaders.core.i18n import format_date_range
from loaders.store import db
from tests.support.apptest import build_demo_store, use_demo_store
from ui.plain_text import plain

APPTEST_TIMEOUT = 90


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo_periods") / "demo.sqlite3")


@pytest.fixture(autouse=True)
def _demo_store(demo_db: Path, isolated_store: Path) -> None:
    use_demo_store(demo_db, isolated_store)


def _filters(at: AppTest) -> Filters:
    return at.session_state["shared_filters"]


def _summary(at: AppTest) -> str:
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Kỳ đang xem"))


def test_the_default_is_the_official_year_to_date_against_the_same_period_last_year(app_test) -> None:
    at = app_test(role="viewer")
    assert not at.exception
    today = vietnam_today()
    expected = periods.default_period(today)
    assert _filters(at).period == expected
    assert _filters(at).compare == periods.COMPARE_SAME_PERIOD_LAST_YEAR
    assert at.radio(key="filter_compare").value == periods.COMPARE_SAME_PERIOD_LAST_YEAR
    last_year = periods.same_period_last_year(expected)
    # The rule is stated with its dates where the figure is chosen.
    assert _summary(at) == (
        f"Kỳ đang xem: {format_date_range(expected.start, expected.end)}. So sánh với cùng kỳ năm trước "
        f"({format_date_range(last_year.start, last_year.end)})."
    )
    assert at.query_params["ky"] == "official-year"


def test_an_official_quarter_shows_its_dates_and_goes_into_the_url(app_test) -> None:
    at = app_test(role="viewer")
    at.selectbox(key="filter_granularity").select("official-quarter").run()
    at.selectbox(key="filter_period_from_official-quarter").select("Q1/2025").run()
    at.selectbox(key="filter_period_to_official-quarter").select("Q1/2025").run()
    assert not at.exception
    assert _filters(at).period == periods.Period(date(2024, 12, 15), date(2025, 3, 14))
    box = at.selectbox(key="filter_period_from_official-quarter")
    assert "Quý I/2025 (15/12/2024 – 14/3/2025)" in box.options
    assert (at.query_params["ky"], at.query_params["tu"], at.query_params["den"]) == (
        "official-quarter",
        "Q1/2025",
        "Q1/2025",
    )
    at.radio(key="filter_compare").set_value(periods.COMPARE_PREVIOUS).run()
    assert _filters(at).compare_period() == periods.Period(date(2024, 9, 15), date(2024, 12, 14))
    assert "kỳ liền trước (15/9/2024 – 14/12/2024)" in _summary(at)
    assert at.query_params["so_sanh"] == periods.COMPARE_PREVIOUS


def test_a_custom_range_and_a_comparison_restore_from_a_shared_link(app_test) -> None:
    at = app_test(
        role="viewer", params={"ky": "custom", "tu": "2025-01-10", "den": "2025-03-31", "so_sanh": "previous"}
    )
    assert not at.exception
    assert at.date_input(key="filter_period_custom_from").value == date(2025, 1, 10)
    assert _filters(at).period == periods.Period(date(2025, 1, 10), date(2025, 3, 31))
    assert _filters(at).compare == periods.COMPARE_PREVIOUS
    at.date_input(key="filter_period_custom_to").set_value(date(2025, 2, 28)).run()
    assert _filters(at).period.end == date(2025, 2, 28)
    assert at.query_params["den"] == "2025-02-28" and at.query_params["ky"] == "custom"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"ky": "custom", "tu": "2025-03-31", "den": "2025-01-01"}, "tu/den"),
        ({"ky": "custom", "tu": "2019-01-01", "den": "2025-01-01"}, "tu/den"),
        ({"ky": "official-year", "tu": "1999", "den": "2025"}, "tu/den"),
        ({"so_sanh": "next-year"}, "so_sanh"),
    ],
)
def test_bad_period_links_fall_back_with_a_notice(app_test, params: dict[str, str], name: str) -> None:
    at = app_test(role="viewer", params=params)
    assert not at.exception
    assert plain(name) in " ".join(i.value for i in at.info)  # named, as literal text
    assert _filters(at).period == periods.default_period(vietnam_today())
    assert _filters(at).compare == periods.COMPARE_SAME_PERIOD_LAST_YEAR


def test_a_table_export_states_the_comparison_and_the_time_in_vietnam(app_test, deferred_downloads) -> None:
    users.create_user(db.get_engine(), "an", None, "analyst", "test")
    at = app_test(role="analyst", user="an", page="pages/incidents.py")
    assert not at.exception
    xlsx = next(call for name, call in deferred_downloads.items() if name.endswith(".xlsx"))
    before = vietnam_now().replace(second=0, microsecond=0, tzinfo=None)
    book = openpyxl.load_workbook(io.BytesIO(xlsx()))
    context = {row[0]: row[1] for row in book.worksheets[-1].iter_rows(values_only=True) if row[0]}
    stamp = datetime.strptime(context["Thời điểm xuất"], "%d/%m/%Y %H:%M")
    assert before <= stamp <= before + timedelta(minutes=5)  # Vietnam time, not the server's zone
    expected = periods.same_period_last_year(periods.default_period(vietnam_today()))
    assert context["So sánh với"] == f"cùng kỳ năm trước ({format_date_range(expected.start, expected.end)})"


def test_a_month_link_written_with_a_leading_zero_still_opens_its_months(app_test) -> None:
    at = app_test(role="viewer", params={"ky": "month", "tu": "07/2025", "den": "08/2025"})
    assert not at.exception
    assert _filters(at).period == periods.Period(date(2025, 7, 1), date(2025, 8, 31))
    # The link now carries the months as official documents write them: a leading zero for Jan and Feb only.
    assert at.query_params["tu"] == "7/2025" and at.query_params["den"] == "8/2025"
    assert "Tháng 7/2025" in at.selectbox(key="filter_period_from_month").options
