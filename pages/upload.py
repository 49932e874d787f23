"""Upload: choose a dataset, get its templates, upload a file, check the preview, then confirm the import.

The importer (``loaders.ingest``) does the work, as for ``python -m loaders import``;
``ui.parts.upload`` holds the widgets and the once-per-submit bookkeeping.
"""

import streamlit as st

from ui.access import require
from ui.i18n import t
from ui.parts import upload as up
from ui.parts import upload_guess
from ui.parts.model_areas import render_unlinked_models
from ui.parts.upload_reports import render_report_period

require("import")
st.title(t("page.upload"))
up.render_flash()

dataset = up.render_dataset_choice()
render_unlinked_models()
submission = up.render_upload_form(dataset)
if submission is not None:
    up.ensure_preview(*submission)
upload_guess.apply_switch()

pending = up.current_pending()
if pending is not None:
    upload_guess.render_dataset_guess(pending)
    up.render_preview(pending)
    if pending.preview.needs_mapping:
        up.render_mapping_step(pending)
    reports, reports_error = render_report_period(pending.preview)
    up.render_confirm(pending, reports, reports_error)
    if st.button(t("upload.discard"), key="upload_discard", icon=":material/close:"):
        up.clear_pending()
        st.rerun()

st.divider()
up.render_demo_controls()
