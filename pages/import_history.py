"""Import history: every import with its counts and status, its error report, original file and rollback."""

import streamlit as st

from loaders.ingest.history import list_imports
from ui import cache
from ui.access import require
from ui.i18n import t
from ui.parts import history
from ui.parts.upload import render_flash

require("import")
st.title(t("page.import_history"))
render_flash(history.HISTORY_FLASH_KEY)

imports = list_imports(cache.get_engine())
if imports.empty:
    st.info(t("history.empty"))
    st.stop()

st.dataframe(history.history_view(imports), hide_index=True, width="stretch", key="history_table")
row = history.render_import_choice(imports)
if row is not None:
    history.render_import_detail(row)
