"""Báo cáo định kỳ: the periodic report of a period, a comparison and a unit, previewed and downloaded."""

import streamlit as st

from ui import cache
from ui.i18n import t
from ui.parts import report as report_part
from ui.sidebar import current_filters

filters = current_filters()
st.title(t("page.report"))
st.caption(t("report.period_note"))
unit = report_part.render_unit_choice()
threshold = report_part.render_threshold()
built = cache.get_report(cache.data_version(), report_part.request_for(filters, unit, threshold))
report_part.render_preview(built)
report_part.render_downloads(built)
